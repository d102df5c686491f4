-- A company is searched in one piece where punctuation splits a word of it ("L'Oréal" as "loreal", "AT&T" as
-- "att"), and names and companies with their umlauts spelled out ("Müller" as "mueller"). The search rows of the
-- leads whose company holds anything but ASCII letters, digits and spaces, or whose name holds a letter beyond
-- ASCII (the only ones these forms change), are written again by the migration's hook (Rust); nothing changes in
-- the schema.
SELECT 1;
