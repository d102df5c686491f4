-- An agent's private event (CLASS:PRIVATE or CONFIDENTIAL in their calendar, or booked here as private) is theirs
-- alone to read: colleagues see its time as "Busy". Derived from the stored event like `busy`; events stored
-- before kept no class, so they stay as they were shown until their calendar sends them again.
ALTER TABLE appointments ADD COLUMN private INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1));
