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
            all_campaigns: campaigns.is_empty(),
        };
        self.core.create_user(&self.admin, &input, PASSWORD).unwrap();
        self.core.sign_in(name, PASSWORD).unwrap()
    }

    /// Deactivates user `id` (by an Administrator), leaving the rest of the account as it is.
    #[allow(dead_code)] // not every test binary deactivates someone
    pub fn deactivate(&self, id: i64) {
        let u = self.core.list_users(&self.admin).unwrap().into_iter().find(|u| u.id == id).unwrap();
        let off = UserInput {
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            active: false,
            campaigns: u.campaigns,
            all_campaigns: u.all_campaigns,
        };
        self.core.update_user(&self.admin, id, &off).unwrap();
    }

    /// A raw connection for assertions on what is stored.
    pub fn sql(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path).unwrap()
    }

    pub fn count(&self, table: &str) -> i64 {
        self.sql().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
    }

    /// Every row of every table, shadow tables of the search index included, as text: two equal dumps mean
    /// nothing was written (an UPDATE that keeps row counts shows here, and so does a change to the index).
    pub fn dump(&self) -> Vec<(String, Vec<String>)> {
        dump_file(&self.path)
    }
}

pub fn dump_file(path: &std::path::Path) -> Vec<(String, Vec<String>)> {
    let c = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(tables.iter().any(|t| t == "leads_fts_data"), "the dump covers the search index's own tables");
    tables
        .into_iter()
        .map(|t| {
            let mut stmt = c.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
            let n = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            rows.sort();
            (t, rows)
        })
        .collect()
}

