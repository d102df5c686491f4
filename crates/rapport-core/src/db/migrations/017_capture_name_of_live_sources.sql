-- A source's name is unique among the sources still in use: an Administrator who revokes a leaked token can
-- make its replacement under the same name (the name is each lead's source detail, so reports by source stay
-- whole). SQLite cannot drop a column's UNIQUE, so the table is made again with its rows (SQLite's way: foreign
-- keys off while migrations run, and checked before this one commits).

CREATE TABLE capture_sources_017 (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL COLLATE NOCASE,
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
INSERT INTO capture_sources_017
    (id, name, kind, token_hash, token_hint, field_map, rate_per_minute, created_at, created_by, revoked_at,
     last_used_at)
SELECT id, name, kind, token_hash, token_hint, field_map, rate_per_minute, created_at, created_by, revoked_at,
       last_used_at
FROM capture_sources;
DROP TABLE capture_sources;
ALTER TABLE capture_sources_017 RENAME TO capture_sources;
CREATE UNIQUE INDEX capture_sources_live_name ON capture_sources (name COLLATE NOCASE) WHERE revoked_at IS NULL;
