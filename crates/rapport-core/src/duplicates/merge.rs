//! Merge and unmerge. The survivor keeps its id; the others' values fill what it lacks (a value chosen by the
//! steward wins), their emails, phones and tags join its own, and the others are archived row for row
//! (`merged_leads`) and removed. Unmerge reads the merge's change-log rows on the survivor and takes back what
//! the merge added, keeping what was edited since, then restores the archived leads exactly, ids included.
use serde::{Deserialize, Serialize};

use crate::leads::fields::{LeadField, LeadFieldKind, FIELDS};
use crate::leads::{Lead, LeadInput};

/// The steward's choice for one field: take it from this lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FieldChoice {
    /// Canonical field name (`first_name`, `company`, ...).
    pub field: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
}

/// A lead's version as the steward saw it when choosing: a merge of leads changed since then is refused, so a
/// choice made on stale values never overwrites a later edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SeenVersion {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub version: i64,
}

/// A lead's version as read now, for a decision made on what was read.
/// What a merge checks of the pair its leads make, beyond the leads being as seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PairCheck {
    /// Leads a steward named (the CLI, a merge of their choice): whether they are a pair is not asked.
    None,
    /// The review queue's pair with this id, as the page showed it: still open.
    Queued(i64),
    /// One step of a bulk merge or an enrichment, the pair found open in a read before: still open.
    StepOfRun,
}

pub(crate) fn seen(lead: &Lead) -> SeenVersion {
    SeenVersion { lead_id: lead.id, version: lead.version }
}

/// Refuses a decision on leads changed since they were seen (a conflict), or naming a lead it is not about.
pub(crate) fn still_as_seen(leads: &[&Lead], seen: &[SeenVersion]) -> crate::error::Result<()> {
    for v in seen {
        match leads.iter().find(|l| l.id == v.lead_id) {
            Some(l) if l.version == v.version => {}
            Some(_) => return Err(crate::error::Error::Conflict { entity: "lead" }),
            None => {
                return Err(crate::leads::ValidationErrors::one(
                    "versions",
                    format!("lead {} is not part of this decision", v.lead_id),
                )
                .into())
            }
        }
    }
    Ok(())
}

fn merges_as_text(kind: LeadFieldKind) -> bool {
    kind.is_text() || matches!(kind, LeadFieldKind::Source | LeadFieldKind::Owner | LeadFieldKind::Stage)
}

/// The survivor's new state: survivorship over the one table of lead fields. Nothing non-empty is overwritten
/// unless the steward chose another lead's value; notes are joined; contact lists and tags are united.
pub(crate) fn survive(survivor: &Lead, others: &[Lead], choices: &[FieldChoice]) -> LeadInput {
    let mut input = survivor.to_input();
    let all: Vec<&Lead> = std::iter::once(survivor).chain(others).collect();
    for f in FIELDS.iter().filter(|f| f.info.editable && merges_as_text(f.info.kind)) {
        let chosen = choices
            .iter()
            .find(|c| c.field == f.info.name)
            .and_then(|c| all.iter().find(|l| l.id == c.lead_id))
            .map(|l| (f.get)(l));
        let mine = (f.get)(survivor);
        let value = match chosen {
            Some(v) => v,
            None if f.info.kind == LeadFieldKind::LongText => {
                // A note already there paragraph by paragraph is not added again: a file enriching a lead with
                // its note, imported twice, would otherwise append the note at every import.
                let paragraphs = |v: &str| -> Vec<String> {
                    v.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(String::from).collect()
                };
                // Nor is a paragraph's line: a form sent again by the same person (its fields and their
                // values, one of them changed) added its whole block of notes each time.
                let lines = |p: &str| -> Vec<String> {
                    p.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
                };
                // Sets: a lead's notes grow with every import that enriches it, and this runs per row enriched.
                let mut parts: Vec<String> = Vec::new();
                let (mut held, mut held_lines) =
                    (std::collections::HashSet::<String>::new(), std::collections::HashSet::<String>::new());
                for v in all.iter().map(|l| (f.get)(l)).filter(|v| !v.trim().is_empty()) {
                    let mut fresh: Vec<String> = Vec::new();
                    let mut whole = true;
                    for p in paragraphs(&v) {
                        if held.contains(&p) {
                            whole = false;
                            continue;
                        }
                        let its = lines(&p);
                        let known = its.iter().filter(|l| held_lines.contains(*l)).count();
                        // Mostly lines held already, and a block of them (not a sentence or two of prose).
                        let kept = if its.len() >= 3 && known * 2 > its.len() {
                            whole = false;
                            its.iter().filter(|l| !held_lines.contains(*l)).cloned().collect::<Vec<_>>().join("\n")
                        } else {
                            p.clone()
                        };
                        held.insert(p);
                        held_lines.extend(its);
                        if !kept.is_empty() {
                            fresh.push(kept);
                        }
                    }
                    // A note all new keeps its own spacing.
                    match (whole, fresh.is_empty()) {
                        (_, true) => {}
                        (true, false) => parts.push(v),
                        (false, false) => parts.push(fresh.join("\n\n")),
                    }
                }
                parts.join("\n\n")
            }
            None if !mine.is_empty() => mine,
            None => others.iter().map(|l| (f.get)(l)).find(|v| !v.is_empty()).unwrap_or_default(),
        };
        (f.set)(&mut input, &value);
    }
    // An amount and its currency are one value: the currency comes from the lead the amount came from (even
    // when that lead left it empty), never another's, or 5,000 of no stated currency would become 5,000 EUR.
    // So are a channel and its detail: a lead typed in by hand does not take a partner's name as its detail.
    let chosen =
        |name: &str| choices.iter().find(|c| c.field == name).and_then(|c| all.iter().find(|l| l.id == c.lead_id));
    for (leader, follower) in FOLLOWERS {
        if let (Some(value), Some(detail)) = (field(leader), field(follower)) {
            if chosen(follower).is_none() {
                let from = chosen(leader).or_else(|| all.iter().find(|l| !(value.get)(l).is_empty()));
                if let Some(l) = from {
                    (detail.set)(&mut input, &(detail.get)(l));
                }
            }
        }
    }
    // Two records lost in one stage, the survivor's without a reason: the other's reason is for that same loss.
    if input.deal.lost_reason.is_empty() && chosen("lost_reason").is_none() {
        if let Some(l) = all.iter().find(|l| l.stage == input.stage && !l.deal.lost_reason.is_empty()) {
            input.deal.lost_reason = l.deal.lost_reason.clone();
        }
    }
    // Lists are united by their normalized value; the typed spelling of each value is kept.
    let mut emails: Vec<String> = survivor.emails.iter().map(|e| e.address.to_lowercase()).collect();
    let mut phones: Vec<String> = survivor.phones.iter().map(|p| p.e164.clone()).collect();
    for other in others {
        for e in &other.emails {
            if !emails.contains(&e.address.to_lowercase()) {
                emails.push(e.address.to_lowercase());
                input.emails.push(e.original.clone());
            }
        }
        for p in &other.phones {
            if !phones.contains(&p.e164) {
                phones.push(p.e164.clone());
                input.phones.push(p.original.clone());
            }
        }
        for t in &other.tags {
            if !input.tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                input.tags.push(t.clone());
            }
        }
        if survivor.invalid.is_empty() {
            noted_invalid(&mut input.notes, other);
        } else {
            for v in &other.invalid {
                if !input.invalid.contains(v) {
                    input.invalid.push(v.clone());
                }
            }
        }
    }
    input
}

/// Values `other` kept as typed although invalid, written into the notes: carried as values to fix, they would
/// make a complete survivor a Draft again (and refuse its merge up the pipeline), for a spelling the survivor's
/// own contacts may long have replaced. Said whose and why, they stay before the steward's eyes.
fn noted_invalid(notes: &mut String, other: &Lead) {
    if other.invalid.is_empty() {
        return;
    }
    let whose = if other.id > 0 { format!("lead #{}", other.id) } else { "an imported row".to_string() };
    let mut paragraph = format!("Kept as typed on {whose}, not valid:");
    for v in &other.invalid {
        let field = match v.field.as_str() {
            "emails" => "email",
            "phones" => "phone",
            other => other,
        };
        paragraph.push_str(&format!("\n  {field} {} ({})", v.value, v.reason));
    }
    if notes.split("\n\n").any(|p| p.trim() == paragraph) {
        return;
    }
    if !notes.trim().is_empty() {
        notes.push_str("\n\n");
    }
    notes.push_str(&paragraph);
}

