-- A duplicate pair's id is never given to another pair: the change log names pairs by id (a steward's "not a
-- duplicate", a merge's reopened pairs), and unmerge acts on the pairs its merge logged. With a plain INTEGER
-- PRIMARY KEY, a deleted newest pair's id went to the next pair found, and an unmerge set that unrelated pair
-- aside. The table is made again with AUTOINCREMENT (foreign keys off while migrations run), and the counter
-- starts past every pair id the change log has ever named.

CREATE TABLE duplicate_pairs_019 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_a      INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    lead_b      INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    -- Probability that the two are one person (0..1), and the tier it fell in when found.
    score       REAL NOT NULL CHECK (score >= 0 AND score <= 1),
    tier        TEXT NOT NULL CHECK (tier IN ('same', 'review')),
    -- The evidence in words and weights, as shown to the steward (JSON array).
    evidence    TEXT NOT NULL,
    -- A digest of the two leads' matched fields when last found: "not a duplicate" holds while it is unchanged,
    -- and a pair whose matched fields change is asked about again.
    fingerprint TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'not_duplicate')),
    found_at    TEXT NOT NULL,
    decided_by  INTEGER REFERENCES users(id),
    decided_at  TEXT,
    CHECK (lead_a < lead_b),
    UNIQUE (lead_a, lead_b)
);
INSERT INTO duplicate_pairs_019
    (id, lead_a, lead_b, score, tier, evidence, fingerprint, status, found_at, decided_by, decided_at)
SELECT id, lead_a, lead_b, score, tier, evidence, fingerprint, status, found_at, decided_by, decided_at
FROM duplicate_pairs
-- A pair of a lead no longer stored is no pair (leads are deleted with foreign keys on, so there are none).
WHERE lead_a IN (SELECT id FROM leads) AND lead_b IN (SELECT id FROM leads);
DROP TABLE duplicate_pairs;
ALTER TABLE duplicate_pairs_019 RENAME TO duplicate_pairs;
CREATE INDEX duplicate_pairs_queue ON duplicate_pairs (status, score DESC, id);
CREATE INDEX duplicate_pairs_by_b ON duplicate_pairs (lead_b);

INSERT INTO sqlite_sequence (name, seq)
SELECT 'duplicate_pairs', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'duplicate_pairs');
UPDATE sqlite_sequence
SET seq = max(seq,
              coalesce((SELECT max(id) FROM duplicate_pairs), 0),
              coalesce((SELECT max(entity_id) FROM change_log WHERE entity = 'duplicate_pair'), 0))
WHERE name = 'duplicate_pairs';
