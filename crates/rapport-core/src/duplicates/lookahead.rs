//! The duplicate check of an import's rows, split across two cores. Its reads (some fourteen key lookups and
//! thirty candidates' fields per row, on a large store) are most of what the check costs, and nothing the
//! writer does needs them done on its own connection: a helper thread makes them on a read connection, a few
//! rows ahead of the writer, against the store as the writer's transaction began ([`prefetch`]). The writer
//! then adds what its own transaction wrote since ([`Journal`]: the leads whose keys it stored) and finds
//! exactly the pairs it would have found alone ([`Unsaved::matches_prefetched`]).
use std::collections::{HashMap, HashSet};

use rapport_match::{compare, Comparison, Model, Prepared};
use rusqlite::Connection;

use super::incremental::{self, KeyEntry, Nearest, Unstored};
use super::incremental_api::{Scored, Unsaved};
use crate::error::Result;

/// A row's check against the store as a transaction began: each key's nearest in the tables, and the
/// candidates they give, scored.
pub(crate) struct Prefetched {
    /// What the row was prepared as: the writer uses the rest only for the same fields.
    prepared: Prepared,
    near: Vec<Nearest>,
    /// Every candidate scored, and those at or above the review tier with their scores.
    looked: HashSet<i64>,
    scored: HashMap<i64, (f64, Comparison, Prepared)>,
}

/// The check of `unsaved` against the store `conn` reads (the helper's read transaction).
pub(crate) fn prefetch(conn: &Connection, model: &Model, unsaved: &Unsaved) -> Result<Prefetched> {
    let (p, entries) = unsaved.parts();
    let mut near = Vec::with_capacity(entries.len());
    let mut ids = HashSet::new();
    for e in entries {
        let n = incremental::table_nearest(conn, 0, e)?;
        incremental::window_of(e, n.clone(), None, &mut ids);
        near.push(n);
    }
    let mut scored = HashMap::new();
    for &other in &ids {
        let Some(q) = incremental::fields_of(conn, other)? else { continue };
        let c = compare::compare(p, &q);
        let score = model.score(p, &q, &c);
        if model.tier(score) != rapport_match::Tier::Different {
            scored.insert(other, (score, c, q));
        }
    }
    Ok(Prefetched { prepared: p.clone(), near, looked: ids, scored })
}

/// The leads whose keys a transaction stored, with those keys: the difference between what the helper read
/// and what the writer's transaction holds.
#[derive(Default)]
pub(crate) struct Journal {
    keys: Unstored,
    indexed: HashSet<i64>,
}

impl Journal {
    pub(crate) fn record(&mut self, id: i64, entries: &[KeyEntry]) {
        self.keys.add_keys(id, entries);
        self.indexed.insert(id);
    }
}

impl Unsaved {
    /// What [`Unsaved::matches`] finds in the writer's transaction `conn`, from `pre` (read as the transaction
    /// began) and `journal` (what it stored since). A key whose nearest in `pre` name a lead indexed since is
    /// read again (its entries there may be gone); a candidate indexed since is scored on its fields now.
    pub(crate) fn matches_prefetched(
        &self,
        conn: &Connection,
        model: &Model,
        scope: &crate::access::LeadScope,
        pre: Prefetched,
        journal: &Journal,
    ) -> Result<Vec<Scored>> {
        let (p, entries) = self.parts();
        if pre.prepared != *p || pre.near.len() != entries.len() {
            return self.matches(conn, model, scope, None);
        }
        let mut ids = HashSet::new();
        for (e, near) in entries.iter().zip(pre.near) {
            let stale = near.iter().flatten().any(|(_, id)| journal.indexed.contains(id));
            let near = if stale { incremental::table_nearest(conn, 0, e)? } else { near };
            incremental::window_of(e, near, Some(&journal.keys), &mut ids);
        }
        let mut ids: Vec<i64> = ids.into_iter().collect();
        ids.sort_unstable();
        let mut scored = pre.scored;
        let mut out = Vec::new();
        for other in ids {
            if journal.indexed.contains(&other) || !pre.looked.contains(&other) {
                let Some(q) = incremental::fields_of(conn, other)? else { continue };
                let c = compare::compare(p, &q);
                let score = model.score(p, &q, &c);
                if model.tier(score) != rapport_match::Tier::Different {
                    out.push((other, score, c, q));
                }
            } else if let Some((score, c, q)) = scored.remove(&other) {
                out.push((other, score, c, q));
            }
        }
        self.visible_and_ranked(conn, model, scope, out)
    }
}
