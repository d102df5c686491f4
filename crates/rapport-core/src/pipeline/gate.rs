//! The one stage gate. Every write that can put a lead into a stage (the form, a board drag, bulk edit, an
//! import, the capture API, the stagnation sweep, later automations) goes through `leads::api::insert_logged`
//! or `leads::api::write_update`, and both ask here before they write; so no path can skip a stage's entry
//! criteria, and a refused move writes nothing (the caller's transaction is rolled back with the error).
use std::fmt;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::activities::{self, ActivityKind};
use super::config;
use crate::access::{AccessError, Grant};
use crate::error::{Error, FieldError, Result};
use crate::leads::fields;
use crate::leads::{Lead, LeadStatus, MissingField, ValidationErrors};
use crate::users::Role;

/// How a person's move passes the gate, as the core's callers may ask: checked, or (an Administrator only)
/// past unmet criteria for a reason. The core's own ways past it (a restore, an approval carried out) are not
/// theirs to claim:
///
/// ```compile_fail
/// let _ = rapport_core::pipeline::Passage::Restoring;
/// ```
///
/// ```
/// let _ = rapport_core::pipeline::Passing::Override("the client signed on the phone");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passing<'a> {
    Checked,
    Override(&'a str),
}

impl<'a> From<Passing<'a>> for Passage<'a> {
    fn from(p: Passing<'a>) -> Self {
        match p {
            Passing::Checked => Passage::Checked,
            Passing::Override(reason) => Passage::Override(reason),
        }
    }
}

/// How a write that may move a lead passes the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Passage<'a> {
    /// Checked against the entry criteria of the stage entered.
    Checked,
    /// An Administrator moves the lead although criteria are unmet, for this reason; logged with the move.
    Override(&'a str),
    /// Puts back a state the log recorded (merge, unmerge, an import's undo): the move was decided, and
    /// passed the gate, when it was first made.
    Restoring,
    /// A person takes back one of the saves on a lead's history. The state it returns to passed the entry
    /// criteria when it was recorded, so they are not asked again; but the move back is this person's decision,
    /// so the approval rules hold (an Editor cannot reopen a won deal by undoing its move), and a lead staying
    /// in its stage keeps what the stage asked.
    Undoing,
    /// Carries out the approved request with this id: the criteria are checked again, the approval rule is
    /// met.
    Approved(i64),
    /// A merge: checked as any move, the activities of the leads being merged in counting as the survivor's
    /// (they are archived into it in the same transaction, after this check).
    Merging(&'a [i64]),
}

/// A move that waits for an Administrator's approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ApprovalNeeded {
    pub stage: String,
    pub stage_label: String,
    /// The rule, as its label ("Losing a deal of 10,000 or more").
    pub rule: String,
    /// The lead is being created there (an import row, a new lead): there is no lead yet to request the move for.
    #[serde(default)]
    pub creating: bool,
}

impl fmt::Display for ApprovalNeeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.creating {
            return write!(
                f,
                "Creating a lead in {} needs an Administrator's approval ({}): create it in an open stage, then \
                 request the move",
                self.stage_label, self.rule
            );
        }
        write!(
            f,
            "Moving this lead to {} needs an Administrator's approval ({}): request it",
            self.stage_label, self.rule
        )
    }
}

/// A move the gate refused, with exactly what is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GateRefusal {
    pub stage: String,
    pub stage_label: String,
    /// Each field that must hold a value first, named as the form names it.
    pub fields: Vec<FieldError>,
    /// Each kind of activity that must have happened first.
    pub activities: Vec<ActivityKind>,
    /// What a Draft lacks to be complete (seed 2.2), before it moves on.
    pub incomplete: Vec<MissingField>,
    /// The stages the move skips that ask their criteria of leads skipping them, and lacks some of: their
    /// missing fields are in `fields` (each saying which stage asks it), their missing activities in
    /// `activities` and here.
    pub passed: Vec<PassedStage>,
}

/// A stage a refused move would have skipped, whose entry criteria it does not meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PassedStage {
    pub stage: String,
    pub stage_label: String,
    /// The kinds of activity it asks for that have not happened.
    pub activities: Vec<ActivityKind>,
}

