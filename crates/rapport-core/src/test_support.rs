//! What the core's own unit tests share: a store on a real file in a temporary folder, its first
//! Administrator signed in, its clock stopped at the epoch.
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
