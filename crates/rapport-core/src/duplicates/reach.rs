//! Which pairs a reader can reach, read once per queue rather than lead by lead.
use std::collections::HashSet;

use crate::access::{DuplicateReach, Grant, LeadScope};
use crate::error::Result;
use crate::leads::store as leads;

/// The pairs a reader can reach: the leads of their campaigns as ids read once per queue (a steward of one
/// campaign would otherwise have both leads of every open pair loaded to find theirs), and for an account
/// manager the owner whose leads' pairs the queue's SQL reads (see [`PairReach::owner`]). `None`: no limit of
/// that kind. Only a first sift: a pair it lets through is still checked lead by lead.
pub(crate) struct PairReach {
    in_scope: Option<HashSet<i64>>,
    owner: Option<i64>,
}

impl PairReach {
    pub(crate) fn of(conn: &rusqlite::Connection, grant: &Grant) -> Result<Self> {
        let in_scope = match grant.lead_scope() {
            LeadScope::All => None,
            scoped => Some(leads::ids_in_scope(conn, &scoped)?.into_iter().collect()),
        };
        let owner = match grant.duplicate_reach() {
            DuplicateReach::All => None,
            DuplicateReach::OwnLeads(me) => Some(me),
        };
        Ok(Self { in_scope, owner })
    }

    /// The user whose leads' pairs are the reader's only ones (an account manager who is not a data steward):
    /// the queue's reads are narrowed to those pairs in SQL, so no pair reaches `may_hold` without a lead of
    /// theirs.
    pub(crate) fn owner(&self) -> Option<i64> {
        self.owner
    }

    pub(crate) fn is_everything(&self) -> bool {
        self.in_scope.is_none() && self.owner.is_none()
    }

    pub(crate) fn may_hold(&self, a: i64, b: i64) -> bool {
        self.in_scope.as_ref().is_none_or(|ids| ids.contains(&a) && ids.contains(&b))
    }
}
