//! What the core's own unit tests share: a store on a real file in a temporary folder, its first
//! Administrator signed in, its clock stopped at the epoch; and the plan SQLite makes for a query on the latest
//! schema.
use std::sync::Arc;

use crate::{Actor, FixedClock, OpenOptions, Rapport};

/// A fresh store and its first Administrator; the folder lives as long as the returned guard.
pub(crate) fn core_with_admin() -> (tempfile::TempDir, Rapport, Actor) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let clock = Arc::new(FixedClock::new(chrono::DateTime::UNIX_EPOCH));
    let core =
        Rapport::open_with(&dir.path().join("t.db"), &OpenOptions::default(), clock).unwrap_or_else(|e| panic!("{e}"));
    let admin = core.create_first_admin("admin", "Ada", "correct horse battery").unwrap_or_else(|e| panic!("{e}"));
    (dir, core, admin)
}

/// Every row of every table of the store in `dir` (as [`core_with_admin`] made it), as text: two equal dumps
/// mean nothing was written.
pub(crate) fn dump(dir: &tempfile::TempDir) -> Vec<(String, Vec<String>)> {
    let c = rusqlite::Connection::open(dir.path().join("t.db")).unwrap_or_else(|e| panic!("{e}"));
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_else(|e| panic!("{e}"));
    tables
        .into_iter()
        .map(|t| {
            let mut stmt = c.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap_or_else(|e| panic!("{e}"));
            let n = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).ok()))
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .and_then(|rows| rows.collect())
                .unwrap_or_else(|e| panic!("{e}"));
            rows.sort();
            (t, rows)
        })
        .collect()
}

/// The steps of the plan SQLite makes for `sql` with `params` on an empty store of the latest schema, as
/// (parent, detail): parent 0 is the statement itself. What a test of a query's indexes reads.
pub(crate) fn query_plan(sql: &str, params: impl rusqlite::Params) -> Vec<(i64, String)> {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    crate::db::migrate_to_version(&mut conn, crate::db::LATEST_VERSION as usize).unwrap_or_else(|e| panic!("{e}"));
    conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .and_then(|mut s| s.query_map(params, |r| Ok((r.get(1)?, r.get(3)?)))?.collect())
        .unwrap_or_else(|e| panic!("{e}"))
}