/// Whether a person (or an unmerge) ever set pair `pair_id` aside, though an edit has reopened it since: the
/// enrichment merges only pairs nobody has answered, and leaves the others to a person, in the queue.
/// Whether a lead of `a`'s family (itself and the leads merged into it) and one of `b`'s were ever set apart as
/// not the same person.
fn set_apart_across(conn: &rusqlite::Connection, a: i64, b: i64) -> std::result::Result<bool, crate::db::StoreError> {
    let family = |id: i64| -> std::result::Result<Vec<i64>, crate::db::StoreError> {
        let mut out = vec![id];
        out.extend(super::store::merged_into(conn, id)?);
        Ok(out)
    };
    let (of_a, of_b) = (family(a)?, family(b)?);
    if of_a.len() == 1 && of_b.len() == 1 {
        return Ok(false); // the pair itself, which the caller has found open
    }
    for &x in &of_a {
        for &y in &of_b {
            let Some(p) = super::store::pair_by_leads(conn, x.min(y), x.max(y))? else { continue };
            if p.status == "not_duplicate" || answered_once(conn, p.id)? {
                return Ok(true);
            }
        }
    }
    // A lead merged away took its pairs, decisions and all, into its merge's archive.
    for (merged, others) in [(&of_a, &of_b), (&of_b, &of_a)] {
        for &x in merged.iter().skip(1) {
            let apart = super::store::archived_pairs_set_apart(conn, x)?;
            if apart.iter().any(|&(p, q)| (p == x && others.contains(&q)) || (q == x && others.contains(&p))) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

fn answered_once(conn: &rusqlite::Connection, pair_id: i64) -> std::result::Result<bool, crate::db::StoreError> {
    crate::audit::store::ever_set_to(conn, "duplicate_pair", pair_id, "status", "not_duplicate")
}

/// The fields where both leads hold a value and the values differ (beyond case and spacing): what a person
/// must settle before two records of one person become one. Notes are joined, so they never conflict. Emails
/// and phones are united by a merge, but two records that each hold some and not the same are the seed's
/// example of conflicting data (2.3: "same customer, different contact details"), which a person reviews.
pub(crate) fn conflicts(a: &Lead, b: &Lead) -> Vec<&'static str> {
    let mut out = text_conflicts(a, b);
    for list in new_contacts(a, b).into_iter().chain(new_contacts(b, a)) {
        if !out.contains(&list) {
            out.push(list);
        }
    }
    out
}

/// A value and the detail that goes with it, taken from one lead by a merge: an amount and its currency, a
/// channel and its detail, a stage and why the deal was lost in it (an open survivor took a Lost twin's reason,
/// and a later move to Lost went through with a reason nobody gave for this deal).
const FOLLOWERS: [(&str, &str); 3] =
    [("deal_value", "currency"), ("source", "source_detail"), ("stage", "lost_reason")];

fn field(name: &str) -> Option<&'static LeadField> {
    FIELDS.iter().find(|f| f.info.name == name)
}

/// Notes joined by a merge past what a lead holds: the refusal says how long they came to and what the steward
/// can do (keep one lead's notes, the other's stay in its archive, or shorten them first), where the lead's own
/// check said only "longer than 20000 characters" of notes nobody had typed.
pub(crate) fn joined_notes_too_long(
    input: &LeadInput,
    choices: &[FieldChoice],
) -> Option<crate::leads::ValidationErrors> {
    let max = field("notes").map_or(usize::MAX, |f| f.info.max_chars as usize);
    let length = input.notes.chars().count();
    if length <= max || choices.iter().any(|c| c.field == "notes") {
        return None;
    }
    Some(crate::leads::ValidationErrors::one(
        "notes",
        format!(
            "the leads' notes joined come to {length} characters, more than the {max} a lead holds: keep one \
             lead's notes (the others stay in the merge's record, and come back with an unmerge), or shorten them \
             first"
        ),
    ))
}

/// The text fields (and source, owner, stage) where both leads hold a value and the values differ; and a detail
/// one lead holds without its value (EUR, no amount yet), when the value would come from the other lead with
/// another detail or none: the merge would replace it, and 5,000 of which currency is a person's call.
pub(crate) fn text_conflicts(a: &Lead, b: &Lead) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = FIELDS
        .iter()
        .filter(|f| f.info.editable && merges_as_text(f.info.kind) && f.info.kind != LeadFieldKind::LongText)
        .filter(|f| disagree(&(f.get)(a), &(f.get)(b)))
        .map(|f| f.info.name)
        .collect();
    for (leader, follower) in FOLLOWERS {
        if let (Some(value), Some(detail)) = (field(leader), field(follower)) {
            let replaced = |x: &Lead, y: &Lead| {
                (value.get)(x).is_empty()
                    && !(value.get)(y).is_empty()
                    && !(detail.get)(x).trim().is_empty()
                    && normalized(&(detail.get)(x)) != normalized(&(detail.get)(y))
            };
            if (replaced(a, b) || replaced(b, a)) && !out.contains(&follower) {
                out.push(follower);
            }
        }
    }
    out
}

/// The contact lists ("emails", "phones") where `incoming` holds a value `stored` lacks while `stored` holds
/// one already: another way to reach the person, not a gap filled. A list `stored` leaves empty is a gap, and
/// one `incoming` gives only part of is no change. Compared as a merge unites them (address case aside, phones
/// in E.164).
pub(crate) fn new_contacts(stored: &Lead, incoming: &Lead) -> Vec<&'static str> {
    let mut out = Vec::new();
    let held: Vec<String> = stored.emails.iter().map(|e| e.address.to_lowercase()).collect();
    if !held.is_empty() && incoming.emails.iter().any(|e| !held.contains(&e.address.to_lowercase())) {
        out.push("emails");
    }
    if !stored.phones.is_empty() && incoming.phones.iter().any(|p| !stored.phones.iter().any(|s| s.e164 == p.e164)) {
        out.push("phones");
    }
    out
}

/// Whether both values are filled and differ beyond case and spacing: a conflict, not a gap one fills.
pub(crate) fn disagree(x: &str, y: &str) -> bool {
    let (x, y) = (normalized(x), normalized(y));
    !x.is_empty() && !y.is_empty() && x != y
}

/// A value as two spellings of it compare: case, spacing and Unicode's two ways of writing an accent aside ("Zoë"
/// typed, or pasted from a Mac as "Zoe" and a combining diaeresis: one name, refused as a conflict).
fn normalized(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.split_whitespace().collect::<Vec<_>>().join(" ").nfc().collect::<String>().to_lowercase()
}

/// What a stored lead becomes when a row that is certainly the same person fills its gaps (the enrichment
/// rules of a merge: nothing it holds is overwritten).
pub(crate) fn enrichment(stored: &Lead, row: &Lead) -> LeadInput {
    survive(stored, std::slice::from_ref(row), &[])
}

/// The survivor's state once a merge (or an import's chunk) is taken back: each field it changed returns to its
/// value before, unless it was edited since (then the edit stays); from lists, exactly the values it added leave.
/// The changes are taken newest first, each against what the later ones left: a field a chunk changed twice
/// goes back to its value before both, and each change's additions leave a list.
pub(crate) fn take_back(
    current: &Lead,
    changes: &[(String, Option<String>, Option<String>)],
    later: &[(String, Option<String>, Option<String>)],
) -> LeadInput {
    let mut input = current.to_input();
    let items = |v: &Option<String>| -> Vec<String> {
        crate::leads::fields::split_list(v.as_deref().unwrap_or("")).into_iter().map(|x| x.to_lowercase()).collect()
    };
    // Lists as they stand, each entry with its comparable form; written into the input once at the end.
    let mut emails: Option<Vec<(String, String)>> = None;
    let mut phones: Option<Vec<(String, String)>> = None;
    let mut tags: Option<Vec<(String, String)>> = None;
    // Other fields as they stand, in the form the log records them.
    let mut standing: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    // A list item put in after what is taken back (taken out and typed again, or brought again by a later
    // merge) is someone's choice since, as a field written since is: it stays.
    let put_in_since: Vec<(&str, String)> = later
        .iter()
        .flat_map(|(name, old, new)| {
            let before = items(old);
            items(new).into_iter().filter(move |x| !before.contains(x)).map(move |x| (name.as_str(), x))
        })
        .collect();
    for (name, old, new) in changes.iter().rev() {
        let Some(f) = FIELDS.iter().find(|f| f.info.name == name && f.info.editable) else { continue };
        let (before, after) = (items(old), items(new));
        let added: Vec<&String> = after.iter().filter(|x| !before.contains(x)).collect();
        let list = match f.info.kind {
            LeadFieldKind::EmailList => emails.get_or_insert_with(|| {
                current.emails.iter().map(|e| (e.address.to_lowercase(), e.original.clone())).collect()
            }),
            LeadFieldKind::PhoneList => phones.get_or_insert_with(|| {
                current.phones.iter().map(|p| (p.e164.to_lowercase(), p.original.clone())).collect()
            }),
            LeadFieldKind::TagList => {
                tags.get_or_insert_with(|| current.tags.iter().map(|t| (t.to_lowercase(), t.clone())).collect())
            }
            _ => {
                let now = standing.entry(f.info.name).or_insert_with(|| (f.get)(current));
                if *now == new.clone().unwrap_or_default() {
                    let back = old.clone().unwrap_or_default();
                    (f.set)(&mut input, &back);
                    *now = back;
                }
                continue;
            }
        };
        list.retain(|(key, _)| {
            !added.contains(&key) || put_in_since.iter().any(|(n, x)| *n == name.as_str() && x == key)
        });
    }
    let kept = |list: Vec<(String, String)>| list.into_iter().map(|(_, original)| original).collect();
    if let Some(list) = emails {
        input.emails = kept(list);
    }
    if let Some(list) = phones {
        input.phones = kept(list);
    }
    if let Some(list) = tags {
        input.tags = kept(list);
    }
    input
}

