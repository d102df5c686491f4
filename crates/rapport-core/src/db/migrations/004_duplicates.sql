-- The data steward's review queue: pairs of leads the matcher found likely to be one person.

-- Users an Administrator marks as data stewards review every pair in their campaigns (others, only pairs with
-- a lead they own).
ALTER TABLE users ADD COLUMN data_steward INTEGER NOT NULL DEFAULT 0 CHECK (data_steward IN (0, 1));

CREATE TABLE duplicate_pairs (
    id          INTEGER PRIMARY KEY,
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
CREATE INDEX duplicate_pairs_queue ON duplicate_pairs (status, score DESC, id);
CREATE INDEX duplicate_pairs_by_b ON duplicate_pairs (lead_b);

-- Leads merged into another: every row they had (the lead and its emails, phones, tags and invalid values) as
-- JSON, so unmerge puts them back exactly, with their ids. The id stays reserved here: no new lead takes it.
CREATE TABLE merged_leads (
    lead_id     INTEGER PRIMARY KEY,
    survivor_id INTEGER NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES change_batches(id),
    rows        TEXT NOT NULL
);
CREATE INDEX merged_leads_by_batch ON merged_leads (batch_id);
CREATE INDEX merged_leads_by_survivor ON merged_leads (survivor_id);

-- The duplicate engine's blocking keys of every lead (a 64-bit digest of each key) with the lead's sort
-- signature for that key: a new or edited lead finds its candidates by key, nearest signatures first, without
-- reading the whole table. Filled for existing leads by the migration's hook.
CREATE TABLE match_keys (
    key     INTEGER NOT NULL,
    sig     TEXT NOT NULL,
    lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    PRIMARY KEY (key, sig, lead_id)
) WITHOUT ROWID;
CREATE INDEX match_keys_by_lead ON match_keys (lead_id);

-- The weights the last full scan learnt (JSON), used to score one new lead; absent until a scan has run.
CREATE TABLE match_model (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    parameters TEXT NOT NULL,
    learnt_at  TEXT NOT NULL
);
