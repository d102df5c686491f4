//! The first run's sample leads, taken out again: a database the app made on its first start holds 300
//! invented people, which would otherwise stay among the real leads for good (no lead is ever deleted else).
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::{fields, store};
use crate::access::{Actor, Permission};
use crate::audit::store as changelog;
use crate::audit::{ChangeReason, Origin};
use crate::db::StoreError;
use crate::error::Result;
use crate::rapport::Rapport;

/// What taking the sample leads out did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SampleDataRemoval {
    pub removed: u32,
    /// Sample leads someone worked on (an edit, an activity, a meeting, a merge): they are kept, as real work.
    pub kept: u32,
}

/// What the app says of the sample leads: how many are still there, and how many of them someone worked on
/// (those a removal keeps).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SampleData {
    pub leads: u32,
    pub worked_on: u32,
}

const DEMO: &str = "demo_data";

/// The sample leads still stored: created in a first run's batch.
fn sample_leads(conn: &Connection) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.entity_id FROM change_log c JOIN change_batches b ON b.id = c.batch_id
         WHERE b.reason = ?1 AND c.entity = 'lead' AND c.field = '*' AND c.old_value IS NULL
           AND EXISTS (SELECT 1 FROM leads l WHERE l.id = c.entity_id)
         ORDER BY c.entity_id",
    )?;
    let rows = stmt.query_map([DEMO], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether someone worked on sample lead `id`: a change of it by a person (not the first run, nor the
/// stagnation policy's daily sweep, which moves sample leads too), an activity a user logged, a meeting, a move
/// waiting for approval, a lead merged into it, a web form's submission of it.
fn worked_on(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "SELECT 1 FROM change_log c JOIN change_batches b ON b.id = c.batch_id
             WHERE c.entity = 'lead' AND c.entity_id = ?1 AND b.reason NOT IN (?2, 'policy', 'automation') LIMIT 1",
        )?
        .exists(params![id, DEMO])?;
    let by_user = conn
        .prepare_cached("SELECT 1 FROM activities WHERE lead_id = ?1 AND created_by IS NOT NULL LIMIT 1")?
        .exists([id])?;
    Ok(changed
        || by_user
        || crate::calendar::lead_has_appointments(conn, id)?
        || crate::pipeline::approvals::pending_for(conn, id)?.is_some()
        || crate::duplicates::store::holds_merged_leads(conn, id)?
        || crate::capture::lead_was_submitted(conn, id)?)
}

/// The first run's activities of lead `id` (its proposals), as (id, kind, subject).
fn sample_activities(tx: &Transaction<'_>, id: i64) -> Result<Vec<(i64, String, String)>, StoreError> {
    let mut stmt = tx.prepare_cached("SELECT id, kind, subject FROM activities WHERE lead_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn delete_activity(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM activities WHERE id = ?1")?.execute([id])?;
    Ok(())
}

fn first_run_batch(conn: &Connection) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM change_batches WHERE reason = ?1 ORDER BY id LIMIT 1")?
        .query_row([DEMO], |r| r.get(0))
        .optional()?)
}

impl Rapport {
    /// How many of the first run's sample leads are still stored (none on a database that never had them).
    pub fn sample_data(&self, actor: &Actor) -> Result<SampleData> {
        self.db.read(|c| {
            Self::grant(c, actor, Permission::ManageSettings)?;
            if first_run_batch(c)?.is_none() {
                return Ok(SampleData::default());
            }
            let ids = sample_leads(c)?;
            let mut worked = 0;
            for id in &ids {
                if worked_on(c, *id)? {
                    worked += 1;
                }
            }
            Ok(SampleData { leads: ids.len() as u32, worked_on: worked })
        })
    }

    /// Takes out the first run's sample leads nobody worked on (an Administrator's decision, in one
    /// transaction): each removal is logged with the lead's snapshot, as an import's undo logs it, and the
    /// sample activities go with their lead. A sample lead someone worked on stays: it is real work now.
    pub fn remove_sample_data(&self, actor: &Actor) -> Result<SampleDataRemoval> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            let mut out = SampleDataRemoval::default();
            let ids = sample_leads(tx)?;
            if ids.is_empty() {
                return Ok(out);
            }
            let origin = Origin { reason: ChangeReason::ManualEdit, source_ref: "sample data removed".into() };
            let batch = self.begin_batch(tx, &grant, &origin)?;
            for id in ids {
                if worked_on(tx, id)? {
                    out.kept += 1;
                    continue;
                }
                let Some(lead) = store::get(tx, id)? else { continue };
                for (activity, kind, subject) in sample_activities(tx, id)? {
                    let what = format!("{kind}: {subject} (sample data, removed with its lead)");
                    changelog::record(tx, &batch, "activity", activity, "*", Some(&what), None)?;
                    delete_activity(tx, activity)?;
                }
                crate::pipeline::stagnation::forget_unshown(tx, id)?;
                changelog::record(tx, &batch, "lead", id, "*", Some(&fields::snapshot(&lead)), None)?;
                store::delete(tx, id)?;
                out.removed += 1;
            }
            changelog::discard_empty(tx, &batch)?;
            Ok(out)
        })
    }
}
