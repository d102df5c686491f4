-- What a submission's body hashed to, so an Idempotency-Key sent again with another body is refused rather than
-- answered with the first body's reply (the second lead would be lost without a word). NULL for submissions kept
-- before: their key replays as it did.
ALTER TABLE capture_submissions ADD COLUMN body_hash TEXT;
