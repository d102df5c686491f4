//! The SQL of imports: batches, their rejected rows, what an undo kept, and mapping templates.
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::model::{
    ColumnMapping, FileFormat, ImportPlan, ImportStatus, ImportTemplate, NaturalKey, OutcomeCounts, UndoKept,
    UndoReport,
};
use crate::db::StoreError;
use crate::error::FieldError;
use crate::leads::SourceChannel;

pub(crate) struct NewBatch<'a> {
    pub file_name: &'a str,
    pub file_path: &'a str,
    pub file_size: u64,
    pub file_digest: &'a str,
    pub format: FileFormat,
    pub channel: SourceChannel,
    pub source_detail: &'a str,
    pub plan: &'a ImportPlan,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub at: &'a str,
    pub rows_total: Option<u32>,
    /// A text file's separator; empty for a workbook.
    pub delimiter: &'a str,
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Migration 029: `import_batches.delimiter` (migration 025's second column), where a file upgraded by an early
/// build of 025 lacks it.
pub(crate) fn add_delimiter_column(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let has = tx.prepare("SELECT 1 FROM pragma_table_info('import_batches') WHERE name = 'delimiter'")?.exists([])?;
    if !has {
        tx.execute_batch("ALTER TABLE import_batches ADD COLUMN delimiter TEXT NOT NULL DEFAULT ''")?;
    }
    Ok(())
}

pub(crate) fn insert_batch(tx: &Transaction<'_>, b: &NewBatch<'_>) -> Result<i64, StoreError> {
    tx.prepare_cached(
        "INSERT INTO import_batches (file_name, file_path, file_size, file_digest, format, channel, source_detail,
             template, plan, actor_id, actor_name, started_at, status, rows_total, delimiter)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'running', ?13, ?14)",
    )?
    .execute(params![
        b.file_name,
        b.file_path,
        b.file_size as i64,
        b.file_digest,
        b.format.as_str(),
        b.channel.as_str(),
        b.source_detail,
        b.plan.template,
        json(b.plan),
        b.actor_id,
        b.actor_name,
        b.at,
        b.rows_total,
        b.delimiter,
    ])?;
    Ok(tx.last_insert_rowid())
}

#[derive(Debug, Clone)]
pub(crate) struct BatchRow {
    pub id: i64,
    pub file_name: String,
    pub file_path: String,
    pub file_size: u64,
    pub file_digest: String,
    pub format: FileFormat,
    pub channel: SourceChannel,
    pub source_detail: String,
    pub template: Option<String>,
    pub plan: ImportPlan,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: ImportStatus,
    pub rows_done: u32,
    pub rows_total: Option<u32>,
    pub counts: OutcomeCounts,
    pub error: Option<String>,
    pub undo_cursor: Option<i64>,
    pub undo: Option<UndoReport>,
    pub delimiter: String,
}

const BATCH_COLUMNS: &str = "id, file_name, file_path, file_size, file_digest, format, channel, source_detail,
    template, plan, actor_id, actor_name, started_at, finished_at, status, rows_done, rows_total, counts, error,
    undo_cursor, undo_report, delimiter";

fn batch_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BatchRow> {
    let plan: String = r.get(9)?;
    let counts: String = r.get(17)?;
    let undo: Option<String> = r.get(20)?;
    let format: String = r.get(5)?;
    let channel: String = r.get(6)?;
    Ok(BatchRow {
        id: r.get(0)?,
        file_name: r.get(1)?,
        file_path: r.get(2)?,
        file_size: r.get::<_, i64>(3)? as u64,
        file_digest: r.get(4)?,
        format: if format == "excel" { FileFormat::Excel } else { FileFormat::Csv },
        channel: SourceChannel::parse(&channel).unwrap_or(SourceChannel::BulkImport),
        source_detail: r.get(7)?,
        template: r.get(8)?,
        plan: serde_json::from_str(&plan)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(9, rusqlite::types::Type::Text, Box::new(e)))?,
        actor_id: r.get(10)?,
        actor_name: r.get(11)?,
        started_at: r.get(12)?,
        finished_at: r.get(13)?,
        status: ImportStatus::parse(&r.get::<_, String>(14)?),
        rows_done: r.get(15)?,
        rows_total: r.get(16)?,
        counts: serde_json::from_str(&counts).unwrap_or_default(),
        error: r.get(18)?,
        undo_cursor: r.get(19)?,
        undo: undo.and_then(|u| serde_json::from_str(&u).ok()),
        delimiter: r.get(21)?,
    })
}

pub(crate) fn batch(conn: &Connection, id: i64) -> Result<Option<BatchRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {BATCH_COLUMNS} FROM import_batches WHERE id = ?1"))?
        .query_row([id], batch_row)
        .optional()?)
}