/// The field a form fills for what a Draft lacks.
fn field_of(m: MissingField) -> &'static str {
    match m {
        MissingField::Name => "first_name",
        MissingField::ContactPoint => "emails",
        MissingField::Source => "source",
        MissingField::FixInvalid => "invalid",
    }
}

impl fmt::Display for GateRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut needs: Vec<String> = self
            .fields
            .iter()
            .map(|e| fields::field(&e.field).map_or(e.field.clone(), |x| x.info.label.into()))
            .collect();
        // Said as completeness says it ("a valid email or phone number").
        needs.extend(self.incomplete.iter().map(|m| m.describe().to_string()));
        needs.extend(self.activities.iter().map(|k| format!("a “{}” activity", k.label())));
        let passing: Vec<&str> = self.passed.iter().map(|p| p.stage_label.as_str()).collect();
        match passing.as_slice() {
            [] => write!(f, "To enter {}, this lead needs: {}", self.stage_label, needs.join(", ")),
            _ => write!(
                f,
                "To enter {} past {}, this lead needs: {}",
                self.stage_label,
                join_and(&passing),
                needs.join(", ")
            ),
        }
    }
}

impl std::error::Error for GateRefusal {}

impl GateRefusal {
    /// The refusal as fields at fault: the missing fields, and `activity.<kind>` for each missing activity, so
    /// a form can put each message beside what fills it.
    pub fn field_errors(&self) -> Vec<FieldError> {
        let mut out = self.fields.clone();
        for m in &self.incomplete {
            if !out.iter().any(|e| e.field == field_of(*m)) {
                let why = format!("{} is needed before a Draft moves on to {}", m.describe(), self.stage_label);
                out.push(FieldError::new(field_of(*m), why));
            }
        }
        out.extend(self.activities.iter().map(|k| {
            let why = match self.passed.iter().find(|p| p.activities.contains(k)) {
                Some(p) => format!("a “{}” activity is needed to move past {}", k.label(), p.stage_label),
                None => format!("a “{}” activity is needed to enter {}", k.label(), self.stage_label),
            };
            FieldError::new(format!("activity.{}", k.as_str()), why)
        }));
        out
    }
}

/// What passed although unmet: the override's log line.
pub(crate) struct Overridden(pub String);

/// A lead staying in its stage keeps what the stage asked of it to enter: an edit that empties one of those
/// fields (a Lost lead's reason, a Won deal's value), or that makes it a Draft up the pipeline, is refused,
/// each such field named. Fields the edit leaves as they are are not asked about (a lead may have entered
/// before the stage asked).
/// An Administrator's override lets it pass, and says so in the change log like an override of a move.
pub(crate) fn keeps_criteria(
    conn: &Connection,
    grant: &Grant,
    old: &Lead,
    new: &Lead,
    passage: Passage<'_>,
) -> Result<Option<Overridden>> {
    if old.stage != new.stage {
        return Ok(None);
    }
    let Some(stage) = config::stage(conn, &new.stage)? else { return Ok(None) };
    let mut emptied: Vec<FieldError> = stage
        .required_fields
        .iter()
        .filter(|name| fields::field(name).is_some_and(|f| !unmet(name, &(f.get)(old)) && unmet(name, &(f.get)(new))))
        .map(|name| FieldError::new(name.clone(), format!("is needed while the lead is in {}", stage.label)))
        .collect();
    // Seed 2.2: nor does it become a Draft where a Draft could not have gone (its last email removed in Won). An
    // undo or an unmerge puts back a state the lead was in: not asked.
    let newly_missing: Vec<MissingField> = new.missing.iter().copied().filter(|m| !old.missing.contains(m)).collect();
    let restoring = matches!(passage, Passage::Undoing | Passage::Restoring);
    if !newly_missing.is_empty() && !restoring && advances(conn, None, &stage)? {
        for m in newly_missing {
            if !emptied.iter().any(|e| e.field == field_of(m)) {
                let why = format!("{} is needed while the lead is in {}", m.describe(), stage.label);
                emptied.push(FieldError::new(field_of(m), why));
            }
        }
    }
    if emptied.is_empty() {
        return Ok(None);
    }
    let Passage::Override(reason) = passage else { return Err(ValidationErrors { errors: emptied }.into()) };
    let reason = override_reason(grant, reason)?;
    let what: Vec<String> = emptied.iter().map(|e| format!("{} {}", e.field, e.message)).collect();
    Ok(Some(Overridden(format!("{reason} (passed although {})", what.join("; ")))))
}

