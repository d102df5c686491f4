//! The lead operations: load the actor's grant, check permission and campaign scope, validate, write the lead
//! and its change-log rows in one transaction.
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::fields::{self, FIELDS};
use super::model::{Lead, LeadInput, PhoneEntry};
use super::search::IndexFloor;
use super::store::{self, LeadCount, LeadFacets, LeadPage, LeadQuery};
use super::validate::{validate_lead, ValidLead, ValidationContext, ValidationErrors};
use crate::access::{AccessError, Actor, Grant, LeadScope, Permission};
use crate::audit::store::{self as changelog, BatchId, ChangeEntry};
use crate::audit::undo::{revert_plan, Refusal};
use crate::audit::{ChangeReason, Origin};
use crate::error::{Error, Result};
use crate::pipeline::gate::{self, Passage, Passing};
use crate::rapport::Rapport;
use crate::settings::store as settings_store;
use crate::users::store as user_store;

/// Counting stops here: past it, "10,000+" says all a person needs, and the work stays bounded.
pub const COUNT_CAP: u32 = 10_000;

/// Part of a lead's history, newest first: `complete` unless older entries were left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryPage {
    pub entries: Vec<ChangeEntry>,
    pub complete: bool,
}

/// A saved lead and the change batch that saved it: the id a toast's Undo must name, so that a save made by
/// someone else in the same instant can never be the one undone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SavedLead {
    pub lead: Lead,
    /// None when nothing changed (no batch was written).
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub batch_id: Option<i64>,
}

/// Configuration that validation reads, loaded once per transaction.
#[derive(PartialEq, Eq)]
pub(crate) struct Rules {
    default_region: String,
    default_currency: Option<String>,
    stages: Vec<String>,
    lost_reasons: Vec<(String, String)>,
}

impl Rules {
    pub(crate) fn load(conn: &Connection) -> Result<Self> {
        Ok(Self {
            default_region: crate::settings::default_region(conn)?,
            default_currency: crate::settings::default_currency(conn)?,
            stages: settings_store::stages(conn)?.into_iter().map(|s| s.key).collect(),
            lost_reasons: crate::pipeline::config::lost_reasons(conn)?.into_iter().map(|r| (r.key, r.label)).collect(),
        })
    }

    /// The region a phone without its country code is read in.
    pub(crate) fn phone_region(&self) -> &str {
        &self.default_region
    }

    /// The same rules, with national phone numbers of leads that name no country read in `region` (an import's
    /// file written for another country than Settings' default).
    pub(crate) fn reading_phones_in(mut self, region: &str) -> Result<Self> {
        self.default_region = crate::settings::region_code(region, "phone_region")?;
        Ok(self)
    }

    /// Validates `input`; `current_owner` is the owner the lead has now, if it exists (keeping a deactivated
    /// owner is allowed, assigning one is not).
    pub(crate) fn validate(
        &self,
        conn: &Connection,
        input: &LeadInput,
        scope: &LeadScope,
        current_owner: Option<i64>,
    ) -> Result<ValidLead> {
        let owner_exists = |id: i64| user_store::may_hold_leads(conn, id).unwrap_or(false);
        let lead = self.validate_with(input, scope, &owner_exists, current_owner)?;
        if let Some(owner) = lead.owner_id.filter(|o| Some(*o) != current_owner) {
            if let Some(owner) = user_store::grant(conn, owner)? {
                owner_works_on(&owner.username, &owner.lead_scope(), lead.campaign())?;
            }
        }
        Ok(lead)
    }

    /// Validation that needs no database: for work done before the write lock is taken (an import validates
    /// its rows first). Owners are checked against `known_owners`, read beforehand.
    pub(crate) fn validate_detached(
        &self,
        input: &LeadInput,
        scope: &LeadScope,
        known_owners: &std::collections::HashMap<i64, (String, LeadScope)>,
    ) -> Result<ValidLead> {
        let lead = self.validate_with(input, scope, &|id| known_owners.contains_key(&id), None)?;
        if let Some((name, owner_scope)) = lead.owner_id.and_then(|o| known_owners.get(&o)) {
            owner_works_on(name, owner_scope, lead.campaign())?;
        }
        Ok(lead)
    }

