use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::settings::DEFAULT_REGION;
use super::{Origin, Rapport};
use crate::access::{AccessError, Actor, Grant, LeadScope, Permission};
use crate::domain::lead::{Lead, LeadInput, SourceChannel};
use crate::domain::validation::{validate_lead, ValidLead, ValidationContext, ValidationErrors};
use crate::error::{Error, FieldError, Result};
use crate::store::changelog::{self, BatchId, ChangeEntry, ChangeReason};
use crate::store::leads::{self as store, LeadCount, LeadFacets, LeadPage, LeadQuery};

/// Counting stops here: past it, "10,000+" says all a person needs, and the work stays bounded.
pub const COUNT_CAP: u32 = 10_000;
use crate::store::{settings as settings_store, users as user_store};

/// The fields of a lead as the change log records them, in one fixed order. Lists are joined with "; ".
fn fields_of_valid(l: &ValidLead) -> Vec<(&'static str, String)> {
    vec![
        ("first_name", l.first_name.clone()),
        ("last_name", l.last_name.clone()),
        ("company", l.company.clone()),
        ("job_title", l.job_title.clone()),
        ("emails", l.emails.iter().map(|e| e.address.as_str()).collect::<Vec<_>>().join("; ")),
        ("phones", l.phones.iter().map(|p| p.entry.e164.as_str()).collect::<Vec<_>>().join("; ")),
        ("street", l.address.street.clone()),
        ("street2", l.address.street2.clone()),
        ("city", l.address.city.clone()),
        ("postcode", l.address.postcode.clone()),
        ("region", l.address.region.clone()),
        ("country", l.address.country.clone()),
        ("source", l.source.map(|s| s.as_str()).unwrap_or("").to_string()),
        ("source_detail", l.source_detail.clone()),
        ("campaign", l.campaign.clone()),
        ("owner_id", l.owner_id.map(|o| o.to_string()).unwrap_or_default()),
        ("stage", l.stage.clone()),
        ("tags", l.tags.join("; ")),
        ("notes", l.notes.clone()),
        ("external_ref", l.external_ref.clone()),
        ("status", l.status.as_str().to_string()),
    ]
}

fn fields_of_stored(l: &Lead) -> Vec<(&'static str, String)> {
    vec![
        ("first_name", l.first_name.clone()),
        ("last_name", l.last_name.clone()),
        ("company", l.company.clone()),
        ("job_title", l.job_title.clone()),
        ("emails", l.emails.iter().map(|e| e.address.as_str()).collect::<Vec<_>>().join("; ")),
        ("phones", l.phones.iter().map(|p| p.e164.as_str()).collect::<Vec<_>>().join("; ")),
        ("street", l.address.street.clone()),
        ("street2", l.address.street2.clone()),
        ("city", l.address.city.clone()),
        ("postcode", l.address.postcode.clone()),
        ("region", l.address.region.clone()),
        ("country", l.address.country.clone()),
        ("source", l.source.map(|s| s.as_str()).unwrap_or("").to_string()),
        ("source_detail", l.source_detail.clone()),
        ("campaign", l.campaign.clone()),
        ("owner_id", l.owner.as_ref().map(|o| o.id.to_string()).unwrap_or_default()),
        ("stage", l.stage.clone()),
        ("tags", l.tags.join("; ")),
        ("notes", l.notes.clone()),
        ("external_ref", l.external_ref.clone()),
        ("status", l.status.as_str().to_string()),
    ]
}

