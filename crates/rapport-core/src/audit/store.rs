//! The change log's SQL: who changed what, when, from which value to which, and why. Written only inside
//! the transaction of the change it records.
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::db::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ChangeReason {
    ManualEdit,
    Import,
    Capture,
    Merge,
    Automation,
    Policy,
    /// Demo data written on an empty first run.
    DemoData,
}

impl ChangeReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeReason::ManualEdit => "manual_edit",
            ChangeReason::Import => "import",
            ChangeReason::Capture => "capture",
            ChangeReason::Merge => "merge",
            ChangeReason::Automation => "automation",
            ChangeReason::Policy => "policy",
            ChangeReason::DemoData => "demo_data",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            ChangeReason::ManualEdit,
            ChangeReason::Import,
            ChangeReason::Capture,
            ChangeReason::Merge,
            ChangeReason::Automation,
            ChangeReason::Policy,
            ChangeReason::DemoData,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// The "who, when, why" shared by every row one operation writes.
#[derive(Debug, Clone)]
pub struct Batch {
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub at: String,
    pub reason: ChangeReason,
    /// Where the change came from beyond the reason: an import file, a form, a merge id.
    pub source_ref: String,
}

/// An open batch: rows recorded through it share its id, and the records it writes carry its time, so the
/// log's time and a record's `created_at`/`updated_at` are one clock reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchId {
    pub id: i64,
    pub at: String,
}

pub fn begin(tx: &Transaction<'_>, batch: &Batch) -> Result<BatchId, StoreError> {
    tx.prepare_cached(
        "INSERT INTO change_batches (at, actor_id, actor_name, reason, source_ref) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![batch.at, batch.actor_id, batch.actor_name, batch.reason.as_str(), batch.source_ref])?;
    Ok(BatchId { id: tx.last_insert_rowid(), at: batch.at.clone() })
}

pub fn record(
    tx: &Transaction<'_>,
    batch: &BatchId,
    entity: &str,
    entity_id: i64,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO change_log (batch_id, entity, entity_id, field, old_value, new_value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![batch.id, entity, entity_id, field, old, new])?;
    // Every move of a lead is a change-log row, so the stage history is written here, in the same transaction,
    // whichever path moved it (the form, an import, a merge, an undo).
    if entity == "lead" {
        crate::pipeline::history::follow(tx, batch, entity_id, field, old, new)?;
    }
    Ok(())
}

/// One recorded change. `field` is `*` for a creation, whose `new_value` is the JSON of the whole record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChangeEntry {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub batch_id: i64,
    pub at: String,
    /// The user's name when they made the change.
    pub actor_name: String,
    /// The user, when a person made it (not the system, an import's source or the capture API).
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub actor_id: Option<i64>,
    /// Their name now, when it is another one: a name a renamed user left may be someone else's since.
    pub actor_renamed_to: Option<String>,
    pub reason: ChangeReason,
    pub source_ref: String,
    pub entity: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub entity_id: i64,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// The record of a removal: what was removed (its "*" row's old value) and who removed it.
pub struct Removal {
    pub snapshot: String,
    pub actor_id: Option<i64>,
}

/// The latest removal of `entity` `entity_id` (a "*" row with an old value and no new one), if any.
pub fn last_removal(conn: &Connection, entity: &str, entity_id: i64) -> Result<Option<Removal>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT c.old_value, b.actor_id FROM change_log c JOIN change_batches b ON b.id = c.batch_id
             WHERE c.entity = ?1 AND c.entity_id = ?2 AND c.field = '*' AND c.old_value IS NOT NULL
               AND c.new_value IS NULL
             ORDER BY c.id DESC LIMIT 1",
        )?
        .query_row(params![entity, entity_id], |r| Ok(Removal { snapshot: r.get(0)?, actor_id: r.get(1)? }))
        .optional()?)
}