    fn validate_with(
        &self,
        input: &LeadInput,
        scope: &LeadScope,
        owner_exists: &dyn Fn(i64) -> bool,
        current_owner: Option<i64>,
    ) -> Result<ValidLead> {
        let ctx = ValidationContext {
            default_region: &self.default_region,
            default_currency: self.default_currency.as_deref(),
            stages: &self.stages,
            lost_reasons: &self.lost_reasons,
            owner_exists,
            current_owner,
        };
        let lead = validate_lead(input, &ctx)?;
        if !scope.allows_campaign(lead.campaign()) {
            return Err(AccessError::OutsideCampaigns(lead.campaign().to_string()).into());
        }
        Ok(lead)
    }
}

/// An owner is given a lead only in a campaign they work on: otherwise the lead would be theirs and yet hidden
/// from them by campaign isolation (seed 3.2), and nobody who sees it would be answerable for it. An owner a
/// lead already has is kept when its campaign changes, as a deactivated one is.
fn owner_works_on(username: &str, owner_scope: &LeadScope, campaign: &str) -> Result<()> {
    if owner_scope.allows_campaign(campaign) {
        return Ok(());
    }
    let what = if campaign.trim().is_empty() {
        "leads without a campaign".to_string()
    } else {
        format!("campaign \"{}\"", campaign.trim())
    };
    Err(ValidationErrors::one(
        "owner",
        format!("{username} does not work on {what}, so could not see this lead: choose another owner, or add {what} to their campaigns"),
    )
    .into())
}

fn not_found(id: i64) -> Error {
    Error::NotFound { entity: "lead", id: id.to_string() }
}

/// A lead the actor may see, or NotFound: a lead outside one's campaigns is not admitted to exist.
pub(crate) fn visible_lead(conn: &Connection, grant: &Grant, id: i64) -> Result<Lead> {
    let lead = store::get(conn, id)?.ok_or_else(|| not_found(id))?;
    if grant.lead_scope().allows_campaign(&lead.campaign) {
        Ok(lead)
    } else {
        Err(not_found(id))
    }
}

/// [`visible_lead`] for a lead the actor asked for by its id (opened it, saved a form of it): one merged since
/// into a lead they may see is named as such, so they can go on there, rather than said not to exist. One merged
/// into a lead they may not see stays unknown, as that lead.
fn asked_lead(conn: &Connection, grant: &Grant, id: i64) -> Result<Lead> {
    match visible_lead(conn, grant, id) {
        Err(Error::NotFound { entity, id: text }) => match crate::duplicates::seen_through_merges(conn, grant, id)? {
            Some(living) if living.id != id => {
                Err(Error::MergedAway { id, into: living.id, name: living.display_name() })
            }
            _ => Err(Error::NotFound { entity, id: text }),
        },
        other => other,
    }
}

/// Inserts `lead`, past the stage gate (entering its first stage is a move like any other), with its creation
/// row in the log; the row's time is the batch's, so they agree.
pub(crate) fn insert_logged(
    tx: &rusqlite::Transaction<'_>,
    grant: &Grant,
    batch: &BatchId,
    lead: &ValidLead,
    passage: Passage<'_>,
) -> Result<i64> {
    let mut view = lead.as_lead(0);
    let overridden = gate::check(tx, grant, None, &view, passage)?;
    let id = store::insert(tx, lead, &batch.at)?;
    view.id = id;
    changelog::record(tx, batch, "lead", id, "*", None, Some(&fields::snapshot(&view)))?;
    log_override(tx, batch, id, overridden)
}

/// Refuses an operation over every campaign's leads to one who does not see them all.
fn every_lead(grant: &crate::access::Grant, action: &'static str) -> Result<()> {
    if grant.lead_scope() == crate::access::LeadScope::All {
        return Ok(());
    }
    Err(crate::access::AccessError::Denied { role: grant.role.as_str(), action }.into())
}

