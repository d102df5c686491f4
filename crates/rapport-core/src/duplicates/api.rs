//! The duplicate operations on [`Rapport`]: the full scan, the queue, and "not a duplicate".
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rapport_match::{find_duplicates_until, parallel_map, prepare};

use super::incremental;
use super::incremental_api::{evidence_json, fingerprint, still_answered};
use super::model::{
    DuplicatePair, FoundPair, QueueFacets, QueueFilter, QueuePage, ScanPhase, ScanProgress, ScanReport, Tier,
};
use super::reach::PairReach;
use super::store::{self, PairValues};
use crate::access::{AccessError, Actor, DuplicateReach, Permission};
use crate::audit::store as changelog;
use crate::audit::{ChangeReason, Origin};
use crate::error::{Error, Result};
use crate::leads::store as leads;
use crate::leads::SourceChannel;
use crate::rapport::Rapport;

/// How often (in pairs) a scan's saving looks at the cancel flag and reports progress.
const SAVE_CHUNK: usize = 64;

/// Leads prepared per batch while a scan reads them.
const READ_CHUNK: usize = 20_000;

fn scan_origin() -> Origin {
    Origin { reason: ChangeReason::ManualEdit, source_ref: "duplicate scan".into() }
}

impl Rapport {
    /// Scans every lead for duplicates and refreshes the review queue: new pairs are added, open pairs get their
    /// new score and evidence, open pairs that no longer match leave the queue, and pairs set aside as "not a
    /// duplicate" stay aside unless a matched field of either lead has changed since. The queue is written in
    /// one transaction at the end: a cancelled or failed scan leaves it exactly as it was.
    /// Stops the scan that watches `cancel`, for an actor who may scan (what a scan asks, asked again).
    pub fn cancel_duplicate_scan(&self, actor: &Actor, cancel: &AtomicBool) -> Result<()> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReviewDuplicates)?;
            if grant.duplicate_reach() != DuplicateReach::All {
                return Err(AccessError::NotSteward("stop a scan of every lead").into());
            }
            Ok::<_, Error>(())
        })?;
        cancel.store(true, Ordering::Relaxed);
        Ok(())
    }

    pub fn scan_duplicates(
        &self,
        actor: &Actor,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(ScanProgress),
    ) -> Result<ScanReport> {
        let started = Instant::now();
        let (refs, prepared, hidden_counts) = self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReviewDuplicates)?;
            if grant.duplicate_reach() != DuplicateReach::All {
                return Err(AccessError::NotSteward("scan every lead for duplicates").into());
            }
            // A steward limited to some campaigns scans every lead, but learns only their campaigns' figures.
            let hidden_counts = grant.lead_scope() != crate::access::LeadScope::All;
            progress(ScanProgress::of(ScanPhase::Reading, 0, 0, hidden_counts));
            // Prepared in chunks as they are read, on every core: only the prepared form is kept.
            let (mut refs, mut prepared, mut chunk) = (Vec::new(), Vec::new(), Vec::with_capacity(READ_CHUNK));
            store::for_each_match_row(conn, &mut |r, record| {
                refs.push(r);
                chunk.push(record);
                if chunk.len() == READ_CHUNK {
                    prepared.extend(parallel_map(&chunk, prepare));
                    chunk.clear();
                    // Heard between chunks: reading a million leads takes a while.
                    return !cancel.load(Ordering::Relaxed);
                }
                true
            })?;
            prepared.extend(parallel_map(&chunk, prepare));
            Ok::<_, Error>((refs, prepared, hidden_counts))
        })?;
        let mut progress = |phase, done, total| progress(ScanProgress::of(phase, done, total, hidden_counts));
        let total = u32::try_from(refs.len()).unwrap_or(u32::MAX);
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        progress(ScanPhase::Matching, 0, total);
        let tiers = self.db.read(|conn| Ok::<_, Error>(super::tiers::load(conn)?))?;
        let stop = || cancel.load(Ordering::Relaxed);
        let Some((model, found)) = find_duplicates_until(&prepared, &tiers.thresholds(), &stop) else {
            return Err(Error::Cancelled);
        };
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        let found_total = u32::try_from(found.len()).unwrap_or(u32::MAX);
        progress(ScanPhase::Saving, 0, found_total);
        let at = self.now();
        let mut pairs = Vec::with_capacity(found.len());
        let (leads, open, kept_apart) = self.db.write(|tx| {
            let grant = Self::grant_going_on(tx, actor, Permission::ReviewDuplicates)?;
            if grant.duplicate_reach() != DuplicateReach::All {
                return Err(AccessError::NotSteward("scan every lead for duplicates").into());
            }
            let batch = self.begin_batch(tx, &grant, &scan_origin())?;
            let scope = grant.lead_scope();
            let mut existing = store::pairs_by_leads(tx)?;
            // Leads change while the scan matches, without a lock: a lead merged or undone away since it was read
            // is left out of what is saved, and a lead created since was never compared, so its pairs stay. A
            // lead whose matched fields were saved since was checked by that save against the others as they are
            // now, and what the scan found from its old fields is not saved over that: a pair the save took apart
            // is not queued again, nor one it queued deleted as no longer found.
            let scanned: std::collections::HashSet<i64> = refs.iter().map(|r| r.id).collect();
            let mut unchanged = std::collections::HashMap::<usize, bool>::new();
            let mut as_read = |tx: &rusqlite::Transaction<'_>, at: usize| -> Result<bool> {
                if let Some(known) = unchanged.get(&at) {
                    return Ok(*known);
                }
                let (Some(r), Some(read)) = (refs.get(at), prepared.get(at)) else { return Ok(false) };
                let same = match store::lead_version(tx, r.id)? {
                    None => false,
                    Some(v) if v == r.version => true,
                    // Saved since, perhaps in fields the check does not read (a deal's value), which no save checks.
                    Some(_) => incremental::record_of(tx, r.id)?.is_some_and(|now| prepare(&now) == *read),
                };
                unchanged.insert(at, same);
                Ok(same)
            };
            let (mut open, mut kept_apart) = (0u32, 0u32);
            // Of them, the pairs with a lead outside the reader's campaigns.
            let mut hidden = (0u32, 0u32);
            for (i, c) in found.iter().enumerate() {
                if i % SAVE_CHUNK == 0 {
                    if cancel.load(Ordering::Relaxed) {
                        return Err(Error::Cancelled);
                    }
                    progress(ScanPhase::Saving, i as u32, found_total);
                }
                let (x, y) = if refs[c.a].id < refs[c.b].id { (c.a, c.b) } else { (c.b, c.a) };
                let (first, second) = (&refs[x], &refs[y]);
                if !(as_read(tx, x)? && as_read(tx, y)?) {
                    continue;
                }
                let (pa, pb) = (&prepared[x], &prepared[y]);
                let comparison = rapport_match::compare::compare(pa, pb);
                // The matcher's tier, not one read again from the score: its chain guard sent pairs of a group
                // larger than one person is typed to review, and a *same* pair is merged without a look.
                let tier = if c.tier == rapport_match::Tier::Same { Tier::Same } else { Tier::Review };
                let score = rapport_match::Model::probability(c.score);
                let evidence = evidence_json(&model, pa, pb, &comparison)?;
                let fp = fingerprint(pa, pb);
                let values = PairValues {
                    lead_a: first.id,
                    lead_b: second.id,
                    score,
                    tier: tier.as_str(),
                    evidence: &evidence,
                    fingerprint: &fp,
                    at: &at,
                };
                // The scan sees every lead, as the pairs it keeps must; its report tells a steward of some
                // campaigns only of the pairs of leads they may see, in its list and in its counts.
                let shown = store::in_scope(tx, &scope, first.id)? && store::in_scope(tx, &scope, second.id)?;
                let (open_before, apart_before) = (open, kept_apart);
                match existing.remove(&(first.id, second.id)) {
                    Some(stored) if stored.status == "not_duplicate" && still_answered(&stored.fingerprint, pa, pb) => {
                        kept_apart += 1
                    }
                    Some(stored) => {
                        if stored.status != "open" {
                            changelog::record(
                                tx,
                                &batch,
                                "duplicate_pair",
                                stored.id,
                                "status",
                                Some(&stored.status),
                                Some("open"),
                            )?;
                        }
                        store::refresh(tx, stored.id, &values)?;
                        open += 1;
                    }
                    None => {
                        store::insert(tx, &values)?;
                        open += 1;
                    }
                }
                if !shown {
                    hidden.0 += open - open_before;
                    hidden.1 += kept_apart - apart_before;
                    continue;
                }
                pairs.push(FoundPair {
                    lead_a: first.id,
                    lead_b: second.id,
                    external_ref_a: first.external_ref.clone(),
                    external_ref_b: second.external_ref.clone(),
                    score,
                    tier,
                });
            }
            // Open pairs this scan no longer finds: their leads were edited apart.
            let read_at = |id: i64| refs.binary_search_by_key(&id, |r| r.id).ok();
            for ((a, b), stored) in existing {
                let (Some(ra), Some(rb)) = (read_at(a), read_at(b)) else { continue };
                if stored.status == "open" && as_read(tx, ra)? && as_read(tx, rb)? {
                    store::delete(tx, stored.id)?;
                }
            }
            incremental::save_model(tx, &model.parameters(), &at)?;
            changelog::record(tx, &batch, "duplicate_scan", 0, "open pairs", None, Some(&open.to_string()))?;
            progress(ScanPhase::Saving, found_total, found_total);
            let leads = match &scope {
                crate::access::LeadScope::All => total,
                scoped => {
                    let ids = crate::leads::store::ids_in_scope(tx, scoped)?;
                    u32::try_from(ids.iter().filter(|id| scanned.contains(id)).count()).unwrap_or(u32::MAX)
                }
            };
            Ok::<_, Error>((leads, open - hidden.0, kept_apart - hidden.1))
        })?;
        Ok(ScanReport { leads, pairs, open, kept_apart, seconds: started.elapsed().as_secs_f64() })
    }

    /// The open pairs the actor may see (both leads inside their campaigns), highest score first.
    pub fn duplicate_queue(&self, actor: &Actor, limit: usize) -> Result<Vec<DuplicatePair>> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReviewDuplicates)?;
            queue_pairs(conn, &grant, &PairReach::of(conn, &grant)?, &QueueFilter::default(), limit)
        })
    }

    /// The first `limit` pairs of the queue `filter` lets through, with how many the whole queue holds and how
    /// many of them the filter lets through: the app lists the highest scores, and says of how many.
    pub fn duplicate_queue_page(&self, actor: &Actor, filter: &QueueFilter, limit: usize) -> Result<QueuePage> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReviewDuplicates)?;
            let reach = PairReach::of(conn, &grant)?;
            let pairs = queue_pairs(conn, &grant, &reach, filter, limit)?;
            let listed = u32::try_from(pairs.len()).unwrap_or(u32::MAX);
            // A page that is not full is every pair the filter lets through: nothing more to count.
            let matching = if pairs.len() < limit { listed } else { count_visible(conn, &reach, filter)? };
            let open =
                if filter.is_everything() { matching } else { count_visible(conn, &reach, &QueueFilter::default())? };
            Ok(QueuePage { pairs, open, matching })
        })
    }

    /// The campaigns and sources the queue's filters offer the actor: those of the pairs they may see.
    pub fn duplicate_queue_facets(&self, actor: &Actor) -> Result<QueueFacets> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReviewDuplicates)?;
            let reach = PairReach::of(conn, &grant)?;
            // The reach decides what the reader sees (`for_each_visible_open` checks no more of a pair's leads
            // than it implies): no lead is loaded to learn its campaign.
            let mut values: Vec<(String, Option<String>)> = Vec::new();
            store::for_each_open_sides(conn, reach.owner(), &mut |p| {
                if reach.may_hold(p.lead_a, p.lead_b) {
                    values.extend([p.a, p.b]);
                }
            })?;
            Ok(facets_of(values))
        })
    }

    /// How many pairs the queue holds for the actor (as `duplicate_queue` would list them): what a scan followed
    /// by enrichment leaves, which is not the scan's count less the merges (a merge of three records of one
    /// person takes three pairs with two merges). The count a scan's run ends with, after its enrichment (so,
    /// as its other steps, not stopped by a password changed in the same window meanwhile).
    pub fn open_duplicate_pairs(&self, actor: &Actor) -> Result<u32> {
        self.db.read(|conn| {
            let grant = Self::grant_going_on(conn, actor, Permission::ReviewDuplicates)?;
            let reach = PairReach::of(conn, &grant)?;
            count_visible(conn, &reach, &QueueFilter::default())
        })
    }

    /// Sets a pair aside as "not a duplicate": it leaves the queue and is not asked about again until a matched
    /// field of either lead changes. Logged like any change.
    pub fn mark_not_duplicate(&self, actor: &Actor, pair_id: i64) -> Result<()> {
        self.mark_not_duplicate_as_seen(actor, pair_id, &[])
    }

    /// Takes back a "not a duplicate" (a key pressed by mistake, or a decision that no longer holds): the pair
    /// is open again, in the queue, logged. Nothing to do when it is open already (a merge takes its pair away:
    /// not found). Who may decide about the pair may take the decision back.
    pub fn reopen_pair(&self, actor: &Actor, pair_id: i64) -> Result<()> {
        self.db.write(|tx| {
            let (grant, row, _) = decidable_pair(tx, actor, pair_id)?;
            if row.status != "not_duplicate" {
                return Ok(());
            }
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            store::set_status(tx, pair_id, "open", None, &batch.at)?;
            changelog::record(tx, &batch, "duplicate_pair", pair_id, "status", Some("not_duplicate"), Some("open"))?;
            Ok(())
        })
    }

    /// [`Rapport::mark_not_duplicate`] of a pair a person compared: refused as a conflict, with nothing
    /// written, when either lead in `seen` has changed since the version given (a later edit may be what makes
    /// them one person).
    pub fn mark_not_duplicate_as_seen(&self, actor: &Actor, pair_id: i64, seen: &[super::SeenVersion]) -> Result<()> {
        self.db.write(|tx| {
            let (grant, row, pair) = decidable_pair(tx, actor, pair_id)?;
            super::merge::still_as_seen(&[&pair[0], &pair[1]], seen)?;
            if row.status == "not_duplicate" {
                return Ok(());
            }
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            store::set_status(tx, pair_id, "not_duplicate", grant.user_id, &batch.at)?;
            // The answer is about the leads as they are now (the versions were checked): the pair's fingerprint
            // is made of them, or the next scan would take an edit made since the pair was found, which left it
            // unrefreshed, for a change and ask again.
            if let (Some(a), Some(b)) =
                (incremental::fields_of(tx, row.lead_a)?, incremental::fields_of(tx, row.lead_b)?)
            {
                store::set_fingerprint(tx, pair_id, &fingerprint(&a, &b))?;
            }
            changelog::record(
                tx,
                &batch,
                "duplicate_pair",
                pair_id,
                "status",
                Some(&row.status),
                Some("not_duplicate"),
            )?;
            Ok(())
        })
    }
}

