//! What one row does, decided and done inside the caller's transaction: update the lead its natural key
//! finds, enrich the stored lead it certainly duplicates, create it (Active or Draft, and queued for review
//! when it may duplicate one), or reject it with every reason. The dry run runs exactly this and rolls back.
use std::collections::{HashMap, HashSet};

use rusqlite::Transaction;

use super::model::{NaturalKey, RowAction, RowPlan};
use crate::access::{Grant, LeadScope};
use crate::audit::store::BatchId;
use crate::duplicates::{is_unstored, Tier, Unsaved, Unstored, UNSTORED_FROM};
use crate::error::{Error, FieldError, Result};
use crate::leads::api::{insert_logged, visible_lead, Rules};
use crate::leads::fields::diff;
use crate::leads::{display_name, keep_invalid_contacts, normalize_email, store as leads, Lead, LeadInput, LeadStatus};
use crate::pipeline::Passage;
use crate::rapport::Rapport;

/// Read once per chunk: the rules every row of it is validated by.
pub(crate) struct RowRules {
    pub rules: Rules,
    pub scope: LeadScope,
    pub model: rapport_match::Model,
    pub key: Option<NaturalKey>,
    /// A keyed row's filled cells replace the stored values (see [`super::ImportPlan::replace`]).
    pub replace: bool,
    pub dedup: bool,
    pub keep_invalid: bool,
    /// Whether a row's plan says what it matched: the evidence and the stored lead's name. The dry run and the
    /// capture API show them; a run only counts outcomes, and reading a whole lead and its evidence for each
    /// of a file's possible duplicates would cost it more than the check itself.
    pub explain: bool,
    /// The campaign of a new lead whose row names none (the plan's, or a capture source's): for the leads the
    /// file creates, never laid over a lead a key or a certain match finds.
    pub default_campaign: Option<String>,
    /// An Administrator's reason to pass stage criteria the rows cannot meet (see
    /// [`super::ImportPlan::override_reason`]), checked once for the run.
    pub override_reason: Option<String>,
}

impl RowRules {
    /// How the run's rows pass the stage gate: checked, or past it for the plan's reason.
    fn passage(&self) -> Passage<'_> {
        self.override_reason.as_deref().map_or(Passage::Checked, Passage::Override)
    }
}

/// The leads a dry run's earlier rehearsals created, which a rollback took out of the database: later rows are
/// checked against them as the run will check them against the stored leads. A row's lead is known by the
/// line that creates it, counted from [`UNSTORED_FROM`]. An earlier row's update by natural key, or enrichment of
/// a stored lead, is carried too, so a later row with that key meets the lead as the run will (later rows are
/// still checked for duplicates against the enriched lead as it is stored; a lead of the file enriched by a later
/// row is found by the keys it was created with).
#[derive(Default)]
pub(crate) struct Rehearsal {
    unstored: Unstored,
    /// Each lead as JSON: a third of its size in memory, and read back only for a row certainly the same.
    leads: HashMap<i64, String>,
    /// This rehearsal's creations: in the database until it is rolled back, kept from then on.
    pending: Unstored,
    pending_leads: Vec<(i64, String)>,
    /// Leads as the rehearsals' updates by natural key left them, stored ones by id and the file's by their
    /// line's id: a rollback takes the update out of the database, not out of the run.
    updated: HashMap<i64, String>,
    /// The natural keys (addresses, lower-cased; external references) of the leads in `updated`: an address an
    /// earlier rehearsal's update gave a stored lead finds it by key in a later one, as in the run (the rollback
    /// took it out of the database, where the key lookup reads).
    updated_keys: HashMap<String, Vec<i64>>,
    /// The line after which created leads are no longer carried (memory stays bounded on a huge file).
    pub(crate) full_at: Option<u32>,
    cap: usize,
}

/// Leads a dry run carries at most (about 2 KB each): past them, later rows are still checked against the
/// database and these, not against one another across rehearsals, and the report says from which line.
pub(crate) const CARRIED_LEADS: usize = 100_000;

impl Rehearsal {
    /// A rehearsal carrying at most `leads` created leads ([`CARRIED_LEADS`] in a dry run).
    pub(crate) fn carrying(leads: usize) -> Self {
        Self { cap: leads, ..Self::default() }
    }

    /// The rehearsal's transaction is rolled back: what it created is carried instead.
    pub(crate) fn rolled_back(&mut self) {
        self.unstored.absorb(std::mem::take(&mut self.pending));
        self.leads.extend(self.pending_leads.drain(..));
    }

    fn line_of(id: i64) -> i64 {
        id - UNSTORED_FROM
    }

    /// Lead `id` as an earlier rehearsal's update by natural key left it, if one did.
    fn updated(&self, id: i64) -> Option<Lead> {
        self.updated.get(&id).and_then(|json| serde_json::from_str(json).ok())
    }