/// An override of the gate is part of the move's record: who, when, why, and what was missing.
fn log_override(
    tx: &rusqlite::Transaction<'_>,
    batch: &BatchId,
    id: i64,
    overridden: Option<gate::Overridden>,
) -> Result<i64> {
    if let Some(gate::Overridden(line)) = overridden {
        changelog::record(tx, batch, "lead", id, GATE_OVERRIDE, None, Some(&line))?;
    }
    Ok(id)
}

/// The change-log field of an override of the stage gate (not a lead field: undo leaves it alone).
pub const GATE_OVERRIDE: &str = "gate_override";

/// `input` with each phone the lead holds already, sent back as it was typed, given as the number it was read as
/// (E.164), and what was typed for each: a number is read in the lead's region, or the default region, as it was
/// when it was saved. Read again in the region of today, "(415) 555-2671" saved in the US would become a German
/// number once the default region is Germany, or refuse every later edit of the lead.
/// `known`: phones of other leads coming in with the input (a merge's, an enriching row's), each read in its own
/// lead's region, kept as they were read in the same way.
pub(crate) fn stored_phones_kept(
    old: &Lead,
    known: &[PhoneEntry],
    input: &LeadInput,
) -> (LeadInput, std::collections::HashMap<String, String>) {
    let mut typed = std::collections::HashMap::new();
    let mut out = input.clone();
    for raw in &mut out.phones {
        let stored = old.phones.iter().chain(known).find(|p| !p.e164.is_empty() && p.original == raw.trim());
        if let Some(p) = stored {
            typed.insert(p.e164.clone(), p.original.clone());
            raw.clone_from(&p.e164);
        }
    }
    (out, typed)
}

/// The numbers an undo gives back, each with the spelling it was typed in, as the log holds them (the numbers
/// it restores, or the lead's own when only their spelling changed): the typed text read again in today's region
/// (a default region changed since, a country set) gave another number, or none.
fn logged_phones(plan: &[(String, String)], current: &Lead) -> Vec<PhoneEntry> {
    let logged = |name: &str| plan.iter().find(|(n, _)| n == name).map(|(_, v)| fields::split_escaped(v));
    let Some(typed) = logged("phones_as_entered") else { return Vec::new() };
    let numbers = logged("phones").unwrap_or_else(|| current.phones.iter().map(|p| p.e164.clone()).collect());
    if numbers.len() != typed.len() {
        return Vec::new();
    }
    numbers
        .into_iter()
        .zip(typed)
        .map(|(e164, original)| PhoneEntry { display: e164.clone(), e164, original })
        .collect()
}

/// Whether a move from stage `from` to `to` takes a deal out of a lost stage.
/// A stored text the save composes (NFC, as text is kept now) but does not otherwise change stays as stored: a
/// name saved decomposed by an older version ("Zoe" and a combining diaeresis) was rewritten, and logged as
/// changed, by every later save of any field of the lead, which also made the earlier saves no longer undoable.
fn keep_stored_spelling(old: &Lead, lead: &mut ValidLead) {
    use super::fields::LeadFieldKind::{LongText, Text};
    for f in fields::FIELDS.iter().filter(|f| matches!(f.info.kind, Text | LongText)) {
        let (stored, now) = ((f.get)(old), (f.read)(&lead.text));
        if now != stored && fields::same_text_composed(f.info.kind, &now, &stored) {
            (f.set)(&mut lead.text, &stored);
        }
    }
}

fn reopens(conn: &rusqlite::Connection, from: &str, to: &str) -> Result<bool> {
    use crate::pipeline::StageOutcome;
    let outcome = |key: &str| -> Result<Option<StageOutcome>> {
        Ok(crate::pipeline::config::stage(conn, key)?.map(|s| s.outcome))
    };
    Ok(outcome(from)? == Some(StageOutcome::Lost) && outcome(to)? != Some(StageOutcome::Lost))
}

impl Rapport {
    pub fn create_lead(&self, actor: &Actor, input: &LeadInput, origin: &Origin) -> Result<SavedLead> {
        self.create_lead_passing(actor, input, origin, Passing::Checked)
    }