/// The first `limit` open pairs `filter` lets through that `grant` may see, highest score first.
fn queue_pairs(
    conn: &rusqlite::Connection,
    grant: &crate::access::Grant,
    reach: &PairReach,
    filter: &QueueFilter,
    limit: usize,
) -> Result<Vec<DuplicatePair>> {
    let mut out = Vec::new();
    if limit == 0 {
        return Ok(out);
    }
    let mut failed = None;
    for_each_visible_open(conn, grant, reach, filter, &mut |row, a, b| {
        let conflicts = super::merge::conflicts(&a, &b).into_iter().map(String::from).collect();
        // Judged on the campaign the merge ends with, as the merge judges it: A's, or B's when A has none.
        let campaign = super::merge::survive(&a, std::slice::from_ref(&b), &[]).campaign;
        let b_owner_may_own = match b.owner.as_ref().map(|o| crate::users::store::may_own(conn, o.id, &campaign)) {
            Some(Ok(may)) => may,
            Some(Err(e)) => {
                failed = Some(e);
                return false;
            }
            None => false,
        };
        out.push(DuplicatePair {
            b_owner_may_own,
            conflicts,
            id: row.id,
            score: row.score,
            tier: Tier::parse(&row.tier),
            evidence: super::evidence_as_seen(
                &grant.lead_scope(),
                serde_json::from_str(&row.evidence).unwrap_or_default(),
            ),
            a,
            b,
            found_at: row.found_at,
        });
        out.len() < limit
    })?;
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(out),
    }
}

