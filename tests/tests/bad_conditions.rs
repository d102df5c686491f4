#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Files and states a user can end up with: each gives a clear error, never a crash.
mod common;

use std::time::Duration;

use rapport_core::OpenOptions;
use rapport_core::{ErrorCode, Origin, Rapport, SystemClock};

fn open_quick(path: &std::path::Path) -> rapport_core::Result<Rapport> {
    let opts = OpenOptions { busy_timeout: Duration::from_millis(200), readers: 1 };
    Rapport::open_with(path, &opts, std::sync::Arc::new(SystemClock))
}

#[test]
fn a_file_that_is_not_a_database_is_named_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    let text = "Shopping list: milk, eggs, and a CRM.\n".repeat(200);
    std::fs::write(&path, &text).unwrap();
    let err = open_quick(&path).err().unwrap();
    assert_eq!(err.code(), ErrorCode::NotADatabase);
    assert!(err.to_string().contains("notes.txt"), "the message names the file: {err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "the file is not modified");
}

/// A file damaged past its first pages (a copy cut short, a half-synced cloud folder) opens, as its header and
/// schema read; what then cannot be read is said to be damage, with the way out, not "database error".
#[test]
fn a_damaged_file_is_said_to_be_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.db");
    {
        let core = open_quick(&path).unwrap();
        let admin = core.create_first_admin("admin", "Ada", common::PASSWORD).unwrap();
        let rows: Vec<(u32, rapport_core::leads::LeadInput)> = (0..3000)
            .map(|i| (i + 2, common::lead(&format!("P{i}"), &format!("Person{i}"), &format!("p{i}@cut.example"))))
            .collect();
        core.import_leads_as_is(
            &admin,
            &rows,
            &Origin::import("cut"),
            rapport_core::leads::ImportMode::SkipInvalid,
            &mut |_| {},
        )
        .unwrap();
    }
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
    }
    let len = std::fs::metadata(&path).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(len * 6 / 10).unwrap();
    let said = match open_quick(&path) {
        Err(e) => e.to_string(),
        Ok(core) => {
            let admin = core.sign_in("admin", common::PASSWORD).unwrap();
            let q = rapport_core::leads::LeadQuery { text: "person".into(), limit: 5000, ..Default::default() };
            match core
                .list_leads(&admin, &q)
                .and_then(|_| core.for_each_lead::<rapport_core::Error>(&admin, &mut |_| Ok(())))
            {
                Err(e) => e.to_string(),
                Ok(_) => panic!("a file cut at 60% read whole"),
            }
        }
    };
    assert!(said.contains("damaged") && said.contains("backup"), "{said}");
}

#[test]
fn a_database_locked_by_another_program_reports_locked_and_loses_nothing() {
    let f = common::fixture();
    let core = open_quick(&f.path).unwrap();
    let holder = rusqlite::Connection::open(&f.path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap(); // another program is writing

    // WAL lets reading go on beside the other writer...
    assert!(core.list_leads(&f.admin, &Default::default()).is_ok());
    // ...while a write waits for the busy timeout, then says why; nothing is half-written.
    let before = f.dump();
    let err = core.create_lead(&f.admin, &common::lead("A", "B", "a@b.com"), &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::DatabaseLocked, "{err}");
    assert!(err.to_string().contains("locked by another program"), "{err}");
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(f.dump(), before, "nothing written");
    core.create_lead(&f.admin, &common::lead("A", "B", "a@b.com"), &Origin::manual()).unwrap();
    assert_eq!(f.count("leads"), 1, "once the lock is gone the same call works");

    // A program holding the file in exclusive locking mode keeps even readers out: opening says so.
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("held.db");
    drop(open_quick(&other).unwrap());
    let holder = rusqlite::Connection::open(&other).unwrap();
    holder.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;").unwrap();
    let err = open_quick(&other).err().unwrap();
    assert_eq!(err.code(), ErrorCode::DatabaseLocked, "{err}");
}

#[test]
fn a_missing_folder_is_created_and_an_unusable_path_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a/b/c/rapport.db");
    open_quick(&nested).unwrap();
    assert!(nested.exists());
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let err = open_quick(&blocker.join("rapport.db")).err().unwrap();
    assert_eq!(err.code(), ErrorCode::Io, "{err}");
    assert!(err.to_string().contains("cannot open the database"), "{err}");
}

#[test]
fn a_sqlite_file_of_another_program_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    for (name, setup) in [
        (
            "other.db",
            "CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT); INSERT INTO photos VALUES (1, 'a.jpg');",
        ),
        ("stamped.db", "PRAGMA application_id = 1234; CREATE TABLE t (x); INSERT INTO t VALUES (1);"),
    ] {
        let path = dir.path().join(name);
        rusqlite::Connection::open(&path).unwrap().execute_batch(setup).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let err = open_quick(&path).err().unwrap();
        assert_eq!(err.code(), ErrorCode::NotADatabase, "{name}: {err}");
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name} is byte for byte as it was");
        assert!(!dir.path().join(format!("{name}-wal")).exists(), "{name}: no write-ahead log was started");
    }
}

#[test]
fn a_file_from_a_newer_rapport_is_refused_byte_for_byte_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    drop(open_quick(&path).unwrap());
    {
        // As a newer Rapport would leave it: its own schema version, and no longer in WAL mode.
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", rapport_core::db::LATEST_VERSION + 1).unwrap();
        let _: String = c.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0)).unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let err = open_quick(&path).err().unwrap();
    assert_eq!(err.code(), ErrorCode::DatabaseTooNew, "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the header (journal mode) was not rewritten");
}

/// A window left open while a newer Rapport upgrades the same file (an updated CLI, another window) no longer
/// writes to it: its statements are of the old schema. Its save is refused as from a newer version, and nothing
/// of it is written.
#[test]
fn a_file_upgraded_by_a_newer_rapport_while_open_is_no_longer_written() {
    let f = common::fixture();
    let ann = f.core.create_lead(&f.admin, &common::lead("Ann", "Lee", "ann@lee.example"), &Origin::manual()).unwrap();
    f.sql().pragma_update(None, "user_version", rapport_core::db::LATEST_VERSION + 1).unwrap();
    let before = f.dump();
    let err =
        f.core.create_lead(&f.admin, &common::lead("Bo", "Ray", "bo@ray.example"), &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::DatabaseTooNew, "{err}");
    let mut edit = ann.lead.to_input();
    edit.company = "Acme".into();
    let err = f.core.update_lead(&f.admin, ann.lead.id, ann.lead.version, &edit, &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::DatabaseTooNew, "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    // Reading goes on: what is there can still be looked at.
    assert_eq!(f.core.get_lead(&f.admin, ann.lead.id).unwrap().company, "");
}

#[test]
fn rapport_files_carry_rapports_application_id() {
    let f = common::fixture();
    let id: i32 = f.sql().query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
    assert_eq!(id, 0x5241_5050, "\"RAPP\"");
}