/// `now` without the paragraphs a join of notes added to `old` to make `new`; the other paragraphs keep their
/// spacing. A paragraph edited since is no longer the one added, and stays.
fn without_paragraphs_added(now: &str, old: &str, new: &str) -> String {
    let held: Vec<&str> = old.split("\n\n").map(str::trim).collect();
    let added: Vec<&str> = new.split("\n\n").map(str::trim).filter(|p| !p.is_empty() && !held.contains(p)).collect();
    now.split("\n\n").filter(|p| !added.contains(&p.trim())).collect::<Vec<_>>().join("\n\n")
}

/// The text fields this unmerge empties that a lead merged into the survivor after it, still merged, held when
/// it was merged: they are filled from the earliest such merge, as it would have filled them had the merge taken
/// back not come first (B then C merged into A, both with a city, B unmerged: A keeps C's city). A merge made
/// before the one taken back is no source: the field was empty when that one filled it, so its lead's value was
/// never there or someone took it out. Returned as (that merge,
/// field, value), for the unmerge to record, so that merge's own unmerge takes the value back.
fn refill_from_still_merged(
    tx: &rusqlite::Transaction<'_>,
    survivor_id: i64,
    merge_id: i64,
    survivor: &crate::leads::Lead,
    input: &mut crate::leads::LeadInput,
) -> Result<Vec<(i64, &'static str, String)>, crate::db::StoreError> {
    let mut refilled = refill_lists_from_still_merged(tx, survivor_id, merge_id, survivor, input)?;
    let single = |k: LeadFieldKind| {
        matches!(k, LeadFieldKind::Text | LeadFieldKind::Amount | LeadFieldKind::Currency | LeadFieldKind::Date)
    };
    let emptied: Vec<_> = FIELDS
        .iter()
        .filter(|f| f.info.editable && single(f.info.kind) && f.column.is_some())
        // The campaign says which team sees the lead: it never changes as a side effect of taking back a merge.
        .filter(|f| f.info.name != "campaign")
        .filter(|f| !(f.get)(survivor).trim().is_empty() && (f.read)(input).trim().is_empty())
        .collect();
    if emptied.is_empty() {
        return Ok(refilled);
    }
    let still = crate::duplicates::store::merged_after(tx, survivor_id, merge_id)?;
    for f in emptied {
        let column = f.column.unwrap_or(f.info.name);
        let held = still.iter().find_map(|(merge, row)| {
            let value = row[column].as_str().map(str::trim).filter(|v| !v.is_empty())?;
            Some((*merge, value.to_string()))
        });
        if let Some((merge, value)) = held {
            (f.set)(input, &value);
            refilled.push((merge, f.info.name, value));
        }
    }
    Ok(refilled)
}

/// The emails, phones and tags this unmerge takes out that a lead merged into the survivor after it, still
/// merged, holds too: they stay (B then C merged into A, both bringing C's address, B unmerged: A keeps it, or it
/// lived on in C's merge's archive alone). Recorded as refills of that merge, as the text fields are.
fn refill_lists_from_still_merged(
    tx: &rusqlite::Transaction<'_>,
    survivor_id: i64,
    merge_id: i64,
    survivor: &crate::leads::Lead,
    input: &mut crate::leads::LeadInput,
) -> Result<Vec<(i64, &'static str, String)>, crate::db::StoreError> {
    let emails: Vec<(String, String)> =
        survivor.emails.iter().map(|e| (e.address.to_lowercase(), e.original.clone())).collect();
    let phones: Vec<(String, String)> =
        survivor.phones.iter().map(|p| (p.e164.to_lowercase(), p.original.clone())).collect();
    let tags: Vec<(String, String)> = survivor.tags.iter().map(|t| (t.to_lowercase(), t.clone())).collect();
    let taken_out = |now: &[(String, String)], kept: &[String]| -> Vec<(String, String)> {
        now.iter().filter(|(_, original)| !kept.contains(original)).cloned().collect()
    };
    let gone = [
        ("emails", taken_out(&emails, &input.emails)),
        ("phones", taken_out(&phones, &input.phones)),
        ("tags", taken_out(&tags, &input.tags)),
    ];
    if gone.iter().all(|(_, g)| g.is_empty()) {
        return Ok(Vec::new());
    }
    let held = crate::duplicates::store::contacts_merged_after(tx, survivor_id, merge_id)?;
    let mut refilled = Vec::new();
    for (field, items) in gone {
        for (key, original) in items {
            let Some((merge, ..)) = held.iter().find(|(_, f, k)| *f == field && *k == key) else { continue };
            let list = match field {
                "emails" => &mut input.emails,
                "phones" => &mut input.phones,
                _ => &mut input.tags,
            };
            list.push(original);
            refilled.push((*merge, field, key));
        }
    }
    Ok(refilled)
}

mod operations {
    use super::{
        joined_notes_too_long, refill_from_still_merged, survive, take_back, without_paragraphs_added, FieldChoice,
        LeadFieldKind, PairCheck, SeenVersion, FIELDS,
    };
    use crate::access::{Actor, Permission};
    use crate::audit::store as changelog;
    use crate::audit::{ChangeReason, Origin};
    use crate::duplicates::model::{MergeOutcome, MergeRecord, MergedLead, UnmergeOutcome};
    use crate::duplicates::store;
    use crate::duplicates::store::archived_lead;
    use crate::error::{Error, Result};
    use crate::leads::api::visible_lead;
    use crate::leads::store as leads;
    use crate::leads::ValidationErrors;
    use crate::pipeline::Passage;
    use crate::rapport::Rapport;

    impl Rapport {
        /// Merges `others` into `survivor_id` (see the module's description) as they stand: the default
        /// survivorship and `choices` apply to the leads' current values. One change batch holds the
        /// survivor's changed fields and the others' removal; its id names the merge for [`Rapport::unmerge`].
        pub fn merge_leads(
            &self,
            actor: &Actor,
            survivor_id: i64,
            others: &[i64],
            choices: &[FieldChoice],
        ) -> Result<MergeOutcome> {
            self.merge_leads_as_seen(actor, survivor_id, others, choices, &[])
        }

        /// [`Rapport::merge_leads`] of leads a person compared: refused as a conflict, with nothing written,
        /// when any lead in `seen` has changed since the version given (their choices were made on values
        /// that are no longer there). A `seen` lead outside the merge is a validation error.
        pub fn merge_leads_as_seen(
            &self,
            actor: &Actor,
            survivor_id: i64,
            others: &[i64],
            choices: &[FieldChoice],
            seen: &[SeenVersion],
        ) -> Result<MergeOutcome> {
            self.merge_checked(actor, survivor_id, others, choices, seen, PairCheck::None)
        }