    /// Carries lead `lead` as an update just left it (while the rehearsal has room: past it, later rows meet
    /// the lead as it is stored, as the report's line from which rows were checked apart says).
    fn carry_update(&mut self, lead: &Lead) -> Result<()> {
        if self.updated.len() + self.leads.len() + self.pending_leads.len() < self.cap
            || self.updated.contains_key(&lead.id)
        {
            let json = serde_json::to_string(lead).map_err(|e| Error::Internal(e.to_string()))?;
            self.updated.insert(lead.id, json);
            let keys = lead.emails.iter().map(|e| e.address.to_lowercase()).chain(
                Some(lead.external_ref.trim()).filter(|r| !r.is_empty()).map(|r| format!("{EXTERNAL_REF_KEY}{r}")),
            );
            for key in keys {
                let ids = self.updated_keys.entry(key).or_default();
                if !ids.contains(&lead.id) {
                    ids.push(lead.id);
                }
            }
        }
        Ok(())
    }

    /// The stored leads an earlier rehearsal's update gave natural key `key` ([`Rehearsal::updated_keys`]).
    fn updated_with(&self, key: &str) -> &[i64] {
        self.updated_keys.get(key).map_or(&[], Vec::as_slice)
    }
}

/// What sets an external reference apart from an address among [`Rehearsal::updated_keys`].
const EXTERNAL_REF_KEY: &str = "ref:";

pub(crate) fn row_name(input: &LeadInput) -> String {
    let name = display_name(&input.first_name, &input.last_name, &input.company);
    match input.emails.first() {
        Some(e) if name == "(unnamed lead)" => e.clone(),
        _ => name,
    }
}

fn plan(line: u32, action: RowAction, lead_id: Option<i64>, name: String, detail: String) -> RowPlan {
    let (errors, evidence, cells) = (vec![], vec![], vec![]);
    RowPlan { line, action, lead_id, name, detail, errors, evidence, cells, keepable: false, gated: false }
}

pub(crate) fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| match e.field.strip_prefix("activity.") {
            // A stage's missing activity says which itself ("a “Proposal sent” activity is needed…"): its key
            // before it ("activity.proposal: ") is a name for programs, not people.
            Some(_) => e.message.clone(),
            None => format!("{}: {}", e.field, e.message),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub(crate) fn rejected(line: u32, name: String, errors: Vec<FieldError>) -> RowPlan {
    let detail = describe(&errors);
    RowPlan { errors, ..plan(line, RowAction::Reject, None, name, detail) }
}

/// The fields of the lead table a keyed row sets by value: every text field (the deal's too), not notes
/// (added to) nor the channel's detail (it goes with the channel).
fn keyed_text_fields() -> impl Iterator<Item = &'static crate::leads::fields::LeadField> {
    crate::leads::fields::FIELDS.iter().filter(|f| {
        let kind = f.info.kind;
        kind.is_text() && kind != crate::leads::LeadFieldKind::LongText && f.info.name != "source_detail"
    })
}

/// A field where a keyed row disagrees with the lead it names: what the lead holds, what the file says.
struct Disagreement {
    field: &'static str,
    stored: String,
    file: String,
}

impl Disagreement {
    /// Why the row is held back: seed 2.3's new information augments, it does not blindly overwrite, and the
    /// discrepancy goes to a person (the importer, with the row in the rejected rows) instead of being settled by
    /// whichever came last.
    fn error(self, whose: &str) -> FieldError {
        let Disagreement { field, stored, file } = self;
        FieldError::new(
            field,
            format!(
                "the file says “{}” where {whose} holds “{}”: nothing of this row was written; check which is right, \
                 then edit the lead or import again choosing to replace stored values",
                file.trim(),
                stored.trim()
            ),
        )
    }
}