fn snapshot(fields: &[(&'static str, String)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone())))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// Change-log field for the phones exactly as typed, when only their spelling changed.
const PHONES_AS_ENTERED: &str = "phones_as_entered";

fn split_list(s: &str) -> Vec<String> {
    s.split("; ").map(str::to_string).filter(|x| !x.is_empty()).collect()
}

/// Sets one change-log field of a lead input to a logged value (the inverse of [`fields_of_stored`]).
fn set_field(input: &mut LeadInput, field: &str, value: &str) {
    let v = value.to_string();
    match field {
        "first_name" => input.first_name = v,
        "last_name" => input.last_name = v,
        "company" => input.company = v,
        "job_title" => input.job_title = v,
        "emails" => input.emails = split_list(value),
        "phones" => input.phones = split_list(value),
        "street" => input.address.street = v,
        "street2" => input.address.street2 = v,
        "city" => input.address.city = v,
        "postcode" => input.address.postcode = v,
        "region" => input.address.region = v,
        "country" => input.address.country = v,
        "source" => input.source = SourceChannel::parse(value),
        "source_detail" => input.source_detail = v,
        "campaign" => input.campaign = v,
        "owner_id" => input.owner_id = value.parse().ok(),
        "stage" => input.stage = v,
        "tags" => input.tags = split_list(value),
        "notes" => input.notes = v,
        "external_ref" => input.external_ref = v,
        _ => {}
    }
}

/// A file row that could not be taken, with every reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RowError {
    /// Line number in the file (the header is line 1).
    pub line: u32,
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportOutcome {
    #[cfg_attr(feature = "specta", specta(type = Vec<specta_typescript::Number>))]
    pub created: Vec<i64>,
    pub drafts: u32,
    pub rejected: Vec<RowError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Any invalid row means nothing is written.
    AllOrNothing,
    /// The valid rows are written; the invalid ones are returned.
    SkipInvalid,
    /// Nothing is written; every problem is returned.
    ValidateOnly,
}

/// Configuration that validation reads, loaded once per transaction.
struct Rules {
    default_region: String,
    stages: Vec<String>,
}

impl Rules {
    fn load(conn: &Connection) -> Result<Self> {
        Ok(Self {
            default_region: settings_store::get(conn, "default_region")?.unwrap_or_else(|| DEFAULT_REGION.into()),
            stages: settings_store::stages(conn)?.into_iter().map(|s| s.key).collect(),
        })
    }

    fn validate(&self, conn: &Connection, input: &LeadInput, scope: &LeadScope) -> Result<ValidLead> {
        let owner_exists = |id: i64| user_store::active_user_exists(conn, id).unwrap_or(false);
        let lead = validate_lead(
            input,
            &ValidationContext {
                default_region: &self.default_region,
                stages: &self.stages,
                owner_exists: &owner_exists,
            },
        )?;
        if !scope.allows_campaign(&lead.campaign) {
            return Err(AccessError::OutsideCampaigns(lead.campaign).into());
        }
        Ok(lead)
    }
}

fn not_found(id: i64) -> Error {
    Error::NotFound { entity: "lead", id: id.to_string() }
}

/// A lead the actor may see, or NotFound: a lead outside one's campaigns is not admitted to exist.
fn visible_lead(conn: &Connection, grant: &Grant, id: i64) -> Result<Lead> {
    let lead = store::get(conn, id)?.ok_or_else(|| not_found(id))?;
    if grant.lead_scope().allows_campaign(&lead.campaign) {
        Ok(lead)
    } else {
        Err(not_found(id))
    }
}

fn insert_logged(tx: &rusqlite::Transaction<'_>, batch: &BatchId, lead: &ValidLead, at: &str) -> Result<i64> {
    let id = store::insert(tx, lead, at)?;
    changelog::record(tx, batch, "lead", id, "*", None, Some(&snapshot(&fields_of_valid(lead))))?;
    Ok(id)
}

impl Rapport {
    pub fn create_lead(&self, actor: &Actor, input: &LeadInput, origin: &Origin) -> Result<Lead> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let lead = Rules::load(tx)?.validate(tx, input, &grant.lead_scope())?;
            let batch = changelog::begin(tx, &self.batch(&grant, origin))?;
            let id = insert_logged(tx, &batch, &lead, &self.now())?;
            store::get(tx, id)?.ok_or_else(|| not_found(id))
        })
    }

    /// Replaces the editable fields of lead `id`. `expected_version` is the version the user edited; if the
    /// lead changed since, nothing is written and [`Error::Conflict`] says so.
    pub fn update_lead(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        input: &LeadInput,
        origin: &Origin,
    ) -> Result<Lead> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let old = visible_lead(tx, &grant, id)?;
            if old.version != expected_version {
                return Err(Error::Conflict { entity: "lead" });
            }
            self.apply_update(tx, &grant, old, input, origin)
        })
    }

    /// Validates `input` as the new state of `old` and writes it with one change-log row per changed field.
    fn apply_update(
        &self,
        tx: &rusqlite::Transaction<'_>,
        grant: &Grant,
        old: Lead,
        input: &LeadInput,
        origin: &Origin,
    ) -> Result<Lead> {
        let id = old.id;
        let lead = Rules::load(tx)?.validate(tx, input, &grant.lead_scope())?;
        let before = fields_of_stored(&old);
        let after = fields_of_valid(&lead);
        let changed: Vec<_> = before.iter().zip(after.iter()).filter(|(a, b)| a.1 != b.1).collect();
        // Original spellings of phones can change without the number changing; that is still an edit.
        let old_originals: Vec<&str> = old.phones.iter().map(|p| p.original.as_str()).collect();
        let new_originals: Vec<&str> = lead.phones.iter().map(|p| p.entry.original.as_str()).collect();
        let originals_changed = old_originals != new_originals;
        if changed.is_empty() && !originals_changed {
            return Ok(old);
        }
        let batch = changelog::begin(tx, &self.batch(grant, origin))?;
        store::update(tx, id, &lead, &self.now())?;
        for (a, b) in changed {
            changelog::record(tx, &batch, "lead", id, a.0, Some(&a.1), Some(&b.1))?;
        }
        if originals_changed {
            let (a, b) = (old_originals.join("; "), new_originals.join("; "));
            changelog::record(tx, &batch, "lead", id, PHONES_AS_ENTERED, Some(&a), Some(&b))?;
        }
        store::get(tx, id)?.ok_or_else(|| not_found(id))
    }

    /// Reverts what one earlier save (`batch_id`) changed on lead `id`, as a new change: the log keeps both.
    /// Refused with a conflict when any of those fields changed again since, because undoing then would
    /// silently overwrite the later edit.
    pub fn undo_lead_change(&self, actor: &Actor, id: i64, batch_id: i64) -> Result<Lead> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let current = visible_lead(tx, &grant, id)?;
            let changes = changelog::batch_changes(tx, batch_id, "lead", id)?;
            if changes.is_empty() {
                return Err(Error::NotFound { entity: "change", id: batch_id.to_string() });
            }
            if changes.iter().any(|(field, _, _)| field == "*") {
                return Err(
                    ValidationErrors::one("change", "a creation cannot be undone; edit the lead instead").into()
                );
            }
            let now: Vec<(&str, String)> = fields_of_stored(&current);
            let value_now = |field: &str| now.iter().find(|(f, _)| *f == field).map(|(_, v)| v.as_str());
            let mut input = current.to_input();
            for (field, old, new) in &changes {
                let (old, new) = (old.clone().unwrap_or_default(), new.clone().unwrap_or_default());
                if field == "status" || field == PHONES_AS_ENTERED {
                    continue; // derived from the other fields / applied with `phones` below
                }
                if value_now(field) != Some(new.as_str()) {
                    return Err(Error::Conflict { entity: "lead" });
                }
                set_field(&mut input, field, &old);
            }
            if let Some((_, Some(old_originals), _)) = changes.iter().find(|(f, _, _)| f == PHONES_AS_ENTERED) {
                input.phones = split_list(old_originals);
            }
            let origin = Origin { reason: ChangeReason::ManualEdit, source_ref: format!("undo of change {batch_id}") };
            self.apply_update(tx, &grant, current, &input, &origin)
        })
    }

    pub fn get_lead(&self, actor: &Actor, id: i64) -> Result<Lead> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            visible_lead(conn, &grant, id)
        })
    }

    pub fn list_leads(&self, actor: &Actor, query: &LeadQuery) -> Result<LeadPage> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            Ok(store::list(conn, query, &grant.lead_scope())?)
        })
    }

    /// How many leads match `query` (its paging fields ignored), counted up to 10,000.
    pub fn count_leads(&self, actor: &Actor, query: &LeadQuery) -> Result<LeadCount> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            Ok(store::count_matching(conn, query, &grant.lead_scope(), COUNT_CAP)?)
        })
    }

    /// Campaigns and tags in use among the leads the actor may see.
    pub fn lead_facets(&self, actor: &Actor) -> Result<LeadFacets> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            Ok(store::facets(conn, &grant.lead_scope())?)
        })
    }

    pub fn lead_history(&self, actor: &Actor, id: i64) -> Result<Vec<ChangeEntry>> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadHistory)?;
            visible_lead(conn, &grant, id)?;
            Ok(changelog::history(conn, "lead", id, 500)?)
        })
    }

    /// Validates every row, then writes in one transaction. See [`ImportMode`] for what happens to invalid
    /// rows; they are always returned with every reason, so the caller can keep them (nothing is lost).
    pub fn import_leads(
        &self,
        actor: &Actor,
        rows: &[(u32, LeadInput)],
        origin: &Origin,
        mode: ImportMode,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportOutcome> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let rules = Rules::load(tx)?;
            let scope = grant.lead_scope();
            let mut valid = Vec::with_capacity(rows.len());
            let mut rejected = Vec::new();
            for (line, input) in rows {
                match rules.validate(tx, input, &scope) {
                    Ok(l) => valid.push(l),
                    Err(Error::Validation(ValidationErrors { errors })) => {
                        rejected.push(RowError { line: *line, errors })
                    }
                    Err(Error::Access(e)) => rejected
                        .push(RowError { line: *line, errors: vec![FieldError::new("campaign", e.to_string())] }),
                    Err(other) => return Err(other),
                }
            }
            let all_or_nothing_failed = !rejected.is_empty() && mode == ImportMode::AllOrNothing;
            if all_or_nothing_failed || mode == ImportMode::ValidateOnly {
                return Ok(ImportOutcome { created: vec![], drafts: 0, rejected });
            }
            let batch = changelog::begin(tx, &self.batch(&grant, origin))?;
            let at = self.now();
            let mut created = Vec::with_capacity(valid.len());
            let mut drafts = 0;
            for (i, lead) in valid.iter().enumerate() {
                created.push(insert_logged(tx, &batch, lead, &at)?);
                if lead.status == crate::domain::lead::LeadStatus::Draft {
                    drafts += 1;
                }
                if i % 500 == 0 {
                    progress(i, valid.len());
                }
            }
            progress(valid.len(), valid.len());
            Ok(ImportOutcome { created, drafts, rejected })
        })
    }

    /// Calls `each` with every lead the actor may see, oldest first.
    pub fn for_each_lead(&self, actor: &Actor, each: &mut dyn FnMut(&Lead) -> Result<()>) -> Result<()> {
        let ids = self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            Ok::<_, Error>(store::ids_in_scope(conn, &grant.lead_scope())?)
        })?;
        for chunk in ids.chunks(1000) {
            let leads = self.db.read(|conn| {
                chunk.iter().filter_map(|id| store::get(conn, *id).transpose()).collect::<Result<Vec<_>, _>>()
            })?;
            for l in &leads {
                each(l)?;
            }
        }
        Ok(())
    }

    /// Ids and usernames of all users, for resolving the `owner` column of files.
    pub fn usernames(&self, actor: &Actor) -> Result<std::collections::HashMap<i64, String>> {
        self.db.read(|conn| {
            Self::grant(conn, actor, Permission::ReadLeads)?;
            Ok(user_store::usernames(conn)?)
        })
    }

    pub fn lead_count(&self) -> Result<i64> {
        Ok(self.db.read(store::count)?)
    }
}
