#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
#![allow(dead_code)]
use std::path::PathBuf;
use std::sync::Arc;

use chrono::TimeZone;
use rapport_core::leads::{LeadInput, SourceChannel};
use rapport_core::users::{Role, UserInput};
use rapport_core::OpenOptions;
use rapport_core::{Actor, FixedClock, Rapport};

pub const PASSWORD: &str = "correct horse battery";

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub core: Rapport,
    pub admin: Actor,
}

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(chrono::Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()))
}

/// A new database file in its own temp dir, with a first administrator `admin`.
pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rapport.db");
    let core = Rapport::open_with(&path, &OpenOptions::default(), clock()).unwrap();
    let admin = core.create_first_admin("admin", "Ada Admin", PASSWORD).unwrap();
    Fixture { dir, path, core, admin }
}

impl Fixture {
    /// Adds a user with `role` and returns that user signed in.
    pub fn user(&self, name: &str, role: Role, campaigns: &[&str]) -> Actor {
        let input = UserInput {
            username: name.into(),
            display_name: name.into(),
            role,
            active: true,
            campaigns: campaigns.iter().map(|c| c.to_string()).collect(),
        };
        self.core.create_user(&self.admin, &input, PASSWORD).unwrap();
        self.core.sign_in(name, PASSWORD).unwrap()
    }

    /// A raw connection for assertions on what is stored.
    pub fn sql(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path).unwrap()
    }

    pub fn count(&self, table: &str) -> i64 {
        self.sql().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
    }

    /// Row counts of every table a mutation could touch: equal snapshots mean nothing was written.
    pub fn snapshot(&self) -> Vec<(String, i64)> {
        [
            "leads",
            "lead_emails",
            "lead_phones",
            "lead_tags",
            "users",
            "user_campaigns",
            "settings",
            "change_batches",
            "change_log",
        ]
        .iter()
        .map(|t| (t.to_string(), self.count(t)))
        .collect()
    }
}

pub fn lead(first: &str, last: &str, email: &str) -> LeadInput {
    LeadInput {
        first_name: first.into(),
        last_name: last.into(),
        emails: if email.is_empty() { vec![] } else { vec![email.into()] },
        source: Some(SourceChannel::DirectEntry),
        ..Default::default()
    }
}