        /// [`Rapport::merge_leads_as_seen`] of the review queue's pair `pair_id`, its leads `survivor_id` and
        /// `other_id`, as a person compared them: also refused (not found, nothing written) when the pair is
        /// no longer open. Another steward may have set it aside as "not a duplicate" while this one's page still
        /// showed it; a decision that changes neither lead would otherwise be overruled unseen.
        pub fn merge_pair_as_seen(
            &self,
            actor: &Actor,
            pair_id: i64,
            survivor_id: i64,
            other_id: i64,
            choices: &[FieldChoice],
            seen: &[SeenVersion],
        ) -> Result<MergeOutcome> {
            self.merge_checked(actor, survivor_id, &[other_id], choices, seen, PairCheck::Queued(pair_id))
        }

        /// The merge of open pair (`a`, `b`) that a bulk merge or enrichment checked in a read before: refused,
        /// nothing written, when either lead changed since (`seen`; a conflict), or the pair is no longer open
        /// (a steward set it aside meanwhile; not found).
        pub(crate) fn merge_open_pair(
            &self,
            actor: &Actor,
            a: i64,
            b: i64,
            seen: &[SeenVersion],
        ) -> Result<MergeOutcome> {
            self.merge_checked(actor, a, &[b], &[], seen, PairCheck::StepOfRun)
        }

        fn merge_checked(
            &self,
            actor: &Actor,
            survivor_id: i64,
            others: &[i64],
            choices: &[FieldChoice],
            seen: &[SeenVersion],
            pair: PairCheck,
        ) -> Result<MergeOutcome> {
            let mut ids: Vec<i64> = others.to_vec();
            ids.sort_unstable();
            ids.dedup();
            if ids.is_empty() || ids.contains(&survivor_id) {
                return Err(
                    ValidationErrors::one("others", "choose at least one other lead than the one that stays").into()
                );
            }
            self.db.write(|tx| {
                // A bulk merge's or enrichment's later merges are steps of its run: one's own password changed in the
                // same window meanwhile does not stop it (see `Rapport::grant_going_on`).
                let grant = if pair == PairCheck::StepOfRun {
                    Self::grant_going_on(tx, actor, Permission::ReviewDuplicates)?
                } else {
                    Self::grant(tx, actor, Permission::ReviewDuplicates)?
                };
                let survivor = visible_lead(tx, &grant, survivor_id)?;
                let merged = ids.iter().map(|id| visible_lead(tx, &grant, *id)).collect::<Result<Vec<_>>>()?;
                let all: Vec<&crate::leads::Lead> = std::iter::once(&survivor).chain(&merged).collect();
                crate::duplicates::may_decide(&grant, &all)?;
                // Others than stewards and Administrators merge only the queue's open pairs with a lead of their
                // own, each other lead with the survivor: not any set of leads they name (a merge takes the
                // others out of every list, and only a steward or the survivor's owner can bring them back).
                if let crate::access::DuplicateReach::OwnLeads(me) = grant.duplicate_reach() {
                    for (other_id, other) in ids.iter().zip(&merged) {
                        let (a, b) = (survivor_id.min(*other_id), survivor_id.max(*other_id));
                        let pair = crate::duplicates::store::pair_by_leads(tx, a, b)?;
                        let open = pair.as_ref().is_some_and(|p| p.status == "open");
                        // A pair set aside meanwhile (the page read before) is gone from the queue: said so, not
                        // refused as a merge of leads that were never a pair.
                        if pair.is_some() && !open {
                            return Err(Error::NotFound { entity: "open duplicate pair", id: format!("{a}-{b}") });
                        }
                        let owns = [&survivor, other].iter().any(|l| l.owner.as_ref().is_some_and(|o| o.id == me));
                        if !open || !owns {
                            return Err(crate::access::AccessError::NotSteward(
                                "merge leads that are not a pair of the review queue with a lead of their own",
                            )
                            .into());
                        }
                        // Merged away, a colleague's lead (or one no one owns, into another campaign's) would leave
                        // its owner's or its team's lists, where they could neither see it nor take it back: a
                        // steward's call. Their own lead they may merge into a colleague's.
                        let mine = other.owner.as_ref().is_some_and(|o| o.id == me);
                        let someone_elses = other.owner.as_ref().is_some_and(|o| o.id != me);
                        let other_team = !survivor.campaign.trim().eq_ignore_ascii_case(other.campaign.trim());
                        if someone_elses || (!mine && other_team) {
                            return Err(crate::access::AccessError::NotSteward(
                                "merge away a lead of another owner or campaign (a data steward decides it)",
                            )
                            .into());
                        }
                    }
                }
                super::still_as_seen(&all, seen)?;
                if pair != PairCheck::None {
                    let (a, b) = (survivor_id.min(ids[0]), survivor_id.max(ids[0]));
                    let stored = crate::duplicates::store::pair_by_leads(tx, a, b)?;
                    let open = match pair {
                        PairCheck::Queued(id) => stored.is_some_and(|p| p.id == id && p.status == "open"),
                        _ => stored.is_some_and(|p| p.status == "open"),
                    };
                    if !open || ids.len() != 1 {
                        return Err(Error::NotFound { entity: "open duplicate pair", id: format!("{a}-{b}") });
                    }
                    // A run merges no pair whose leads, with those merged into them, hold two a person set apart
                    // ("not the same person": father and son, merged each into a third record by earlier steps):
                    // the run would undo that decision unasked. A person merging the pair may.
                    if pair == PairCheck::StepOfRun && super::set_apart_across(tx, survivor_id, ids[0])? {
                        return Err(ValidationErrors::one(
                            "pair",
                            "a lead merged into one of these was marked not the same person as the other: open the \
                             pair to decide",
                        )
                        .into());
                    }
                }
                for c in choices {
                    // A choice of a field no merge chooses (mistyped, or a list, which is united) would be dropped
                    // without a word and the merge made on values the steward did not pick.
                    if !FIELDS
                        .iter()
                        .any(|f| f.info.name == c.field && f.info.editable && super::merges_as_text(f.info.kind))
                    {
                        return Err(ValidationErrors::one(
                            c.field.clone(),
                            format!("\"{}\" is not a field a merge chooses between the leads", c.field),
                        )
                        .into());
                    }
                    if c.lead_id != survivor_id && !ids.contains(&c.lead_id) {
                        return Err(ValidationErrors::one(
                            c.field.clone(),
                            format!("lead {} is not part of this merge", c.lead_id),
                        )
                        .into());
                    }
                }
                let mut input = survive(&survivor, &merged, choices);
                if let Some(refusal) = joined_notes_too_long(&input, choices) {
                    return Err(refusal.into());
                }
                // An owner the survivor lacks is taken from another lead only while that user is active and
                // works on the survivor's campaign: another would be refused, and the pair could never be
                // merged (nor enriched).
                let own_owner = survivor.owner.as_ref().map(|o| o.id);
                let chose_owner = choices.iter().any(|c| c.field == "owner");
                if let Some(owner) = input.owner_id.filter(|o| Some(*o) != own_owner && !chose_owner) {
                    if !crate::users::store::may_own(tx, owner, &input.campaign)? {
                        input.owner_id = own_owner;
                    }
                }
                let listed = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
                let origin = Origin {
                    reason: ChangeReason::Merge,
                    source_ref: format!("merge of lead {listed} into lead {survivor_id}"),
                };
                let batch = self.begin_batch(tx, &grant, &origin)?;
                // The survivor taking another lead's stage is a move like any other: its entry criteria and
                // approvals hold (a lead won or lost by merging is still won or lost by someone's decision).
                let known: Vec<_> = merged.iter().flat_map(|l| l.phones.iter().cloned()).collect();
                let others: Vec<i64> = merged.iter().map(|l| l.id).collect();
                let lead = self.write_update_knowing(
                    tx,
                    &grant,
                    survivor,
                    &input,
                    &known,
                    Passage::Merging(&others),
                    &mut || Ok(batch.clone()),
                )?;
                for other in &merged {
                    crate::pipeline::gate::check_absorbed(tx, &grant, other, &lead)?;
                    let mut rows = leads::rows_of(tx, other.id)?;
                    if let Some(list) = rows.as_array_mut() {
                        list.extend(store::pairs_to_archive(tx, other.id, survivor_id)?);
                    }
                    store::archive(tx, other.id, survivor_id, batch.id, &rows.to_string(), &other.external_ref)?;
                    changelog::record(
                        tx,
                        &batch,
                        "lead",
                        other.id,
                        "merged_into",
                        None,
                        Some(&survivor_id.to_string()),
                    )?;
                    crate::calendar::merges::follow_merge(tx, &batch, other.id, survivor_id)?;
                    crate::pipeline::activities::carry_last_activity(tx, other.id, survivor_id)?;
                    crate::pipeline::close_for_merged(tx, &batch, other)?;
                    leads::delete(tx, other.id)?;
                }
                Ok(MergeOutcome { lead, merge_id: batch.id })
            })
        }