/// The newest `limit` batches, of everyone (`by` None) or of one user: filtered before the limit, so a user's
/// older imports are not crowded out by everyone else's.
pub(crate) fn batches(conn: &Connection, limit: u32, by: Option<i64>) -> Result<Vec<BatchRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {BATCH_COLUMNS} FROM import_batches WHERE ?2 IS NULL OR actor_id = ?2
         ORDER BY started_at DESC, id DESC LIMIT ?1"
    ))?;
    let rows = stmt.query_map(params![limit, by], batch_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The files of batches a resume may still read (not finished, not undone).
pub(crate) fn files_still_read(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT file_path FROM import_batches WHERE status IN ('running', 'interrupted', 'cancelled', 'failed')",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Batches some process left running or undoing (whether that process still lives is for the caller to tell).
pub(crate) fn unfinished(conn: &Connection) -> Result<Vec<(i64, ImportStatus)>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT id, status FROM import_batches WHERE status IN ('running', 'undoing')")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, ImportStatus::parse(&r.get::<_, String>(1)?))))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Records that `rows_done` records are in, with the counts so far: written in each chunk's transaction.
pub(crate) fn advance(tx: &Transaction<'_>, id: i64, rows_done: u32, counts: &OutcomeCounts) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE import_batches SET rows_done = ?2, counts = ?3 WHERE id = ?1")?.execute(params![
        id,
        rows_done,
        json(counts)
    ])?;
    Ok(())
}

pub(crate) fn set_status(
    conn: &Connection,
    id: i64,
    status: ImportStatus,
    finished_at: Option<&str>,
    error: Option<&str>,
) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE import_batches SET status = ?2, finished_at = ?3, error = ?4 WHERE id = ?1")?
        .execute(params![id, status.as_str(), finished_at, error])?;
    Ok(())
}

pub(crate) fn insert_reject(
    tx: &Transaction<'_>,
    id: i64,
    line: u32,
    cells: &[String],
    errors: &[FieldError],
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO import_rejects (import_id, line, cells, errors) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, line, json(&cells), json(&errors)])?;
    Ok(())
}

pub(crate) type Reject = (u32, Vec<String>, Vec<FieldError>);

/// The most cells a rejected row of import `id` has (the rejected rows' file is as wide as its widest row).
pub(crate) fn rejects_width(conn: &Connection, id: i64) -> Result<usize, StoreError> {
    let width: i64 = conn
        .prepare_cached(
            "SELECT coalesce(max(CASE WHEN json_valid(cells) THEN json_array_length(cells) END), 0)
             FROM import_rejects WHERE import_id = ?1",
        )?
        .query_row([id], |r| r.get(0))?;
    Ok(usize::try_from(width).unwrap_or(0))
}

/// Each rejected row of import `id` in the order of its lines, one at a time (a file may have a million), until
/// `each` fails; its error is returned.
pub(crate) fn for_each_reject<E: From<StoreError>>(
    conn: &Connection,
    id: i64,
    each: &mut dyn FnMut(Reject) -> Result<(), E>,
) -> Result<(), E> {
    let mut stmt = conn
        .prepare_cached("SELECT line, cells, errors FROM import_rejects WHERE import_id = ?1 ORDER BY line")
        .map_err(StoreError::from)?;
    let mut rows = stmt.query([id]).map_err(StoreError::from)?;
    while let Some(r) = rows.next().map_err(StoreError::from)? {
        let read = |r: &rusqlite::Row<'_>| -> rusqlite::Result<Reject> {
            let (cells, errors): (String, String) = (r.get(1)?, r.get(2)?);
            // Written by the run as JSON; a value that no longer reads keeps its line, with the reason said.
            let cells = serde_json::from_str(&cells).unwrap_or_default();
            let errors = serde_json::from_str(&errors)
                .unwrap_or_else(|_| vec![FieldError::new("row", "its reasons could not be read back")]);
            Ok((r.get(0)?, cells, errors))
        };
        each(read(r).map_err(StoreError::from)?)?;
    }
    Ok(())
}

/// Where an undo is: the lowest change batch undone so far, and what it did.
pub(crate) fn set_undo(tx: &Transaction<'_>, id: i64, cursor: i64, report: &UndoReport) -> Result<(), StoreError> {
    // The report's `kept` list lives in import_undo_kept; the column holds the counts.
    let counts = UndoReport { kept: vec![], ..report.clone() };
    tx.prepare_cached("UPDATE import_batches SET undo_cursor = ?2, undo_report = ?3 WHERE id = ?1")?
        .execute(params![id, cursor, json(&counts)])?;
    Ok(())
}