/// The longest reason an override keeps in the change log.
const OVERRIDE_REASON_CHARS: usize = 2_000;

/// An override of what a stage asks is an Administrator's, with a reason: the reason, checked as a note is (it is
/// shown in every lead's history, and a terminal escape or a lone carriage return would be printed raw there).
pub(crate) fn override_reason(grant: &Grant, reason: &str) -> Result<String> {
    if grant.role != Role::Administrator {
        let action = "override a stage's entry criteria";
        return Err(AccessError::Denied { role: grant.role.as_str(), action }.into());
    }
    let mut errors = Vec::new();
    let reason = crate::leads::clean_text("override_reason", reason, OVERRIDE_REASON_CHARS, false, &mut errors);
    if !errors.is_empty() {
        return Err(ValidationErrors { errors }.into());
    }
    if reason.is_empty() {
        return Err(ValidationErrors::one("override_reason", "an override needs a reason").into());
    }
    Ok(reason)
}

/// Answers that say a decision maker is not known: a CRM's yes/no column ("Decision Maker?", Dynamics') answered
/// no, and its spellings in the languages exports come in.
const NO_DECISION_MAKER: &[&str] =
    &["no", "n", "false", "0", "none", "unknown", "nein", "non", "nee", "nej", "nei", "ei"];

/// Whether `value` leaves unmet what a stage asks of field `name`: empty, or for the decision maker an answer
/// that none is known ("No" passed Qualification's "decision maker identified").
fn unmet(name: &str, value: &str) -> bool {
    let v = value.trim();
    v.is_empty() || name == "decision_maker" && NO_DECISION_MAKER.contains(&v.to_lowercase().as_str())
}

/// Whether `input` lacks a field stage `stage` asks for to enter it.
pub(crate) fn lacks_required(conn: &Connection, stage: &str, input: &crate::leads::LeadInput) -> Result<bool> {
    let Some(stage) = config::stage(conn, stage)? else { return Ok(false) };
    Ok(stage.required_fields.iter().any(|name| fields::field(name).is_some_and(|f| unmet(name, &(f.read)(input)))))
}

/// A restore that leaves the lead in its stage (an unmerge, an import undone) keeps the fields that stage asks
/// for as they are now, rather than emptying one: a Won deal keeps its value though the merge or the import
/// brought it. Returns the fields kept, and why, for the report ("deal value (Won needs it)").
pub(crate) fn keep_required(
    conn: &Connection,
    current: &Lead,
    input: &mut crate::leads::LeadInput,
) -> Result<Vec<String>> {
    if input.stage != current.stage {
        return Ok(vec![]);
    }
    let Some(stage) = config::stage(conn, &current.stage)? else { return Ok(vec![]) };
    let mut kept = Vec::new();
    for name in &stage.required_fields {
        let Some(f) = fields::field(name) else { continue };
        let now = (f.get)(current);
        if !now.trim().is_empty() && (f.read)(input).trim().is_empty() {
            (f.set)(input, &now);
            kept.push(format!("{} ({} needs it)", f.info.label.to_lowercase(), stage.label));
        }
    }
    // Seed 2.2 up the pipeline: nor is the lead left a Draft without any email or phone, which an edit is refused
    // (an unmerge taking back the only address the merge brought, the lead's own phone removed since). It keeps
    // those it holds now; the lead brought back gets its own.
    let blank = |list: &[String]| list.iter().all(|v| v.trim().is_empty());
    if blank(&input.emails)
        && blank(&input.phones)
        && !current.missing.contains(&crate::leads::MissingField::ContactPoint)
        && advances(conn, None, &stage)?
    {
        let now = current.to_input();
        (input.emails, input.phones) = (now.emails, now.phones);
        kept.push(format!("email and phone ({} needs one)", stage.label));
    }
    Ok(kept)
}