/// Makes a database of the latest version read as one of `version` to the next opening, whose upgrade then runs
/// the later migrations again: the schema they add is taken off first (their data hooks run over the rows as the
/// test left them). Each migration that adds to the schema adds its undoing here.
pub fn pretend_version(c: &rusqlite::Connection, version: i64) {
    if version < 30 {
        c.execute_batch("DROP INDEX merged_leads_by_external_ref; ALTER TABLE merged_leads DROP COLUMN external_ref;")
            .unwrap();
    }
    if version < 28 {
        c.execute_batch(
            "DROP INDEX leads_by_company_key; ALTER TABLE leads DROP COLUMN company_key;
             CREATE INDEX leads_by_last_name ON leads (last_name COLLATE NOCASE, id);
             CREATE INDEX leads_by_company ON leads (company COLLATE NOCASE, id);",
        )
        .unwrap();
    }
    if version < 26 {
        c.execute_batch(
            "ALTER TABLE appointments DROP COLUMN private; ALTER TABLE caldav_accounts DROP COLUMN classes_read",
        )
        .unwrap();
    }
    if version < 25 {
        c.execute_batch(
            "ALTER TABLE capture_sources DROP COLUMN campaign; ALTER TABLE import_batches DROP COLUMN delimiter",
        )
        .unwrap();
    }
    if version < 24 {
        c.execute_batch("ALTER TABLE stages DROP COLUMN asked_when_skipped").unwrap();
    }
    if version < 23 {
        c.execute_batch("ALTER TABLE approval_rules DROP COLUMN min_currency").unwrap();
    }
    c.pragma_update(None, "user_version", version).unwrap();
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

/// A confirmed appointment of `agent` from `start` to `end` (RFC 3339), without a lead.
pub fn booking(agent: i64, title: &str, start: &str, end: &str) -> rapport_core::calendar::AppointmentInput {
    rapport_core::calendar::AppointmentInput {
        agent_id: agent,
        lead_id: None,
        title: title.into(),
        start: start.into(),
        end: end.into(),
        time_zone: String::new(),
        location: String::new(),
        video_url: String::new(),
        notes: String::new(),
        status: rapport_core::calendar::AppointmentStatus::Confirmed,
        private: false,
    }
}

/// Whether a Secret Service answers here (scripts/test.sh runs the suite inside one); in CI or under scripts/test.sh
/// its absence fails.
pub fn keychain_available() -> bool {
    use rapport_core::secrets::{OsKeychain, Secrets};
    // A key of this test's own, tried thrice: tests probing one key at once raced (one's delete under another's
    // set), and a keychain that answers failed a test as absent.
    let key = format!("rapport-test-probe-{:?}-{}", std::thread::current().id(), std::process::id());
    let ok = (0..3).any(|attempt| {
        if attempt > 0 {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        OsKeychain.set(&key, "probe").is_ok()
    });
    if ok {
        let _ = OsKeychain.delete(&key);
    } else {
        assert!(
            std::env::var_os("CI").is_none() && std::env::var_os("RAPPORT_TEST_EVERYTHING").is_none(),
            "no Secret Service answers, and this run was to test everything: scripts/test.sh runs the tests in one"
        );
        // Past the test harness, which keeps what a passing test prints: a skip must not read as a plain "ok".
        std::io::Write::write_all(
            &mut std::io::stderr(),
            "skipped: no OS keychain here (run inside tests/calendar/services.sh keychain -- ...)\n".as_bytes(),
        )
        .ok();
    }
    ok
}

/// Log lines written through tracing, kept to look for secrets in.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Lifts every stage's entry criteria (through the Administrator's own operation), for tests about something
/// other than the gate that move leads freely.
pub fn without_entry_criteria(core: &Rapport, admin: &Actor) {
    for s in core.pipeline_config(admin).unwrap().stages {
        change_stage(core, admin, &s.key, |open| {
            open.required_fields.clear();
            open.required_activities.clear();
            open.asked_when_skipped = false;
        });
    }
}

/// Stage `key`'s settings as stored, changed by `change`, saved by the Administrator.
pub fn change_stage(
    core: &Rapport,
    admin: &Actor,
    key: &str,
    change: impl FnOnce(&mut rapport_core::pipeline::StageSettings),
) {
    let s = core.pipeline_config(admin).unwrap().stages.into_iter().find(|s| s.key == key).unwrap();
    let mut settings = rapport_core::pipeline::StageSettings {
        label: s.label,
        probability: s.probability,
        colour: s.colour,
        required_fields: s.required_fields,
        required_activities: s.required_activities,
        asked_when_skipped: s.asked_when_skipped,
    };
    change(&mut settings);
    core.update_stage(admin, key, &settings).unwrap();
}

/// What Qualification asks by default (seed 4.1: interest, budget and authority).
pub fn qualified(mut input: LeadInput) -> LeadInput {
    input.deal.budget = "approved".into();
    input.deal.decision_maker = "the CFO".into();
    input.deal.need = "two sites".into();
    input.deal.timeline = "this quarter".into();
    input
}

/// Ann Lee (campaign Spring) and Bo Lee (Autumn), created by the Administrator: a series with Ann of which one
/// instance is with Bo, for the tests of what a Spring user may see and change of it. Returns Bo's id.
pub fn ann_in_spring_bo_in_autumn(f: &Fixture) -> i64 {
    let mut bo = 0;
    for (first, email, campaign) in [("Ann", "ann@lee.com", "Spring"), ("Bo", "bo@secret.example", "Autumn")] {
        let mut l = lead(first, "Lee", email);
        l.campaign = campaign.into();
        bo = f.core.create_lead(&f.admin, &l, &rapport_core::Origin::manual()).unwrap().lead.id;
    }
    bo
}

/// A weekly series organized by Ann Lee (4 Tuesdays from 1 December 2026, 09:00Z) whose instance of the 8th is
/// moved to 10:00 and organized by Bo Lee; `method` and the series' `stamp` as given. With `instance` false, the
/// series' own event only (as an organizer's cancellation of the whole series sends it).
pub fn weekly_with_bos_instance(method: &str, stamp: &str, instance: bool) -> String {
    let bos = "BEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20261120T000000Z\r\nRECURRENCE-ID:20261208T090000Z\r\n\
DTSTART:20261208T100000Z\r\nDTEND:20261208T103000Z\r\nSUMMARY:Check-in with Bo\r\n\
ORGANIZER;CN=Bo Lee:mailto:bo@secret.example\r\nEND:VEVENT\r\n";
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:{method}\r\nBEGIN:VEVENT\r\n\
UID:weekly-1\r\nDTSTAMP:{stamp}\r\nDTSTART:20261201T090000Z\r\nDTEND:20261201T093000Z\r\n\
RRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Weekly check-in\r\nORGANIZER;CN=Ann Lee:mailto:ann@lee.com\r\n\
END:VEVENT\r\n{}END:VCALENDAR\r\n",
        if instance { bos } else { "" }
    )
}

/// A keychain that keeps what it is given, as the OS one does, for tests about something else than the keychain.
#[derive(Default)]
pub struct MemoryKeychain(std::sync::Mutex<std::collections::HashMap<String, String>>);

impl rapport_core::secrets::Secrets for MemoryKeychain {
    fn set(&self, key: &str, secret: &str) -> Result<(), rapport_core::secrets::SecretError> {
        self.0.lock().unwrap().insert(key.into(), secret.into());
        Ok(())
    }
    fn get(&self, key: &str) -> Result<Option<String>, rapport_core::secrets::SecretError> {
        Ok(self.0.lock().unwrap().get(key).cloned())
    }
    fn delete(&self, key: &str) -> Result<(), rapport_core::secrets::SecretError> {
        self.0.lock().unwrap().remove(key);
        Ok(())
    }
}
