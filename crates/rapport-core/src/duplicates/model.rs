//! What the queue and the scan hand to the app and the CLI.
use serde::{Deserialize, Serialize};

use crate::leads::{Lead, SourceChannel};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Almost surely one person.
    Same,
    /// Possibly one person: a person decides.
    Review,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Same => "same",
            Tier::Review => "review",
        }
    }

    pub(crate) fn parse(s: &str) -> Self {
        if s == "same" {
            Tier::Same
        } else {
            Tier::Review
        }
    }
}

/// One piece of evidence about a pair, as the steward reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EvidenceLine {
    /// "first name", "last name", "address", "email", "phone", "company".
    pub field: String,
    /// "exact", "close", "weak", "different" or "missing".
    pub level: String,
    /// How much it moved the score, in bits: positive for the same person, negative against.
    pub weight: f64,
    /// "last name: similar (94% alike in spelling)".
    pub text: String,
}

/// A pair in the review queue, with both leads for the side-by-side comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DuplicatePair {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    /// The probability (0..1) that the two leads are one person.
    pub score: f64,
    pub tier: Tier,
    pub a: Lead,
    pub b: Lead,
    pub evidence: Vec<EvidenceLine>,
    pub found_at: String,
    /// Fields where the two leads hold different values: why a *same* pair waits for a person.
    pub conflicts: Vec<String>,
    /// Whether lead B's owner may own the merged lead (active, not a Viewer, working on lead A's campaign): only
    /// then does a merge into A, which has no owner, give it B's, and only then may a steward choose B's.
    pub b_owner_may_own: bool,
}

/// What a steward narrows the review queue to; the default lets every pair through.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QueueFilter {
    /// Only pairs of this tier.
    #[serde(default)]
    pub tier: Option<Tier>,
    /// Only pairs with a lead in this campaign (case aside); empty: any.
    #[serde(default)]
    pub campaign: String,
    /// Only pairs with a lead from this source.
    #[serde(default)]
    pub source: Option<SourceChannel>,
    /// Only pairs with a lead this import created or changed (an import report's "Review its pairs"): what
    /// the import queued, and the earlier pairs of the leads it updated.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub import_id: Option<i64>,
}

impl QueueFilter {
    pub fn is_everything(&self) -> bool {
        self.tier.is_none() && self.campaign.trim().is_empty() && self.source.is_none() && self.import_id.is_none()
    }
}

/// A page of the review queue with what the whole queue holds: the app reads the highest-scoring pairs, and
/// its counts and filters must speak of every pair, not only of those read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QueuePage {
    /// The first pairs the filter lets through, highest score first.
    pub pairs: Vec<DuplicatePair>,
    /// Open pairs the actor may see, whatever the filter.
    pub open: u32,
    /// Of them, the ones the filter lets through.
    pub matching: u32,
}

/// The values the queue's filters offer: those of the leads of the pairs the actor may see, so that no choice
/// shows nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QueueFacets {
    /// Their campaigns, as stored, sorted without regard to case.
    pub campaigns: Vec<String>,
    /// Their sources, in the order of [`SourceChannel::ALL`].
    pub sources: Vec<SourceChannel>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ScanPhase {
    Reading,
    Matching,
    Saving,
    /// Merging the same-tier pairs without a conflict, after the scan.
    Enriching,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScanProgress {
    pub phase: ScanPhase,
    pub done: u32,
    pub total: u32,
    /// `done` and `total` are thousandths of the phase, not leads or pairs: a steward limited to some campaigns
    /// scans every lead, but is not told how many leads and pairs the whole store holds.
    pub thousandths: bool,
}

impl ScanProgress {
    /// `done` of `total` in `phase`, as counts, or as thousandths when `counts_hidden`.
    pub fn of(phase: ScanPhase, done: u32, total: u32, counts_hidden: bool) -> ScanProgress {
        if !counts_hidden {
            return ScanProgress { phase, done, total, thousandths: false };
        }
        let done = if total == 0 { 0 } else { (u64::from(done.min(total)) * 1000 / u64::from(total)) as u32 };
        ScanProgress { phase, done, total: if total == 0 { 0 } else { 1000 }, thousandths: true }
    }
}

/// One pair found by a scan, for scripts (`rapport duplicates scan`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FoundPair {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_a: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_b: i64,
    pub external_ref_a: String,
    pub external_ref_b: String,
    pub score: f64,
    pub tier: Tier,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScanReport {
    pub leads: u32,
    /// Pairs at or above the review tier, including those a steward already called "not a duplicate".
    pub pairs: Vec<FoundPair>,
    /// Pairs now open in the queue.
    pub open: u32,
    /// Pairs still set aside as "not a duplicate" (their matched fields have not changed).
    pub kept_apart: u32,
    pub seconds: f64,
}

/// A merge done: the surviving lead, and the merge's id (its change batch), which unmerge takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MergeOutcome {
    pub lead: Lead,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub merge_id: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UnmergeOutcome {
    pub survivor: Lead,
    pub restored: Vec<Lead>,
}

/// A merge into a lead, as its page lists it (with the way back).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MergeRecord {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub merge_id: i64,
    pub at: String,
    pub actor_name: String,
    /// The leads merged in, by id and name, as they were.
    pub merged: Vec<MergedLead>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MergedLead {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SkippedPair {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub pair_id: i64,
    pub reason: String,
}

/// What a bulk accept did: the merges (each with its own id for unmerge) and the pairs it could not merge.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BulkMergeReport {
    pub merged: Vec<MergeOutcome>,
    pub skipped: Vec<SkippedPair>,
}
