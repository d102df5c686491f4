//! The duplicate check run inside the transaction that saves a lead: its keys are stored, and the pairs it
//! forms with the leads sharing them go to the review queue (unless set aside as "not a duplicate").
use rapport_match::{explain, prepare, Comparison, Model, Prepared};

use super::incremental;
use super::model::{EvidenceLine, Tier};
use super::store::{self, PairValues};
use crate::error::{Error, Result};
use crate::rapport::Rapport;

pub(crate) fn level_name(level: rapport_match::Level) -> &'static str {
    match level {
        rapport_match::Level::Exact => "exact",
        rapport_match::Level::Close => "close",
        rapport_match::Level::Weak => "weak",
        rapport_match::Level::Different => "different",
        rapport_match::Level::Missing => "missing",
    }
}

/// A stable digest (FNV-1a, 64 bits) of the two leads' matched fields, normalized, so "not a duplicate" is
/// asked again once either lead's name, email, phone, address or company changes (and not when only its
/// spelling does). Stable across builds and versions, unlike std's hasher, because it is stored. Phones count in
/// full: +1 207 946 0123 corrected from +44 20 7946 0123 is another number, which may make them one person.
/// Emails and phones count as sets: a lead's primary address swapped with its second is no change that could
/// make the two one person, and it reopened a pair a steward had set aside.
pub(crate) fn fingerprint(a: &Prepared, b: &Prepared) -> String {
    format!("{AS_SETS}{:016x}", digest(a, b, |x| x.to_string(), true))
}

/// Marks a fingerprint taken with phones in full; one without it was taken by their last nine digits (before
/// that version), and is compared so.
const FULL_PHONES: &str = "p2:";

/// Marks a fingerprint taken with phones in full and emails and phones in order of their text (before that
/// version, in the lead's order).
const AS_SETS: &str = "p3:";

fn digest(a: &Prepared, b: &Prepared, phone: impl Fn(&str) -> String, sorted: bool) -> u64 {
    let mut parts: Vec<String> = Vec::new();
    for p in [a, b] {
        parts.extend(
            [&p.first_canonical, &p.last, &p.company, &p.street, &p.city, &p.postcode, &p.region].map(|s| s.clone()),
        );
        let mut emails: Vec<String> = p.emails.iter().map(|(l, d)| format!("{l}@{d}")).collect();
        let mut phones: Vec<String> = p.phones.iter().map(|x| phone(x)).collect();
        if sorted {
            emails.sort_unstable();
            phones.sort_unstable();
        }
        parts.extend(emails);
        parts.extend(phones);
        parts.push("\u{1e}".into()); // one lead ends
    }
    rapport_match::digest(&parts)
}

/// Whether a pair answered "not a duplicate" with `stored` is still answered for the leads as they are now.
/// An answer stored before phones counted in full is compared as it was taken (by the phones' national parts),
/// so no pair a steward set aside comes back with the upgrade.
pub(crate) fn still_answered(stored: &str, a: &Prepared, b: &Prepared) -> bool {
    if stored.starts_with(AS_SETS) {
        stored == fingerprint(a, b)
    } else if let Some(digits) = stored.strip_prefix(FULL_PHONES) {
        digits == format!("{:016x}", digest(a, b, |x| x.to_string(), false))
    } else {
        stored == format!("{:016x}", digest(a, b, |x| rapport_match::normalize::national_part(x).to_string(), false))
    }
}

/// The evidence of a pair as stored in the queue (JSON of [`EvidenceLine`]s).
pub(crate) fn evidence_json(model: &Model, a: &Prepared, b: &Prepared, c: &Comparison) -> Result<String> {
    let lines: Vec<EvidenceLine> = explain(model, a, b, c)
        .into_iter()
        .map(|n| EvidenceLine {
            field: n.evidence.name().into(),
            level: level_name(n.level).into(),
            weight: (n.weight * 10.0).round() / 10.0,
            text: n.text,
        })
        .collect();
    serde_json::to_string(&lines).map_err(|e| Error::Internal(e.to_string()))
}

pub(crate) fn tier_of(model: &Model, score: f64) -> Tier {
    if model.tier(score) == rapport_match::Tier::Same {
        Tier::Same
    } else {
        Tier::Review
    }
}

