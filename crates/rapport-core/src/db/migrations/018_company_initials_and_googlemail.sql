-- The duplicate engine's keys read a company written with initials and full stops ("Acme L.L.C.", "S.A.") as
-- written without them, and a googlemail.com address as the gmail.com mailbox it is. The keys and prepared
-- fields of the leads concerned are written again by the migration's hook (Rust), where they changed; nothing
-- changes in the schema.
SELECT 1;
