-- Migrations 025 and 026 each gained a second column after some builds had already applied them: a file those
-- builds upgraded says version 25 or 26 but lacks import_batches.delimiter or caldav_accounts.classes_read, and
-- every import or CalDAV sync on it failed. Each feature's hook adds its column only where it is missing (as 014
-- and 015 do); a file that has them is left as it is.
SELECT 1;