/// A lost reason is given only to a lead in a lost stage. Given to an open deal (in the form, an import, a
/// capture), it waited there and answered for the deal's later loss (a drag to Lost, the stagnation sweep)
/// though nobody gave it for that loss. Those given before this rule were cleared by migration 033; an undo and a
/// restore put back what the log holds.
fn reason_only_when_lost(conn: &Connection, before: Option<&Lead>, lead: &Lead, passage: Passage<'_>) -> Result<()> {
    if matches!(passage, Passage::Undoing | Passage::Restoring) || lead.deal.lost_reason.trim().is_empty() {
        return Ok(());
    }
    if before.is_some_and(|b| b.deal.lost_reason == lead.deal.lost_reason) {
        return Ok(());
    }
    match config::stage(conn, &lead.stage)? {
        Some(stage) if stage.outcome != config::StageOutcome::Lost => Err(ValidationErrors::one(
            "lost_reason",
            format!(
                "is given only to a lost deal: {} is not a lost stage (leave the reason empty, or move the lead to a \
                 lost stage with it)",
                stage.label
            ),
        )
        .into()),
        _ => Ok(()),
    }
}

/// Checks the move of a lead from its stored state `before` (None: it is being created) into `lead.stage`.
pub(crate) fn check(
    conn: &Connection,
    grant: &Grant,
    before: Option<&Lead>,
    lead: &Lead,
    passage: Passage<'_>,
) -> Result<Option<Overridden>> {
    reason_only_when_lost(conn, before, lead, passage)?;
    let from = before.map(|b| b.stage.as_str());
    if from == Some(lead.stage.as_str()) {
        return Ok(None);
    }
    let Some(stage) = config::stage(conn, &lead.stage)? else {
        // Validation has already refused an unknown stage.
        return Ok(None);
    };
    // Only the fields the stage names are read: most stages name none, and an import asks here per row.
    let missing_fields: Vec<FieldError> = stage
        .required_fields
        .iter()
        .filter(|name| fields::field(name).is_some_and(|f| unmet(name, &(f.get)(lead))))
        .map(|name| {
            // A value with no currency: an export of a CRM of one currency writes none, which Settings can name.
            let hint = if name == "currency" && !lead.deal.value.is_empty() {
                " (or set a default currency under Settings)"
            } else {
                ""
            };
            FieldError::new(name.clone(), format!("is needed to enter {}{hint}", stage.label))
        })
        .collect();
    // Seed 2.2: a record is active once its name, contact and source are there. A Draft is not worked on up the
    // pipeline before; parking it (Nurture) or giving it up (Lost) is never refused.
    let incomplete: Vec<MissingField> = if lead.status == LeadStatus::Draft && advances(conn, before, &stage)? {
        lead.missing.iter().copied().filter(|m| !missing_fields.iter().any(|e| e.field == field_of(*m))).collect()
    } else {
        Vec::new()
    };
    // The stages the move skips that ask their criteria of leads skipping them (a lead taken from New lead
    // straight to Won is asked what Qualification asks). An undo or a restore puts back a recorded state.
    let restoring = matches!(passage, Passage::Undoing | Passage::Restoring);
    let skipped = if restoring || !config::any_asked_when_skipped(conn)? || !advances(conn, before, &stage)? {
        Vec::new()
    } else {
        skipped_asking(conn, before, &stage)?
    };
    // The activities of the lead and of those merged into it count; read only when a stage asks for some, as an
    // import asks here per row.
    let asks_activities =
        !stage.required_activities.is_empty() || skipped.iter().any(|s| !s.required_activities.is_empty());
    let mut history = Vec::new();
    if let (Some(id), true) = (before.map(|b| b.id), asks_activities) {
        history.push(id);
        history.extend(crate::duplicates::store::merged_into(conn, id)?);
        if let Passage::Merging(others) = passage {
            // And those merged into the leads this merge absorbs: theirs count for the survivor once it is made.
            for other in others {
                history.push(*other);
                history.extend(crate::duplicates::store::merged_into(conn, *other)?);
            }
        }
    }
    let mut missing_activities = Vec::new();
    for kind in &stage.required_activities {
        if activities::count_done(conn, &history, *kind)? == 0 {
            missing_activities.push(*kind);
        }
    }
    let mut missing_fields = missing_fields;
    let mut passed = Vec::new();
    for skipped in skipped {
        let mut lacks = false;
        for name in &skipped.required_fields {
            let empty = fields::field(name).is_some_and(|f| unmet(name, &(f.get)(lead)));
            if empty && !missing_fields.iter().any(|e| &e.field == name) {
                missing_fields.push(FieldError::new(name.clone(), format!("is needed to move past {}", skipped.label)));
                lacks = true;
            }
        }
        let mut kinds = Vec::new();
        for kind in &skipped.required_activities {
            if !missing_activities.contains(kind) && activities::count_done(conn, &history, *kind)? == 0 {
                missing_activities.push(*kind);
                kinds.push(*kind);
            }
        }
        if lacks || !kinds.is_empty() {
            passed.push(PassedStage { stage: skipped.key, stage_label: skipped.label, activities: kinds });
        }
    }
    let mut overridden = None;
    // An undo or a restore (an import undone, an unmerge) puts back a move the log recorded, whatever activities
    // the stage asks for since; but only the fields it changed go back, so one emptied after it would put the
    // lead in a stage without what the stage needs. A move back that a rule covers is still an Administrator's
    // to approve (below).
    let (missing_activities, criteria_asked) = match passage {
        Passage::Undoing | Passage::Restoring => (Vec::new(), !missing_fields.is_empty() || !incomplete.is_empty()),
        _ => (missing_activities, true),
    };
    if criteria_asked && (!missing_fields.is_empty() || !missing_activities.is_empty() || !incomplete.is_empty()) {
        let refusal = GateRefusal {
            stage: stage.key.clone(),
            stage_label: stage.label.clone(),
            fields: missing_fields,
            activities: missing_activities,
            incomplete,
            passed,
        };
        let Passage::Override(reason) = passage else { return Err(Error::Gate(Box::new(refusal))) };
        let reason = override_reason(grant, reason)?;
        overridden = Some(Overridden(format!("{reason} ({refusal})")));
    }
    if let Some(needed) = needs_approval(conn, grant, before, lead, &stage, passage)? {
        return Err(Error::NeedsApproval(needed));
    }
    Ok(overridden)
}

