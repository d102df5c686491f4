-- An agent's private event (CLASS:PRIVATE or CONFIDENTIAL in their calendar, or booked here as private) is theirs
-- alone to read: colleagues see its time as "Busy". Derived from the stored event like `busy`; events stored
-- before kept no class, so they are told by the same copy imported again, or read again from the calendar server.
ALTER TABLE appointments ADD COLUMN private INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1));

-- Whether a sync has read every event of the account since Rapport kept classes: until then, one whose copy is
-- unchanged on the server (same ETag) is read all the same, once, to learn whether it is private.
ALTER TABLE caldav_accounts ADD COLUMN classes_read INTEGER NOT NULL DEFAULT 0 CHECK (classes_read IN (0, 1));