pub fn history(conn: &Connection, entity: &str, entity_id: i64, limit: u32) -> Result<Vec<ChangeEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.batch_id, b.at, b.actor_name, b.reason, b.source_ref, c.entity, c.entity_id, c.field,
                c.old_value, c.new_value, b.actor_id, u.username
         FROM change_log c JOIN change_batches b ON b.id = c.batch_id
         LEFT JOIN users u ON u.id = b.actor_id
         WHERE c.entity = ?1 AND c.entity_id = ?2
         ORDER BY c.id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![entity, entity_id, limit], |r| {
        let reason: String = r.get(4)?;
        let actor_name: String = r.get(3)?;
        let now: Option<String> = r.get(12)?;
        Ok(ChangeEntry {
            id: r.get(0)?,
            batch_id: r.get(1)?,
            at: r.get(2)?,
            actor_renamed_to: now.filter(|n| *n != actor_name),
            actor_name,
            actor_id: r.get(11)?,
            reason: ChangeReason::parse(&reason).unwrap_or(ChangeReason::ManualEdit),
            source_ref: r.get(5)?,
            entity: r.get(6)?,
            entity_id: r.get(7)?,
            field: r.get(8)?,
            old_value: r.get(9)?,
            new_value: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// One changed field of a batch: (field, old value, new value).
pub type FieldChange = (String, Option<String>, Option<String>);

/// The rows one batch wrote about one record, in the order they were written.
pub fn batch_changes(
    conn: &Connection,
    batch_id: i64,
    entity: &str,
    entity_id: i64,
) -> Result<Vec<FieldChange>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT field, old_value, new_value FROM change_log
         WHERE batch_id = ?1 AND entity = ?2 AND entity_id = ?3 ORDER BY id",
    )?;
    let rows = stmt.query_map(params![batch_id, entity, entity_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Whether a batch after `batch_id` wrote `field` of one record: a value that came back to what the batch wrote
/// (Acme, then Globex, then Acme again) was still changed since.
pub fn changed_after(
    conn: &Connection,
    entity: &str,
    entity_id: i64,
    batch_id: i64,
    field: &str,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM change_log WHERE entity = ?1 AND entity_id = ?2 AND batch_id > ?3 AND field = ?4 LIMIT 1",
        )?
        .exists(params![entity, entity_id, batch_id, field])?)
}

/// The latest batch that set `field` of one record to `value`.
pub fn last_change_to(
    conn: &Connection,
    entity: &str,
    entity_id: i64,
    field: &str,
    value: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT max(batch_id) FROM change_log WHERE entity = ?1 AND entity_id = ?2 AND field = ?3 AND new_value = ?4",
        )?
        .query_row(params![entity, entity_id, field, value], |r| r.get(0))?)
}

/// The batch that created one record (its `*` row), if the change log has it.
pub(crate) fn creation_batch(conn: &Connection, entity: &str, entity_id: i64) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT max(batch_id) FROM change_log WHERE entity = ?1 AND entity_id = ?2 AND field = '*'")?
        .query_row(params![entity, entity_id], |r| r.get(0))?)
}

/// The change-log row of the last change of `field` of one record (0: never changed).
pub(crate) fn last_change_id(conn: &Connection, entity: &str, entity_id: i64, field: &str) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT max(id) FROM change_log WHERE entity = ?1 AND entity_id = ?2 AND field = ?3")?
        .query_row(params![entity, entity_id, field], |r| r.get::<_, Option<i64>>(0))?
        .unwrap_or(0))
}

