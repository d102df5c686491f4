-- The lead list sorted by last name or company put "Özdemir" and "Émile" after every Z, and "élise" apart from
-- "Elise": SQLite's NOCASE folds A to Z only. The list sorts by the folded forms search already uses: the last
-- name by `name_key_rev` (indexed since 003), the company by `company_key`, filled by the leads feature.
ALTER TABLE leads ADD COLUMN company_key TEXT NOT NULL DEFAULT '';
DROP INDEX leads_by_last_name;
DROP INDEX leads_by_company;
CREATE INDEX leads_by_company_key ON leads (company_key, id);
