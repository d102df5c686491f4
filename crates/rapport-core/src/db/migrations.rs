//! Numbered, append-only schema migrations (rusqlite_migration, which keeps the version in `user_version`).
//! Never edit a released migration: add the next number.
use rusqlite::Connection;
use rusqlite_migration::{HookError, Migrations, M};

use crate::db::StoreError;

pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("migrations/001_users_settings_changelog.sql")),
        M::up(include_str!("migrations/002_leads.sql")),
        // The search index's rows and folded names are computed in Rust, by the feature that owns them.
        M::up_with_hook(include_str!("migrations/003_search_tiers.sql"), |tx: &rusqlite::Transaction<'_>| {
            crate::leads::store::rebuild_search(tx).map_err(|e| HookError::Hook(e.to_string()))
        }),
        // The duplicate engine's keys of the leads already stored are computed by the feature that owns them.
        M::up_with_hook(include_str!("migrations/004_duplicates.sql"), |tx: &rusqlite::Transaction<'_>| {
            crate::duplicates::incremental::index_all_v4(tx).map_err(|e| HookError::Hook(e.to_string()))
        }),
        M::up(include_str!("migrations/005_calendar.sql")),
        M::up(include_str!("migrations/006_imports.sql")),
        // The stage history of the leads stored before, from the change log, by the feature that owns it.
        M::up_with_hook(include_str!("migrations/007_stage_history.sql"), |tx: &rusqlite::Transaction<'_>| {
            crate::pipeline::history::backfill(tx).map_err(|e| HookError::Hook(e.to_string()))
        }),
        M::up(include_str!("migrations/008_stage_moves_written_by_the_core.sql")),
        M::up(include_str!("migrations/009_stage_gates_activities.sql")),
        // Each stored lead's prepared matched fields, computed by the feature that owns them.
        M::up_with_hook(
            include_str!("migrations/010_match_keys_recent_and_fields.sql"),
            |tx: &rusqlite::Transaction<'_>| {
                crate::duplicates::incremental::store_all_fields(tx).map_err(|e| HookError::Hook(e.to_string()))
            },
        ),
        M::up(include_str!("migrations/011_capture_body_hash.sql")),
        // The leads whose matched fields fold differently now, indexed again by the feature that owns them.
        M::up_with_hook(include_str!("migrations/012_fold_other_scripts.sql"), |tx: &rusqlite::Transaction<'_>| {
            crate::duplicates::incremental::reindex_refolded(tx).map_err(|e| HookError::Hook(e.to_string()))
        }),
        M::up(include_str!("migrations/013_lead_lookups.sql")),
        // What a capture submission did, kept beside its reply: a column, added by the feature that owns it.
        M::up_with_hook(include_str!("migrations/014_capture_detail.sql"), |tx: &rusqlite::Transaction<'_>| {
            crate::capture::add_detail_column(tx).map_err(|e| HookError::Hook(e.to_string()))
        }),
        // Every campaign granted in so many words: a column, added by the feature that owns users.
        M::up_with_hook(include_str!("migrations/015_user_all_campaigns.sql"), |tx: &rusqlite::Transaction<'_>| {
            crate::users::store::add_all_campaigns_column(tx).map_err(|e| HookError::Hook(e.to_string()))
        }),
        // Names folded without breaking words at their letters' marks: the leads concerned indexed again.
        M::up_with_hook(
            include_str!("migrations/016_fold_marks_inside_words.sql"),
            |tx: &rusqlite::Transaction<'_>| {
                crate::duplicates::incremental::reindex_refolded(tx).map_err(|e| HookError::Hook(e.to_string()))
            },
        ),
    ])
}

pub const LATEST_VERSION: i64 = 16;

pub(crate) fn schema_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

pub(crate) fn migrate_to_latest(conn: &mut Connection) -> Result<(), StoreError> {
    let found = schema_version(conn)?;
    if found > LATEST_VERSION {
        return Err(StoreError::TooNew { found, known: LATEST_VERSION });
    }
    if found == LATEST_VERSION {
        return Ok(());
    }
    let migrated = migrations().to_latest(conn).map_err(|e| match e {
        rusqlite_migration::Error::RusqliteError { err, .. } => match StoreError::from(err) {
            StoreError::Sqlite(inner) => StoreError::Migration(inner.to_string()),
            other => other,
        },
        other => StoreError::Migration(other.to_string()),
    });
    // Two processes started at once on an old file (the app and the CLI after an update) both read the old
    // version; the second, once the first's upgrade let it write, fails applying it again. The file is then
    // upgraded, which is all this asked for.
    match migrated {
        Err(_) if schema_version(conn).is_ok_and(|v| v == LATEST_VERSION) => Ok(()),
        other => other,
    }
}

/// Brings a database to exactly `version`, for tests that build files of older schemas. It takes a connection
/// the caller opened itself, so it opens no door the file system does not already open.
pub fn migrate_to_version(conn: &mut Connection, version: usize) -> Result<(), StoreError> {
    migrations().to_version(conn, version).map_err(|e| StoreError::Migration(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok(), "every migration applies cleanly to an empty database");
    }

    #[test]
    fn latest_version_counts_the_migrations() {
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        migrations().to_latest(&mut conn).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(schema_version(&conn).ok(), Some(LATEST_VERSION));
    }
}
