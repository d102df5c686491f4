-- The duplicate engine's normal forms of names and addresses changed for letters outside plain ASCII (vowel
-- signs of Indic and Thai scripts kept, "ß", "ł", "ø" and the Greek final sigma spelled plainly) and for email
-- addresses whose local part is only a +tag; leads with one name, or only a company, got blocking keys of their
-- own. The keys and prepared fields of the leads concerned are written again by the migration's hook (Rust);
-- nothing changes in the schema.
SELECT 1;
