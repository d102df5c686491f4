-- Users, settings and the change log: what every later table is audited through.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'administrator')),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- Campaign isolation (seed 3.2): no row means the user sees every campaign.
CREATE TABLE user_campaigns (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    campaign TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (user_id, campaign)
) WITHOUT ROWID;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO settings (key, value) VALUES ('default_region', 'US');

-- One batch per operation (a form save, an import, a merge): the unit of undo.
CREATE TABLE change_batches (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor_id   INTEGER REFERENCES users(id),
    actor_name TEXT NOT NULL,
    reason     TEXT NOT NULL,
    source_ref TEXT NOT NULL DEFAULT ''
);

CREATE TABLE change_log (
    id        INTEGER PRIMARY KEY,
    batch_id  INTEGER NOT NULL REFERENCES change_batches(id),
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    field     TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX change_log_by_entity ON change_log (entity, entity_id, id);
