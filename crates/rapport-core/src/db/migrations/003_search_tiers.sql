-- Ranked search, values kept as typed although invalid, and the owner's canonical field name in the log.

-- Folded names ("first last" and "last first"): B-tree prefix ranges serve the best search tier, whole-name
-- prefixes. Filled by the migration's hook (folding needs Unicode tables SQLite does not have).
ALTER TABLE leads ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN name_key_rev TEXT NOT NULL DEFAULT '';
CREATE INDEX leads_by_name_key ON leads (name_key, id);
CREATE INDEX leads_by_name_key_rev ON leads (name_key_rev, id);

-- The national significant number of each phone, which search matches besides the international digits.
ALTER TABLE lead_phones ADD COLUMN national TEXT NOT NULL DEFAULT '';
CREATE INDEX lead_phones_by_national ON lead_phones (national);

-- Values kept as typed although invalid (import with "keep invalid values"), with the reason; a lead that has
-- any is flagged, and the partial index lists "needs fixing" without scanning every lead.
CREATE TABLE lead_invalid (
    lead_id  INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    field    TEXT NOT NULL CHECK (field IN ('emails', 'phones')),
    value    TEXT NOT NULL,
    reason   TEXT NOT NULL,
    PRIMARY KEY (lead_id, position)
) WITHOUT ROWID;
ALTER TABLE leads ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1));
CREATE INDEX leads_needing_fix ON leads (updated_at, id) WHERE flagged = 1;

-- The search index, rebuilt by the hook: columns filterable per tier (detail=column), and the `ascii`
-- tokenizer over tokens Rapport has already split and folded (leads::search::tokens), so that the index and
-- the query cannot split words differently.
DROP TABLE leads_fts_terms;
DROP TABLE leads_fts;
CREATE VIRTUAL TABLE leads_fts USING fts5 (
    name, company, emails, phones, notes,
    content = '',
    contentless_delete = 1,
    detail = column,
    prefix = '1 2 3',
    tokenize = 'ascii'
);
-- The words the index holds (not phone digits), for expanding a typed prefix into the whole words it stands for:
-- a B-tree range here costs microseconds, where fts5vocab counts each word's documents to list it. Words are
-- added as leads are written and never removed; a word no lead holds any more expands to nothing.
CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;

-- The lead field table names the owner `owner` everywhere; older log rows called it `owner_id`.
UPDATE change_log SET field = 'owner' WHERE entity = 'lead' AND field = 'owner_id';
UPDATE change_log
   SET new_value = json_set(json_remove(new_value, '$.owner_id'), '$.owner', json_extract(new_value, '$.owner_id'))
 WHERE entity = 'lead' AND field = '*' AND json_valid(new_value)
   AND json_extract(new_value, '$.owner_id') IS NOT NULL;
