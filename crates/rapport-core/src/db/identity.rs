//! Which SQLite files are Rapport's: `PRAGMA application_id` in the file header says so. A file of another
//! program, or one written by a newer Rapport, is refused before anything is written to it.
use rusqlite::Connection;

use super::migrations::LATEST_VERSION;
use crate::db::StoreError;

/// "RAPP" in ASCII: the value Rapport writes into the header of its files.
pub(crate) const APPLICATION_ID: i32 = 0x5241_5050;

/// Tables every Rapport schema since version 1 has; a file stamped before application ids existed is
/// recognised by them.
const RAPPORT_TABLES: [&str; 3] = ["users", "change_batches", "change_log"];

fn header(conn: &Connection) -> rusqlite::Result<(i32, i64, i64)> {
    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    Ok((app_id, version, objects))
}

fn has_rapport_tables(conn: &Connection) -> rusqlite::Result<bool> {
    let marks = vec!["?"; RAPPORT_TABLES.len()].join(", ");
    let sql = format!("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ({marks})");
    let n: i64 = conn.query_row(&sql, rusqlite::params_from_iter(RAPPORT_TABLES), |r| r.get(0))?;
    Ok(n == RAPPORT_TABLES.len() as i64)
}

/// Reads only: decides whether `conn`'s file may be opened (and upgraded) by this build.
pub(crate) fn check(conn: &Connection, shown: &str) -> Result<(), StoreError> {
    let (app_id, version, objects) = header(conn)?;
    let ours = match app_id {
        APPLICATION_ID => true,
        // A new, empty file, or a Rapport file from before the id was stamped.
        0 => objects == 0 && version == 0 || has_rapport_tables(conn)?,
        _ => false,
    };
    if !ours {
        return Err(StoreError::NotADatabase(shown.to_string()));
    }
    if version > LATEST_VERSION {
        return Err(StoreError::TooNew { found: version, known: LATEST_VERSION });
    }
    Ok(())
}

/// Writes Rapport's id into the header (once; after the schema exists, so an aborted first run leaves a file
/// that is still recognised as new).
pub(crate) fn stamp(conn: &Connection) -> Result<(), StoreError> {
    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if app_id != APPLICATION_ID {
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    }
    Ok(())
}
