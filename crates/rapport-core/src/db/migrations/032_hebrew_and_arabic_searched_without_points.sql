-- Names, companies and notes in Hebrew and Arabic are searched without their vowel points and hamza, as people
-- type them ("احمد" finds "أحمد إبراهيم"), as the duplicate check already compares them. The search rows and
-- sort keys of the leads whose text holds those scripts (the only ones this changes) are written again by the
-- migration's hook (Rust); nothing changes in the schema.
SELECT 1;