impl Rapport {
    /// Stores lead `id`'s keys and, when `check` is set, queues the pairs it forms with the leads sharing them.
    /// Returns how many pairs are open for it now. Runs in the saving transaction: the lead and its pairs are
    /// written together or not at all.
    pub(crate) fn index_and_check(
        &self,
        tx: &rusqlite::Transaction<'_>,
        id: i64,
        check: bool,
        batch: &crate::audit::store::BatchId,
    ) -> Result<u32> {
        let at = batch.at.as_str();
        let Some(record) = incremental::record_of(tx, id)? else { return Ok(0) };
        let p = prepare(&record);
        let keys = incremental::key_entries(&p);
        incremental::index_lead(tx, id, &p, &keys)?;
        if !check {
            return Ok(0);
        }
        let model = incremental::load_model(tx)?;
        // Its open pairs this edit took apart leave the queue (a steward is asked about two leads while they
        // still look alike); a later scan or save finds them again if they come back together.
        for (pair_id, other) in store::open_pairs_of(tx, id)? {
            let alike = incremental::fields_of(tx, other)?.is_some_and(|q| {
                let c = rapport_match::compare::compare(&p, &q);
                model.tier(model.score(&p, &q, &c)) != rapport_match::Tier::Different
                    || incremental::same_record(&p, &q)
            });
            if !alike {
                store::delete(tx, pair_id)?;
            }
        }
        let mut open = 0;
        for (other, score, c, q) in incremental::score_candidates(tx, &model, id, &p, &keys, None)? {
            open += u32::from(queue_pair(tx, &model, (id, &p), (other, &q), score, c, at, Reopen::Logged(batch))?);
        }
        Ok(open)
    }
}

impl Rapport {
    /// Folds the recent duplicate keys into the large table when there are enough of them (see
    /// [`incremental::fold_due`]). True when it folded.
    pub fn fold_match_keys_if_due(&self) -> Result<bool> {
        if !self.db.read(|c| Ok::<_, Error>(incremental::fold_due(c)?))? {
            return Ok(false);
        }
        self.fold_match_keys()?;
        Ok(true)
    }

    /// One range of a fold that is due or under way, between two pieces of bulk work that have committed (an
    /// import's chunks): a whole fold of a large store takes seconds, during which the work would stand still
    /// with its progress. Keys half folded are found all the same. A failure is only logged (the keys stay
    /// where they are, and a later step folds them), not the work's.
    pub(crate) fn fold_match_keys_in_passing(&self) {
        if let Err(e) = self.fold_match_keys_step() {
            tracing::warn!(error = %e, "could not fold the duplicate keys; they stay in the recent table");
        }
    }

    /// Folds the next range of keys when a fold is under way, or the first when one is due. True when it
    /// folded a range.
    pub(crate) fn fold_match_keys_step(&self) -> Result<bool> {
        let mut next = self.fold_next.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let piece = match *next {
            Some(i) => i,
            None if self.db.read(|c| Ok::<_, Error>(incremental::fold_due(c)?))? => 0,
            None => return Ok(false),
        };
        let pieces = incremental::fold_pieces();
        let Some(&(lo, hi)) = pieces.get(piece) else {
            *next = None;
            return Ok(false);
        };
        let _cache = self.db.bulk_cache();
        self.db.write(|tx| Ok::<_, Error>(incremental::fold_range(tx, lo, hi)?))?;
        *next = (piece + 1 < pieces.len()).then_some(piece + 1);
        Ok(true)
    }

    /// [`Self::fold_match_keys`] asked by a person (`rapport duplicates fold`): it holds the write lock a while
    /// on a large store, so it is a data steward's or an Administrator's to ask, as a scan is.
    pub fn fold_match_keys_as(&self, actor: &crate::Actor) -> Result<u64> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, crate::Permission::ReviewDuplicates)?;
            if grant.duplicate_reach() != crate::access::DuplicateReach::All {
                return Err(crate::access::AccessError::NotSteward("fold the duplicate keys").into());
            }
            Ok::<_, Error>(())
        })?;
        self.fold_match_keys()
    }

    /// Folds every recent duplicate key into the large table now, a range of keys per transaction, so a save
    /// waits for one range at most. Storage upkeep: what the check finds is the same before and after.
    /// Returns how many keys moved.
    pub fn fold_match_keys(&self) -> Result<u64> {
        // Each piece reads and rewrites its share of the large table's pages, and the tail of its by-lead index
        // (where the recent leads' entries land) is rewritten by every piece.
        let _cache = self.db.bulk_cache();
        let mut moved = 0u64;
        for (lo, hi) in incremental::fold_pieces() {
            moved += self.db.write(|tx| Ok::<_, Error>(incremental::fold_range(tx, lo, hi)?))? as u64;
        }
        Ok(moved)
    }
}