/// The stages of `to`'s pipeline a lead skips on its way from where `before` is (None: being created, so from
/// below the pipeline's first stage) into `to`, among those that ask their criteria of leads skipping them: the
/// open stages more likely to win than the one left and less than `to`. A stage leads are parked in when they go
/// quiet (Nurture) is no step on the way; a working stage a policy sends quiet leads back to (Qualification) is
/// still one, and still asks.
fn skipped_asking(
    conn: &Connection,
    before: Option<&Lead>,
    to: &config::StageConfig,
) -> Result<Vec<config::StageConfig>> {
    let stages = config::stages(conn)?;
    let from = before.and_then(|b| stages.iter().find(|s| s.key == b.stage && s.pipeline == to.pipeline));
    let parked: Vec<&str> = stages.iter().filter(|s| parking_stage(&stages, s)).map(|s| s.key.as_str()).collect();
    let mut on_the_way: Vec<config::StageConfig> = stages
        .iter()
        .filter(|s| {
            s.pipeline == to.pipeline
                && s.asked_when_skipped
                && s.outcome == config::StageOutcome::Open
                && s.key != to.key
                && s.probability < to.probability
                && from.is_none_or(|f| s.key != f.key && s.probability > f.probability)
                && !parked.contains(&s.key.as_str())
        })
        .cloned()
        .collect();
    on_the_way.sort_by_key(|s| (s.probability, s.position));
    Ok(on_the_way)
}

/// Whether `stage` is where quiet leads are parked (Nurture): some stagnation policy's target, no likelier to win
/// than where its pipeline starts.
fn parking_stage(stages: &[config::StageConfig], stage: &config::StageConfig) -> bool {
    let first = stages.iter().filter(|s| s.pipeline == stage.pipeline).min_by_key(|s| s.position);
    stages.iter().any(|s| s.stagnation.as_ref().is_some_and(|p| p.target == stage.key))
        && first.is_some_and(|f| stage.probability <= f.probability)
}

