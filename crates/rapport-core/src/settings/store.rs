use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::db::StoreError;

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub fn set(tx: &Transaction<'_>, key: &str, value: &str) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

pub fn clear(tx: &Transaction<'_>, key: &str) -> Result<(), StoreError> {
    tx.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct StageRow {
    pub key: String,
    pub label: String,
    pub closed: bool,
}

pub fn stages(conn: &Connection) -> Result<Vec<StageRow>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT key, label, closed FROM stages ORDER BY position")?;
    let rows = stmt.query_map([], |r| Ok(StageRow { key: r.get(0)?, label: r.get(1)?, closed: r.get(2)? }))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