/// Records leads `a` and `b` as two people (an unmerge took them apart): their pair is kept as "not a
/// duplicate", out of the queue and of enrichment, until either's matched fields change. The pair's id, or None
/// when either lead has no matched fields stored.
pub(crate) fn set_apart(
    tx: &rusqlite::Transaction<'_>,
    a: i64,
    b: i64,
    by: Option<i64>,
    at: &str,
) -> Result<Option<i64>> {
    let (Some(p), Some(q)) = (incremental::fields_of(tx, a)?, incremental::fields_of(tx, b)?) else {
        return Ok(None);
    };
    let model = incremental::load_model(tx)?;
    let c = rapport_match::compare::compare(&p, &q);
    // Stored (or brought up to date) as a queued pair is, then set aside.
    queue_pair(tx, &model, (a, &p), (b, &q), model.score(&p, &q, &c), c, at, Reopen::Unlogged)?;
    let Some(pair) = store::pair_by_leads(tx, a.min(b), a.max(b))? else { return Ok(None) };
    store::set_status(tx, pair.id, "not_duplicate", by, at)?;
    Ok(Some(pair.id))
}

/// How a stored pair brought back to the queue is recorded.
enum Reopen<'a> {
    /// Lead `id` was created in this transaction: no stored pair can name it (a pair goes with its leads), so
    /// none is looked for.
    Fresh,
    /// A save's: a steward's "not a duplicate" reopened by it is in the save's change batch, as a scan's is.
    Logged(&'a crate::audit::store::BatchId),
    /// Set aside again at once by the caller (an unmerge): nothing to record.
    Unlogged,
}

/// Queues the pair of lead `id` (fields `p`) and `other` (fields `q`), scored `score` with comparison `c` of
/// p against q, unless it was set aside as "not a duplicate" with the same fields. True when it is open.
#[allow(clippy::too_many_arguments)]
fn queue_pair(
    tx: &rusqlite::Transaction<'_>,
    model: &Model,
    (id, p): (i64, &Prepared),
    (other, q): (i64, &Prepared),
    score: f64,
    c: Comparison,
    at: &str,
    reopen: Reopen<'_>,
) -> Result<bool> {
    // Stored with the lower id first, as the scan stores pairs.
    let (a, b, pa, pb) = if id < other { (id, other, p, q) } else { (other, id, q, p) };
    let c = if id < other { c } else { rapport_match::compare::compare(pa, pb) };
    let evidence = evidence_json(model, pa, pb, &c)?;
    let fp = fingerprint(pa, pb);
    let values = PairValues {
        lead_a: a,
        lead_b: b,
        score: Model::probability(score),
        tier: tier_of(model, score).as_str(),
        evidence: &evidence,
        fingerprint: &fp,
        at,
    };
    let stored = if matches!(reopen, Reopen::Fresh) { None } else { store::pair_by_leads(tx, a, b)? };
    match stored {
        Some(stored) if stored.status == "not_duplicate" && still_answered(&stored.fingerprint, pa, pb) => Ok(false),
        Some(stored) => {
            if let (Reopen::Logged(batch), false) = (&reopen, stored.status == "open") {
                let field = "status";
                crate::audit::store::record(
                    tx,
                    batch,
                    "duplicate_pair",
                    stored.id,
                    field,
                    Some(&stored.status),
                    Some("open"),
                )?;
            }
            store::refresh(tx, stored.id, &values)?;
            Ok(true)
        }
        None => {
            store::insert(tx, &values)?;
            Ok(true)
        }
    }
}

/// A stored lead an unsaved one was scored against (the import's per-row check).
pub(crate) struct Scored {
    pub other: i64,
    pub score: f64,
    pub tier: Tier,
    /// In the importer's campaigns: only such a lead decides what the row does (enrich it, say it may be it).
    /// Any other is still queued as a pair for the data stewards, as a save from the form does.
    pub visible: bool,
    raw: f64,
    c: Comparison,
    q: Prepared,
}

/// The lead about to be saved, prepared for matching, with its keys (its check and its stored keys use the
/// same, computed once).
pub(crate) struct Unsaved(Prepared, Vec<incremental::KeyEntry>);