/// Records that undo `id` kept lead `lead_id`, and why; a lead kept again (another chunk of the same import)
/// adds its reason to the first. True when the lead was not kept before.
/// Takes lead `lead_id` off import `id`'s kept leads (an earlier step of the undo kept it, a later one removed
/// it); true if it was there.
pub(crate) fn remove_kept(tx: &Transaction<'_>, id: i64, lead_id: i64) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached("DELETE FROM import_undo_kept WHERE import_id = ?1 AND lead_id = ?2")?
        .execute(params![id, lead_id])?
        > 0)
}

pub(crate) fn insert_kept(tx: &Transaction<'_>, id: i64, lead_id: i64, reason: &str) -> Result<bool, StoreError> {
    let before: Option<String> = tx
        .prepare_cached("SELECT reason FROM import_undo_kept WHERE import_id = ?1 AND lead_id = ?2")?
        .query_row(params![id, lead_id], |r| r.get(0))
        .optional()?;
    let reason = match &before {
        Some(b) if b.split("; ").any(|r| r == reason) => b.clone(),
        Some(b) => format!("{b}; {reason}"),
        None => reason.to_string(),
    };
    tx.prepare_cached("INSERT OR REPLACE INTO import_undo_kept (import_id, lead_id, reason) VALUES (?1, ?2, ?3)")?
        .execute(params![id, lead_id, reason])?;
    Ok(before.is_none())
}

/// The imports undone whose undo did not keep lead `lead_id`: what they wrote to it was taken back, so an undo
/// of an earlier import does not count it as a later edit.
pub(crate) fn undone_without(conn: &Connection, lead_id: i64) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id FROM import_batches i WHERE i.status = 'undone'
           AND NOT EXISTS (SELECT 1 FROM import_undo_kept k WHERE k.import_id = i.id AND k.lead_id = ?1)",
    )?;
    let rows = stmt.query_map(params![lead_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The leads undo `id` kept, named if `scope` sees them.
pub(crate) fn kept(
    conn: &Connection,
    id: i64,
    limit: usize,
    scope: &crate::access::LeadScope,
) -> Result<Vec<UndoKept>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT k.lead_id, k.reason, l.first_name, l.last_name, l.company, l.campaign
         FROM import_undo_kept k LEFT JOIN leads l ON l.id = k.lead_id
         WHERE k.import_id = ?1 ORDER BY k.lead_id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![id, limit as i64], |r| {
        let campaign: Option<String> = r.get(5)?;
        let (name, reason) = match campaign {
            Some(c) if scope.allows_campaign(&c) => (
                Some(crate::leads::display_name(
                    &r.get::<_, String>(2)?,
                    &r.get::<_, String>(3)?,
                    &r.get::<_, String>(4)?,
                )),
                r.get(1)?,
            ),
            None if *scope == crate::access::LeadScope::All => (None, r.get(1)?),
            // Gone since (merged into another lead, or removed): no campaign to judge the reason by.
            None => (None, "kept: it is no longer a lead of its own (merged or removed since)".to_string()),
            // The reason was worded for whoever undid the import (who changed which field, and when): for a
            // lead in another campaign now, a reader is told only that.
            Some(_) => (None, "kept: it is in a campaign outside yours now".to_string()),
        };
        Ok(UndoKept { lead_id: r.get(0)?, name, reason })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub(crate) fn templates(conn: &Connection) -> Result<Vec<ImportTemplate>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, mapping, natural_key, updated_at FROM import_templates ORDER BY name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |r| {
        let mapping: String = r.get(1)?;
        let key: Option<String> = r.get(2)?;
        Ok(ImportTemplate {
            name: r.get(0)?,
            mapping: serde_json::from_str::<Vec<ColumnMapping>>(&mapping).unwrap_or_default(),
            key: key.as_deref().and_then(NaturalKey::parse),
            updated_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Saves `t`, in place of a template of the same name whatever its case ("fair" replaces "Fair", and is then
/// written as typed): names are unique without regard to case.
pub(crate) fn save_template(tx: &Transaction<'_>, t: &ImportTemplate) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO import_templates (name, mapping, natural_key, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (name) DO UPDATE SET name = excluded.name, mapping = excluded.mapping,
             natural_key = excluded.natural_key, updated_at = excluded.updated_at",
    )?
    .execute(params![t.name, json(&t.mapping), t.key.map(NaturalKey::as_str), t.updated_at])?;
    Ok(())
}

pub(crate) fn delete_template(tx: &Transaction<'_>, name: &str) -> Result<bool, StoreError> {
    Ok(tx.prepare_cached("DELETE FROM import_templates WHERE name = ?1")?.execute([name])? > 0)
}
