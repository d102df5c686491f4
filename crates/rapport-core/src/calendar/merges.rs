//! A merged lead's appointments and invitations follow it to the survivor, and go back on unmerge: recorded
//! in the merge's own change batch, which is what unmerge reads.
use rusqlite::Transaction;

use super::store;
use crate::audit::store::{self as changelog, BatchId};
use crate::error::Result;

/// The change-log field of an invitation's link to a lead: one row per attendee address, so unmerge gives
/// back exactly the invitations the merge moved (the lead of the appointment is field `lead`).
const ATTENDEE: &str = "attendee:";

fn log_lead(tx: &Transaction<'_>, batch: &BatchId, id: i64, field: &str, from: i64, to: i64) -> Result<()> {
    changelog::record(tx, batch, "appointment", id, field, Some(&from.to_string()), Some(&to.to_string()))?;
    Ok(())
}

pub(crate) fn follow_merge(tx: &Transaction<'_>, batch: &BatchId, merged: i64, survivor: i64) -> Result<()> {
    let moved = store::move_lead(tx, merged, survivor)?;
    for id in moved.appointments {
        log_lead(tx, batch, id, "lead", merged, survivor)?;
    }
    for (id, email) in moved.attendees {
        log_lead(tx, batch, id, &format!("{ATTENDEE}{email}"), merged, survivor)?;
    }
    Ok(())
}

/// Moves back the appointments and invitations merge `merge_batch` moved, unless one was given another lead
/// since. A merge recorded before invitations were logged has no attendee rows: the attendees of the
/// appointments it moved go back with them, as they did then.
pub(crate) fn undo_merge(tx: &Transaction<'_>, merge_batch: i64, batch: &BatchId) -> Result<()> {
    let rows = changelog::batch_rows_of(tx, merge_batch, "appointment")?;
    let attendees_logged = rows.iter().any(|(_, field, _, _)| field.starts_with(ATTENDEE));
    for (id, field, old, new) in rows {
        let (Some(old), Some(new)) = (old.and_then(|o| o.parse::<i64>().ok()), new.and_then(|n| n.parse::<i64>().ok()))
        else {
            continue;
        };
        if field == "lead" {
            if store::get(tx, id)?.is_some_and(|row| row.lead_id == Some(new)) {
                let attendees = store::set_lead(tx, id, Some(old), !attendees_logged)?;
                log_lead(tx, batch, id, "lead", new, old)?;
                for email in attendees {
                    log_lead(tx, batch, id, &format!("{ATTENDEE}{email}"), new, old)?;
                }
            }
        } else if let Some(email) = field.strip_prefix(ATTENDEE) {
            if store::attendee_lead(tx, id, email)? == Some(Some(new)) {
                store::link_attendee(tx, id, email, old)?;
                log_lead(tx, batch, id, &field, new, old)?;
            }
        }
    }
    Ok(())
}