impl Unsaved {
    /// Whether candidate `m` has this lead's name and company, as the matcher folds them: a first sift, before a
    /// candidate is read whole.
    pub(crate) fn same_name_and_company(&self, m: &Scored) -> bool {
        let (p, q) = (&self.0, &m.q);
        p.first == q.first && p.last == q.last && p.company == q.company
    }

    pub(crate) fn of(lead: &crate::leads::Lead) -> Self {
        let p = prepare(&record_of_valid(lead));
        let keys = incremental::key_entries(&p);
        Self(p, keys)
    }

    /// The stored leads it would be paired with, best first, each marked whether `scope` holds it; only scores
    /// and matched fields are read (no whole leads), which is what keeps an import's check cheap per row.
    /// `unstored`: leads a dry run's earlier rehearsals created, checked as if stored.
    pub(crate) fn matches(
        &self,
        conn: &rusqlite::Connection,
        model: &Model,
        scope: &crate::access::LeadScope,
        unstored: Option<&incremental::Unstored>,
    ) -> Result<Vec<Scored>> {
        let mut out = Vec::new();
        for (other, score, c, q) in incremental::score_candidates(conn, model, 0, &self.0, &self.1, unstored)? {
            // The file's own rows are the importer's to see.
            let visible = incremental::is_unstored(other)
                || matches!(scope, crate::access::LeadScope::All)
                || crate::leads::store::get(conn, other)?.is_some_and(|l| scope.allows_campaign(&l.campaign));
            // A row the same as a stored lead on every matched field is that lead: importing a file again changes
            // nothing, even where a scan learnt that strangers often share a name (and the row has no email).
            let tier = if incremental::same_record(&self.0, &q) { Tier::Same } else { tier_of(model, score) };
            out.push(Scored { other, score: Model::probability(score), tier, visible, raw: score, c, q });
        }
        // A certain match first: the same record can score below a possible one.
        out.sort_by(|a, b| (b.tier == Tier::Same).cmp(&(a.tier == Tier::Same)).then(b.score.total_cmp(&a.score)));
        Ok(out)
    }

    /// Keeps this lead, now created under `id` in a rehearsal about to be rolled back, for the next rehearsals.
    pub(crate) fn keep_unstored(&self, into: &mut incremental::Unstored, id: i64) {
        into.add(id, &self.0, &self.1);
    }

    /// The evidence of match `s`, as a reader of `scope` may read it ([`super::evidence_as_seen`]).
    pub(crate) fn evidence(
        &self,
        model: &Model,
        s: &Scored,
        scope: &crate::access::LeadScope,
    ) -> Result<Vec<EvidenceLine>> {
        let lines = serde_json::from_str(&evidence_json(model, &self.0, &s.q, &s.c)?).unwrap_or_default();
        Ok(super::evidence_as_seen(scope, lines))
    }
}

impl Rapport {
    /// Stores the keys of lead `id`, just created from `unsaved`, and queues its pairs with `scored` (found
    /// before it was saved): the check is not run twice.
    pub(crate) fn index_and_queue(
        &self,
        tx: &rusqlite::Transaction<'_>,
        model: &Model,
        id: i64,
        unsaved: &Unsaved,
        scored: Vec<Scored>,
        at: &str,
    ) -> Result<()> {
        incremental::index_lead(tx, id, &unsaved.0, &unsaved.1)?;
        // A lead only a dry run's earlier rehearsal created is no pair to queue (the rehearsal is rolled back).
        for s in scored.into_iter().filter(|s| !incremental::is_unstored(s.other)) {
            queue_pair(tx, model, (id, &unsaved.0), (s.other, &s.q), s.raw, s.c, at, Reopen::Fresh)?;
        }
        Ok(())
    }
}

/// A lead that may be the one being typed, for "this lead may already exist" before it is saved.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PossibleDuplicate {
    pub lead: crate::leads::Lead,
    /// The probability (0..1) that it is the same person.
    pub score: f64,
    pub tier: Tier,
    pub evidence: Vec<EvidenceLine>,
}

fn record_of_valid(l: &crate::leads::Lead) -> rapport_match::Record {
    rapport_match::Record {
        first_name: l.first_name.clone(),
        last_name: l.last_name.clone(),
        company: l.company.clone(),
        emails: l.emails.iter().map(|e| e.address.clone()).collect(),
        phones: l.phones.iter().map(|p| p.e164.clone()).collect(),
        street: l.address.street.clone(),
        city: l.address.city.clone(),
        postcode: l.address.postcode.clone(),
        region: l.address.region.clone(),
    }
}

