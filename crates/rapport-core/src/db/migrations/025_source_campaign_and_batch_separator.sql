-- A capture source may put its leads in a campaign (seed 3.2): a landing page of the spring fair sends leads the
-- spring team sees. Sources made before have none, and their leads stay as they were sent.
ALTER TABLE capture_sources ADD COLUMN campaign TEXT NOT NULL DEFAULT '';

-- The separator of an imported text file: its rejected rows are written with it (a German spreadsheet splits on
-- semicolons) also once the file is gone, as a staged copy is a week on. Empty for workbooks, and for imports
-- made before, whose file says it while it is there.
ALTER TABLE import_batches ADD COLUMN delimiter TEXT NOT NULL DEFAULT '';
