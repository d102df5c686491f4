//! The SQL of the capture API: sources (with their token's hash only) and submissions.
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::model::{CaptureSource, CaptureSourceKind, CaptureSubmission};
use crate::db::StoreError;
use crate::imports::ColumnMapping;

const SOURCE_COLUMNS: &str = "s.id, s.name, s.kind, s.token_hint, s.field_map, s.rate_per_minute, s.created_at,
    s.revoked_at, s.last_used_at, (SELECT COUNT(*) FROM capture_submissions c WHERE c.source_id = s.id), s.campaign";

fn source_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaptureSource> {
    let kind: String = r.get(2)?;
    let map: String = r.get(4)?;
    Ok(CaptureSource {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: CaptureSourceKind::parse(&kind).unwrap_or(CaptureSourceKind::WebForm),
        token_hint: r.get(3)?,
        field_map: serde_json::from_str::<Vec<ColumnMapping>>(&map).unwrap_or_default(),
        rate_per_minute: r.get(5)?,
        created_at: r.get(6)?,
        revoked_at: r.get(7)?,
        last_used_at: r.get(8)?,
        submissions: r.get(9)?,
        campaign: r.get(10)?,
    })
}

pub(crate) struct NewSource<'a> {
    pub name: &'a str,
    pub kind: CaptureSourceKind,
    pub token_hash: &'a str,
    pub token_hint: &'a str,
    pub field_map: &'a [ColumnMapping],
    pub rate_per_minute: u32,
    pub campaign: &'a str,
    pub at: &'a str,
    pub by: Option<i64>,
}

pub(crate) fn insert_source(tx: &Transaction<'_>, s: &NewSource<'_>) -> Result<i64, StoreError> {
    tx.prepare_cached(
        // The id is one past the highest ever given, as a lead's is: a source removed again (the keychain refused
        // its token) leaves its entries in the change log, which a new source must not take over.
        "INSERT INTO capture_sources
             (id, name, kind, token_hash, token_hint, field_map, rate_per_minute, created_at, created_by, campaign)
         VALUES (max(ifnull((SELECT max(id) FROM capture_sources), 0),
                     ifnull((SELECT max(entity_id) FROM change_log WHERE entity = 'capture_source'), 0)) + 1,
                 ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        s.name,
        s.kind.as_str(),
        s.token_hash,
        s.token_hint,
        serde_json::to_string(s.field_map).unwrap_or_else(|_| "[]".into()),
        s.rate_per_minute,
        s.at,
        s.by,
        s.campaign
    ])?;
    Ok(tx.last_insert_rowid())
}

pub(crate) fn update_source(
    tx: &Transaction<'_>,
    id: i64,
    name: &str,
    field_map: &[ColumnMapping],
    rate_per_minute: u32,
    campaign: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE capture_sources SET name = ?2, field_map = ?3, rate_per_minute = ?4, campaign = ?5 WHERE id = ?1",
    )?
    .execute(params![
        id,
        name,
        serde_json::to_string(field_map).unwrap_or_else(|_| "[]".into()),
        rate_per_minute,
        campaign
    ])?;
    Ok(())
}

/// Whether another source in use than `except` has this name, in any case: renaming "Website form" to "Website
/// Form" is no clash with itself.
pub(crate) fn name_taken_by_another(conn: &Connection, name: &str, except: i64) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM capture_sources WHERE name = ?1 AND revoked_at IS NULL AND id <> ?2)",
        )?
        .query_row(params![name, except], |r| r.get(0))?)
}

/// Whether a source in use has this name (a revoked one gives its name up to its replacement).
pub(crate) fn name_taken(conn: &Connection, name: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM capture_sources WHERE name = ?1 AND revoked_at IS NULL)")?
        .query_row([name], |r| r.get(0))?)
}

pub(crate) fn sources(conn: &Connection) -> Result<Vec<CaptureSource>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {SOURCE_COLUMNS} FROM capture_sources s ORDER BY s.name"))?;
    let rows = stmt.query_map([], source_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub(crate) fn source(conn: &Connection, id: i64) -> Result<Option<CaptureSource>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {SOURCE_COLUMNS} FROM capture_sources s WHERE s.id = ?1"))?
        .query_row([id], source_row)
        .optional()?)
}

/// The live source whose token hashes to `hash`.
pub(crate) fn source_by_hash(conn: &Connection, hash: &str) -> Result<Option<CaptureSource>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {SOURCE_COLUMNS} FROM capture_sources s WHERE s.token_hash = ?1 AND s.revoked_at IS NULL"
        ))?
        .query_row([hash], source_row)
        .optional()?)
}

pub(crate) fn revoke(tx: &Transaction<'_>, id: i64, at: &str) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE capture_sources SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")?
        .execute(params![id, at])?;
    Ok(())
}

/// Removes source `id`, made a moment ago: the keychain refused its secret, so no one could ever use it.
pub(crate) fn delete_unused_source(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    tx.prepare_cached(
        "DELETE FROM capture_sources WHERE id = ?1
           AND NOT EXISTS (SELECT 1 FROM capture_submissions WHERE source_id = ?1)",
    )?
    .execute([id])?;
    Ok(())
}

/// The reply kept for `key` from this source, and what that request's body hashed to (none for replies kept
/// before bodies were hashed).
pub(crate) struct StoredReply {
    pub status: u16,
    pub response: String,
    pub body_hash: Option<String>,
}

