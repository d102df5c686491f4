-- A name is searched in one piece as well as word by word, as people type it: "O'Brien" as "obrien", "van der
-- Berg" as "vanderberg", and a name in a script written without spaces ("李" "小龙") as "李小龙". The search rows of
-- the leads whose first or last name holds more than one word, or a letter beyond ASCII, are written again by
-- the migration's hook (Rust); nothing changes in the schema.
SELECT 1;
