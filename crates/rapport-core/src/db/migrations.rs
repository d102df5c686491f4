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
        // A hook added after release, for the databases still to pass through it: their leads' inactivity is
        // counted from the upgrade, not from before activities could be recorded (see the hook). One already
        // past it has had its first sweep, which no later migration can take back.
        M::up_with_hook(include_str!("migrations/009_stage_gates_activities.sql"), |tx: &rusqlite::Transaction<'_>| {
            crate::pipeline::stagnation::clock_starts_at_upgrade(tx).map_err(|e| HookError::Hook(e.to_string()))
        }),
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
        // A table made again: the references to it are checked before the migration commits (those of its
        // own feature only: an unrelated old fault elsewhere must not stop the file from opening).
        M::up_with_hook(
            include_str!("migrations/017_capture_name_of_live_sources.sql"),
            |tx: &rusqlite::Transaction<'_>| {
                crate::capture::references_hold(tx).map_err(|e| HookError::Hook(e.to_string()))
            },
        ),
        // Companies with initials written with full stops, and googlemail.com addresses: the leads concerned
        // indexed again by the feature that owns the keys.
        M::up_with_hook(
            include_str!("migrations/018_company_initials_and_googlemail.sql"),
            |tx: &rusqlite::Transaction<'_>| {
                crate::duplicates::incremental::reindex_initials_and_googlemail(tx)
                    .map_err(|e| HookError::Hook(e.to_string()))
            },
        ),
        // Pair ids never given again: the pairs' table made again, its references checked before it commits.
        M::up_with_hook(include_str!("migrations/019_pair_ids_never_reused.sql"), |tx: &rusqlite::Transaction<'_>| {
            crate::duplicates::store::references_hold(tx).map_err(|e| HookError::Hook(e.to_string()))
        }),
        // Search folds the letters that do not decompose (ø, ł, ß, æ) and full-width forms: the leads concerned
        // indexed again by the feature that owns the index.
        M::up_with_hook(
            include_str!("migrations/020_search_folds_plain_letters.sql"),
            |tx: &rusqlite::Transaction<'_>| {
                crate::leads::store::reindex_beyond_ascii(tx).map_err(|e| HookError::Hook(e.to_string()))
            },
        ),
        // Phones written in full are matched in full: the prepared fields of the leads with a phone written
        // again by the feature that owns them (their keys do not change).
        M::up_with_hook(include_str!("migrations/021_phones_matched_in_full.sql"), |tx: &rusqlite::Transaction<'_>| {
            crate::duplicates::incremental::refresh_fields_with_phones(tx).map_err(|e| HookError::Hook(e.to_string()))
        }),
        // A name is indexed in one piece too ("obrien", "李小龙"): the leads whose names it changes indexed again
        // by the feature that owns the index.
        M::up_with_hook(
            include_str!("migrations/022_names_indexed_in_one_piece.sql"),
            |tx: &rusqlite::Transaction<'_>| {
                crate::leads::store::reindex_joined_names(tx).map_err(|e| HookError::Hook(e.to_string()))
            },
        ),
        M::up(include_str!("migrations/023_approval_minimum_currency.sql")),
        M::up(include_str!("migrations/024_stage_criteria_when_skipped.sql")),
        M::up(include_str!("migrations/025_source_campaign_and_batch_separator.sql")),
        M::up(include_str!("migrations/026_private_appointments.sql")),
        M::up(include_str!("migrations/027_changes_made_while_disconnected.sql")),
        // Companies sorted as people read them: each lead's folded company written by the feature that owns it.
        M::up_with_hook(include_str!("migrations/028_folded_sort_keys.sql"), |tx: &rusqlite::Transaction<'_>| {
            crate::leads::store::fill_company_keys(tx).map_err(|e| HookError::Hook(e.to_string()))
        }),
        // The columns 025 and 026 gained after release, added by their features where a file lacks them.
        M::up_with_hook(
            include_str!("migrations/029_columns_of_early_builds_of_025_and_026.sql"),
            |tx: &rusqlite::Transaction<'_>| {
                crate::imports::add_delimiter_column(tx)
                    .and_then(|()| crate::calendar::store::add_classes_read_column(tx))
                    .map_err(|e| HookError::Hook(e.to_string()))
            },
        ),
        M::up(include_str!("migrations/030_merged_external_refs.sql")),
        // Companies in one piece and umlauts spelled out: the leads whose search rows these change indexed again.
        M::up_with_hook(
            include_str!("migrations/031_companies_and_umlauts_searched_as_typed.sql"),
            |tx: &rusqlite::Transaction<'_>| {
                crate::leads::store::reindex_search_forms(tx).map_err(|e| HookError::Hook(e.to_string()))
            },
        ),
        // Hebrew and Arabic without their points: the leads written in those scripts indexed again.
        M::up_with_hook(
            include_str!("migrations/032_hebrew_and_arabic_searched_without_points.sql"),
            |tx: &rusqlite::Transaction<'_>| {
                crate::leads::store::reindex_pointed_scripts(tx).map_err(|e| HookError::Hook(e.to_string()))
            },
        ),
        M::up(include_str!("migrations/033_lost_reasons_only_on_lost_deals.sql")),
    ])
}

pub const LATEST_VERSION: i64 = 33;

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
    let migrated = without_foreign_keys(conn, |conn| migrations().to_latest(conn)).map_err(|e| match e {
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
    without_foreign_keys(conn, |conn| migrations().to_version(conn, version))
        .map_err(|e| StoreError::Migration(e.to_string()))
}

/// Runs `f` with foreign keys off, as SQLite asks for a table made again (a migration's transaction cannot turn
/// them off itself), then on again whatever happened; a migration that makes a table again checks the
/// references to it before it commits. A connection that had them off keeps them off.
fn without_foreign_keys<T>(
    conn: &mut Connection,
    f: impl FnOnce(&mut Connection) -> Result<T, rusqlite_migration::Error>,
) -> Result<T, rusqlite_migration::Error> {
    let on: bool = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .map_err(|err| rusqlite_migration::Error::RusqliteError { query: "PRAGMA foreign_keys".into(), err })?;
    let set = |conn: &Connection, value: &str| {
        conn.pragma_update(None, "foreign_keys", value)
            .map_err(|err| rusqlite_migration::Error::RusqliteError { query: "PRAGMA foreign_keys".into(), err })
    };
    if on {
        set(conn, "OFF")?;
    }
    let result = f(conn);
    if on {
        set(conn, "ON")?;
    }
    result
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

    /// Foreign keys are off while migrations run and on again after, whether they succeed or fail; a table made
    /// again with a dangling reference is refused, not committed.
    #[test]
    fn foreign_keys_are_on_again_after_migrating_and_checked_by_a_migration_that_makes_a_table_again() {
        let foreign_keys = |c: &Connection| c.query_row("PRAGMA foreign_keys", [], |r| r.get::<_, bool>(0)).ok();
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        conn.pragma_update(None, "foreign_keys", "ON").unwrap_or_else(|e| panic!("{e}"));
        migrate_to_version(&mut conn, 16).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(foreign_keys(&conn), Some(true));
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO capture_submissions (source_id, at, status, outcome, response) VALUES (9, 'now', 202, 'x', '{}');
             PRAGMA foreign_keys = ON;",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(migrate_to_latest(&mut conn).is_err(), "a submission of no source is found by the check");
        assert_eq!(schema_version(&conn).ok(), Some(16), "nothing of version 17 was committed");
        assert_eq!(foreign_keys(&conn), Some(true));
    }
}