/// What a keyed row that may not replace does to `lead`: None when it only fills gaps and adds (it goes on to
/// the update), or its refusal: the row's values are invalid, or a filled cell disagrees with what the lead holds
/// (beyond case, spacing and spelling: "500" is the "500.00" stored, "31.03.2027" the "2027-03-31"), or it names
/// another owner than the lead's. A stage further on in the lead's pipeline is no disagreement but a move, which
/// the stage's gate and its approvals check as they check one made on the board; a stage behind the lead's, in
/// another pipeline, or out of a closed one (Won, Lost) is: an older export would otherwise move deals back.
fn held_back(
    conn: &rusqlite::Connection,
    rules: &RowRules,
    lead: &Lead,
    row: &LeadInput,
    (line, name, whose): (u32, &str, &str),
) -> Result<Option<RowPlan>> {
    if rules.replace {
        return Ok(None);
    }
    // The lead as the file would make it, in the stored spelling of each value.
    let owner = lead.owner.as_ref().map(|o| o.id);
    let replaced =
        match rules.rules.validate(conn, &overlay(lead, row, true, rules.rules.phone_region()), &rules.scope, owner) {
            Ok(valid) => valid.as_lead(lead.id),
            Err(e) => return Ok(Some(rejected(line, name.to_string(), validation_errors(e)?))),
        };
    let stored = as_a_file_reads(lead);
    let mut errors: Vec<FieldError> = keyed_text_fields()
        .filter(|f| !(f.read)(row).trim().is_empty())
        .filter(|f| crate::duplicates::disagree(&(f.get)(&stored), &(f.get)(&replaced)))
        .map(|f| Disagreement { field: f.info.name, stored: (f.get)(lead), file: (f.read)(row) }.error(whose))
        .collect();
    if replaced.stage != lead.stage && !moves_on(conn, &lead.stage, &replaced.stage)? {
        let label = |key: &str| -> Result<String> {
            Ok(crate::pipeline::config::stage(conn, key)?.map_or_else(|| key.to_string(), |s| s.label))
        };
        errors.push(
            Disagreement { field: "stage", stored: label(&lead.stage)?, file: label(&replaced.stage)? }.error(whose),
        );
    }
    // An owner the lead has is not handed to another by a file that may only fill gaps.
    if let (Some(theirs), Some(owner)) = (row.owner_id, &lead.owner) {
        if theirs != owner.id {
            let named = crate::users::store::get(conn, theirs)?.map(|u| u.display_name).unwrap_or_default();
            errors.push(Disagreement { field: "owner", stored: owner.name.clone(), file: named }.error(whose));
        }
    }
    Ok((!errors.is_empty()).then(|| rejected(line, name.to_string(), errors)))
}

/// `lead` as a file's row holding its values is read: a postcode typed in the form stays as typed ("sw1a1aa",
/// "D-80331"), a file's is laid out for its country ("SW1A 1AA", "80331"), so the typed one is compared as the
/// file's reading would have made it. Its export, imported again by a key, is the same lead, not a conflict.
fn as_a_file_reads(lead: &Lead) -> Lead {
    let mut read = lead.clone();
    if let Some(region) = crate::leads::region_of_country(&lead.address.country) {
        read.address.postcode = crate::leads::postcode_of_country(&lead.address.postcode, &region);
    }
    read
}

/// Whether a move from stage `from` to `to` goes further on in one pipeline, from a stage still open.
fn moves_on(conn: &rusqlite::Connection, from: &str, to: &str) -> Result<bool> {
    let (Some(from), Some(to)) =
        (crate::pipeline::config::stage(conn, from)?, crate::pipeline::config::stage(conn, to)?)
    else {
        return Ok(false);
    };
    Ok(!from.closed && from.pipeline == to.pipeline && to.position > from.position)
}

/// Whether `lead` already holds what `input` would make of it (a dry run's carried update: the database holds
/// the lead without it, the run with it).
fn holds_already(conn: &rusqlite::Connection, rules: &RowRules, lead: &Lead, input: &LeadInput) -> Result<bool> {
    let owner = lead.owner.as_ref().map(|o| o.id);
    Ok(match rules.rules.validate(conn, input, &rules.scope, owner) {
        Ok(valid) => diff(lead, &valid.as_lead(lead.id)).is_empty(),
        Err(_) => false,
    })
}