pub(crate) fn stored_reply(conn: &Connection, source_id: i64, key: &str) -> Result<Option<StoredReply>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT status, response, body_hash FROM capture_submissions WHERE source_id = ?1 AND idempotency_key = ?2",
        )?
        .query_row(params![source_id, key], |r| {
            Ok(StoredReply { status: r.get(0)?, response: r.get(1)?, body_hash: r.get(2)? })
        })
        .optional()?)
}

pub(crate) struct NewSubmission<'a> {
    pub source_id: i64,
    pub at: &'a str,
    pub key: Option<&'a str>,
    pub body_hash: &'a str,
    pub status: u16,
    pub outcome: &'a str,
    pub lead_id: Option<i64>,
    /// What the submission did, for the Administrator (never sent back).
    pub detail: &'a str,
}

/// Records a submission with the reply its sender gets, and gives the reply back.
pub(crate) fn insert_submission(
    tx: &Transaction<'_>,
    s: &NewSubmission<'_>,
    reply: serde_json::Value,
) -> Result<serde_json::Value, StoreError> {
    tx.prepare_cached(
        "INSERT INTO capture_submissions
            (source_id, at, idempotency_key, status, outcome, lead_id, response, body_hash, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        s.source_id,
        s.at,
        s.key,
        s.status,
        s.outcome,
        s.lead_id,
        reply.to_string(),
        s.body_hash,
        s.detail
    ])?;
    tx.prepare_cached("UPDATE capture_sources SET last_used_at = ?2 WHERE id = ?1")?
        .execute(params![s.source_id, s.at])?;
    Ok(reply)
}

pub(crate) fn submissions(
    conn: &Connection,
    source_id: Option<i64>,
    limit: u32,
) -> Result<Vec<CaptureSubmission>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.source_id, s.name, c.at, c.status, c.outcome, c.lead_id, c.response, c.detail
         FROM capture_submissions c JOIN capture_sources s ON s.id = c.source_id
         WHERE ?1 IS NULL OR c.source_id = ?1 ORDER BY c.id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![source_id, limit], |r| {
        let response: String = r.get(7)?;
        let detail: Option<String> = r.get(8)?;
        // Before migration 014 the reply said what the submission did.
        let reply: serde_json::Value = serde_json::from_str(&response).unwrap_or_default();
        // Stored as it came (a sender's field names in a refusal), shown as sent: a terminal escape or a direction
        // override in it is written as its code, in the app and in `rapport capture submissions`.
        let message = crate::leads::shown_as_sent(
            &detail.unwrap_or_else(|| reply.get("message").and_then(|m| m.as_str()).unwrap_or_default().to_string()),
        )
        .into_owned();
        // The receipt its sender got; a number before receipts were random.
        let receipt = match reply.get("submission_id") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        Ok(CaptureSubmission {
            id: r.get(0)?,
            source_id: r.get(1)?,
            source_name: crate::leads::shown_as_sent(&r.get::<_, String>(2)?).into_owned(),
            at: r.get(3)?,
            status: r.get(4)?,
            outcome: r.get(5)?,
            lead_id: r.get(6)?,
            lead_now: None,
            lead_name: String::new(),
            message,
            receipt,
        })
    })?;
    let mut out = rows.collect::<Result<Vec<_>, _>>()?;
    for s in &mut out {
        s.lead_now = match s.lead_id {
            Some(id) => crate::duplicates::store::living_lead(conn, id)?,
            None => None,
        };
        // Named, not numbered: "Lead 310" told an Administrator nothing of whom a form brought.
        if let Some(now) = s.lead_now {
            s.lead_name = crate::leads::store::get(conn, now)?.map(|l| l.display_name()).unwrap_or_default();
        }
    }
    Ok(out)
}

/// Migration 014: what each submission did, in words. Added only where it is missing, so the migration can run
/// again over a database that has it (SQLite has no ADD COLUMN IF NOT EXISTS).
pub(crate) fn add_detail_column(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let has: bool =
        tx.prepare("SELECT 1 FROM pragma_table_info('capture_submissions') WHERE name = 'detail'")?.exists([])?;
    if !has {
        tx.execute_batch("ALTER TABLE capture_submissions ADD COLUMN detail TEXT")?;
    }
    Ok(())
}

/// After the sources' table was made again (migration 017): every submission still names a source. A dangling
/// one is refused, so the migration is not committed.
pub(crate) fn references_hold(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let dangling: i64 =
        tx.query_row("SELECT count(*) FROM pragma_foreign_key_check('capture_submissions')", [], |r| r.get(0))?;
    if dangling > 0 {
        return Err(StoreError::Migration(format!("{dangling} capture submissions name no source")));
    }
    Ok(())
}

/// The SHA-256 of source `id`'s token, as stored.
pub(crate) fn token_hash_of(conn: &Connection, id: i64) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT token_hash FROM capture_sources WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// Whether a submission named lead `lead_id` (a form sent it, or sent it again): an import's undo keeps it.
pub(crate) fn lead_was_submitted(conn: &Connection, lead_id: i64) -> Result<bool, StoreError> {
    Ok(conn.prepare_cached("SELECT 1 FROM capture_submissions WHERE lead_id = ?1 LIMIT 1")?.exists([lead_id])?)
}
