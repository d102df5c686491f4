//! A merged lead's appointments follow it to the survivor, and go back on unmerge: recorded in the merge's
//! own change batch, which is what unmerge reads.
use rusqlite::Transaction;

use super::store;
use crate::audit::store::{self as changelog, BatchId};
use crate::error::Result;

pub(crate) fn follow_merge(tx: &Transaction<'_>, batch: &BatchId, merged: i64, survivor: i64) -> Result<()> {
    for id in store::move_lead(tx, merged, survivor)? {
        changelog::record(
            tx,
            batch,
            "appointment",
            id,
            "lead",
            Some(&merged.to_string()),
            Some(&survivor.to_string()),
        )?;
    }
    Ok(())
}

/// Moves back the appointments merge `merge_batch` moved, unless one was given another lead since.
pub(crate) fn undo_merge(tx: &Transaction<'_>, merge_batch: i64, batch: &BatchId) -> Result<()> {
    for (id, field, old, new) in changelog::batch_rows_of(tx, merge_batch, "appointment")? {
        let (Some(old), Some(new)) = (old.and_then(|o| o.parse::<i64>().ok()), new.and_then(|n| n.parse::<i64>().ok()))
        else {
            continue;
        };
        if field != "lead" {
            continue;
        }
        if let Some(row) = store::get(tx, id)? {
            if row.lead_id == Some(new) {
                store::set_lead(tx, id, Some(old))?;
                changelog::record(
                    tx,
                    batch,
                    "appointment",
                    id,
                    "lead",
                    Some(&new.to_string()),
                    Some(&old.to_string()),
                )?;
            }
        }
    }
    Ok(())
}