/// The row's values laid over the stored lead's: a filled cell fills an empty field, or replaces what is there
/// when `replace`; an empty cell keeps what is there; emails, phones and tags are added; notes are appended; the
/// channel a lead came through is never rewritten. A phone is known when it is the same number read in `region`
/// (as validation will read it), or typed the same.
fn overlay(existing: &Lead, row: &LeadInput, replace: bool, region: &str) -> LeadInput {
    let mut out = existing.to_input();
    let text = |mine: &mut String, theirs: &str| {
        if !theirs.trim().is_empty() {
            *mine = theirs.to_string();
        }
    };
    for f in keyed_text_fields() {
        let theirs = (f.read)(row);
        if !theirs.trim().is_empty() && (replace || (f.read)(&out).trim().is_empty()) {
            (f.set)(&mut out, &theirs);
        }
    }
    text(&mut out.stage, &row.stage);
    if existing.source.is_none() {
        out.source = row.source;
        out.source_detail = row.source_detail.clone();
    }
    if row.owner_id.is_some() && (replace || out.owner_id.is_none()) {
        out.owner_id = row.owner_id;
    }
    // A value the lead keeps as typed because it is invalid (a Draft's "bob@", exported with its others) is
    // known too: added again, it failed the lead's check, and a re-import of the export was refused.
    let kept_as_typed =
        |field: &str, v: &str| existing.invalid.iter().any(|x| x.field == field && x.value.trim() == v.trim());
    for e in &row.emails {
        let known = existing.emails.iter().any(|x| x.address.eq_ignore_ascii_case(e.trim()) || x.original == *e)
            || kept_as_typed("emails", e);
        if !known && !out.emails.contains(e) {
            out.emails.push(e.clone());
        }
    }
    // Each of the row's numbers read once: for what the lead holds, and for the order replacing gives them.
    let row_phones: Vec<Option<String>> =
        row.phones.iter().map(|p| crate::leads::parse_phone(p, region).ok().map(|n| n.e164)).collect();
    for (p, number) in row.phones.iter().zip(&row_phones) {
        let known = existing.phones.iter().any(|x| Some(&x.e164) == number.as_ref() || x.original == *p)
            || kept_as_typed("phones", p);
        if !known && !out.phones.contains(p) {
            out.phones.push(p.clone());
        }
    }
    // Replacing, the file's address and number are the lead's first (the ones a confirmation and a call go to):
    // the old ones stayed first, the file's kept behind them. The old ones stay too, after them: nothing is lost.
    if replace {
        let row_emails: Vec<String> = row.emails.iter().map(|e| e.trim().to_lowercase()).collect();
        out.emails.sort_by_key(|e| row_emails.iter().position(|r| *r == e.trim().to_lowercase()).unwrap_or(usize::MAX));
        // The lead's own numbers are known by their stored form; one the row adds is read as the row's was.
        let stored_or_read = |p: &str| {
            existing.phones.iter().find(|x| x.original == p).map(|x| x.e164.clone()).or_else(|| {
                row.phones.iter().zip(&row_phones).find(|(q, _)| q.as_str() == p).and_then(|(_, n)| n.clone())
            })
        };
        out.phones.sort_by_cached_key(|p| {
            let number = stored_or_read(p);
            row_phones.iter().position(|r| r.is_some() && *r == number).unwrap_or(usize::MAX)
        });
    }
    for t in &row.tags {
        if !out.tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
            out.tags.push(t.clone());
        }
    }
    // A note already there is not added again (a file imported twice), line by line: a re-export whose one
    // status line changed adds that line, not the thirteen unmapped columns' lines held already. A line that is
    // only part of one there is new: "Budget 5000" is not in "Budget 50000 approved".
    let held: HashSet<&str> = out.notes.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let new: Vec<String> = row
        .notes
        .trim()
        .split("\n\n")
        .map(|p| p.lines().filter(|l| !held.contains(l.trim())).collect::<Vec<_>>().join("\n"))
        .filter(|p| !p.trim().is_empty())
        .collect();
    if !new.is_empty() {
        let new = new.join("\n\n");
        out.notes = if out.notes.trim().is_empty() { new } else { format!("{}\n\n{new}", out.notes) };
    }
    out
}

/// A row the write refused: its reasons, and whether the stage's entry criteria alone refused it (an
/// Administrator's override would bring it in).
fn refused(line: u32, name: String, e: Error) -> Result<RowPlan> {
    let gated = matches!(e, Error::Gate(_));
    Ok(RowPlan { gated, ..rejected(line, name, validation_errors(e)?) })
}

fn validation_errors(e: Error) -> Result<Vec<FieldError>> {
    match e {
        Error::Validation(v) => Ok(v.errors),
        Error::Access(a) => Ok(vec![FieldError::new("campaign", a.to_string())]),
        // The stage's entry criteria are unmet: the row says what is missing, like any invalid row.
        Error::Gate(g) => Ok(g.field_errors()),
        Error::NeedsApproval(n) => Ok(vec![FieldError::new("stage", n.to_string())]),
        other => Err(other),
    }
}

/// The fields where a stored lead and a row that is certainly the same person disagree, among those the row
/// itself gives. The channel and its detail are the import's, not the person's (a lead's original channel is kept), and a
/// stage or an owner the file does not set is only the default a new lead would get: neither is a conflict. An
/// email or phone the lead lacks while holding one is (seed 2.3), so a web form's sender who knows a lead's
/// name and address cannot give it another way to be reached unseen; one the row leaves out is no change.
fn conflicts_with_row(stored: &Lead, row: &LeadInput, row_lead: &Lead) -> Vec<&'static str> {
    crate::duplicates::text_conflicts(stored, row_lead)
        .into_iter()
        .filter(|field| match *field {
            "source" => false,
            // Unless the lead has a detail and no channel ("Phone call", typed before anyone said how it came):
            // the import's channel would come with its own detail and replace it.
            "source_detail" => stored.source.is_none() && !stored.source_detail.trim().is_empty(),
            "stage" => !row.stage.trim().is_empty(),
            "owner" => row.owner_id.is_some(),
            // The import's campaign is for the leads it creates: the file's own campaign is what may conflict.
            "campaign" => !row.campaign.trim().is_empty(),
            _ => true,
        })
        .chain(crate::duplicates::new_contacts(stored, row_lead))
        .collect()
}