        /// The merges into lead `id` that can be taken back, newest first.
        pub fn lead_merges(&self, actor: &Actor, id: i64) -> Result<Vec<MergeRecord>> {
            self.db.read(|conn| {
                let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
                visible_lead(conn, &grant, id)?;
                let mut out: Vec<MergeRecord> = Vec::new();
                let scope = grant.lead_scope();
                for row in store::merges_into(conn, id)? {
                    let lead = archived_lead(&row.rows);
                    let text = |k: &str| lead[k].as_str().unwrap_or("").to_string();
                    // A lead of another campaign merged into one of yours is not yours to see, even by name.
                    if !scope.allows_campaign(&text("campaign")) {
                        continue;
                    }
                    let name = crate::leads::display_name(&text("first_name"), &text("last_name"), &text("company"));
                    let merged = MergedLead { id: row.lead_id, name };
                    match out.last_mut().filter(|m| m.merge_id == row.batch_id) {
                        Some(m) => m.merged.push(merged),
                        None => out.push(MergeRecord {
                            merge_id: row.batch_id,
                            at: row.at,
                            actor_name: row.actor_name,
                            merged: vec![merged],
                        }),
                    }
                }
                Ok(out)
            })
        }

        /// Takes back merge `merge_id`: the merged leads come back exactly as they were (ids, values, links,
        /// history), and the survivor loses what the merge gave it, keeping every edit made since.
        pub fn unmerge(&self, actor: &Actor, merge_id: i64) -> Result<UnmergeOutcome> {
            self.unmerge_as(actor, merge_id, false)
        }

        /// [`Rapport::unmerge`] of a merge just decided in the review queue, taken back from its Undo: the pair
        /// goes back to the queue, open, for a person to decide again (a slip of the key, the wrong values
        /// picked). It is logged as set aside and reopened, so the enrichment never merges it unasked.
        pub fn unmerge_to_queue(&self, actor: &Actor, merge_id: i64) -> Result<UnmergeOutcome> {
            self.unmerge_as(actor, merge_id, true)
        }

        fn unmerge_as(&self, actor: &Actor, merge_id: i64, to_queue: bool) -> Result<UnmergeOutcome> {
            self.db.write(|tx| {
                let grant = Self::grant(tx, actor, Permission::ReviewDuplicates)?;
                let archived = store::archived(tx, merge_id)?;
                let Some(survivor_id) = archived.first().map(|a| a.survivor_id) else {
                    return Err(Error::NotFound { entity: "merge", id: merge_id.to_string() });
                };
                // A merge of leads out of the reader's reach is no merge they know of: the same answer as a
                // batch that is no merge (naming the survivor said both that it is one and whose).
                let survivor = match visible_lead(tx, &grant, survivor_id) {
                    Ok(lead) => lead,
                    Err(Error::NotFound { .. }) => {
                        // Its survivor merged into another lead since (one the reader sees): that merge comes
                        // back first, and the steward is told which, not that this one does not exist.
                        return Err(match crate::duplicates::seen_through_merges(tx, &grant, survivor_id)? {
                            Some(now) if now.id != survivor_id => ValidationErrors::one(
                                "merge",
                                format!(
                                    "lead {survivor_id} has been merged into lead {} since: take that merge back \
                                     first, from lead {}'s merges",
                                    now.id, now.id
                                ),
                            )
                            .into(),
                            _ => Error::NotFound { entity: "merge", id: merge_id.to_string() },
                        });
                    }
                    Err(other) => return Err(other),
                };
                if let Err(refused) = crate::duplicates::may_decide(&grant, &[&survivor]) {
                    // One who merged their own lead into a colleague's (from the queue, where a pair with a lead
                    // of theirs is theirs to decide) takes it back: the lead it brings back was theirs. Every lead
                    // it brings back: another's would come back with its pair decided under their name.
                    let owned_one = match grant.duplicate_reach() {
                        crate::access::DuplicateReach::OwnLeads(me) => archived.iter().all(|a| {
                            let owner = &archived_lead(&a.rows)["owner_id"];
                            owner.as_i64().or_else(|| owner.as_str().and_then(|s| s.parse().ok())) == Some(me)
                        }),
                        crate::access::DuplicateReach::All => false,
                    };
                    if !owned_one {
                        return Err(refused.into());
                    }
                }
                // Taking it back would hand over every field of the leads it brings back.
                let scope = grant.lead_scope();
                for a in &archived {
                    let campaign = archived_lead(&a.rows)["campaign"].as_str().unwrap_or("").to_string();
                    if !scope.allows_campaign(&campaign) {
                        return Err(crate::access::AccessError::MergedOutsideCampaigns.into());
                    }
                }
                // A field written since the merge keeps what was written, even back to the merge's value (as an
                // undo does); lists lose only what the merge added and is still there. A field another unmerge
                // refilled from this merge's lead is this merge's to take back too.
                let mut changes = changelog::batch_changes(tx, merge_id, "lead", survivor_id)?;
                for (field, value) in store::refills_for(tx, merge_id)? {
                    changes.push((field, None, value));
                }
                let mut written_since = Vec::new();
                for (field, _, _) in &changes {
                    let list = FIELDS.iter().find(|f| f.info.name == field).is_some_and(|f| {
                        matches!(
                            f.info.kind,
                            LeadFieldKind::EmailList | LeadFieldKind::PhoneList | LeadFieldKind::TagList
                        )
                    });
                    if !list && store::written_since_merge(tx, survivor_id, merge_id, field)? {
                        written_since.push(field.clone());
                    }
                }
                // A value and its detail stay together: an amount written since keeps the currency it is in, a
                // lost reason given since keeps the stage it was given in (taken back alone, 6,000 was left in
                // no currency, and a lead back in New lead kept a reason it was lost for).
                for (leader, follower) in super::FOLLOWERS {
                    for (one, other) in [(leader, follower), (follower, leader)] {
                        let logged = changes.iter().any(|(field, _, _)| field == other);
                        if written_since.iter().any(|f| f == one) && logged && !written_since.iter().any(|f| f == other)
                        {
                            written_since.push(other.to_string());
                        }
                    }
                }
                // Notes are joined, not overwritten: changed since (by a later merge, its unmerge, an edit), they
                // still lose the paragraphs this merge brought, and keep the rest as they stand.
                let joined: Vec<_> = changes
                    .iter()
                    .filter_map(|(field, old, new)| {
                        let f =
                            FIELDS.iter().find(|f| f.info.name == field && f.info.kind == LeadFieldKind::LongText)?;
                        let (old, new) = (old.clone().unwrap_or_default(), new.clone().unwrap_or_default());
                        let exact = !written_since.contains(field) && (f.get)(&survivor) == new;
                        (!exact).then_some((f, old, new))
                    })
                    .collect();
                changes.retain(|(field, _, _)| !written_since.contains(field));
                // An earlier merge into the survivor, undone while this one stood, left the fields this one wrote
                // after it: they go back to before that merge too.
                for (field, old, _) in &mut changes {
                    let mut before = merge_id;
                    while let Some((batch, older)) = store::left_by_undone_merge(tx, survivor_id, before, field, old)? {
                        (before, *old) = (batch, older);
                    }
                }
                let later = store::changes_since_merge(tx, survivor_id, merge_id)?;
                let mut input = take_back(&survivor, &changes, &later);
                for (f, old, new) in joined {
                    let kept = without_paragraphs_added(&(f.read)(&input), &old, &new);
                    (f.set)(&mut input, &kept);
                }
                let refilled = refill_from_still_merged(tx, survivor_id, merge_id, &survivor, &mut input)?;
                // Back to a stage whose required fields were emptied since (a Lost lead's reason cleared after the
                // merge moved it on): the survivor stays in the stage it is in, rather than enter one without
                // what that stage asks.
                if input.stage != survivor.stage && crate::pipeline::gate::lacks_required(tx, &input.stage, &input)? {
                    input.stage = survivor.stage.clone();
                }
                // An owner deactivated since, or no longer working on the lead's campaign, is not given back (it
                // would be refused, and the unmerge with it): the survivor keeps the owner it has.
                let own_owner = survivor.owner.as_ref().map(|o| o.id);
                if let Some(owner) = input.owner_id.filter(|o| Some(*o) != own_owner) {
                    if !crate::users::store::may_own(tx, owner, &input.campaign)? {
                        input.owner_id = own_owner;
                    }
                }
                // What the survivor's stage asks for stays on it (the lead brought back gets its own copy).
                crate::pipeline::gate::keep_required(tx, &survivor, &mut input)?;
                let origin = Origin { reason: ChangeReason::Merge, source_ref: store::unmerge_source(merge_id) };
                let batch = self.begin_batch(tx, &grant, &origin)?;
                // A merge chooses among values the leads hold, an unmerge puts back what the log recorded: no move
                // is decided here.
                let lead =
                    self.write_update(tx, &grant, survivor, &input, Passage::Restoring, &mut || Ok(batch.clone()))?;
                for (merge, field, value) in refilled {
                    changelog::record(tx, &batch, store::REFILL, merge, field, None, Some(&value))?;
                }
                let mut restored = Vec::with_capacity(archived.len());
                // Each lead's pairs go back once every lead of the merge is back: two of them may form one.
                let mut pairs: Vec<serde_json::Value> = Vec::new();
                for a in archived {
                    let rows: serde_json::Value =
                        serde_json::from_str(&a.rows).map_err(|e| Error::Internal(format!("merge archive: {e}")))?;
                    let (pair_rows, lead_rows): (Vec<serde_json::Value>, Vec<serde_json::Value>) = rows
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                        .into_iter()
                        .partition(|r| r["table"] == "duplicate_pairs");
                    pairs.extend(pair_rows);
                    let id = leads::restore(tx, &serde_json::Value::Array(lead_rows))?;
                    store::unarchive(tx, id)?;
                    // Its keys come back; it is checked once its pairs and decisions are back (below).
                    self.index_and_check(tx, id, false, &batch)?;
                    changelog::record(tx, &batch, "lead", id, "merged_into", Some(&survivor_id.to_string()), None)?;
                    restored.push(leads::get(tx, id)?.ok_or(Error::NotFound { entity: "lead", id: id.to_string() })?);
                }
                store::restore_pairs(tx, &pairs)?;
                // Taken apart, they are two people: the pair is set aside, or the next scan would queue it again
                // and enrichment merge it again, unasked.
                for l in &restored {
                    let apart =
                        crate::duplicates::incremental_api::set_apart(tx, survivor_id, l.id, grant.user_id, &batch.at)?;
                    if let Some(pair) = apart {
                        changelog::record(tx, &batch, "duplicate_pair", pair, "status", None, Some("not_duplicate"))?;
                        if to_queue {
                            store::set_status(tx, pair, "open", None, &batch.at)?;
                            let (was, now) = (Some("not_duplicate"), Some("open"));
                            changelog::record(tx, &batch, "duplicate_pair", pair, "status", was, now)?;
                        }
                    }
                }
                // The steward's "not a duplicate" decisions the merge reopened (the survivor's matched fields
                // changed) stand again, now those fields are back: the survivor's pairs, as an undo's.
                crate::duplicates::restore_decisions(tx, &grant, merge_id, &batch, Some(survivor_id))?;
                // Back, each is checked against the leads stored now, as a save is: one created meanwhile with
                // its email is its duplicate (the pairs above, with the survivor and the decisions, stand).
                for l in &restored {
                    self.index_and_check(tx, l.id, true, &batch)?;
                    crate::pipeline::reopen_for_unmerged(tx, &batch, merge_id, l)?;
                }
                crate::calendar::merges::undo_merge(tx, merge_id, &batch)?;
                // The merge carried the later of the leads' inactivity clocks to the survivor, and a task of a
                // merged lead done meanwhile moved the survivor's: each lead now counts its own activities again.
                for id in std::iter::once(survivor_id).chain(restored.iter().map(|l| l.id)) {
                    let mut family = vec![id];
                    family.extend(store::merged_into(tx, id)?);
                    crate::pipeline::activities::recount_last_activity(tx, id, &family)?;
                }
                Ok(UnmergeOutcome { survivor: lead, restored })
            })
        }
    }
}

