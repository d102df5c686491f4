//! Numbered, append-only schema migrations (rusqlite_migration, which keeps the version in `user_version`).
//! Never edit a released migration: add the next number.
use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use super::StoreError;

const STEPS: &[&str] =
    &[include_str!("migrations/001_users_settings_changelog.sql"), include_str!("migrations/002_leads.sql")];

pub fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect())
}

pub const LATEST_VERSION: i64 = STEPS.len() as i64;

pub fn schema_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

pub fn migrate_to_latest(conn: &mut Connection) -> Result<(), StoreError> {
    let found = schema_version(conn)?;
    if found > LATEST_VERSION {
        return Err(StoreError::TooNew { found, known: LATEST_VERSION });
    }
    if found == LATEST_VERSION {
        return Ok(());
    }
    migrations().to_latest(conn).map_err(|e| match e {
        rusqlite_migration::Error::RusqliteError { err, .. } => match StoreError::from(err) {
            StoreError::Sqlite(inner) => StoreError::Migration(inner.to_string()),
            other => other,
        },
        other => StoreError::Migration(other.to_string()),
    })
}

/// Brings a database to exactly `version`; only for tests that build old schemas.
pub fn migrate_to(conn: &mut Connection, version: usize) -> Result<(), StoreError> {
    migrations().to_version(conn, version).map_err(|e| StoreError::Migration(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok(), "every migration applies cleanly to an empty database");
    }
}