/// "A", "A and B", "A, B and C".
fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Whether entering `to` from where `before` is (None: being created, so from its pipeline's first stage) is a
/// step towards winning: a stage more likely to win than the one left.
/// Giving a lead up (Lost) and parking it where its stage's stagnation policy would (Nurture) never are; nor is
/// parking a lead given up (from Lost to a stage some policy parks quiet leads in, no likelier to win than its
/// pipeline's first): a Draft given up and later parked is not worked up the pipeline either. A policy may also
/// send quiet leads to an earlier working stage (Qualification): entering that is still a step on.
fn advances(conn: &Connection, before: Option<&Lead>, to: &config::StageConfig) -> Result<bool> {
    if to.outcome == config::StageOutcome::Lost {
        return Ok(false);
    }
    let stages = config::stages(conn)?;
    let from = match before {
        Some(b) => stages.iter().find(|s| s.key == b.stage),
        None => stages.iter().filter(|s| s.pipeline == to.pipeline).min_by_key(|s| s.position),
    };
    if from.and_then(|f| f.stagnation.as_ref()).is_some_and(|p| p.target == to.key) {
        return Ok(false);
    }
    let parks_there = parking_stage(&stages, to);
    if parks_there && from.is_some_and(|f| f.outcome == config::StageOutcome::Lost) {
        return Ok(false);
    }
    Ok(from.is_none_or(|f| to.probability > f.probability))
}

/// A merge absorbing lead `absorbed` into a survivor that ends in `survivor`'s stage takes the absorbed lead out
/// of its own stage: a move like any other for the approval rules (an Editor cannot reopen a won deal, or lose a
/// large one, by merging it into a lead elsewhere).
pub(crate) fn check_absorbed(conn: &Connection, grant: &Grant, absorbed: &Lead, survivor: &Lead) -> Result<()> {
    if absorbed.stage == survivor.stage {
        return Ok(());
    }
    let Some(stage) = config::stage(conn, &survivor.stage)? else { return Ok(()) };
    match needs_approval(conn, grant, Some(absorbed), survivor, &stage, Passage::Checked)? {
        Some(needed) => Err(Error::NeedsApproval(needed)),
        None => Ok(()),
    }
}

/// The approval the move of `lead` from `before` into `stage` waits for, if a rule covers it. Administrators
/// decide approvals, so their moves (and the system's) are approved as they are made.
fn needs_approval(
    conn: &Connection,
    grant: &Grant,
    before: Option<&Lead>,
    lead: &Lead,
    stage: &config::StageConfig,
    passage: Passage<'_>,
) -> Result<Option<ApprovalNeeded>> {
    if grant.role == Role::Administrator || matches!(passage, Passage::Approved(_)) {
        return Ok(None);
    }
    // The largest value the deal held since it last opened, as well as before and after: emptying it, or
    // lowering it before the move (even a move or two earlier, parked in Nurture), does not make a large deal
    // small.
    let parse = |l: &Lead| l.deal.value.parse::<f64>().ok();
    let mut held: Vec<f64> = [parse(lead), before.and_then(parse)].into_iter().flatten().collect();
    if let Some(b) = before {
        let since = super::history::open_since(conn, b.id)?;
        if let Some(since) = &since {
            for v in crate::audit::store::values_since(conn, "lead", b.id, "deal_value", since)? {
                held.extend(v.parse::<f64>().ok());
            }
        }
        // Nor does merging a large deal into a small twin first: the merged lead's value (as merged, and as it
        // held since) is the deal's too.
        for (merged, value) in crate::duplicates::store::merged_deal_values(conn, b.id, since.as_deref())? {
            held.extend(value.parse::<f64>().ok());
            if let Some(since) = &since {
                for v in crate::audit::store::values_since(conn, "lead", merged, "deal_value", since)? {
                    held.extend(v.parse::<f64>().ok());
                }
            }
        }
    }
    let value = held.into_iter().reduce(f64::max);
    // The currencies its amounts are in now and before the move: a rule in euros cannot compare an amount in
    // yen, or in no stated currency, and so covers it.
    let currencies =
        std::iter::once(lead).chain(before).filter(|l| parse(l).is_some()).map(|l| l.deal.currency.as_str()).collect();
    let worth = super::approvals::DealWorth { value, currencies };
    let from = before.map(|b| b.stage.as_str());
    Ok(super::approvals::rule_for(conn, from, &lead.stage, &worth)?.map(|rule| ApprovalNeeded {
        stage: stage.key.clone(),
        stage_label: stage.label.clone(),
        rule: rule.label,
        creating: before.is_none(),
    }))
}
