-- What a submission did, in words, for the Administrator's list of recent submissions ("may be Ann Lee (lead 42):
-- queued for review"). It used to be the reply's message, but a web form's token is in a public page: the sender
-- now gets only a receipt, and the detail stays here. NULL for submissions kept before: their reply holds it.
ALTER TABLE capture_submissions ADD COLUMN detail TEXT;
