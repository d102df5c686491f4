-- Lead acquisition (issue 13): recorded import batches, their rejected rows, mapping templates, and the capture
-- API's sources and submissions.

-- One import of one file: the unit of history, resume and undo. Written in chunks, each chunk one transaction
-- that also advances `rows_done`, so after a crash the batch says exactly which records are in.
CREATE TABLE import_batches (
    id            INTEGER PRIMARY KEY,
    file_name     TEXT NOT NULL,
    -- Where the file is kept for resume (a staged copy in the app, the path given to the CLI).
    file_path     TEXT NOT NULL,
    file_size     INTEGER NOT NULL,
    file_digest   TEXT NOT NULL,
    format        TEXT NOT NULL CHECK (format IN ('csv', 'excel')),
    channel       TEXT NOT NULL CHECK (channel IN ('direct_entry', 'web_form', 'bulk_import', 'partner')),
    source_detail TEXT NOT NULL DEFAULT '',
    template      TEXT,
    -- The whole plan (mapping, key, options) as JSON: a resume runs exactly the same plan.
    plan          TEXT NOT NULL,
    actor_id      INTEGER REFERENCES users(id),
    actor_name    TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    status        TEXT NOT NULL CHECK (status IN ('running', 'interrupted', 'cancelled', 'completed', 'failed', 'undoing', 'undone')),
    -- Data records consumed so far (committed): a resume skips exactly these.
    rows_done     INTEGER NOT NULL DEFAULT 0,
    rows_total    INTEGER,
    counts        TEXT NOT NULL DEFAULT '{}',
    error         TEXT,
    -- Undo progress: the lowest change batch already undone, and what was done so far (JSON).
    undo_cursor   INTEGER,
    undo_report   TEXT
);
CREATE INDEX import_batches_by_start ON import_batches (started_at DESC, id DESC);

-- Every change batch an import (or its undo) wrote belongs to the import: channel, file and template of every
-- change-log row are the import's.
ALTER TABLE change_batches ADD COLUMN import_id INTEGER REFERENCES import_batches(id);
CREATE INDEX change_batches_by_import ON change_batches (import_id, id) WHERE import_id IS NOT NULL;
-- A batch's rows (an undo reads them; "did this batch write anything?" asks them) without scanning the log.
CREATE INDEX change_log_by_batch ON change_log (batch_id);

-- Rejected rows: the original cells (JSON array) and every reason, for the report and the rejects CSV.
CREATE TABLE import_rejects (
    import_id INTEGER NOT NULL REFERENCES import_batches(id) ON DELETE CASCADE,
    line      INTEGER NOT NULL,
    cells     TEXT NOT NULL,
    errors    TEXT NOT NULL,
    PRIMARY KEY (import_id, line)
) WITHOUT ROWID;

-- What an undo could not revert, and why.
CREATE TABLE import_undo_kept (
    import_id INTEGER NOT NULL REFERENCES import_batches(id) ON DELETE CASCADE,
    lead_id   INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    PRIMARY KEY (import_id, lead_id)
) WITHOUT ROWID;

CREATE TABLE import_templates (
    name       TEXT PRIMARY KEY COLLATE NOCASE,
    mapping    TEXT NOT NULL,
    natural_key TEXT CHECK (natural_key IN ('email', 'external_ref')),
    updated_at TEXT NOT NULL
);

-- Updates by natural key look leads up by their external reference.
CREATE INDEX leads_by_external_ref ON leads (external_ref) WHERE external_ref <> '';

-- Capture API: a source is a website form or a partner, with its token's hash (the secret itself lives only in
-- the OS keychain).
CREATE TABLE capture_sources (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind            TEXT NOT NULL CHECK (kind IN ('web_form', 'partner')),
    token_hash      TEXT NOT NULL UNIQUE,
    token_hint      TEXT NOT NULL,
    field_map       TEXT NOT NULL DEFAULT '[]',
    rate_per_minute INTEGER NOT NULL CHECK (rate_per_minute > 0),
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES users(id),
    revoked_at      TEXT,
    last_used_at    TEXT
);

-- Every request a source made, its answer, and its idempotency key: a replay gets the stored answer.
CREATE TABLE capture_submissions (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES capture_sources(id),
    at              TEXT NOT NULL,
    idempotency_key TEXT,
    status          INTEGER NOT NULL,
    outcome         TEXT NOT NULL,
    lead_id         INTEGER,
    response        TEXT NOT NULL
);
CREATE UNIQUE INDEX capture_submissions_idempotent ON capture_submissions (source_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX capture_submissions_recent ON capture_submissions (source_id, id DESC);