    /// [`Rapport::create_lead`], saying how the stage gate is passed (an Administrator's override).
    pub fn create_lead_passing(
        &self,
        actor: &Actor,
        input: &LeadInput,
        origin: &Origin,
        passing: Passing<'_>,
    ) -> Result<SavedLead> {
        let passage = Passage::from(passing);
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let lead = Rules::load(tx)?.validate(tx, input, &grant.lead_scope(), None)?;
            if !lead.as_lead(0).names_someone() {
                return Err(names_no_one());
            }
            let batch = self.begin_batch(tx, &grant, origin)?;
            let id = insert_logged(tx, &grant, &batch, &lead, passage)?;
            self.index_and_check(tx, id, true, &batch)?;
            let lead = store::get(tx, id)?.ok_or_else(|| not_found(id))?;
            Ok(SavedLead { lead, batch_id: Some(batch.id) })
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
    ) -> Result<SavedLead> {
        self.update_lead_passing(actor, id, expected_version, input, origin, Passing::Checked)
    }

    /// [`Rapport::update_lead`], saying how the stage gate is passed (an Administrator's override).
    pub fn update_lead_passing(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        input: &LeadInput,
        origin: &Origin,
        passing: Passing<'_>,
    ) -> Result<SavedLead> {
        let passage = Passage::from(passing);
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let old = asked_lead(tx, &grant, id)?;
            if old.version != expected_version {
                return Err(Error::Conflict { entity: "lead" });
            }
            self.apply_update(tx, &grant, old, input, origin, passage)
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
        passage: Passage<'_>,
    ) -> Result<SavedLead> {
        let mut batch = None;
        let lead = self.write_update(tx, grant, old, input, passage, &mut || {
            let b = self.begin_batch(tx, grant, origin)?;
            batch = Some(b.id);
            Ok(b)
        })?;
        Ok(SavedLead { lead, batch_id: batch })
    }

    /// Validates `input` as the new state of `old` and, if anything differs, writes it with one change-log row
    /// per changed field into the batch `batch` opens (called only then: an edit that changes nothing leaves no
    /// batch). Used by edits, undo, merge and unmerge alike; a change of stage passes the gate first.
    pub(crate) fn write_update(
        &self,
        tx: &rusqlite::Transaction<'_>,
        grant: &Grant,
        old: Lead,
        input: &LeadInput,
        passage: Passage<'_>,
        batch: &mut dyn FnMut() -> Result<BatchId>,
    ) -> Result<Lead> {
        self.write_update_knowing(tx, grant, old, input, &[], passage, batch)
    }