mod bulk {
    use crate::access::{Actor, Permission};
    use crate::duplicates::model::{BulkMergeReport, MergeOutcome, SkippedPair};
    use crate::duplicates::store;
    use crate::error::{Error, Result};
    use crate::leads::api::visible_lead;
    use crate::rapport::Rapport;

    use super::seen;

    impl Rapport {
        /// Merges each pair's second lead into its first with the default survivorship (nothing non-empty
        /// overwritten), one merge per pair, each undoable on its own. A pair that cannot be merged (gone, out
        /// of scope, already merged through another pair) is skipped with the reason; the others go on.
        pub fn merge_pairs(
            &self,
            actor: &Actor,
            pair_ids: &[i64],
            progress: &mut dyn FnMut(usize, usize),
        ) -> Result<BulkMergeReport> {
            // Refused as a whole up front, not pair by pair.
            self.db.read(|conn| Self::grant(conn, actor, Permission::ReviewDuplicates).map(|_| ()))?;
            let mut merged: Vec<MergeOutcome> = Vec::new();
            let mut skipped = Vec::new();
            let mut denied: Option<Error> = None;
            for (i, &pair_id) in pair_ids.iter().enumerate() {
                progress(i, pair_ids.len());
                // The pair and its leads as the reader may see them: a pair outside their campaigns is not
                // found, as in the queue (its leads' values are not described).
                let checked = self.db.read(|conn| {
                    // A step of the run, as its merges are (see `Rapport::grant_going_on`); an account ended
                    // meanwhile is this pair's outcome, which keeps the report of the merges already done.
                    let grant = match Self::grant_going_on(conn, actor, Permission::ReviewDuplicates) {
                        Ok(g) => g,
                        Err(e) => return Ok(Err(e)),
                    };
                    let not_found = || Error::NotFound { entity: "duplicate pair", id: pair_id.to_string() };
                    let Some(row) = store::get(conn, pair_id)? else { return Ok(Err(not_found())) };
                    // Visibility first: whether a pair the reader may not see is still open is not theirs to know.
                    let pair = (visible_lead(conn, &grant, row.lead_a), visible_lead(conn, &grant, row.lead_b));
                    let (Ok(a), Ok(b)) = pair else { return Ok(Err(not_found())) };
                    if row.status != "open" {
                        return Ok(Err(Error::NotFound { entity: "open duplicate pair", id: pair_id.to_string() }));
                    }
                    if let Err(e) = crate::duplicates::may_decide(&grant, &[&a, &b]) {
                        return Ok(Err(e.into()));
                    }
                    Ok::<_, Error>(Ok((a, b)))
                })?;
                let outcome = match checked {
                    // Two leads holding different values for a field are a person's to decide, field by field:
                    // a bulk merge would keep one value and drop the other unseen.
                    Ok((a, b)) if !super::conflicts(&a, &b).is_empty() => {
                        let differing = super::conflicts(&a, &b);
                        let named: Vec<&str> = differing
                            .iter()
                            .map(|f| crate::leads::fields::field(f).map_or(*f, |d| d.info.label))
                            .collect();
                        skipped.push(SkippedPair {
                            pair_id,
                            reason: format!(
                                "the leads hold different values ({}): open the pair to choose",
                                named.join(", ").to_lowercase()
                            ),
                        });
                        continue;
                    }
                    // Merged as checked: a lead changed since, or the pair set aside meanwhile, is skipped.
                    Ok((a, b)) => self.merge_open_pair(actor, a.id, b.id, &[seen(&a), seen(&b)]),
                    Err(e) => Err(e),
                };
                // A pair this user may not decide about (another's leads) is skipped like any other; an account
                // ended meanwhile stops the rest. Either way the report keeps the merges already done, each
                // committed on its own, so they can be seen and undone.
                match outcome {
                    Ok(m) => merged.push(m),
                    Err(
                        e @ Error::Access(
                            crate::access::AccessError::Deactivated | crate::access::AccessError::PasswordChanged,
                        ),
                    ) => {
                        let reason = e.to_string();
                        for &rest in &pair_ids[i..] {
                            skipped.push(SkippedPair { pair_id: rest, reason: reason.clone() });
                        }
                        break;
                    }
                    Err(e) => {
                        skipped.push(SkippedPair { pair_id, reason: e.to_string() });
                        if matches!(e, Error::Access(_)) && denied.is_none() {
                            denied = Some(e);
                        }
                    }
                }
            }
            // Nothing merged and a pair refused to this user: the refusal is the answer, as for one pair.
            if let (true, Some(e)) = (merged.is_empty(), denied) {
                return Err(e);
            }
            progress(pair_ids.len(), pair_ids.len());
            Ok(BulkMergeReport { merged, skipped })
        }
    }
}

