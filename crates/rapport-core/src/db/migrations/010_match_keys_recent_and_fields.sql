-- The duplicate engine's keys of leads written since the last fold. Each lead has about fourteen keys, spread at
-- random over match_keys: written there one save at a time, every commit rewrote a page of that large B-tree per
-- key (an import of 100,000 rows rewrote gigabytes). Written here, a small table whose pages stay in memory, and
-- folded into match_keys in one sorted pass once it is large (duplicates::incremental), each page of match_keys
-- is written once per fold. A lookup reads both tables.
CREATE TABLE match_keys_recent (
    key     INTEGER NOT NULL,
    sig     TEXT NOT NULL,
    lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    PRIMARY KEY (key, sig, lead_id)
) WITHOUT ROWID;
CREATE INDEX match_keys_recent_by_lead ON match_keys_recent (lead_id);

-- Each lead's matched fields as the duplicate engine prepares them (rapport_match::Prepared::encode): a
-- candidate is scored from one row of a table small enough to stay in memory, instead of three reads of the
-- lead and its emails and phones and the preparing of them. Filled for existing leads by the migration's hook.
CREATE TABLE match_fields (
    lead_id  INTEGER PRIMARY KEY REFERENCES leads(id) ON DELETE CASCADE,
    prepared TEXT NOT NULL
);
