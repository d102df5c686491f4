-- The reference a lead merged away had in another system (a partner's export, a CRM it came from). The survivor
-- keeps its own, so an import keyed by external reference found no lead for the merged one's, and made it again
-- at each sync. Kept beside the archive, indexed, the import finds the lead it lives on in.
ALTER TABLE merged_leads ADD COLUMN external_ref TEXT NOT NULL DEFAULT '';
UPDATE merged_leads SET external_ref = coalesce((
    SELECT json_extract(j.value, '$.row.external_ref') FROM json_each(merged_leads.rows) j
    WHERE json_extract(j.value, '$.table') = 'leads' AND json_type(j.value, '$.row.external_ref') = 'text'
), '');
CREATE INDEX merged_leads_by_external_ref ON merged_leads (external_ref) WHERE external_ref <> '';