mod enrich {
    use super::{conflicts, seen};
    use crate::access::{Actor, DuplicateReach, Permission};
    use crate::duplicates::model::MergeOutcome;
    use crate::duplicates::store;
    use crate::error::{Error, Result};
    use crate::leads::store as leads;
    use crate::rapport::Rapport;

    impl Rapport {
        /// Enrichment: every open pair of the *same* tier whose leads do not conflict (no field holds two
        /// different values) is merged into the older lead, which gains what it lacked and keeps everything it
        /// had. Each is a merge of its own, undoable like any. Pairs with a conflict stay in the queue for a
        /// person.
        /// Runs after a scan (the app and `rapport duplicates scan` call it), apart from it: each merge is its
        /// own transaction, so a failure part-way keeps the queue and the merges already done. `progress` gets
        /// (done, total). Each merge done is added to `merged` as it is done, so a failure still tells them.
        /// Once `cancel` is set, no further pair is merged.
        pub fn enrich_same_pairs(
            &self,
            actor: &Actor,
            cancel: &std::sync::atomic::AtomicBool,
            progress: &mut dyn FnMut(usize, usize),
            merged: &mut Vec<MergeOutcome>,
        ) -> Result<()> {
            let candidates = self.db.read(|conn| {
                // The enrichment is the last step of a scan's run (the app and the CLI run it only there): a
                // password changed meanwhile does not stop it, a deactivation does.
                let grant = Self::grant_going_on(conn, actor, Permission::ReviewDuplicates)?;
                if grant.duplicate_reach() != DuplicateReach::All {
                    return Err(crate::access::AccessError::NotSteward("enrich leads automatically").into());
                }
                let mut out = Vec::new();
                // Only pairs the steward may see: the others would be skipped one by one, yet counted in the
                // progress, which would tell how many there are in campaigns they do not work on.
                let scope = grant.lead_scope();
                // Sifted by ids first: a steward of one campaign does not load both leads of every pair.
                let reach = crate::duplicates::reach::PairReach::of(conn, &grant)?;
                let same =
                    crate::duplicates::QueueFilter { tier: Some(crate::duplicates::Tier::Same), ..Default::default() };
                store::for_each_open(conn, &same, reach.owner(), &mut |row| {
                    if reach.may_hold(row.lead_a, row.lead_b) && !super::answered_once(conn, row.id)? {
                        if let (Some(a), Some(b)) = (leads::get(conn, row.lead_a)?, leads::get(conn, row.lead_b)?) {
                            let visible = scope.allows_campaign(&a.campaign) && scope.allows_campaign(&b.campaign);
                            if visible && conflicts(&a, &b).is_empty() {
                                out.push((row.lead_a, row.lead_b));
                            }
                        }
                    }
                    Ok(true)
                })?;
                Ok::<_, Error>(out)
            })?;
            let total = candidates.len();
            for (i, (a, b)) in candidates.into_iter().enumerate() {
                if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                    return Ok(());
                }
                if i % 64 == 0 {
                    progress(i, total);
                }
                // The leads as this run's earlier merges left them: a survivor that took one twin's company now
                // conflicts with another twin's, and that pair is a person's to decide.
                // And the pair as it is now: set aside by a steward meanwhile, or gone with an edit, it is not
                // merged.
                let checked = self.db.read(|conn| {
                    match store::pair_by_leads(conn, a, b)? {
                        Some(p) if p.status == "open" && !super::answered_once(conn, p.id)? => {}
                        _ => return Ok::<_, Error>(None),
                    }
                    Ok::<_, Error>(match (leads::get(conn, a)?, leads::get(conn, b)?) {
                        (Some(x), Some(y)) if conflicts(&x, &y).is_empty() => Some([seen(&x), seen(&y)]),
                        _ => None,
                    })
                })?;
                let Some(versions) = checked else { continue };
                // Merged as checked: the pair still open, and neither lead changed since (an edit meanwhile may
                // have brought a value the other contradicts).
                match self.merge_open_pair(actor, a, b, &versions) {
                    Ok(m) => merged.push(m),
                    // Already merged through another pair of the same person, changed or gone meanwhile; or a
                    // merge that would move a deal a rule covers or the gate refuses: the pair waits for a person.
                    Err(
                        Error::NotFound { .. }
                        | Error::Conflict { .. }
                        | Error::Validation(_)
                        | Error::NeedsApproval(_)
                        | Error::Gate(_),
                    ) => {}
                    Err(e) => return Err(e),
                }
            }
            progress(total, total);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{disagree, seen};
    use crate::leads::LeadInput;
    use crate::{Error, Origin};

    fn ann() -> LeadInput {
        LeadInput {
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            emails: vec!["ann.lee31@x.example".into()],
            ..Default::default()
        }
    }

    /// Two records of one person that each hold emails, and not the same, conflict (seed 2.3), whichever holds
    /// more; one with none has a gap the other fills. Addresses are compared as a merge unites them.
    /// One name in Unicode's two spellings of an accent (composed, or a letter and a combining mark as a Mac
    /// pastes it) is no conflict: a returning visitor was queued as a second lead.
    #[test]
    fn an_accent_written_either_way_is_no_conflict() {
        assert!(!disagree("Zoe\u{308}", "zo\u{eb}"));
        assert!(disagree("Zoe", "Zo\u{eb}"));
    }

    #[test]
    fn other_contact_details_conflict_and_missing_ones_are_gaps() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let with = |emails: &[&str], phones: &[&str]| {
            let input = LeadInput {
                emails: emails.iter().map(|e| e.to_string()).collect(),
                phones: phones.iter().map(|p| p.to_string()).collect(),
                ..ann()
            };
            core.create_lead(&admin, &input, &Origin::manual()).unwrap_or_else(|e| panic!("{e}")).lead
        };
        let one = with(&["ann.lee31@x.example"], &["+44 20 7946 0018"]);
        let more = with(&["Ann.Lee31@x.example", "ann@home.example"], &["+442079460018"]);
        let none = with(&[], &["+44 20 7946 0018"]);
        assert_eq!(super::new_contacts(&one, &more), ["emails"], "another address for her");
        assert!(super::new_contacts(&more, &one).is_empty(), "one she has already, its case aside, is no news");
        assert!(super::new_contacts(&none, &one).is_empty(), "a lead with no email has a gap");
        assert_eq!(super::conflicts(&one, &more), ["emails"]);
        assert_eq!(super::conflicts(&more, &one), ["emails"], "either way round");
        assert!(super::conflicts(&none, &one).is_empty(), "{:?}", super::conflicts(&none, &one));
        let other_phone = with(&["ann.lee31@x.example"], &["+44 20 7946 0964"]);
        assert_eq!(super::conflicts(&one, &other_phone), ["phones"]);
    }

    /// A channel and its detail are one value, as an amount and its currency are: a lead typed in by hand keeps
    /// its own (empty) detail, not the partner's name of the lead merged into it; a chosen channel brings its own.
    #[test]
    fn a_source_detail_follows_its_channel() {
        use crate::leads::SourceChannel;
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let lead = |source: Option<SourceChannel>, detail: &str| {
            let input = LeadInput { source, source_detail: detail.into(), ..ann() };
            core.create_lead(&admin, &input, &Origin::manual()).unwrap_or_else(|e| panic!("{e}")).lead
        };
        let typed = lead(Some(SourceChannel::DirectEntry), "");
        let partner = lead(Some(SourceChannel::Partner), "Acme Leads");
        let input = super::survive(&typed, std::slice::from_ref(&partner), &[]);
        assert_eq!((input.source, input.source_detail.as_str()), (Some(SourceChannel::DirectEntry), ""));
        let choice = super::FieldChoice { field: "source".into(), lead_id: partner.id };
        let input = super::survive(&typed, std::slice::from_ref(&partner), &[choice]);
        assert_eq!((input.source, input.source_detail.as_str()), (Some(SourceChannel::Partner), "Acme Leads"));
        let unknown = lead(None, "");
        let input = super::survive(&unknown, &[partner], &[]);
        assert_eq!((input.source, input.source_detail.as_str()), (Some(SourceChannel::Partner), "Acme Leads"));
    }