    /// [`Rapport::write_update`] of an input that carries phones of other leads (`known`, as they were read):
    /// a merge's or an enrichment's, which are not read again in this lead's region.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn write_update_knowing(
        &self,
        tx: &rusqlite::Transaction<'_>,
        grant: &Grant,
        old: Lead,
        input: &LeadInput,
        known: &[PhoneEntry],
        passage: Passage<'_>,
        batch: &mut dyn FnMut() -> Result<BatchId>,
    ) -> Result<Lead> {
        let id = old.id;
        let current_owner = old.owner.as_ref().map(|o| o.id);
        let (mut input, typed) = stored_phones_kept(&old, known, input);
        // A deal reopened (out of a lost stage) is no longer lost for the reason it was: left on it, that reason
        // would answer for its next loss (the stagnation policy's, or a drag to Lost that asks none). An undo
        // and a restore put back what the log holds.
        if matches!(passage, Passage::Checked | Passage::Override(_) | Passage::Approved(_))
            && input.stage != old.stage
            && !old.deal.lost_reason.is_empty()
            && input.deal.lost_reason == old.deal.lost_reason
            && reopens(tx, &old.stage, &input.stage)?
        {
            input.deal.lost_reason.clear();
        }
        let mut lead = Rules::load(tx)?.validate(tx, &input, &grant.lead_scope(), current_owner)?;
        for p in &mut lead.phones {
            if let Some(original) = typed.get(&p.entry.e164) {
                p.entry.original.clone_from(original);
            }
        }
        keep_stored_spelling(&old, &mut lead);
        let after = lead.as_lead(id);
        let changed = fields::diff(&old, &after);
        if changed.is_empty() {
            return Ok(old);
        }
        // An edit that clears the last name, company, email and phone would leave an "(unnamed lead)" no one can
        // work, as a create of it would. What the log puts back (undo, unmerge) was once a state of the lead.
        let decided_now = matches!(passage, Passage::Checked | Passage::Override(_) | Passage::Approved(_));
        if decided_now && old.names_someone() && !after.names_someone() {
            return Err(names_no_one());
        }
        let overridden = gate::check(tx, grant, Some(&old), &after, passage)?;
        let overridden = overridden.or(gate::keeps_criteria(tx, grant, &old, &after, passage)?);
        let batch = batch()?;
        store::update(tx, id, &lead, &batch.at)?;
        for (field, a, b) in &changed {
            changelog::record(tx, &batch, "lead", id, field, Some(a), Some(b))?;
        }
        log_override(tx, &batch, id, overridden)?;
        // A move on the board or a new deal value changes nothing the duplicate check reads.
        if changed.iter().any(|(field, _, _)| crate::duplicates::incremental::is_matched_field(field)) {
            self.index_and_check(tx, id, true, &batch)?;
        }
        let saved = store::get(tx, id)?.ok_or_else(|| not_found(id))?;
        // Moved another way than the move asked for: that request can no longer be carried out.
        if saved.stage != old.stage && !matches!(passage, Passage::Approved(_)) {
            crate::pipeline::close_for_moved(tx, &batch, &saved)?;
        }
        Ok(saved)
    }

    /// Reverts what one earlier save (`batch_id`) changed on lead `id`, as a new change: the log keeps both.
    /// Refused with a conflict when any of those fields changed again since, because undoing then would
    /// silently overwrite the later edit.
    pub fn undo_lead_change(&self, actor: &Actor, id: i64, batch_id: i64) -> Result<SavedLead> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let current = visible_lead(tx, &grant, id)?;
            let mut changes = changelog::batch_changes(tx, batch_id, "lead", id)?;
            // A batch that did not touch this lead is not found, whatever it was: asked about any batch through
            // a lead one may see, "a merge" would tell what other campaigns' saves were.
            if changes.is_empty() {
                return Err(Error::NotFound { entity: "change", id: batch_id.to_string() });
            }
            // A merge wrote the others' removal in the same batch: taking back only the survivor's half would
            // leave what the merge brought on no lead at all. Unmerge takes back both halves.
            if changelog::batch_reason(tx, batch_id)? == Some(ChangeReason::Merge) {
                return Err(ValidationErrors::one(
                    "merge",
                    "a merge or unmerge is taken back from the lead's merges (Unmerge), not undone field by field",
                )
                .into());
            }
            // Tags were logged in the order typed before they were kept in the order read back: a logged list
            // is compared in that order, so an older save of tags is undone like a new one.
            for (field, _, new) in changes.iter_mut() {
                if fields::field(field).is_some_and(|f| f.info.kind == super::fields::LeadFieldKind::TagList) {
                    if let Some(list) = new.as_mut() {
                        let mut tags = fields::split_list(list);
                        tags.sort_by_key(|t| t.to_ascii_lowercase());
                        *list = tags.join(fields::LIST_SEPARATOR);
                    }
                }
            }
            // A field written again since, even back to the value this change gave it, holds a later edit.
            for (field, _, _) in &changes {
                let lead_field = fields::field(field).filter(|f| f.info.kind != super::fields::LeadFieldKind::Status);
                if lead_field.is_some() && changelog::changed_after(tx, "lead", id, batch_id, field)? {
                    return Err(Error::Conflict { entity: "lead" });
                }
            }
            // A value this change replaced that a merge brought, and that merge taken back since: undone, the
            // change would put the other lead's value back on this one (its city, its job title), which the
            // unmerge gave back to that lead.
            for (field, old, _) in &changes {
                let Some(old) = old.as_deref().filter(|v| !v.trim().is_empty()) else { continue };
                let Some(set_by) = changelog::last_change_to_before(tx, ("lead", id, field), old, batch_id)? else {
                    continue;
                };
                let merge = changelog::batch_reason(tx, set_by)? == Some(ChangeReason::Merge)
                    && !changelog::batch_source(tx, set_by)?
                        .is_some_and(|s| crate::duplicates::store::is_unmerge_source(&s));
                if merge && !crate::duplicates::store::merge_holds_leads(tx, set_by)? {
                    let label = fields::field(field).map_or(field.clone(), |f| f.info.label.to_lowercase());
                    return Err(ValidationErrors::one(
                        field.clone(),
                        format!(
                            "the {label} this change replaced came from a merge taken back since: undone, it would put \
                             the other lead's value back on this one; set it by hand instead"
                        ),
                    )
                    .into());
                }
            }
            let now = fields::values(&current);
            let value_now = |field: &str| -> Option<String> {
                let f = fields::field(field)?;
                // The status follows from the other fields.
                if f.info.kind == super::fields::LeadFieldKind::Status {
                    return None;
                }
                now.iter().find(|(name, _)| *name == f.info.name).map(|(_, v)| v.clone())
            };
            let plan = revert_plan(&changes, value_now).map_err(|refusal| match refusal {
                Refusal::NothingRecorded => Error::NotFound { entity: "change", id: batch_id.to_string() },
                Refusal::Creation => {
                    ValidationErrors::one("change", "a creation cannot be undone; edit the lead instead").into()
                }
                Refusal::ChangedSince(_) => Error::Conflict { entity: "lead" },
            })?;
            let mut input = current.to_input();
            // Table order, so the typed phone spellings are applied after the numbers they spell.
            for f in FIELDS.iter() {
                if let Some((_, old)) = plan.iter().find(|(name, _)| name == f.info.name) {
                    (f.set)(&mut input, old);
                }
            }
            let known = logged_phones(&plan, &current);
            let origin = Origin { reason: ChangeReason::ManualEdit, source_ref: format!("undo of change {batch_id}") };
            let mut batch = None;
            let lead = self.write_update_knowing(tx, &grant, current, &input, &known, Passage::Undoing, &mut || {
                let b = self.begin_batch(tx, &grant, &origin)?;
                batch = Some(b.clone());
                Ok(b)
            })?;
            // A steward's "not a duplicate" the change reopened stands again, as an import's undo and an unmerge
            // put theirs back: the fields are as they judged them.
            if let Some(b) = &batch {
                crate::duplicates::restore_decisions(tx, &grant, batch_id, b, Some(id))?;
            }
            Ok(SavedLead { lead, batch_id: batch.map(|b| b.id) })
        })
    }

    pub fn get_lead(&self, actor: &Actor, id: i64) -> Result<Lead> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            asked_lead(conn, &grant, id)
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

    /// Lead `id`'s whole history, newest first (see [`Rapport::lead_history_page`]).
    pub fn lead_history(&self, actor: &Actor, id: i64) -> Result<Vec<ChangeEntry>> {
        Ok(self.lead_history_page(actor, id, u32::MAX)?.entries)
    }

    /// Lead `id`'s history, newest first, its latest `limit` entries at most: the changes of the leads merged
    /// into it and of its appointments are part of it. `complete` says whether anything older was left out, so
    /// a long history is never cut without saying so; a save the limit runs through is left out whole.
    pub fn lead_history_page(&self, actor: &Actor, id: i64, limit: u32) -> Result<HistoryPage> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadHistory)?;
            visible_lead(conn, &grant, id)?;
            let asked = limit.saturating_add(1);
            // A merged lead's history moved with it: the survivor's history holds theirs too, each entry still
            // naming the lead it was written for.
            let mut entries = changelog::history(conn, "lead", id, asked)?;
            for merged in crate::duplicates::store::merged_into_in_scope(conn, id, &grant.lead_scope())? {
                entries.extend(changelog::history(conn, "lead", merged, asked)?);
            }
            // Its appointments' history is part of the lead's.
            for appointment in crate::calendar::store::by_lead(conn, id)? {
                entries.extend(crate::calendar::appointment_history_seen(conn, &grant, appointment.id)?);
            }
            entries.sort_by_key(|e| std::cmp::Reverse(e.id));
            let limit = usize::try_from(limit).unwrap_or(usize::MAX);
            let complete = entries.len() <= limit;
            if !complete {
                let cut = entries[limit].batch_id;
                entries.truncate(limit);
                // Half a save would read as something else (a creation with half its values): the save the cut
                // runs through comes with the older ones, unless it is all there is.
                let whole = entries.iter().rposition(|e| e.batch_id != cut).map_or(entries.len(), |i| i + 1);
                entries.truncate(whole);
            }
            for e in entries.iter_mut().filter(|e| e.entity == "lead") {
                fields::readable_logged(&e.field, &mut e.old_value);
                fields::readable_logged(&e.field, &mut e.new_value);
            }
            Ok(HistoryPage { entries, complete })
        })
    }

    /// Calls `each` with every lead the actor may see, oldest first. Each chunk is read in its own read
    /// transaction that reloads the actor's grant, so a user removed from a campaign (or deactivated) while
    /// a long export runs stops receiving that campaign's leads from the next chunk on.
    pub fn for_each_lead<E: From<Error>>(
        &self,
        actor: &Actor,
        each: &mut dyn FnMut(&Lead) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.for_each_lead_matching(actor, None, each)
    }

    /// [`Rapport::for_each_lead`] of the leads `query` matches (its paging fields ignored), in the list's order;
    /// every lead, oldest first, without one. The matches are read once, at the start.
    pub fn for_each_lead_matching<E: From<Error>>(
        &self,
        actor: &Actor,
        query: Option<&LeadQuery>,
        each: &mut dyn FnMut(&Lead) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let ids = self.lead_ids_matching(actor, query)?;
        self.for_each_lead_of(actor, &ids, each)
    }

    /// The ids [`Rapport::for_each_lead_matching`] goes through, read in one read.
    pub(crate) fn lead_ids_matching(&self, actor: &Actor, query: Option<&LeadQuery>) -> Result<Vec<i64>> {
        self.db.read(|conn| {
            let scope = Self::grant(conn, actor, Permission::ReadLeads)?.lead_scope();
            Ok(match query {
                Some(q) => store::ids_matching(conn, q, &scope)?,
                None => store::ids_in_scope(conn, &scope)?,
            })
        })
    }

    /// Calls `each` with the leads `ids`, a thousand to a read that reloads the actor's grant; one out of
    /// their reach by then is left out.
    pub(crate) fn for_each_lead_of<E: From<Error>>(
        &self,
        actor: &Actor,
        ids: &[i64],
        each: &mut dyn FnMut(&Lead) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        for chunk in ids.chunks(1000) {
            let leads = self.db.read(|conn| {
                let scope = Self::grant(conn, actor, Permission::ReadLeads)?.lead_scope();
                let mut out = Vec::with_capacity(chunk.len());
                for id in chunk {
                    if let Some(l) = store::get(conn, *id)?.filter(|l| scope.allows_campaign(&l.campaign)) {
                        out.push(l);
                    }
                }
                Ok::<_, Error>(out)
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

    /// The bare index lookup `floor` for `text` (the benchmark's yardstick for each kind of search); returns
    /// how many ids it read. Not a search: no ranking, no filters.
    #[doc(hidden)]
    pub fn search_index_floor(&self, actor: &Actor, floor: IndexFloor, text: &str, limit: u32) -> Result<usize> {
        self.db.read(|conn| {
            every_lead(&Self::grant(conn, actor, Permission::ReadLeads)?, "read the bare search index")?;
            Ok(super::search::floor_lookup(conn, floor, text, limit)?)
        })
    }

    /// How many leads are stored, all campaigns together: for one who sees them all.
    pub fn lead_count(&self, actor: &Actor) -> Result<i64> {
        self.db.read(|conn| {
            every_lead(&Self::grant(conn, actor, Permission::ReadLeads)?, "count every campaign's leads")?;
            Ok(store::count(conn)?)
        })
    }

    /// Whether any lead is stored: a first run's question, asked before anyone can sign in (as `has_users`).
    pub fn has_leads(&self) -> Result<bool> {
        self.db.read(|conn| Ok(store::count(conn)? > 0))
    }
}

/// The refusal of a lead that would name no one, on the field the form starts with.
fn names_no_one() -> Error {
    ValidationErrors::one("first_name", "a lead names someone: give a name, a company, an email or a phone").into()
}