fn changed_fields(old: &Lead, new: &Lead) -> String {
    let names: Vec<&str> = diff(old, new).into_iter().map(|(f, _, _)| f).filter(|f| *f != "status").collect();
    names.join(", ")
}

/// What a dry run says of a row whose natural key names the lead an earlier row creates (line `first`), which
/// a rollback took out of the database: its values laid over that lead as the rehearsal left it, validated as
/// the run's update will validate them, so a value the run refuses is refused here too.
pub(crate) fn rehearsed_update(
    conn: &rusqlite::Connection,
    grant: &Grant,
    rules: &RowRules,
    rehearsal: &mut Rehearsal,
    first: u32,
    line: u32,
    row: LeadInput,
) -> Result<RowPlan> {
    let name = row_name(&row);
    let id = UNSTORED_FROM + i64::from(first);
    let json =
        rehearsal.leads.get(&id).or_else(|| rehearsal.pending_leads.iter().find(|(i, _)| *i == id).map(|(_, j)| j));
    let created: Option<Lead> = rehearsal.updated(id).or_else(|| json.and_then(|json| serde_json::from_str(json).ok()));
    if let Some(lead) = &created {
        let whose = format!("the lead line {first} creates");
        if let Some(refused) = held_back(conn, rules, lead, &row, (line, &name, &whose))? {
            return Ok(refused);
        }
    }
    let input = match &created {
        Some(lead) => overlay(lead, &row, rules.replace, rules.rules.phone_region()),
        // Past what the dry run carries: the row's own values are still checked.
        None => row,
    };
    let owner = created.as_ref().and_then(|l| l.owner.as_ref().map(|o| o.id));
    let valid = match rules.rules.validate(conn, &input, &rules.scope, owner) {
        Ok(valid) => valid,
        Err(e) => return Ok(rejected(line, name, validation_errors(e)?)),
    };
    // The same person twice in one file: the run finds nothing to change, and says so; the dry run too.
    if created.as_ref().is_some_and(|l| diff(l, &valid.as_lead(l.id)).is_empty()) {
        let detail = format!("the lead line {first} creates already holds these values");
        return Ok(plan(line, RowAction::Unchanged, None, name, detail));
    }
    if let Some(lead) = &created {
        // The lead as the run leaves it; the validated values hold no owner's name, kept when the owner stays.
        let mut after = valid.as_lead(id);
        if after.owner.as_ref().map(|o| o.id) == lead.owner.as_ref().map(|o| o.id) {
            after.owner = lead.owner.clone();
        }
        // The run's update passes the stage gate (entry criteria, approvals, what the stage it leaves keeps).
        let gate = crate::pipeline::gate::check(conn, grant, Some(lead), &after, rules.passage())
            .and_then(|_| crate::pipeline::gate::keeps_criteria(conn, grant, lead, &after, rules.passage()));
        if let Err(e) = gate {
            return refused(line, name, e);
        }
        rehearsal.carry_update(&after)?;
    }
    Ok(plan(line, RowAction::Update, None, name, format!("updates the lead line {first} creates")))
}