    /// A value the other lead kept as typed although invalid does not turn a complete survivor into a Draft
    /// (nor stop its merge up the pipeline): it goes to the notes, said whose and why, and an unmerge takes it
    /// back. A survivor that awaits a fix of its own takes it as one more value to fix.
    #[test]
    fn another_leads_invalid_values_do_not_make_the_survivor_a_draft() {
        use crate::leads::{InvalidValue, LeadStatus};
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let kept = |value: &str| InvalidValue {
            field: "phones".into(),
            value: value.into(),
            reason: "is not a valid number for US".into(),
        };
        let create = |input: LeadInput| core.create_lead(&admin, &input, &Origin::manual()).unwrap().lead;
        let complete = LeadInput { source: Some(crate::leads::SourceChannel::DirectEntry), ..ann() };
        let survivor = create(LeadInput { notes: "Met at the fair.".into(), ..complete.clone() });
        assert_eq!(survivor.status, LeadStatus::Active);
        let other = create(LeadInput { invalid: vec![kept("12")], ..complete.clone() });
        assert_eq!(other.status, LeadStatus::Draft);

        let merged = core.merge_leads(&admin, survivor.id, &[other.id], &[]).unwrap();
        assert_eq!(merged.lead.status, LeadStatus::Active, "{:?}", merged.lead.missing);
        assert!(merged.lead.invalid.is_empty());
        assert_eq!(
            merged.lead.notes,
            format!(
                "Met at the fair.\n\nKept as typed on lead #{}, not valid:\n  phone 12 (is not a valid number for US)",
                other.id
            )
        );
        let back = core.unmerge(&admin, merged.merge_id).unwrap();
        assert_eq!(back.survivor.notes, survivor.notes);
        assert_eq!(back.restored[0].invalid, other.invalid);

        let awaiting = create(LeadInput { invalid: vec![kept("34")], ..complete });
        let merged = core.merge_leads(&admin, awaiting.id, &[other.id], &[]).unwrap();
        assert_eq!(merged.lead.invalid, [kept("34"), kept("12")]);
        assert_eq!(merged.lead.notes, "");
    }

    /// Merges taken back out of order: the notes of the first lead merged leave the survivor although a later
    /// merge (and an edit) wrote the notes since; the later lead's note and the edit stay.
    /// Notes already held are not added again, paragraph by paragraph nor line by line in a block of them: the
    /// same person's form sent twice, one of its values changed, adds that value alone.
    #[test]
    fn a_note_mostly_held_already_adds_only_its_new_lines() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let lead = |notes: &str| {
            let input = LeadInput { notes: notes.into(), ..ann() };
            core.create_lead(&admin, &input, &Origin::manual()).unwrap_or_else(|e| panic!("{e}")).lead
        };
        let a = lead("Met at the fair.\n\nid: 7\ncurrency: USD\ntax_exempt: false\naccepts_marketing: false");
        let b = lead("id: 7\ncurrency: USD\nverified_email: true\ntax_exempt: false\naccepts_marketing: false");
        let c = lead("Met at the fair.\n\nCalled her:\nwants a demo\nnext week");
        let merged = super::survive(&a, &[b, c], &[]);
        assert_eq!(
            merged.notes,
            "Met at the fair.\n\nid: 7\ncurrency: USD\ntax_exempt: false\naccepts_marketing: false\n\n\
             verified_email: true\n\nCalled her:\nwants a demo\nnext week"
        );
        // Prose that shares a line with what is held is kept whole.
        let a = lead("Met at the fair.");
        let d = lead("Met at the fair.\nShe asked for prices.");
        let merged = super::survive(&a, &[d], &[]);
        assert_eq!(merged.notes, "Met at the fair.\n\nMet at the fair.\nShe asked for prices.");
    }

    #[test]
    fn an_unmerge_takes_its_notes_back_after_a_later_merge_wrote_them() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let create = |notes: &str, email: &str| {
            let input = LeadInput { notes: notes.into(), emails: vec![email.into()], ..ann() };
            core.create_lead(&admin, &input, &Origin::manual()).unwrap().lead
        };
        let a = create("A's note.", "ann@a.example");
        let b = create("B's note.\n\nAnd its second paragraph.", "ann@b.example");
        let c = create("C's note.", "ann@c.example");
        let first = core.merge_leads(&admin, a.id, &[b.id], &[]).unwrap();
        let second = core.merge_leads(&admin, a.id, &[c.id], &[]).unwrap();
        assert_eq!(second.lead.notes, "A's note.\n\nB's note.\n\nAnd its second paragraph.\n\nC's note.");
        let edit = LeadInput { notes: format!("{}\n\n\nCalled her.", second.lead.notes), ..second.lead.to_input() };
        core.update_lead(&admin, a.id, second.lead.version, &edit, &Origin::manual()).unwrap();

        let back = core.unmerge(&admin, first.merge_id).unwrap();
        assert_eq!(back.survivor.notes, "A's note.\n\nC's note.\n\n\nCalled her.");
        assert_eq!(back.restored[0].notes, b.notes);
        let back = core.unmerge(&admin, second.merge_id).unwrap();
        assert_eq!(back.survivor.notes, "A's note.\n\n\nCalled her.");
    }

    /// Two leads whose notes joined pass what a lead holds: the merge is refused saying how long they came to
    /// and what to do, and writes nothing; keeping one lead's notes merges them, and the unmerge gives the
    /// survivor its own notes back.
    #[test]
    fn a_merge_whose_joined_notes_are_too_long_says_so_and_merges_keeping_one_leads_notes() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let create = |notes: String, email: &str| {
            let input = LeadInput { notes, emails: vec![email.into()], ..ann() };
            core.create_lead(&admin, &input, &Origin::manual()).unwrap().lead
        };
        let a = create("Met at the fair. ".repeat(700), "ann@a.example");
        let b = create("Called about prices. ".repeat(600), "ann@b.example");
        let Err(crate::error::Error::Validation(v)) = core.merge_leads(&admin, a.id, &[b.id], &[]) else {
            panic!("a merge past what notes hold is refused");
        };
        assert_eq!(v.errors.len(), 1, "{v:?}");
        assert_eq!(v.errors[0].field, "notes");
        assert!(
            v.errors[0].message.contains("come to 24500 characters, more than the 20000")
                && v.errors[0].message.contains("keep one lead's notes"),
            "{}",
            v.errors[0].message
        );
        assert_eq!(core.get_lead(&admin, a.id).unwrap(), a, "nothing written");
        assert_eq!(core.get_lead(&admin, b.id).unwrap(), b, "nothing written");

        let keep_b = [super::FieldChoice { field: "notes".into(), lead_id: b.id }];
        let merged = core.merge_leads(&admin, a.id, &[b.id], &keep_b).unwrap();
        assert_eq!(merged.lead.notes, b.notes);
        let back = core.unmerge(&admin, merged.merge_id).unwrap();
        assert_eq!(back.survivor.notes, a.notes);
        assert_eq!(back.restored[0].notes, b.notes);
    }

    /// A bulk merge and enrichment check a pair in a read, then merge it in a write: a lead edited in between
    /// (perhaps given a value the other contradicts) or the pair set aside in between refuses the merge, and
    /// nothing is written.
    #[test]
    fn a_pair_merged_as_checked_refuses_a_lead_changed_or_a_pair_set_aside_since() {
        let (dir, core, admin) = crate::test_support::core_with_admin();
        let a = core.create_lead(&admin, &ann(), &Origin::manual()).unwrap_or_else(|e| panic!("{e}")).lead;
        let b = core.create_lead(&admin, &ann(), &Origin::manual()).unwrap_or_else(|e| panic!("{e}")).lead;
        let pair = core.duplicate_queue(&admin, 10).unwrap_or_else(|e| panic!("{e}"))[0].id;
        let checked = [seen(&a), seen(&b)];
        let mut edited = b.to_input();
        edited.company = "Globex".into();
        let b = core.update_lead(&admin, b.id, b.version, &edited, &Origin::manual()).unwrap_or_else(|e| panic!("{e}"));
        let before = crate::test_support::dump(&dir);
        let err = core.merge_open_pair(&admin, a.id, b.lead.id, &checked).err();
        assert!(matches!(err, Some(Error::Conflict { .. })), "{err:?}");
        assert_eq!(crate::test_support::dump(&dir), before, "nothing written");

        core.mark_not_duplicate(&admin, pair).unwrap_or_else(|e| panic!("{e}"));
        let before = crate::test_support::dump(&dir);
        let err = core.merge_open_pair(&admin, a.id, b.lead.id, &[seen(&a), seen(&b.lead)]).err();
        assert!(matches!(err, Some(Error::NotFound { .. })), "{err:?}");
        assert_eq!(crate::test_support::dump(&dir), before, "nothing written");
    }
}
