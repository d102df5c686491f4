-- What a submission did, in words, for the Administrator's list of recent submissions ("may be Ann Lee (lead 42):
-- queued for review"), goes into capture_submissions.detail (added by the capture feature's hook, only if it is
-- not there yet). It used to be the reply's message, but a web form's token is in a public page: the sender now
-- gets only a receipt. NULL for submissions kept before: their reply holds it.

-- This database's own name in the OS keychain: one computer may hold several Rapport databases (a demo, a
-- copy under test, a second company), and each numbers its capture sources from 1, so a source's token is
-- kept under this name and its number.
INSERT OR IGNORE INTO settings (key, value) VALUES ('database_id', lower(hex(randomblob(16))));
