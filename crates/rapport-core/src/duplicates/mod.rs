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
pub(crate) mod store;
mod tiers;

pub use incremental_api::PossibleDuplicate;
pub use merge::FieldChoice;
pub use model::{
    BulkMergeReport, DuplicatePair, EvidenceLine, FoundPair, MergeOutcome, MergeRecord, MergedLead, ScanPhase,
    ScanProgress, ScanReport, Tier, UnmergeOutcome,
};
pub use tiers::DuplicateTiers;
