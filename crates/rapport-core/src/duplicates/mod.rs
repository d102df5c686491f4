//! Duplicates: the full scan over the leads already in the database, and the data steward's review queue.
//!
//! The matching itself is the pure `rapport-match` crate (normalization, blocking, comparators, the
//! Fellegi–Sunter score); this feature reads the leads it needs ([`store`]), keeps the queue with each pair's
//! evidence, and remembers "not a duplicate" until a matched field of either lead changes.
mod api;
pub(crate) mod incremental;
pub(crate) mod incremental_api;
mod merge;
mod model;
mod reach;
pub(crate) mod store;
mod tiers;

pub(crate) use incremental::{is_unstored, Unstored, UNSTORED_FROM};
pub use incremental_api::PossibleDuplicate;
pub(crate) use incremental_api::{restore_decisions, Scored, Unsaved};
pub(crate) use merge::{disagree, enrichment, new_contacts, take_back, text_conflicts};
pub use merge::{FieldChoice, SeenVersion};

use crate::access::{AccessError, DuplicateReach, Grant};
use crate::leads::Lead;

/// Whether the actor may decide about a pair or merge of these leads: data stewards and Administrators about
/// any in their campaigns, others only when they own one of the leads.
pub(crate) fn may_decide(grant: &Grant, leads: &[&Lead]) -> Result<(), AccessError> {
    match grant.duplicate_reach() {
        DuplicateReach::All => Ok(()),
        DuplicateReach::OwnLeads(me) if leads.iter().any(|l| l.owner.as_ref().is_some_and(|o| o.id == me)) => Ok(()),
        DuplicateReach::OwnLeads(_) => Err(AccessError::NotSteward("decide about pairs of other people's leads")),
    }
}
/// The lead that lead `id` lives on in (itself, or the lead it was merged into), as `grant` may see it; None
/// when it is gone, or not the actor's to see: the living lead outside their campaigns, or `id` merged into it
/// from a campaign that is not theirs (its activities, notices and reminders stay its own, as on the timeline).
pub(crate) fn seen_through_merges(
    conn: &rusqlite::Connection,
    grant: &Grant,
    id: i64,
) -> crate::error::Result<Option<Lead>> {
    let Some(living) = store::living_lead(conn, id)? else { return Ok(None) };
    let lead = match crate::leads::api::visible_lead(conn, grant, living) {
        Ok(lead) => lead,
        Err(crate::error::Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    if living != id && !store::merged_into_in_scope(conn, living, &grant.lead_scope())?.contains(&id) {
        return Ok(None);
    }
    Ok(Some(lead))
}

/// The leads that leads merged away with reference `reference` in another system live on in (a survivor of
/// several such merges more than once: the caller's key lookup dedups with the living leads it finds).
pub(crate) fn living_by_external_ref(conn: &rusqlite::Connection, reference: &str) -> crate::error::Result<Vec<i64>> {
    Ok(store::merged_with_external_ref(conn, reference)?)
}

/// A pair's evidence as a reader of `scope` may read it. How many other leads share a value ("; shared with 3
/// other leads") is counted over every campaign: to a reader of some campaigns only, it told that others hold
/// this person's email, phone or company. It is left out for them (the line's weight stays: it is no count).
pub(crate) fn evidence_as_seen(scope: &crate::access::LeadScope, mut lines: Vec<EvidenceLine>) -> Vec<EvidenceLine> {
    if !matches!(scope, crate::access::LeadScope::All) {
        for line in &mut lines {
            if let Some(at) = line.text.find("; shared with ") {
                line.text.truncate(at);
            }
        }
    }
    lines
}

pub use model::{
    BulkMergeReport, DuplicatePair, EvidenceLine, FoundPair, MergeOutcome, MergeRecord, MergedLead, QueueFacets,
    QueueFilter, QueuePage, ScanPhase, ScanProgress, ScanReport, Tier, UnmergeOutcome,
};
pub use tiers::DuplicateTiers;