/// How many open pairs `filter` lets through that the reader of `reach` may see: by the pairs' lead ids alone,
/// which is what `for_each_visible_open` lets through (the reach holds the leads inside the reader's campaigns,
/// and for an account manager the leads they own), without loading a lead.
fn count_visible(conn: &rusqlite::Connection, reach: &PairReach, filter: &QueueFilter) -> Result<u32> {
    if reach.is_everything() {
        return Ok(u32::try_from(store::count_open(conn, filter)?).unwrap_or(u32::MAX));
    }
    let mut n = 0u32;
    store::for_each_open_ids(conn, filter, reach.owner(), &mut |a, b| {
        if reach.may_hold(a, b) {
            n = n.saturating_add(1);
        }
    })?;
    Ok(n)
}

/// The filters' choices from the campaign and source of each lead of the pairs: each campaign once (case
/// aside, as the filter compares them; of its spellings, the first in byte order, so that every read offers
/// the same one), sorted; the sources in their usual order.
fn facets_of(values: Vec<(String, Option<String>)>) -> QueueFacets {
    let mut campaigns = std::collections::HashMap::<String, String>::new();
    let mut sources = HashSet::new();
    for (campaign, source) in values {
        let campaign = campaign.trim();
        if !campaign.is_empty() {
            campaigns
                .entry(campaign.to_ascii_lowercase())
                .and_modify(|kept| {
                    if campaign < kept.as_str() {
                        *kept = campaign.to_string();
                    }
                })
                .or_insert_with(|| campaign.to_string());
        }
        sources.extend(source.as_deref().and_then(SourceChannel::parse));
    }
    let mut campaigns: Vec<String> = campaigns.into_values().collect();
    campaigns.sort_by_key(|c| (c.to_lowercase(), c.clone()));
    QueueFacets { campaigns, sources: SourceChannel::ALL.into_iter().filter(|s| sources.contains(s)).collect() }
}

