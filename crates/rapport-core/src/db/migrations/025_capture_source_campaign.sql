-- A capture source may put its leads in a campaign (seed 3.2): a landing page of the spring fair sends leads the
-- spring team sees. Sources made before have none, and their leads stay as they were sent.
ALTER TABLE capture_sources ADD COLUMN campaign TEXT NOT NULL DEFAULT '';
