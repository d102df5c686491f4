-- The duplicate engine matches a phone written with its country code by all its digits: (212) 555-0123 and
-- (312) 555-0123 shared their last nine digits, which were all it compared, and were taken for one number. The
-- prepared fields of the leads with a phone are written again by the migration's hook (Rust), where they
-- changed; their blocking keys are made of the last nine digits as before, and nothing changes in the schema.
SELECT 1;