impl Rapport {
    /// The leads the actor may see that `input` would be flagged with if it were saved, best first: the same
    /// check a save runs, read-only. An input that does not validate has no duplicates to show yet.
    pub fn possible_duplicates(
        &self,
        actor: &crate::access::Actor,
        input: &crate::leads::LeadInput,
        limit: usize,
    ) -> Result<Vec<PossibleDuplicate>> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, crate::access::Permission::ReadLeads)?;
            let scope = grant.lead_scope();
            let Ok(valid) =
                crate::leads::api::Rules::load(conn)?.validate(conn, input, &crate::access::LeadScope::All, None)
            else {
                return Ok(vec![]);
            };
            let model = incremental::load_model(conn)?;
            let mut out = stored_matches(conn, &model, &valid.as_lead(0), &scope)?;
            out.sort_by(|a, b| b.score.total_cmp(&a.score));
            out.truncate(limit);
            Ok(out)
        })
    }
}

/// The stored leads `lead` (not stored itself) would be flagged with, among those `scope` lets one see, best
/// first, read whole with their evidence: what a save would queue, computed without writing.
fn stored_matches(
    conn: &rusqlite::Connection,
    model: &Model,
    lead: &crate::leads::Lead,
    scope: &crate::access::LeadScope,
) -> Result<Vec<PossibleDuplicate>> {
    let unsaved = Unsaved::of(lead);
    let mut out = Vec::new();
    for m in unsaved.matches(conn, model, scope, None)?.into_iter().filter(|m| m.visible) {
        let Some(stored) = crate::leads::store::get(conn, m.other)? else { continue };
        out.push(PossibleDuplicate {
            lead: stored,
            score: m.score,
            tier: m.tier,
            evidence: unsaved.evidence(model, &m, scope)?,
        });
    }
    Ok(out)
}