impl Rapport {
    /// Finds the lead the row's natural key names: none, one, or a refusal when it names several.
    fn keyed_lead(
        tx: &Transaction<'_>,
        rules: &RowRules,
        grant: &Grant,
        row: &LeadInput,
        rehearsal: Option<&Rehearsal>,
    ) -> Result<Result<Option<Lead>, String>> {
        let mut ids = match rules.key {
            None => return Ok(Ok(None)),
            Some(NaturalKey::Email) => match row.emails.first().map(|e| normalize_email(e)) {
                Some(Ok(address)) => {
                    let mut ids = leads::with_email(tx, &address)?;
                    ids.extend(rehearsal.map_or(&[][..], |r| r.updated_with(&address.to_lowercase())));
                    ids
                }
                _ => return Ok(Ok(None)),
            },
            Some(NaturalKey::ExternalRef) if row.external_ref.trim().is_empty() => return Ok(Ok(None)),
            Some(NaturalKey::ExternalRef) => {
                // A lead merged away is found by its reference in the lead it lives on in: the partner's next
                // export still names it, and would make it again.
                let reference = row.external_ref.trim();
                let mut ids = leads::with_external_ref(tx, reference)?;
                ids.extend(crate::duplicates::living_by_external_ref(tx, reference)?);
                ids.extend(rehearsal.map_or(&[][..], |r| r.updated_with(&format!("{EXTERNAL_REF_KEY}{reference}"))));
                ids
            }
        };
        ids.sort_unstable();
        ids.dedup();
        let mut visible = Vec::new();
        for id in ids {
            match visible_lead(tx, grant, id) {
                Ok(l) => visible.push(l),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        if visible.len() > 1 {
            let ids: Vec<String> = visible.iter().map(|l| l.id.to_string()).collect();
            return Ok(Err(format!(
                "matches {} leads ({}): merge them first, or import by another key",
                visible.len(),
                ids.join(", ")
            )));
        }
        Ok(Ok(visible.pop()))
    }

    /// Does what row `line` asks, in `tx`, recording into `batch`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn import_row(
        &self,
        tx: &Transaction<'_>,
        grant: &Grant,
        rules: &RowRules,
        batch: &BatchId,
        line: u32,
        row: LeadInput,
        rehearsal: Option<&mut Rehearsal>,
    ) -> Result<RowPlan> {
        let name = row_name(&row);
        let keyed = match Self::keyed_lead(tx, rules, grant, &row, rehearsal.as_deref())? {
            Ok(k) => k,
            Err(why) => {
                let field = rules.key.map(NaturalKey::as_str).unwrap_or("key");
                return Ok(rejected(line, name, vec![FieldError::new(field, why)]));
            }
        };
        if let Some(existing) = keyed {
            // Found by the reference of a lead merged into it: the survivor keeps its own (the next row of its
            // own reference finds it by that).
            let mut row = row;
            if rules.key == Some(NaturalKey::ExternalRef) && existing.external_ref.trim() != row.external_ref.trim() {
                row.external_ref.clone_from(&existing.external_ref);
            }
            // In a dry run, the lead as an earlier rehearsal's update left it: the run will meet it so.
            let carried = rehearsal.as_deref().and_then(|r| r.updated(existing.id));
            let current = carried.as_ref().unwrap_or(&existing);
            let whose = format!("lead {} ({})", existing.id, existing.display_name());
            if let Some(refused) = held_back(tx, rules, current, &row, (line, &name, &whose))? {
                return Ok(refused);
            }
            let input = overlay(current, &row, rules.replace, rules.rules.phone_region());
            if carried.is_some() && holds_already(tx, rules, current, &input)? {
                let detail = format!("lead {} already holds these values", existing.id);
                return Ok(plan(line, RowAction::Unchanged, Some(existing.id), name, detail));
            }
            let id = existing.id;
            let p = self.update_from_row(
                tx,
                grant,
                batch,
                line,
                name,
                existing,
                &input,
                &[],
                (RowAction::Update, rules.passage()),
            )?;
            if let (Some(r), RowAction::Update) = (rehearsal, p.action) {
                if let Some(after) = leads::get(tx, id)? {
                    r.carry_update(&after)?;
                }
            }
            return Ok(p);
        }
        // A new lead takes the import's campaign when its row names none (seed 3.2: a campaign-limited team's
        // list); the row itself, which names none, still says what the file gave (a certain match keeps its own).
        let with_campaign;
        let new_lead = match &rules.default_campaign {
            Some(c) if row.campaign.trim().is_empty() => {
                with_campaign = LeadInput { campaign: c.clone(), ..row.clone() };
                &with_campaign
            }
            _ => &row,
        };
        let valid = match rules.rules.validate(tx, new_lead, &rules.scope, None) {
            Ok(v) => v,
            Err(e) => {
                let errors = validation_errors(e)?;
                // Tried even when values are not to be kept, so the dry run can say how many rows keeping
                // them would save (only rejected rows pay for it).
                let kept = keep_invalid_contacts(new_lead, &crate::leads::ValidationErrors { errors: errors.clone() })
                    .map(|k| rules.rules.validate(tx, &k, &rules.scope, None));
                match kept {
                    Some(Ok(v)) if rules.keep_invalid => v,
                    Some(Ok(_)) => return Ok(RowPlan { keepable: true, ..rejected(line, name, errors) }),
                    _ => return Ok(rejected(line, name, errors)),
                }
            }
        };
        let lead = valid.as_lead(0);
        let unsaved = Unsaved::of(&lead);
        let unstored = rehearsal.as_deref().map(|r| &r.unstored);
        let all = if rules.dedup { unsaved.matches(tx, &rules.model, &rules.scope, unstored)? } else { vec![] };
        // What the row does is decided by the leads the importer may see; the others are only queued as pairs.
        let matches: Vec<&crate::duplicates::Scored> = all.iter().filter(|m| m.visible).collect();
        // A lead an earlier rehearsal of a dry run created, as that rehearsal left it.
        let rehearsed = |id: i64| -> Option<Lead> {
            rehearsal.as_deref().and_then(|r| r.leads.get(&id)).and_then(|json| serde_json::from_str(json).ok())
        };
        // Only a certain match is read whole (for its conflicts and its enrichment); a possible one only when
        // the plan is to explain it.
        if let Some(m) = matches.first().filter(|m| m.tier == Tier::Same) {
            let stored = if is_unstored(m.other) { rehearsed(m.other) } else { leads::get(tx, m.other)? };
            if let Some(stored) = stored {
                if conflicts_with_row(&stored, &row, &valid.as_lead(stored.id)).is_empty() {
                    let evidence =
                        if rules.explain { unsaved.evidence(&rules.model, m, &rules.scope)? } else { vec![] };
                    let mut input = crate::duplicates::enrichment(&stored, &lead);
                    // The import's campaign is for the leads it creates (above): laid over an empty one here, a web
                    // form's post or an Administrator's list would hand a lead no team saw to the campaign's team.
                    if row.campaign.trim().is_empty() {
                        input.campaign = stored.campaign.clone();
                    }
                    if is_unstored(m.other) {
                        // The run fills the lead an earlier row creates; the rehearsal that made it is gone.
                        let first = Rehearsal::line_of(m.other);
                        let (action, detail) = if input == stored.to_input() {
                            (RowAction::Unchanged, format!("the lead line {first} creates already holds these values"))
                        } else {
                            (RowAction::Enrich, format!("fills the gaps of the lead line {first} creates"))
                        };
                        let mut p = plan(line, action, None, name, detail);
                        p.evidence = evidence;
                        return Ok(p);
                    }
                    let stored_id = stored.id;
                    let p = self.update_from_row(
                        tx,
                        grant,
                        batch,
                        line,
                        name.clone(),
                        stored,
                        &input,
                        &lead.phones,
                        (RowAction::Enrich, rules.passage()),
                    )?;
                    // The row and the stored lead together break a limit the row alone keeps (notes joined past
                    // their length): the row becomes a lead of its own, queued for review beside the stored one.
                    // Refusing it would lose a valid row, and tell the sender (a web form's anyone) that the
                    // person is a lead already.
                    if p.action != RowAction::Reject {
                        // An address the enrichment gave the lead finds it by key in a later chunk of a dry run,
                        // as in the run.
                        if let (Some(r), RowAction::Enrich) = (rehearsal, p.action) {
                            if let Some(after) = leads::get(tx, stored_id)? {
                                r.carry_update(&after)?;
                            }
                        }
                        return Ok(RowPlan { evidence, ..p });
                    }
                }
            }
        }
        // A row that holds nothing a candidate does not (its whole name, its company, and every other value it
        // fills the same): the lead brought again by a re-export imported twice, though names many people share
        // keep the score short of sure (LinkedIn's connections carry no email). A second lead of the same values
        // would only queue a pair no one could tell apart. A row that names no one (a mailing list's export of
        // addresses alone) is brought again when a lead holds its every value, its address or number among them:
        // each re-import made another nameless lead and pair.
        let filled = |v: &str| !v.trim().is_empty();
        let whole = filled(&lead.first_name) && filled(&lead.last_name) && filled(&lead.company);
        let nameless = !filled(&lead.first_name) && !filled(&lead.last_name) && !filled(&lead.company);
        let contact = !lead.emails.is_empty() || !lead.phones.is_empty();
        // A shared mailbox (info@, sales@) finds no candidate (the matcher leaves it out: colleagues share it), so
        // a nameless row of one is looked for by its address: each re-import made another Draft of it.
        let mut by_address: Vec<i64> = Vec::new();
        if rules.dedup && nameless && matches.is_empty() {
            for address in &lead.emails {
                for id in leads::with_email(tx, &address.address)? {
                    if !by_address.contains(&id) {
                        by_address.push(id);
                    }
                }
            }
        }
        // A row that names only another system's record (Zoho's lead with its id, owner and dates, and no name
        // or way to reach anyone) is found by that reference: each re-import made another "(unnamed lead)".
        let reference = lead.external_ref.trim();
        let referenced = nameless && !contact && !reference.is_empty();
        if rules.dedup && referenced {
            by_address.extend(leads::with_external_ref(tx, reference)?);
        }
        let candidates: Vec<i64> = if whole || (nameless && (contact || referenced)) {
            matches
                .iter()
                .filter(|m| nameless || unsaved.same_name_and_company(m))
                .map(|m| m.other)
                .chain(by_address)
                .collect()
        } else {
            Vec::new()
        };
        for other in candidates {
            let stored = if is_unstored(other) { rehearsed(other) } else { leads::get(tx, other)? };
            // Found by address, a lead outside the importer's campaigns is not theirs to name.
            if stored.as_ref().is_some_and(|l| !rules.scope.allows_campaign(&l.campaign)) {
                continue;
            }
            let Some(stored) = stored else { continue };
            if !conflicts_with_row(&stored, &row, &valid.as_lead(stored.id)).is_empty() {
                continue;
            }
            let mut input = crate::duplicates::enrichment(&stored, &lead);
            if row.campaign.trim().is_empty() {
                input.campaign = stored.campaign.clone();
            }
            if input != stored.to_input() {
                continue;
            }
            let (id, detail) = if is_unstored(other) {
                (None, format!("the lead line {} creates already holds these values", Rehearsal::line_of(other)))
            } else {
                (Some(stored.id), format!("lead {} already holds these values", stored.id))
            };
            return Ok(plan(line, RowAction::Unchanged, id, name, detail));
        }
        let review = match matches.first() {
            Some(m) => {
                let likely = format!("{:.0}% likely", m.score * 100.0);
                let detail = if is_unstored(m.other) {
                    let first = Rehearsal::line_of(m.other);
                    let who = rehearsed(m.other).map(|l| l.display_name()).unwrap_or_default();
                    format!("may be {who} (the lead line {first} creates, {likely}): queued for review")
                } else {
                    let stored = if rules.explain { leads::get(tx, m.other)? } else { None };
                    match stored {
                        Some(l) => {
                            format!("may be {} (lead {}, {likely}): queued for review", l.display_name(), l.id)
                        }
                        None => format!("may duplicate lead {} ({likely}): queued for review", m.other),
                    }
                };
                let evidence = if rules.explain { unsaved.evidence(&rules.model, m, &rules.scope)? } else { vec![] };
                Some((detail, evidence))
            }
            None => None,
        };
        // The gate checks before anything is written, so a refused row leaves nothing behind.
        let id = match insert_logged(tx, grant, batch, &valid, rules.passage()) {
            Ok(id) => id,
            Err(e) => return refused(line, name, e),
        };
        // Its keys are stored either way (later leads are checked against it); pairs only if it was checked.
        self.index_and_queue(tx, &rules.model, id, &unsaved, all, &batch.at)?;
        if let Some(r) = rehearsal.filter(|r| r.full_at.is_none()) {
            if r.leads.len() + r.pending_leads.len() >= r.cap {
                r.full_at = Some(line);
            } else {
                let unstored_id = UNSTORED_FROM + i64::from(line);
                unsaved.keep_unstored(&mut r.pending, unstored_id);
                let lead = Lead { id: unstored_id, ..lead };
                let lead = serde_json::to_string(&lead).map_err(|e| Error::Internal(e.to_string()))?;
                r.pending_leads.push((unstored_id, lead));
            }
        }
        if let Some((detail, evidence)) = review {
            let mut p = plan(line, RowAction::Review, Some(id), name, detail);
            p.evidence = evidence;
            return Ok(p);
        }
        Ok(if valid.status == LeadStatus::Draft {
            let missing: Vec<&str> = valid.missing.iter().map(|m| m.describe()).collect();
            plan(line, RowAction::CreateDraft, Some(id), name, format!("Draft: needs {}", missing.join(", ")))
        } else {
            plan(line, RowAction::CreateActive, Some(id), name, String::new())
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn update_from_row(
        &self,
        tx: &Transaction<'_>,
        grant: &Grant,
        batch: &BatchId,
        line: u32,
        name: String,
        existing: Lead,
        input: &LeadInput,
        known_phones: &[crate::leads::PhoneEntry],
        (action, passage): (RowAction, Passage<'_>),
    ) -> Result<RowPlan> {
        let before = existing.clone();
        let write = &mut || Ok(batch.clone());
        match self.write_update_knowing(tx, grant, existing, input, known_phones, passage, write) {
            Ok(after) if after.version == before.version => Ok(plan(
                line,
                RowAction::Unchanged,
                Some(before.id),
                name,
                format!("lead {} already holds these values", before.id),
            )),
            Ok(after) => {
                let what = if action == RowAction::Enrich { "fills" } else { "changes" };
                let detail = format!("{what} {} of lead {}", changed_fields(&before, &after), before.id);
                Ok(plan(line, action, Some(before.id), name, detail))
            }
            Err(e) => refused(line, name, e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A refused row reads as its fields and why; a stage's missing activity by its own words alone.
    #[test]
    fn a_refusal_names_its_fields_and_an_activity_by_its_words() {
        let errors = [
            FieldError::new("currency", "is needed to enter Won"),
            FieldError::new("activity.proposal", "a “Proposal sent” activity is needed to enter In discussion"),
        ];
        assert_eq!(
            describe(&errors),
            "currency: is needed to enter Won; a “Proposal sent” activity is needed to enter In discussion"
        );
    }
}
