-- A stage may ask its entry criteria of the leads that skip it as well (moved from New lead straight to Won, say):
-- off for every stage until an Administrator turns it on, so no move the pipeline allowed is refused after the
-- upgrade.
ALTER TABLE stages ADD COLUMN asked_when_skipped INTEGER NOT NULL DEFAULT 0 CHECK (asked_when_skipped IN (0, 1));