/// The records of `entity` whose `field` batch `batch_id` changed from `old` (the requests a merge closed).
pub(crate) fn changed_from_in_batch(
    conn: &Connection,
    batch_id: i64,
    entity: &str,
    field: &str,
    old: &str,
) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT entity_id FROM change_log WHERE batch_id = ?1 AND entity = ?2 AND field = ?3 AND old_value = ?4
         ORDER BY id",
    )?;
    let rows = stmt.query_map(params![batch_id, entity, field, old], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether `field` of one record was ever set to `value` (a pair a person set aside, reopened since).
pub(crate) fn ever_set_to(
    conn: &Connection,
    entity: &str,
    entity_id: i64,
    field: &str,
    value: &str,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM change_log WHERE entity = ?1 AND entity_id = ?2 AND field = ?3 AND new_value = ?4 LIMIT 1",
        )?
        .query_row(params![entity, entity_id, field, value], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Whether `field` of one record was changed after change-log row `after` by anyone but `actor_id` (the core's
/// own work and a recovery without signing in count as someone else).
pub(crate) fn changed_by_another_after(
    conn: &Connection,
    entity: &str,
    entity_id: i64,
    field: &str,
    after: i64,
    actor_id: i64,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM change_log c JOIN change_batches b ON b.id = c.batch_id
             WHERE c.entity = ?1 AND c.entity_id = ?2 AND c.field = ?3 AND c.id > ?4
               AND b.actor_id IS NOT ?5 LIMIT 1",
        )?
        .query_row(params![entity, entity_id, field, after, actor_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// One change of a field: why its batch was written and where from (its source), the old value and the new.
pub type ReasonedChange = (Option<ChangeReason>, String, Option<String>, Option<String>);

/// The changes of field `field` of one record, newest first.
pub fn field_changes(
    conn: &Connection,
    entity: &str,
    entity_id: i64,
    field: &str,
) -> Result<Vec<ReasonedChange>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.reason, b.source_ref, c.old_value, c.new_value
         FROM change_log c JOIN change_batches b ON b.id = c.batch_id
         WHERE c.entity = ?1 AND c.entity_id = ?2 AND c.field = ?3 ORDER BY c.id DESC",
    )?;
    let rows = stmt.query_map(params![entity, entity_id, field], |r| {
        let reason: String = r.get(0)?;
        Ok((ChangeReason::parse(&reason), r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every value field `field` of one record held in changes made at or after `since` (RFC 3339): the old and the
/// new of each, in no order.
pub fn values_since(
    conn: &Connection,
    entity: &str,
    entity_id: i64,
    field: &str,
    since: &str,
) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.old_value, c.new_value FROM change_log c JOIN change_batches b ON b.id = c.batch_id
         WHERE c.entity = ?1 AND c.entity_id = ?2 AND c.field = ?3 AND b.at >= ?4",
    )?;
    let rows = stmt.query_map(params![entity, entity_id, field, since], |r| {
        Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (old, new) = row?;
        out.extend(old.into_iter().chain(new));
    }
    Ok(out)
}

/// The latest batch before `before` that set `field` of one record to `value`.
pub(crate) fn last_change_to_before(
    conn: &Connection,
    (entity, entity_id, field): (&str, i64, &str),
    value: &str,
    before: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT max(batch_id) FROM change_log
             WHERE entity = ?1 AND entity_id = ?2 AND field = ?3 AND new_value = ?4 AND batch_id < ?5",
        )?
        .query_row(params![entity, entity_id, field, value, before], |r| r.get(0))?)
}

/// What batch `batch_id` names as its source ("undo of change 5", "unmerge of merge 4", a file); None when
/// there is no such batch.
pub(crate) fn batch_source(conn: &Connection, batch_id: i64) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT source_ref FROM change_batches WHERE id = ?1")?
        .query_row([batch_id], |r| r.get(0))
        .optional()?)
}

/// Why batch `batch_id` was written; None when there is no such batch.
pub fn batch_reason(conn: &Connection, batch_id: i64) -> Result<Option<ChangeReason>, StoreError> {
    let reason: Option<String> = conn
        .prepare_cached("SELECT reason FROM change_batches WHERE id = ?1")?
        .query_row([batch_id], |r| r.get(0))
        .optional()?;
    Ok(reason.as_deref().and_then(ChangeReason::parse))
}

/// Removes a batch that recorded nothing (an import that changed nothing leaves no trace).
pub fn discard_empty(tx: &Transaction<'_>, batch: &BatchId) -> Result<(), StoreError> {
    tx.prepare_cached(
        "DELETE FROM change_batches WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM change_log WHERE batch_id = ?1)",
    )?
    .execute([batch.id])?;
    Ok(())
}

/// One change-log row of a batch: (entity id, field, old value, new value).
pub type EntityChange = (i64, String, Option<String>, Option<String>);

/// Every row one batch wrote about records of `entity`.
pub fn batch_rows_of(conn: &Connection, batch_id: i64, entity: &str) -> Result<Vec<EntityChange>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT entity_id, field, old_value, new_value FROM change_log WHERE batch_id = ?1 AND entity = ?2 ORDER BY id",
    )?;
    let rows = stmt.query_map(params![batch_id, entity], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// How many records of `entity` one batch wrote about.
pub fn records_of_batch(conn: &Connection, batch_id: i64, entity: &str) -> Result<u32, StoreError> {
    Ok(conn
        .prepare_cached("SELECT count(DISTINCT entity_id) FROM change_log WHERE batch_id = ?1 AND entity = ?2")?
        .query_row(params![batch_id, entity], |r| r.get(0))?)
}

/// Marks a batch as written by import `import_id`: the import's channel, file and template then stand behind
/// every change-log row of the batch.
pub fn tag_import(tx: &Transaction<'_>, batch_id: i64, import_id: i64) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE change_batches SET import_id = ?2 WHERE id = ?1")?.execute([batch_id, import_id])?;
    Ok(())
}

/// The leads an import (its one parameter) created or changed, as a subquery a list narrows by: the import's
/// batches, then each batch's rows. The CROSS JOIN keeps that order: left to choose, SQLite read every lead's
/// change rows by entity and asked each whether its batch was the import's.
pub const LEADS_OF_IMPORT: &str =
    "SELECT c.entity_id FROM change_batches b CROSS JOIN change_log c ON c.batch_id = b.id
     WHERE b.import_id = ? AND c.entity = 'lead'";

/// The change batches import `import_id` wrote, newest first, below `below` when given (an undo's cursor).
pub fn batches_of_import(conn: &Connection, import_id: i64, below: Option<i64>) -> Result<Vec<i64>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM change_batches WHERE import_id = ?1 AND id < ?2 ORDER BY id DESC")?;
    let rows = stmt.query_map(params![import_id, below.unwrap_or(i64::MAX)], |r| r.get(0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Whether an undo's batches (edits of no import) of source `source_ref` other than `except` changed the record.
pub fn changed_by_source(
    conn: &Connection,
    entity: &str,
    entity_id: i64,
    source_ref: &str,
    except: i64,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM change_log l JOIN change_batches b ON b.id = l.batch_id
             WHERE l.entity = ?1 AND l.entity_id = ?2 AND b.source_ref = ?3 AND b.id != ?4
               AND b.import_id IS NULL AND b.reason = 'manual_edit' LIMIT 1",
        )?
        .exists(params![entity, entity_id, source_ref, except])?)
}

/// A change to a record made after a point of an import by a batch that was neither that import's nor its undo's.
#[derive(Debug, Clone)]
pub struct LaterChange {
    pub field: String,
    pub at: String,
    pub actor_name: String,
    /// The import whose chunk made it, if an import did.
    pub import_id: Option<i64>,
    pub source_ref: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// Why its batch was written (`Reason::as_str`): a policy's or an automation's move is no one's work.
    pub reason: String,
}

/// The changes to a record made after batch `after` by batches that are neither import `import_id`'s nor its
/// undo's (source `undo_ref`, which reverts the import's later chunks first), oldest first. An undo's batch is
/// an edit of no import under that reference: another import's, whose file may be named so, is not. What an undo of the
/// import must not overwrite, unless they were taken back since (another import undone).
pub fn changes_outside_import(
    conn: &Connection,
    entity: &str,
    entity_id: i64,
    after: i64,
    import_id: i64,
    undo_ref: &str,
) -> Result<Vec<LaterChange>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.field, b.at, b.actor_name, b.import_id, b.source_ref, l.old_value, l.new_value, b.reason
         FROM change_log l JOIN change_batches b ON b.id = l.batch_id
         WHERE l.entity = ?1 AND l.entity_id = ?2 AND l.batch_id > ?3 AND b.import_id IS NOT ?4
           AND NOT (b.import_id IS NULL AND b.reason = 'manual_edit' AND b.source_ref = ?5)
         ORDER BY l.id",
    )?;
    let rows = stmt.query_map(params![entity, entity_id, after, import_id, undo_ref], |r| {
        Ok(LaterChange {
            field: r.get(0)?,
            at: r.get(1)?,
            actor_name: r.get(2)?,
            import_id: r.get(3)?,
            source_ref: r.get(4)?,
            old: r.get(5)?,
            new: r.get(6)?,
            reason: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list narrowed to an import reads the import's batches, then their rows, by their indexes: not every
    /// lead's change rows (millions in a large store) to ask each for its batch.
    #[test]
    fn the_leads_of_an_import_are_read_through_its_batches() {
        let plan: Vec<String> =
            crate::test_support::query_plan(LEADS_OF_IMPORT, [7]).into_iter().map(|(_, step)| step).collect();
        assert!(plan[0].contains("INDEX change_batches_by_import (import_id=?)"), "{plan:?}");
        assert!(plan[1].contains("INDEX change_log_by_batch (batch_id=?)"), "{plan:?}");
    }
}
