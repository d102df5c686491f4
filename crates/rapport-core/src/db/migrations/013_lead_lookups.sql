-- An import's undo keeps a lead that a web form or a partner has sent again since, or that an invite names as
-- an attendee: both are looked for by lead, once per lead undone, so they get an index each.
CREATE INDEX IF NOT EXISTS capture_submissions_by_lead ON capture_submissions (lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS appointment_attendees_by_lead ON appointment_attendees (lead_id) WHERE lead_id IS NOT NULL;