/// Each open pair `filter` lets through that `grant` may see, with its two leads, until `f` says stop; `reach`
/// (its id lists) sifts the pairs before any lead is loaded. Campaign isolation: a pair shows only when both of
/// its leads are inside the reader's campaigns; an account manager who is not a data steward sees the pairs with a
/// lead of their own. The queue, its counts and its filters' choices read the pairs through this one filter.
fn for_each_visible_open(
    conn: &rusqlite::Connection,
    grant: &crate::access::Grant,
    reach: &PairReach,
    filter: &QueueFilter,
    f: &mut dyn FnMut(store::QueueRow, crate::leads::Lead, crate::leads::Lead) -> bool,
) -> Result<()> {
    let scope = grant.lead_scope();
    store::for_each_open(conn, filter, reach.owner(), &mut |row| {
        if !reach.may_hold(row.lead_a, row.lead_b) {
            return Ok(true);
        }
        let (Some(a), Some(b)) = (leads::get(conn, row.lead_a)?, leads::get(conn, row.lead_b)?) else {
            return Ok(true);
        };
        if scope.allows_campaign(&a.campaign)
            && scope.allows_campaign(&b.campaign)
            && super::may_decide(grant, &[&a, &b]).is_ok()
        {
            return Ok(f(row, a, b));
        }
        Ok(true)
    })?;
    Ok(())
}
/// Pair `pair_id`, its two leads and the actor's grant, when the actor may decide about it: both leads in their
/// campaigns (else not found: its other lead is not theirs to know of), and theirs to decide.
fn decidable_pair(
    tx: &rusqlite::Transaction<'_>,
    actor: &Actor,
    pair_id: i64,
) -> Result<(crate::access::Grant, store::QueueRow, [crate::leads::Lead; 2])> {
    let grant = Rapport::grant(tx, actor, Permission::ReviewDuplicates)?;
    let scope = grant.lead_scope();
    let not_found = || Error::NotFound { entity: "duplicate pair", id: pair_id.to_string() };
    let row = store::get(tx, pair_id)?.ok_or_else(not_found)?;
    let lead = |id: i64| -> Result<crate::leads::Lead> {
        let lead = leads::get(tx, id)?.ok_or_else(not_found)?;
        if scope.allows_campaign(&lead.campaign) {
            Ok(lead)
        } else {
            Err(not_found())
        }
    };
    let pair = [lead(row.lead_a)?, lead(row.lead_b)?];
    super::may_decide(&grant, &[&pair[0], &pair[1]])?;
    Ok((grant, row, pair))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two spellings of one campaign offer the same one whatever order the pairs are read in: a filter chosen
    /// from one read still names a choice of the next.
    #[test]
    fn a_campaign_spelt_two_ways_is_offered_one_way_whatever_the_order() {
        let values = |names: &[&str]| names.iter().map(|n| (n.to_string(), None)).collect::<Vec<_>>();
        let one = facets_of(values(&["spring", " Spring ", "Autumn"]));
        let other = facets_of(values(&["Autumn", "Spring", "spring"]));
        assert_eq!(one.campaigns, ["Autumn", "Spring"]);
        assert_eq!(one, other);
    }
}
