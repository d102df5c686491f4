//! Which pairs a reader can reach, read once per queue rather than lead by lead.
use std::collections::HashSet;

use crate::access::{DuplicateReach, Grant, LeadScope};
use crate::error::Result;
use crate::leads::store as leads;

/// The leads whose pairs can be a reader's, read once per queue: a steward of one campaign, or an account manager
/// and their own leads, would otherwise have both leads of every open pair loaded to find theirs (after a large
/// import, hundreds of thousands of pairs; 1.7 s for an owner's queue at 50,000 pairs). `None`: no limit of that
/// kind. Only a first sift: a pair it lets through is still checked lead by lead.
pub(crate) struct PairReach {
    in_scope: Option<HashSet<i64>>,
    owned: Option<HashSet<i64>>,
    owner: Option<i64>,
}

impl PairReach {
    pub(crate) fn of(conn: &rusqlite::Connection, grant: &Grant) -> Result<Self> {
        let in_scope = match grant.lead_scope() {
            LeadScope::All => None,
            scoped => Some(leads::ids_in_scope(conn, &scoped)?.into_iter().collect()),
        };
        let (owned, owner) = match grant.duplicate_reach() {
            DuplicateReach::All => (None, None),
            DuplicateReach::OwnLeads(me) => (Some(leads::ids_owned_by(conn, me)?.into_iter().collect()), Some(me)),
        };
        Ok(Self { in_scope, owned, owner })
    }

    /// The user whose leads' pairs are the reader's only ones (an account manager who is not a data steward):
    /// the queue is read from those leads rather than sifted pair by pair.
    pub(crate) fn owner(&self) -> Option<i64> {
        self.owner
    }

    pub(crate) fn is_everything(&self) -> bool {
        self.in_scope.is_none() && self.owned.is_none()
    }

    pub(crate) fn may_hold(&self, a: i64, b: i64) -> bool {
        self.in_scope.as_ref().is_none_or(|ids| ids.contains(&a) && ids.contains(&b))
            && self.owned.as_ref().is_none_or(|ids| ids.contains(&a) || ids.contains(&b))
    }
}