/// The steward's "not a duplicate" decisions a change (`change_batch`: an import's chunk, a save, a merge)
/// reopened, as a lead's matched fields changed, stand again once an undo or unmerge (`undo_batch`) has taken the
/// fields back; only pairs still open, of leads the undoer may see and decide about, and (`only_lead`: one lead's
/// undo, an unmerge's survivor) the pairs of the lead whose fields were taken back: the batch may have reopened
/// others, whose leads still hold what reopened them.
pub(crate) fn restore_decisions(
    tx: &rusqlite::Transaction<'_>,
    grant: &crate::access::Grant,
    change_batch: i64,
    undo_batch: &crate::audit::store::BatchId,
    only_lead: Option<i64>,
) -> Result<(), Error> {
    if grant.require(crate::access::Permission::ReviewDuplicates).is_err() {
        return Ok(());
    }
    let scope = grant.lead_scope();
    for (pair_id, field, old, new) in crate::audit::store::batch_rows_of(tx, change_batch, "duplicate_pair")? {
        let reopened = field == "status" && old.as_deref() == Some("not_duplicate") && new.as_deref() == Some("open");
        let Some(row) = super::store::get(tx, pair_id)?.filter(|r| reopened && r.status == "open") else {
            continue;
        };
        if only_lead.is_some_and(|id| row.lead_a != id && row.lead_b != id) {
            continue;
        }
        let (Some(a), Some(b)) = (crate::leads::store::get(tx, row.lead_a)?, crate::leads::store::get(tx, row.lead_b)?)
        else {
            continue;
        };
        if !(scope.allows_campaign(&a.campaign) && scope.allows_campaign(&b.campaign))
            || super::may_decide(grant, &[&a, &b]).is_err()
        {
            continue;
        }
        let apart = set_apart(tx, row.lead_a, row.lead_b, grant.user_id, &undo_batch.at)?;
        if let Some(pair) = apart {
            crate::audit::store::record(
                tx,
                undo_batch,
                "duplicate_pair",
                pair,
                "status",
                Some("open"),
                Some("not_duplicate"),
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_of(path: &std::path::Path, table: &str) -> Vec<(i64, String, i64)> {
        let c = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
        let mut stmt = c
            .prepare(&format!("SELECT key, sig, lead_id FROM {table} ORDER BY 1, 2, 3"))
            .unwrap_or_else(|e| panic!("{e}"));
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap_or_else(|e| panic!("{e}"));
        rows.map(|r| r.unwrap_or_else(|e| panic!("{e}"))).collect()
    }

    /// A "not a duplicate" stored before phones counted in full in its fingerprint still holds for the leads as
    /// they were (its phones read by their last nine digits); one stored since tells numbers of two countries
    /// that end alike apart.
    #[test]
    fn a_pair_answered_before_phones_counted_in_full_is_still_answered() {
        let record = |phone: &str| rapport_match::Record {
            first_name: "Zoë".into(),
            last_name: "Müller".into(),
            phones: vec![phone.into()],
            ..Default::default()
        };
        let (a, b) = (rapport_match::prepare(&record("+44 20 7946 0018")), rapport_match::prepare(&record("")));
        assert_eq!(a.phones, vec!["+442079460018".to_string()]);
        let legacy = |p: &Prepared| {
            format!("{:016x}", digest(p, &b, |x| rapport_match::normalize::national_part(x).to_string(), false))
        };
        assert!(still_answered(&legacy(&a), &a, &b));
        let us = rapport_match::prepare(&record("+1 207 946 0018"));
        assert!(still_answered(&legacy(&a), &us, &b), "as before: the last nine digits alone");
        assert!(!still_answered(&legacy(&a), &Prepared { phones: vec!["+442079460019".into()], ..a.clone() }, &b));

        let answered = fingerprint(&a, &b);
        assert!(still_answered(&answered, &a, &b));
        assert!(!still_answered(&answered, &us, &b), "another country's number is another number");
    }

    /// Emails and phones count as sets: the primary address swapped with the second reopened a pair a steward
    /// had set aside. One answered by a fingerprint in the leads' order is still answered as it was taken.
    #[test]
    fn a_pair_answered_stays_answered_when_only_the_order_of_addresses_changes() {
        let record = |emails: &[&str]| rapport_match::Record {
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            emails: emails.iter().map(|e| e.to_string()).collect(),
            ..Default::default()
        };
        let a = rapport_match::prepare(&record(&["ann@home.example", "ann@work.example"]));
        let swapped = rapport_match::prepare(&record(&["ann@work.example", "ann@home.example"]));
        let b = rapport_match::prepare(&record(&["ann.lee@other.example"]));
        let answered = fingerprint(&a, &b);
        assert!(still_answered(&answered, &swapped, &b));
        let another = rapport_match::prepare(&record(&["ann@home.example", "ann@new.example"]));
        assert!(!still_answered(&answered, &another, &b), "another address is a change");
        let in_order = format!("{FULL_PHONES}{:016x}", digest(&a, &b, |x| x.to_string(), false));
        assert!(still_answered(&in_order, &a, &b), "an answer stored before is compared as it was taken");
    }

    /// A fold done between an import's chunks takes one range at a time, and ends with every key moved.
    #[test]
    fn a_fold_in_passing_moves_one_range_at_a_time_until_all_are_folded() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("t.db");
        let core = Rapport::open(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(!core.fold_match_keys_step().unwrap_or(true), "nothing is due in an empty store");
        drop(core);
        {
            // Bare leads, and two keys each spread over the whole digest space: all a fold reads.
            let c = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
            c.execute_batch(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)
                 INSERT INTO leads (id, stage, status, created_at, updated_at)
                 SELECT i, 'new', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM n;
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120000)
                 INSERT INTO match_keys_recent (key, sig, lead_id)
                 SELECT (i * 7919 % 120000 - 60000) * 76861433640456, 'x' || i, (i - 1) % 60000 + 1 FROM n;",
            )
            .unwrap_or_else(|e| panic!("{e}"));
        }
        let all = keys_of(&path, "match_keys_recent");
        assert_eq!(all.len(), 120_000);
        let core = Rapport::open(&path).unwrap_or_else(|e| panic!("{e}"));
        // Two keys a lead are past the 1.5 a fold waits for: the first step starts it, the next ones go on
        // (though fewer recent keys are left than would start one).
        let pieces = incremental::fold_pieces();
        for (step, (_, hi)) in pieces.iter().enumerate() {
            assert!(core.fold_match_keys_step().unwrap_or(false), "step {step} folds");
            let folded = keys_of(&path, "match_keys");
            let expected: Vec<_> = all.iter().filter(|k| k.0 <= *hi).cloned().collect();
            assert_eq!(folded, expected, "after step {step}, exactly the ranges so far are folded");
            assert_eq!(keys_of(&path, "match_keys_recent").len(), all.len() - expected.len());
        }
        assert_eq!(keys_of(&path, "match_keys"), all);
        assert!(!core.fold_match_keys_step().unwrap_or(true), "done, and nothing more is due");
    }
}
