#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! CalDAV against a real server (Radicale, started here on loopback by tests/calendar/services.sh) with
//! the password in a real OS keychain (the Secret Service of gnome-keyring, which scripts/test.sh runs this
//! suite inside). Connect, pull busy times, push an appointment, see it on the server, edit it there, see
//! the change here; a wrong password and a stopped server give clear errors; the password is in no table,
//! no log line and no error message.
mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use common::{booking, fixture, keychain_available, Captured, PASSWORD};
use rapport_core::calendar::{AppointmentStatus, CaldavCalendar, CaldavConnect, Confirmation};
use rapport_core::secrets::{OsKeychain, Secrets};
use rapport_core::users::Role;
use rapport_core::ErrorCode;

const CALDAV_PASSWORD: &str = "caldav-secret-1";

struct Server {
    url: String,
    pid: u32,
    dir: PathBuf,
    /// A Radicale this test started itself (on restart); the first one is the script's child, killed by pid.
    child: Option<std::process::Child>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.pid.to_string()).status();
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn start_radicale(dir: &Path) -> Server {
    let out =
        Command::new("bash").arg(root().join("tests/calendar/services.sh")).arg("radicale").arg(dir).output().unwrap();
    assert!(out.status.success(), "Radicale did not start: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    Server {
        url: v["url"].as_str().unwrap().to_owned(),
        pid: v["pid"].as_u64().unwrap() as u32,
        dir: dir.to_owned(),
        child: None,
    }
}

/// Starts Radicale again on the folder (and so the port) of a stopped one.
fn restart(server: &mut Server) {
    let venv = std::env::var_os("RAPPORT_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/rapport/tools"))
        .join("pyenv/bin/python");
    let log = std::fs::File::create(server.dir.join("radicale-2.log")).unwrap();
    let child = Command::new(venv)
        .args(["-m", "radicale", "--config"])
        .arg(server.dir.join("config"))
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    server.pid = child.id();
    server.child = Some(child);
    // Python starts slowly on a loaded machine: more time than its first start has (20 s, tests/calendar/services.sh).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        if let Some(status) = server.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
            panic!("Radicale ended at its restart ({status}): see {}", server.dir.join("radicale-2.log").display());
        }
        if ureq::get(&server.url).call().is_ok()
            || matches!(ureq::get(&server.url).call(), Err(ureq::Error::Status(..)))
        {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("Radicale did not come back within 30 s: see {}", server.dir.join("radicale-2.log").display());
}

fn auth() -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("agent:{CALDAV_PASSWORD}")))
}

fn put(url: &str, body: &str) {
    ureq::request("PUT", url)
        .set("Authorization", &auth())
        .set("Content-Type", "text/calendar")
        .send_string(body)
        .unwrap();
}

fn get(url: &str) -> String {
    ureq::get(url).set("Authorization", &auth()).call().unwrap().into_string().unwrap()
}

/// `ics` as a client that counts its edits high writes it back: its SEQUENCE lines say 5.
fn with_sequence_5(ics: &str) -> String {
    ics.split_inclusive("\r\n").map(|l| if l.starts_with("SEQUENCE:") { "SEQUENCE:5\r\n" } else { l }).collect()
}

/// A Radicale of its own in a temporary folder, and the address of user "agent"'s calendar on it. Both live as
/// long as the returned folder and server.
fn radicale() -> (tempfile::TempDir, Server, String) {
    let tmp = tempfile::tempdir().unwrap();
    let server = start_radicale(&tmp.path().join("radicale"));
    let calendar = format!("{}agent/calendar/", server.url);
    (tmp, server, calendar)
}

/// [`radicale`] behind a [`faulty_proxy`], and the address of user "agent"'s calendar through the proxy.
fn radicale_behind_proxy() -> (tempfile::TempDir, Server, Faulty, String) {
    let tmp = tempfile::tempdir().unwrap();
    let server = start_radicale(&tmp.path().join("radicale"));
    let proxy = faulty_proxy(&server.url);
    let calendar = format!("{}agent/calendar/", proxy.url);
    (tmp, server, proxy, calendar)
}

/// The login of the server's user "agent" to `calendar`.
fn agent_login(calendar: &str) -> CaldavConnect {
    CaldavConnect { calendar_url: calendar.to_owned(), username: "agent".into(), password: CALDAV_PASSWORD.into() }
}

/// Dana, an Editor who connected `calendar`: signed in, and her id.
fn dana_connected(f: &common::Fixture, calendar: &str) -> (rapport_core::Actor, i64) {
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    f.core.connect_caldav(&dana, &agent_login(calendar), &OsKeychain).unwrap();
    (dana, id)
}

/// Dana connected to `calendar`, with "Review" booked on 4 December, 09:00 to 10:00 UTC (not sent yet).
fn review_booked(
    f: &common::Fixture,
    calendar: &str,
) -> (rapport_core::Actor, i64, rapport_core::calendar::Appointment) {
    let (dana, id) = dana_connected(f, calendar);
    let review = booking(id, "Review", "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z");
    let a = f.core.book_appointment(&dana, &review).unwrap();
    (dana, id, a)
}

/// [`review_booked`], sent to the server: Dana, the meeting, and its address there.
fn review_sent(
    f: &common::Fixture,
    calendar: &str,
) -> (rapport_core::Actor, rapport_core::calendar::Appointment, String) {
    let (dana, _, review) = review_booked(f, calendar);
    assert_eq!(f.core.sync_caldav(&dana, &OsKeychain).unwrap().pushed, 1);
    let href = href_in(calendar, &review.uid);
    (dana, review, href)
}

/// Where Radicale files the event of `uid` in the calendar at `base`: the UID with its '@' made '_'.
fn href_in(base: &str, uid: &str) -> String {
    format!("{base}{}.ics", uid.replace('@', "_"))
}

/// [`review_booked`], and "Lunch" on 5 December, 12:00 to 13:00 UTC: both sent to the server.
fn review_and_lunch_sent(
    f: &common::Fixture,
    calendar: &str,
) -> (rapport_core::Actor, rapport_core::calendar::Appointment, rapport_core::calendar::Appointment) {
    let (dana, id, review) = review_booked(f, calendar);
    let lunch =
        f.core.book_appointment(&dana, &booking(id, "Lunch", "2026-12-05T12:00:00Z", "2026-12-05T13:00:00Z")).unwrap();
    assert_eq!(f.core.sync_caldav(&dana, &OsKeychain).unwrap().pushed, 2);
    (dana, review, lunch)
}

/// Dana, who works on Spring and Autumn and connected `calendar`, with a pitch to Ann Lee (an Autumn lead) on
/// 4 December, 09:00 to 10:00 UTC, booked by the Administrator (not sent yet): Dana, her id and the meeting.
fn pitch_to_autumn_lead_booked(
    f: &common::Fixture,
    calendar: &str,
) -> (rapport_core::Actor, i64, rapport_core::calendar::Appointment) {
    let dana = f.user("dana", Role::Editor, &["Spring", "Autumn"]);
    let id = dana.user_id().unwrap();
    f.core.connect_caldav(&dana, &agent_login(calendar), &OsKeychain).unwrap();
    let mut ann = common::lead("Ann", "Lee", "ann@secret.example");
    ann.campaign = "Autumn".into();
    let ann = f.core.create_lead(&f.admin, &ann, &rapport_core::Origin::manual()).unwrap().lead;
    let mut input = booking(id, "Pitch to Ann Lee", "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z");
    input.lead_id = Some(ann.id);
    input.notes = "Ann wants the Autumn discount".into();
    let a = f.core.book_appointment(&f.admin, &input).unwrap();
    (dana, id, a)
}

/// Dana, who works on Spring and Autumn and connected `calendar`, and the leads Ann Lee (Spring) and Bo Lee
/// (Autumn, bo@secret.example): Dana, her id and Bo's lead.
fn dana_with_bo_in_autumn(f: &common::Fixture, calendar: &str) -> (rapport_core::Actor, i64, i64) {
    let dana = f.user("dana", Role::Editor, &["Spring", "Autumn"]);
    let id = dana.user_id().unwrap();
    f.core.connect_caldav(&dana, &agent_login(calendar), &OsKeychain).unwrap();
    let bo = common::ann_in_spring_bo_in_autumn(f);
    (dana, id, bo)
}

/// User `id` ("dana") works on Spring only from now on.
fn only_spring(f: &common::Fixture, id: i64) {
    let spring_only = rapport_core::users::UserInput {
        username: "dana".into(),
        display_name: "dana".into(),
        role: Role::Editor,
        active: true,
        campaigns: vec!["Spring".into()],
        all_campaigns: false,
    };
    f.core.update_user(&f.admin, id, &spring_only).unwrap();
}

const SERVER_EVENT: &str =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Nextcloud//EN\r\nBEGIN:VEVENT\r\nUID:server-1\r\n\
DTSTAMP:20261101T000000Z\r\nDTSTART:20261203T090000Z\r\nDTEND:20261203T100000Z\r\nSUMMARY:Dentist (from the server)\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";

#[test]
fn a_caldav_calendar_syncs_both_ways_and_its_password_stays_in_the_keychain() {
    if !keychain_available() {
        return;
    }
    // Everything the core logs, at every level, goes here: the password must not.
    let captured = Captured::default();
    let writer = captured.clone();
    let _ =
        tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(move || writer.clone()).try_init();

    let (_tmp, mut server, calendar) = radicale();
    put(&format!("{calendar}server-1.ics"), SERVER_EVENT);

    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    let keychain = OsKeychain;
    let mut errors: Vec<String> = Vec::new();

    // A wrong password is refused clearly, and nothing is stored.
    let wrong =
        CaldavConnect { calendar_url: calendar.clone(), username: "agent".into(), password: "wrong-one-9".into() };
    let err = f.core.connect_caldav(&dana, &wrong, &keychain).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Remote);
    assert!(err.to_string().contains("refused the user name or password"), "{err}");
    errors.push(err.to_string());
    assert!(f.core.caldav_account(&dana).unwrap().is_none());

    // Connect: the first sync brings the server's event in, and it counts against double booking.
    let right = agent_login(&calendar);
    f.core.connect_caldav(&dana, &right, &keychain).unwrap();
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!(report.pulled, 1, "{report:?}");
    let err = f
        .core
        .book_appointment(&dana, &booking(id, "Demo", "2026-12-03T09:30:00Z", "2026-12-03T10:30:00Z"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::DoubleBooked);
    assert!(err.to_string().contains("Dentist (from the server)"), "{err}");

    // Push: a booking made here is on the server after the sync.
    let a = f
        .core
        .book_appointment(&dana, &booking(id, "Demo with Acme", "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z"))
        .unwrap();
    assert!(a.sync_pending);
    assert_eq!(f.core.caldav_account(&dana).unwrap().unwrap().pending, 1);
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!(report.pushed, 1, "{report:?}");
    let href = href_in(&calendar, &a.uid);
    let on_server = get(&href);
    assert!(on_server.contains("SUMMARY:Demo with Acme") && on_server.contains(&a.uid), "{on_server}");
    assert_eq!(f.core.caldav_account(&dana).unwrap().unwrap().pending, 0);

    // Edit on the server; the next sync shows it here.
    let edited = on_server
        .replace("SUMMARY:Demo with Acme", "SUMMARY:Demo with Acme (moved)")
        .replace("T090000Z", "T130000Z")
        .replace("T100000Z", "T140000Z");
    let edited = edited.replace("DTSTART;TZID=UTC:20261204T090000", "DTSTART;TZID=UTC:20261204T130000");
    put(&href, &edited);
    f.core.sync_caldav(&dana, &keychain).unwrap();
    let after = f.core.appointment(&dana, a.id).unwrap();
    assert_eq!(after.title, "Demo with Acme (moved)");
    assert!(after.start.starts_with("2026-12-04T1"), "moved on the server: {}", after.start);
    assert!(!after.sync_pending, "a change that came from the server is not sent back");

    // Offline: the server stops; a change made meanwhile waits, the error is clear and recorded.
    let _ = Command::new("kill").arg(server.pid.to_string()).status();
    // Gone once its port refuses a connection: a loaded machine may take longer than a moment to end it.
    let address = server.url.split('/').nth(2).unwrap_or_default().to_owned();
    let gone = (0..200).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::net::TcpStream::connect(&address).is_err()
    });
    assert!(gone, "the CalDAV server at {address} still answers 10 s after it was told to stop");
    f.core
        .book_appointment(&dana, &booking(id, "Made offline", "2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z"))
        .unwrap();
    let err = f.core.sync_caldav(&dana, &keychain).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Remote);
    assert!(err.to_string().contains("cannot reach"), "{err}");
    assert!(err.to_string().contains("nothing answers at that address"), "in words, not ureq's: {err}");
    assert!(err.to_string().contains("changes are kept and sent later"), "{err}");
    errors.push(err.to_string());
    let state = f.core.caldav_account(&dana).unwrap().unwrap();
    assert_eq!(state.pending, 1);
    assert!(state.last_error.as_deref().unwrap().contains("cannot reach"));
    // ...and is sent once the server is back.
    restart(&mut server);
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!(report.pushed, 1);
    let state = f.core.caldav_account(&dana).unwrap().unwrap();
    assert_eq!((state.pending, state.last_error), (0, None));

    // The password: in the keychain, and nowhere else.
    assert_eq!(keychain.get(&format!("caldav:{id}:agent@{calendar}")).unwrap().as_deref(), Some(CALDAV_PASSWORD));
    f.core.checkpoint().unwrap();
    for file in [f.path.clone(), PathBuf::from(format!("{}-wal", f.path.display()))] {
        if let Ok(bytes) = std::fs::read(&file) {
            assert!(
                !bytes.windows(CALDAV_PASSWORD.len()).any(|w| w == CALDAV_PASSWORD.as_bytes()),
                "{} holds the password",
                file.display()
            );
        }
    }
    assert!(!format!("{:?}", f.dump()).contains(CALDAV_PASSWORD));
    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(!logs.contains(CALDAV_PASSWORD), "a log line holds the password");
    for e in &errors {
        assert!(!e.contains(CALDAV_PASSWORD) && !e.contains("wrong-one-9"), "an error message holds a password: {e}");
    }

    // Disconnecting removes it from the keychain too.
    f.core.disconnect_caldav(&dana, &keychain).unwrap();
    assert_eq!(keychain.get(&format!("caldav:{id}:agent@{calendar}")).unwrap(), None);
    let _ = std::io::stderr().flush();
    let _ = PASSWORD;
}

/// A meeting booked in Rapport and deleted on the agent's calendar server (on a phone, meaning to cancel it) is
/// Rapport's to say (seed 2.3): kept and sent again, as before, but no longer without a word. It still holds the
/// agent's time, so the report and a notice say so, and how to cancel it.
#[test]
fn a_meeting_booked_here_and_deleted_on_the_server_is_kept_and_said() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, _id, a) = review_booked(&f, &calendar);
    assert_eq!(f.core.sync_caldav(&dana, &OsKeychain).unwrap().pushed, 1);
    f.core.take_notifications(&dana).unwrap();
    let href = href_in(&calendar, &a.uid);
    ureq::request("DELETE", &href).set("Authorization", &auth()).call().unwrap();

    let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert_eq!(report.conflicts.len(), 1, "{report:?}");
    let said = &report.conflicts[0];
    assert!(said.contains("“Review”") && said.contains("deleted on your calendar server"), "{said}");
    assert!(said.contains("cancel it here"), "{said}");
    assert_eq!(f.core.take_notifications(&dana).unwrap(), [format!("Calendar: {said}")]);
    let kept = f.core.appointment(&dana, a.id).unwrap();
    assert_eq!((kept.status, kept.sync_pending), (AppointmentStatus::Confirmed, true));
    f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert!(get(&href).contains("SUMMARY:Review"), "sent again");
}

/// An appointment changed here and on the server since the last sync: the CRM is the master record (seed 2.3),
/// so Rapport's version is kept, the server's values go into its history, and it is sent over the server's copy
/// at the next sync as the newer one; the report and a notice say so. One deleted on the server and changed
/// here is kept and sent again.
#[test]
fn a_change_made_on_both_sides_is_settled_and_reported() {
    if !keychain_available() {
        return;
    }
    let (_tmp, server, calendar) = radicale();
    let f = fixture();
    let (dana, id, a) = review_booked(&f, &calendar);
    let keychain = OsKeychain;
    let right = agent_login(&calendar);
    let b =
        f.core.book_appointment(&dana, &booking(id, "Lunch", "2026-12-05T12:00:00Z", "2026-12-05T13:00:00Z")).unwrap();
    // Beyond the two years a sync lists: a conflict there is asked for by name, not taken for a deletion.
    let far = f
        .core
        .book_appointment(&dana, &booking(id, "Far off", "2029-01-10T12:00:00Z", "2029-01-10T13:00:00Z"))
        .unwrap();
    assert_eq!(f.core.sync_caldav(&dana, &keychain).unwrap().pushed, 3);
    let href_of = |uid: &str| href_in(&calendar, uid);

    // Both sides change "Review" and "Far off"; the server deletes "Lunch" while it is moved here.
    let on_server = get(&href_of(&a.uid));
    // Another client that counts its edits high: Rapport's version must still go out as the newer one.
    let renumbered = with_sequence_5(&on_server);
    assert!(renumbered.contains("SEQUENCE:5"), "{on_server}");
    put(&href_of(&a.uid), &renumbered.replace("SUMMARY:Review", "SUMMARY:Review (server)"));
    let far_on_server = get(&href_of(&far.uid));
    put(&href_of(&far.uid), &far_on_server.replace("SUMMARY:Far off", "SUMMARY:Far off (server)"));
    let far = f.core.appointment(&dana, far.id).unwrap();
    f.core.move_appointment(&dana, far.id, far.version, "2029-01-10T14:00:00Z", "2029-01-10T15:00:00Z").unwrap();
    ureq::request("DELETE", &href_of(&b.uid)).set("Authorization", &auth()).call().unwrap();
    let a = f.core.appointment(&dana, a.id).unwrap();
    f.core.move_appointment(&dana, a.id, a.version, "2026-12-04T11:00:00Z", "2026-12-04T12:00:00Z").unwrap();
    let b = f.core.appointment(&dana, b.id).unwrap();
    f.core.move_appointment(&dana, b.id, b.version, "2026-12-05T14:00:00Z", "2026-12-05T15:00:00Z").unwrap();

    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!(report.conflicts.len(), 3, "{report:?}");
    let before_resend = get(&href_of(&a.uid));
    // The background sync shows no report: each conflict is also a notice for Dana, handed out once.
    let told = f.core.take_notifications(&dana).unwrap();
    let expected: Vec<String> = report.conflicts.iter().map(|c| format!("Calendar: {c}")).collect();
    assert_eq!(told, expected);
    assert!(f.core.take_notifications(&dana).unwrap().is_empty(), "told once");
    // The CRM is the master record: Rapport's version is kept, and sent over the server's at the next sync.
    assert!(
        report.conflicts.iter().any(|c| c.contains("“Far off”") && c.contains("your version is kept")),
        "{report:?}"
    );
    let far = f.core.appointment(&dana, far.id).unwrap();
    assert_eq!((far.title.as_str(), far.sync_pending), ("Far off", true));
    assert!(
        report.conflicts.iter().any(|c| c.contains("“Review”") && c.contains("your version is kept")),
        "{report:?}"
    );
    assert!(
        report.conflicts.iter().any(|c| c.contains("“Lunch”") && c.contains("deleted on the server")),
        "{report:?}"
    );
    let review = f.core.appointment(&dana, a.id).unwrap();
    assert_eq!((review.title.as_str(), review.sync_pending), ("Review", true));
    assert!(review.start.starts_with("2026-12-04T11:00"), "Rapport's time: {}", review.start);
    // What the server said is in the appointment's history, replaced by Rapport's values.
    let history: Vec<(i64, String, String, String, String)> = f
        .sql()
        .prepare(
            "SELECT l.entity_id, l.field, l.old_value, l.new_value, b.reason || ': ' || b.source_ref
             FROM change_log l JOIN change_batches b ON b.id = l.batch_id
             WHERE l.entity = 'appointment' AND b.reason = 'policy' ORDER BY l.id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let replaced = |who: i64, field: &str, server: &str, ours: &str| {
        history.iter().any(|(id, f, old, new, why)| {
            *id == who && f == field && old.contains(server) && new.contains(ours) && why.contains("CalDAV conflict")
        })
    };
    assert!(replaced(a.id, "title", "Review (server)", "Review"), "{history:#?}");
    assert!(replaced(a.id, "start", "2026-12-04T09:00", "2026-12-04T11:00"), "{history:#?}");
    assert!(replaced(far.id, "title", "Far off (server)", "Far off"), "{history:#?}");
    let lunch = f.core.appointment(&dana, b.id).unwrap();
    assert!(lunch.start.starts_with("2026-12-05T14:00") && lunch.sync_pending, "{lunch:?}");
    assert_eq!(get(&href_of(&a.uid)), before_resend, "the server's copy is not touched before the next sync");

    // Settled: the next sync sends all three over the server's copies, and has nothing left to argue about.
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!((report.pushed, report.conflicts.len()), (3, 0), "{report:?}");
    assert!(get(&href_of(&b.uid)).contains("T140000"), "Lunch is on the server at its new time");
    let on_server = get(&href_of(&a.uid));
    assert!(on_server.contains("SUMMARY:Review\r\n") && on_server.contains("T110000"), "{on_server}");
    let sequence =
        |ics: &str| ics.lines().find_map(|l| l.strip_prefix("SEQUENCE:")).and_then(|v| v.trim().parse::<i64>().ok());
    assert!(sequence(&on_server) > sequence(&before_resend), "sent as newer than the server's copy: {on_server}");
    assert!(get(&href_of(&far.uid)).contains("SUMMARY:Far off\r\n"));
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!((report.pushed, report.conflicts.len()), (0, 0), "{report:?}");
    assert_eq!(f.core.caldav_account(&dana).unwrap().unwrap().pending, 0);

    // Handed to another agent here, it would stay on Dana's server and come back as a copy: refused.
    let eve = f.user("eve", Role::Editor, &[]).user_id().unwrap();
    let before = f.dump();
    let review = f.core.appointment(&dana, a.id).unwrap();
    let to_eve = booking(eve, &review.title, &review.start, &review.end);
    let err = f.core.update_appointment(&f.admin, a.id, review.version, &to_eve).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert_eq!(f.dump(), before);

    // Another calendar: what was sent to the first is sent to it anew, not written back into the first.
    // Its address typed without the closing '/', and a prefix of the first one's ("cal" of "calendar").
    let second = format!("{}agent/cal/", server.url);
    ureq::request("MKCALENDAR", &second).set("Authorization", &auth()).call().unwrap();
    f.core.disconnect_caldav(&dana, &keychain).unwrap();
    let other = CaldavConnect { calendar_url: second.trim_end_matches('/').to_owned(), ..right };
    f.core.connect_caldav(&dana, &other, &keychain).unwrap();
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!((report.pushed, report.conflicts.len()), (3, 0), "{report:?}");
    let in_second = get(&href_in(&second, &a.uid));
    assert!(in_second.contains("SUMMARY:Review\r\n"), "{in_second}");
}

/// A conflict whose server copy does not hold the appointment (another client rewrote the resource as one
/// changed occurrence): Rapport's version is kept and said so, and goes out at the next sync instead of being refused by the
/// server at every sync without a word.
#[test]
fn a_conflict_the_servers_copy_does_not_hold_is_kept_and_sent_at_the_next_sync() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, a, href) = review_sent(&f, &calendar);
    let keychain = OsKeychain;
    // Rewritten as one changed occurrence only (a RECURRENCE-ID): nothing in it is the appointment as a whole.
    let uid_line = format!("UID:{}\r\n", a.uid);
    let rewritten = get(&href).replace(&uid_line, &format!("{uid_line}RECURRENCE-ID:20261204T090000Z\r\n"));
    assert!(rewritten.contains("RECURRENCE-ID"), "{rewritten}");
    put(&href, &rewritten.replace("SUMMARY:Review", "SUMMARY:Their own"));
    let a = f.core.appointment(&dana, a.id).unwrap();
    f.core.move_appointment(&dana, a.id, a.version, "2026-12-04T11:00:00Z", "2026-12-04T12:00:00Z").unwrap();

    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert!(
        report.conflicts.iter().any(|c| c.contains("“Review”") && c.contains("could not be read as this appointment")),
        "{report:?}"
    );
    assert!(f.core.appointment(&dana, a.id).unwrap().sync_pending);
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert!(report.pushed >= 1 && report.conflicts.is_empty(), "{report:?}");
    let on_server = get(&href);
    assert!(on_server.contains("SUMMARY:Review\r\n") && on_server.contains("T110000"), "{on_server}");
}

/// A keychain that is not there (no Secret Service on the bus) is a clear error, not a crash.
#[test]
fn a_missing_keychain_is_a_clear_error() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "missing_keychain_child", "--nocapture", "--include-ignored"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/rapport-no-bus")
        .env("RAPPORT_MISSING_KEYCHAIN_CHILD", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("1 passed"), "{text}");
}

#[test]
#[ignore = "run by a_missing_keychain_child's parent, with no session bus"]
fn missing_keychain_child() {
    if std::env::var_os("RAPPORT_MISSING_KEYCHAIN_CHILD").is_none() {
        return;
    }
    let secret = "s3cr3t-probe-91";
    let err = OsKeychain.set("rapport-test", secret).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("system keychain is not available"), "{message}");
    assert!(!message.contains(secret) && !format!("{err:?}").contains(secret), "{message}");
}

/// A request as a test server reads it: its method, path, headers and body.
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn read_request(reader: &mut impl std::io::BufRead) -> Request {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("/").to_owned());
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            break;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let length =
        headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-length")).map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    Request { method, path, headers, body }
}

/// A proxy in front of Radicale that can fail on purpose: every listing (REPORT) while `fail_listing` is set,
/// and every PUT to an href holding `refuse_put` (as a server refuses an event it cannot take); while
/// `put_without_etag` is set, a PUT's answer has no ETag (as a server that changed what it stored answers).
struct Faulty {
    url: String,
    fail_listing: std::sync::Arc<std::sync::atomic::AtomicBool>,
    refuse_put: std::sync::Arc<std::sync::Mutex<Option<String>>>,
    put_without_etag: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

fn faulty_proxy(upstream: &str) -> Faulty {
    use std::io::{BufReader, Read as _};
    use std::sync::atomic::Ordering;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let fail_listing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let refuse_put = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    let put_without_etag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (fail, refuse, no_etag, upstream) =
        (fail_listing.clone(), refuse_put.clone(), put_without_etag.clone(), upstream.trim_end_matches('/').to_owned());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (fail, refuse, no_etag, upstream) = (fail.clone(), refuse.clone(), no_etag.clone(), upstream.clone());
            std::thread::spawn(move || {
                let Request { method, path, headers, body } =
                    read_request(&mut BufReader::new(stream.try_clone().unwrap()));
                let refused = refuse.lock().unwrap().clone().is_some_and(|r| method == "PUT" && path.contains(&r));
                let (status, out_headers, out) = if method == "REPORT" && fail.load(Ordering::SeqCst) {
                    (503, vec![], b"busy".to_vec())
                } else if refused {
                    // As Cyrus (Fastmail) refuses one event it will not take (no-uid-conflict): 403.
                    (403, vec![], b"forbidden".to_vec())
                } else {
                    let mut req = ureq::request(&method, &format!("{upstream}{path}"));
                    for (k, v) in &headers {
                        if !["host", "content-length", "connection"].contains(&k.to_ascii_lowercase().as_str()) {
                            req = req.set(k, v);
                        }
                    }
                    let resp = match req.send_bytes(&body) {
                        Ok(r) => r,
                        Err(ureq::Error::Status(_, r)) => r,
                        Err(e) => panic!("upstream: {e}"),
                    };
                    let status = resp.status();
                    let hs: Vec<(String, String)> = resp
                        .headers_names()
                        .into_iter()
                        .filter(|k| !["content-length", "connection", "transfer-encoding"].contains(&k.as_str()))
                        .filter(|k| {
                            !(method == "PUT" && no_etag.load(Ordering::SeqCst) && k.eq_ignore_ascii_case("etag"))
                        })
                        .filter_map(|k| resp.header(&k).map(|v| (k.clone(), v.to_owned())))
                        .collect();
                    let mut out = Vec::new();
                    resp.into_reader().read_to_end(&mut out).unwrap();
                    (status, hs, out)
                };
                let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n", out.len());
                for (k, v) in out_headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&out);
            });
        }
    });
    Faulty { url, fail_listing, refuse_put, put_without_etag }
}

/// A sync that fails halfway (the listing after the sends) keeps what it sent as sent: the next sync takes an
/// edit made meanwhile for what it is, not for a conflict with the copy it sent itself. An event the server
/// refuses is named, kept, and does not stop the others.
#[test]
fn a_sync_that_fails_halfway_keeps_what_it_sent() {
    if !keychain_available() {
        return;
    }
    use std::sync::atomic::Ordering;
    let (_tmp, server, proxy, calendar) = radicale_behind_proxy();
    let f = fixture();
    let (dana, id) = dana_connected(&f, &calendar);
    let keychain = OsKeychain;
    let review =
        f.core.book_appointment(&dana, &booking(id, "Review", "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z")).unwrap();
    let huge =
        f.core.book_appointment(&dana, &booking(id, "Huge", "2026-12-05T12:00:00Z", "2026-12-05T13:00:00Z")).unwrap();

    proxy.fail_listing.store(true, Ordering::SeqCst);
    *proxy.refuse_put.lock().unwrap() = Some(huge.uid.replace('@', "_"));
    let failed = f.core.sync_caldav(&dana, &keychain).unwrap_err();
    assert_eq!(failed.code(), ErrorCode::Remote, "{failed}");
    let sent = f.core.appointment(&dana, review.id).unwrap();
    assert!(!sent.sync_pending, "Review reached the server and is recorded as sent");
    assert!(f.core.appointment(&dana, huge.id).unwrap().sync_pending, "Huge did not, and waits");

    // Edited here meanwhile: the next sync sends the edit, with no conflict against its own copy.
    proxy.fail_listing.store(false, Ordering::SeqCst);
    f.core.move_appointment(&dana, sent.id, sent.version, "2026-12-04T11:00:00Z", "2026-12-04T12:00:00Z").unwrap();
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert!(report.conflicts.is_empty(), "{report:?}");
    assert_eq!(report.pushed, 1, "{report:?}");
    assert!(report.refused.len() == 1 && report.refused[0].contains("“Huge”"), "{report:?}");
    let on_server = get(&href_in(&format!("{}agent/calendar/", server.url), &review.uid));
    assert!(on_server.contains("T110000"), "the edit reached the server: {on_server}");
    let review = f.core.appointment(&dana, review.id).unwrap();
    assert!(review.start.starts_with("2026-12-04T11:00") && !review.sync_pending, "{review:?}");

    // Once the server takes it, it is sent like the others.
    *proxy.refuse_put.lock().unwrap() = None;
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!((report.pushed, report.refused.len(), report.conflicts.len()), (1, 0, 0), "{report:?}");
    assert_eq!(f.core.caldav_account(&dana).unwrap().unwrap().pending, 0);
}

/// An edit the server refused (not as "changed since": a 403, a 5xx) waits to be sent; if the server's copy
/// changed meanwhile, the same sync's pull met it as the newer one and overwrote the edit, unsaid. It is a
/// conflict now, settled as one: Rapport's version kept, the server's values in its history, sent once taken.
#[test]
fn an_edit_the_server_refused_is_not_overwritten_by_its_newer_copy() {
    if !keychain_available() {
        return;
    }
    let (_tmp, server, proxy, calendar) = radicale_behind_proxy();
    let f = fixture();
    let (dana, id) = dana_connected(&f, &calendar);
    let keychain = OsKeychain;
    let huge =
        f.core.book_appointment(&dana, &booking(id, "Huge", "2026-12-05T12:00:00Z", "2026-12-05T13:00:00Z")).unwrap();
    assert_eq!(f.core.sync_caldav(&dana, &keychain).unwrap().pushed, 1);
    let huge = f.core.appointment(&dana, huge.id).unwrap();
    f.core.move_appointment(&dana, huge.id, huge.version, "2026-12-05T15:00:00Z", "2026-12-05T16:00:00Z").unwrap();
    let direct = href_in(&format!("{}agent/calendar/", server.url), &huge.uid);
    // Changed there by a client that counts its edits high (the newer copy by SEQUENCE).
    let renumbered = with_sequence_5(&get(&direct));
    put(&direct, &renumbered.replace("SUMMARY:Huge", "SUMMARY:Huge (server)"));
    *proxy.refuse_put.lock().unwrap() = Some(huge.uid.replace('@', "_"));

    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!(report.refused.len(), 1, "{report:?}");
    assert!(
        report.conflicts.len() == 1 && report.conflicts[0].contains("“Huge”") && report.conflicts[0].contains("kept"),
        "{report:?}"
    );
    let kept = f.core.appointment(&dana, huge.id).unwrap();
    assert_eq!((kept.title.as_str(), kept.sync_pending), ("Huge", true), "{kept:?}");
    assert!(kept.start.starts_with("2026-12-05T15:00"), "Rapport's time: {}", kept.start);

    *proxy.refuse_put.lock().unwrap() = None;
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!((report.pushed, report.conflicts.len()), (1, 0), "{report:?}");
    let on_server = get(&direct);
    assert!(on_server.contains("T150000Z") && on_server.contains("SUMMARY:Huge\r\n"), "{on_server}");
}

/// Two users of one computer who connect the same calendar keep a password each: one disconnecting leaves the
/// other's sync working. A calendar connected in place of another takes the other's password out of the
/// keychain. A password stored by an earlier version (one entry for every user) is still found, and kept as
/// the user's own from then on.
#[test]
fn each_user_keeps_their_own_caldav_password() {
    if !keychain_available() {
        return;
    }
    let (_tmp, server, calendar) = radicale();
    let f = fixture();
    let keychain = OsKeychain;
    let ann = f.user("ann", Role::Editor, &[]);
    let bob = f.user("bob", Role::Editor, &[]);
    let connect = agent_login(&calendar);
    f.core.connect_caldav(&ann, &connect, &keychain).unwrap();
    f.core.connect_caldav(&bob, &connect, &keychain).unwrap();
    f.core.disconnect_caldav(&ann, &keychain).unwrap();
    f.core.sync_caldav(&bob, &keychain).expect("Bob's password is his own");

    // An earlier version's entry, shared by every user: found, and copied to Bob's own.
    let (bob_id, legacy) = (bob.user_id().unwrap(), format!("caldav:agent@{calendar}"));
    let own = format!("caldav:{bob_id}:agent@{calendar}");
    keychain.delete(&own).unwrap();
    keychain.set(&legacy, CALDAV_PASSWORD).unwrap();
    f.core.sync_caldav(&bob, &keychain).expect("the earlier entry is found");
    assert_eq!(keychain.get(&own).unwrap().as_deref(), Some(CALDAV_PASSWORD));

    // Another calendar in place of this one: this one's password leaves the keychain, the earlier entry too.
    let second = format!("{}agent/cal/", server.url);
    ureq::request("MKCALENDAR", &second).set("Authorization", &auth()).call().unwrap();
    f.core.connect_caldav(&bob, &CaldavConnect { calendar_url: second.clone(), ..connect }, &keychain).unwrap();
    assert_eq!(keychain.get(&own).unwrap(), None);
    assert_eq!(keychain.get(&legacy).unwrap(), None);
    assert_eq!(keychain.get(&format!("caldav:{bob_id}:agent@{second}")).unwrap().as_deref(), Some(CALDAV_PASSWORD));
    // The log says which calendar it replaced.
    let replaced: Option<String> = f
        .sql()
        .query_row(
            "SELECT old_value FROM change_log WHERE entity = 'caldav_account' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(replaced.is_some_and(|o| o.contains(&calendar)), "the calendar before is logged");
    f.core.disconnect_caldav(&bob, &keychain).unwrap();
}

/// An event that came from the server, recorded by an activity (a meeting held), then deleted on the server:
/// the sync removes it and keeps the activity, rather than failing at every sync on the link between them.
#[test]
fn a_server_event_recorded_by_an_activity_can_still_be_removed_by_the_sync() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let ann = f.core.create_lead(&f.admin, &common::lead("Ann", "Lee", "ann@lee.io"), &rapport_core::Origin::manual());
    let ann = ann.unwrap().lead.id;
    let event = SERVER_EVENT
        .replace("SUMMARY:Dentist (from the server)\r\n", "SUMMARY:Intro\r\nATTENDEE:mailto:ann@lee.io\r\n");
    put(&format!("{calendar}server-1.ics"), &event);
    let (dana, _) = dana_connected(&f, &calendar);
    let keychain = OsKeychain;
    assert_eq!(f.core.sync_caldav(&dana, &keychain).unwrap().pulled, 1);
    let appointment = f.core.lead_appointments(&dana, ann).unwrap();
    let appointment = appointment.first().unwrap_or_else(|| panic!("the event names Ann: {appointment:?}")).id;
    let held = rapport_core::pipeline::NewActivity {
        kind: Some(rapport_core::pipeline::ActivityKind::Meeting),
        subject: "Intro held".into(),
        appointment_id: Some(appointment),
        ..Default::default()
    };
    let activity = f.core.log_activity(&dana, ann, &held).unwrap();
    ureq::request("DELETE", &format!("{calendar}server-1.ics")).set("Authorization", &auth()).call().unwrap();
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!(report.removed, 1, "{report:?}");
    let kept = f.core.lead_activities(&dana, ann).unwrap();
    let kept = kept.iter().find(|a| a.id == activity.id).unwrap();
    assert_eq!(kept.appointment_id, None, "the activity stays, no longer linked");
    let unlinked: (Option<String>, Option<String>, i64) = f
        .sql()
        .query_row(
            "SELECT old_value, new_value, batch_id FROM change_log WHERE entity = 'activity' AND entity_id = ?1
             AND field = 'appointment_id'",
            [activity.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((unlinked.0, unlinked.1), (Some(appointment.to_string()), None), "the unlinking is logged");
    // What was removed is all in the change log: its fields, its attendee and the lead linked to them, its event.
    let removed: String = f
        .sql()
        .query_row(
            "SELECT old_value FROM change_log WHERE entity = 'appointment' AND entity_id = ?1 AND field = '*'
             AND new_value IS NULL",
            [appointment],
            |r| r.get(0),
        )
        .unwrap();
    let removed: serde_json::Value = serde_json::from_str(&removed).unwrap();
    assert_eq!(removed["title"], "Intro");
    assert_eq!(removed["uid"], "server-1");
    assert_eq!(removed["attendees"][0]["email"], "ann@lee.io", "{removed}");
    assert_eq!(removed["attendees"][0]["lead"], ann, "{removed}");
    assert!(removed["event"].as_str().is_some_and(|e| e.contains("Intro")), "{removed}");
    let removal_batch: i64 = f
        .sql()
        .query_row(
            "SELECT batch_id FROM change_log WHERE entity = 'appointment' AND entity_id = ?1 AND field = '*'
             AND new_value IS NULL",
            [appointment],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unlinked.2, removal_batch, "in the removal's batch");
    // The removed appointment's id is not given again: a new one with Bo took it over, and Bo's history then
    // showed the removed "Intro" with Ann.
    let bo = f.core.create_lead(&f.admin, &common::lead("Bo", "Ray", "bo@ray.io"), &rapport_core::Origin::manual());
    let bo = bo.unwrap().lead.id;
    let mut call = booking(dana.user_id().unwrap(), "Call Bo", "2026-12-04T09:00:00Z", "2026-12-04T09:30:00Z");
    call.lead_id = Some(bo);
    let call = f.core.book_appointment(&dana, &call).unwrap();
    assert!(call.id > appointment, "{} after {appointment}", call.id);
    let history = format!("{:?}", f.core.lead_history(&dana, bo).unwrap());
    assert!(!history.contains("Intro") && !history.contains("ann@lee.io"), "{history}");
}

/// A meeting with a lead of a campaign the agent no longer works on (booked while they did) is "Busy" in the
/// agent's calendar in Rapport; on the agent's own server (beyond Rapport's campaigns) it is the same: its
/// times, nothing of whom or what. A second sync leaves it as it is here.
#[test]
fn a_meeting_with_a_lead_outside_the_agents_campaigns_reaches_the_server_as_busy() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, id, a) = pitch_to_autumn_lead_booked(&f, &calendar);
    only_spring(&f, id);
    let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert_eq!(report.pushed, 1, "{report:?}");
    let on_server = get(&href_in(&calendar, &a.uid));
    assert!(on_server.contains("SUMMARY:Busy") && on_server.contains("20261204T090000"), "{on_server}");
    for secret in ["Ann", "Lee", "secret.example", "Autumn", "Pitch"] {
        assert!(!on_server.contains(secret), "{secret} on the agent's server: {on_server}");
    }
    let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert_eq!((report.pushed, report.pulled), (0, 0), "{report:?}");
    let kept = f.core.appointment(&f.admin, a.id).unwrap();
    assert_eq!((kept.title.as_str(), kept.notes.as_str()), ("Pitch to Ann Lee", "Ann wants the Autumn discount"));
}

/// The agent moves a meeting they see as "Busy" (its lead is in a campaign they no longer work on) on their
/// phone: the move is not taken, as the meeting is not theirs to change, but neither is it left to stand there
/// unseen (the ETag taken, every later sync skipping it, Rapport counting the old time as busy). Rapport's time
/// goes back to the server and the agent is told, naming the meeting as they see it.
#[test]
fn a_busy_meeting_moved_on_the_server_goes_back_and_the_agent_is_told() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, id, a) = pitch_to_autumn_lead_booked(&f, &calendar);
    only_spring(&f, id);
    assert_eq!(f.core.sync_caldav(&dana, &OsKeychain).unwrap().pushed, 1);
    let href = href_in(&calendar, &a.uid);
    let moved = with_sequence_5(&get(&href))
        .replace("20261204T090000Z", "20261204T110000Z")
        .replace("20261204T100000Z", "20261204T120000Z");
    assert!(moved.contains("T110000Z"), "{moved}");
    put(&href, &moved);

    let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert_eq!(report.conflicts.len(), 1, "{report:?}");
    assert!(report.conflicts[0].contains("“Busy” at 2026-12-04"), "{report:?}");
    let told = f.core.take_notifications(&dana).unwrap();
    assert!(told.iter().any(|t| t.contains("“Busy”") && t.contains("sent back")), "{told:?}");
    for secret in ["Pitch", "Ann", "Lee", "Autumn"] {
        assert!(!report.conflicts[0].contains(secret) && !told.iter().any(|t| t.contains(secret)), "{told:?}");
    }
    let here = f.core.appointment(&f.admin, a.id).unwrap();
    assert_eq!((here.start.as_str(), here.title.as_str()), ("2026-12-04T09:00:00Z", "Pitch to Ann Lee"));
    assert!(here.sync_pending, "Rapport's copy waits to go back");

    let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert_eq!((report.pushed, report.conflicts.len()), (1, 0), "{report:?}");
    let on_server = get(&href);
    assert!(on_server.contains("20261204T090000Z") && on_server.contains("SUMMARY:Busy"), "{on_server}");
    let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert_eq!((report.pushed, report.pulled, report.conflicts.len()), (0, 0, 0), "settled: {report:?}");
}

/// An invite of someone else's in the agent's calendar, with a lead the agent sees as "Busy" (no longer one of
/// their campaigns), moved by its organizer: the new time is taken here (the agent's busy time follows), what it
/// is about stays as stored, and the server's copy (the organizer's, with all its details) is left alone.
#[test]
fn an_invite_with_a_hidden_lead_moved_by_its_organizer_takes_its_new_time_and_stays_as_it_is_there() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, id, bo) = dana_with_bo_in_autumn(&f, &calendar);
    let invite = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Nextcloud//EN\r\nBEGIN:VEVENT\r\nUID:invite-7\r\n\
DTSTAMP:20261101T000000Z\r\nSEQUENCE:0\r\nDTSTART:20261204T090000Z\r\nDTEND:20261204T100000Z\r\nSUMMARY:Intro with Bo\r\n\
ORGANIZER;CN=Bo Lee:mailto:bo@secret.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let href = format!("{calendar}invite-7.ics");
    put(&href, invite);
    f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    let stored = f.core.occurrences(&f.admin, &[id], "2026-12-04T00:00:00Z", "2026-12-05T00:00:00Z").unwrap();
    let a = f.core.appointment(&f.admin, stored[0].appointment_id).unwrap();
    assert_eq!(a.lead_id, Some(bo), "{a:?}");
    only_spring(&f, id);
    // Something of hers where it is moved to: the clash the sync reports names it as she sees it.
    f.core.book_appointment(&dana, &booking(id, "Own call", "2026-12-04T11:15:00Z", "2026-12-04T11:45:00Z")).unwrap();
    let moved = invite
        .replace("SEQUENCE:0", "SEQUENCE:1")
        .replace("DTSTAMP:20261101T000000Z", "DTSTAMP:20261130T000000Z")
        .replace("20261204T090000Z", "20261204T110000Z")
        .replace("20261204T100000Z", "20261204T120000Z");
    put(&href, &moved);

    let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert!(report.conflicts.is_empty(), "{report:?}");
    assert!(report.clashes.iter().any(|c| c.starts_with("“Busy”")), "{report:?}");
    assert!(!format!("{report:?}").contains("Intro with Bo"), "{report:?}");
    let now = f.core.appointment(&f.admin, a.id).unwrap();
    assert_eq!((now.start.as_str(), now.title.as_str()), ("2026-12-04T11:00:00Z", "Intro with Bo"));
    assert!(!now.sync_pending, "nothing to send back");
    let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert_eq!(report.conflicts.len(), 0, "{report:?}");
    let there = get(&href).replace("\r\n ", "");
    assert!(there.contains("ORGANIZER;CN=Bo Lee") && there.contains("SUMMARY:Intro with Bo"), "{there}");
    assert!(there.contains("20261204T110000Z"), "{there}");
    // An Administrator marks it done and writes notes of the Autumn deal here: her invite stays on her server as
    // it is there, not a bare "Busy" over it (its title, organizer and link gone from her phone), nor with notes
    // of a campaign she does not work on.
    f.core.set_appointment_status(&f.admin, a.id, AppointmentStatus::Completed).unwrap();
    let now = f.core.appointment(&f.admin, a.id).unwrap();
    let input = rapport_core::calendar::AppointmentInput {
        agent_id: now.agent_id,
        lead_id: now.lead_id,
        title: "Intro with Bo (Autumn deal)".into(),
        start: now.start.clone(),
        end: now.end.clone(),
        time_zone: String::new(),
        location: now.location.clone(),
        video_url: now.video_url.clone(),
        notes: "Autumn secret: budget 80k".into(),
        status: now.status,
        private: now.private,
    };
    f.core.update_appointment(&f.admin, a.id, now.version, &input).unwrap();
    let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert_eq!(report.pushed, 0, "{report:?}");
    let there = get(&href).replace("\r\n ", "");
    assert!(there.contains("ORGANIZER;CN=Bo Lee") && there.contains("SUMMARY:Intro with Bo\r\n"), "{there}");
    assert!(!there.contains("SUMMARY:Busy") && !there.contains("Autumn"), "{there}");
    assert!(!f.core.appointment(&f.admin, a.id).unwrap().sync_pending, "nothing left waiting to be sent");
}

/// One occurrence of an invite series with a hidden lead, moved by its organizer on the server: taken here (its
/// new time is the agent's busy time, the old one is free), still "Busy" to the agent, with the series' lead.
#[test]
fn an_occurrence_of_a_hidden_invite_series_moved_by_its_organizer_is_taken() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, id, bo) = dana_with_bo_in_autumn(&f, &calendar);
    let weekly = common::weekly_with_bos_instance("REQUEST", "20261120T000000Z", false)
        .replace("ORGANIZER;CN=Ann Lee:mailto:ann@lee.com", "ORGANIZER;CN=Bo Lee:mailto:bo@secret.example");
    let href = format!("{calendar}weekly-1.ics");
    put(&href, &weekly.replace("METHOD:REQUEST\r\n", ""));
    f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    only_spring(&f, id);
    let moved =
        "BEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20261130T000000Z\r\nSEQUENCE:1\r\nRECURRENCE-ID:20261208T090000Z\r\n\
DTSTART:20261208T140000Z\r\nDTEND:20261208T143000Z\r\nSUMMARY:Weekly check-in\r\n\
ORGANIZER;CN=Bo Lee:mailto:bo@secret.example\r\nEND:VEVENT\r\nEND:VCALENDAR";
    put(&href, &get(&href).replacen("END:VCALENDAR", moved, 1));

    let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert!(report.conflicts.is_empty() && report.problems.is_empty(), "{report:?}");
    let day = f.core.occurrences(&dana, &[id], "2026-12-08T00:00:00Z", "2026-12-09T00:00:00Z").unwrap();
    let spans: Vec<(&str, bool)> = day.iter().map(|o| (o.start.as_str(), o.hidden)).collect();
    assert_eq!(spans, [("2026-12-08T14:00:00Z", true)], "{day:?}");
    let instance = f.core.appointment(&f.admin, day[0].appointment_id).unwrap();
    assert_eq!((instance.lead_id, instance.title.as_str()), (Some(bo), "Weekly check-in"));
    // Its organizer is linked to Bo's lead, as on the series: not offered to be made a lead again.
    let links: Vec<(String, Option<i64>)> = instance.attendees.iter().map(|a| (a.email.clone(), a.lead_id)).collect();
    assert!(links.contains(&("bo@secret.example".to_string(), Some(bo))), "{links:?}");
    let at_old = booking(id, "Call", "2026-12-08T09:00:00Z", "2026-12-08T09:30:00Z");
    f.core.book_appointment(&dana, &at_old).unwrap();
    let at_new = booking(id, "Call", "2026-12-08T14:00:00Z", "2026-12-08T14:30:00Z");
    assert_eq!(f.core.book_appointment(&dana, &at_new).unwrap_err().code(), ErrorCode::DoubleBooked);
}

/// A series an Administrator imported into an agent's calendar, one instance of which is with a lead of a
/// campaign the agent does not work on: that instance reaches the agent's server as Busy, also when only the
/// series' own row waits to be sent (the whole series went in full, the lead's name and address with it).
#[test]
fn an_instance_with_a_lead_outside_the_agents_campaigns_reaches_the_server_as_busy() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &["Spring"]);
    let id = dana.user_id().unwrap();
    f.core.connect_caldav(&dana, &agent_login(&calendar), &OsKeychain).unwrap();
    common::ann_in_spring_bo_in_autumn(&f);
    let series = common::weekly_with_bos_instance("REQUEST", "20261120T000000Z", true);
    let file = rapport_core::calendar::IcsFile { name: "weekly.ics".into(), bytes: series.as_bytes().to_vec() };
    let ids = f.core.import_ics(&f.admin, &[file], Some(id)).unwrap()[0].appointment_ids.clone();
    let master = ids.iter().copied().find(|a| f.core.appointment(&f.admin, *a).unwrap().repeats).unwrap();
    let on_server = || get(&format!("{calendar}weekly-1.ics"));
    for round in 0..2 {
        if round == 1 {
            // Only the series' own row waits to be sent now.
            let now = f.core.appointment(&dana, master).unwrap().status;
            let other = if now == AppointmentStatus::Proposed {
                AppointmentStatus::Confirmed
            } else {
                AppointmentStatus::Proposed
            };
            f.core.set_appointment_status(&dana, master, other).unwrap();
        }
        let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
        assert_eq!(report.pushed, 1, "round {round}: {report:?}");
        let copy = on_server();
        assert!(copy.contains("Weekly check-in") && copy.contains("SUMMARY:Busy"), "round {round}: {copy}");
        for secret in ["Bo Lee", "bo@secret.example", "Check-in with Bo"] {
            assert!(!copy.contains(secret), "round {round}: {secret} on the agent's server: {copy}");
        }
    }
}

/// An instance of a server series deleted there (on the phone: the series now says EXDATE, its changed copy is
/// gone, the SEQUENCE as it was) goes here too: it stayed busy, refusing bookings at its time.
#[test]
fn an_instance_deleted_on_the_server_goes_here_too() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, id) = dana_connected(&f, &calendar);
    let keychain = OsKeychain;
    let master = "BEGIN:VEVENT\r\nUID:series-2\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261201T090000Z\r\n\
DTEND:20261201T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Weekly sync\r\n";
    let moved = "BEGIN:VEVENT\r\nUID:series-2\r\nDTSTAMP:20261101T000000Z\r\nRECURRENCE-ID:20261208T090000Z\r\n\
DTSTART:20261208T110000Z\r\nDTEND:20261208T120000Z\r\nSUMMARY:Weekly sync (moved)\r\nEND:VEVENT\r\n";
    let wrap =
        |events: &str| format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n{events}END:VCALENDAR\r\n");
    let href = format!("{calendar}series-2.ics");
    put(&href, &wrap(&format!("{master}END:VEVENT\r\n{moved}")));
    f.core.sync_caldav(&dana, &keychain).unwrap();
    let busy_at_11 = || {
        let b = booking(id, "Call", "2026-12-08T11:00:00Z", "2026-12-08T11:30:00Z");
        f.core.book_appointment(&dana, &b)
    };
    assert_eq!(busy_at_11().unwrap_err().code(), ErrorCode::DoubleBooked, "the moved instance holds 11:00");
    // Written again by the phone: a new stamp, the SEQUENCE as it was.
    let rewritten = master.replace("DTSTAMP:20261101T000000Z", "DTSTAMP:20261115T000000Z");
    put(&href, &wrap(&format!("{rewritten}EXDATE:20261208T090000Z\r\nEND:VEVENT\r\n")));
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!((report.pulled, report.removed), (1, 1), "{report:?}");
    let left: i64 = f
        .sql()
        .query_row("SELECT count(*) FROM appointments WHERE uid = 'series-2' AND recurrence_id IS NOT NULL", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(left, 0);
    busy_at_11().unwrap();
    let at_9 = booking(id, "Call", "2026-12-08T09:00:00Z", "2026-12-08T09:30:00Z");
    f.core.book_appointment(&dana, &at_9).unwrap();
}

/// A series on the server whose one changed instance is edited there (the master's copy, SEQUENCE and stamp
/// as they were): the resource's new ETag reaches the series too, so cancelling the series here afterwards is
/// sent, not taken for a change on both sides (it was undone by the server's copy, and reported as such).
#[test]
fn an_edit_of_one_instance_on_the_server_keeps_the_series_in_step() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, _) = dana_connected(&f, &calendar);
    let keychain = OsKeychain;
    let series = |changed: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:series-1\r\n\
DTSTAMP:20261101T000000Z\r\nDTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n\
SUMMARY:Weekly sync\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:series-1\r\nDTSTAMP:20261101T000000Z\r\n\
RECURRENCE-ID:20261208T090000Z\r\nDTSTART:20261208T110000Z\r\nDTEND:20261208T120000Z\r\nSUMMARY:{changed}\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    };
    let href = format!("{calendar}series-1.ics");
    put(&href, &series("Weekly sync (moved)"));
    f.core.sync_caldav(&dana, &keychain).unwrap();
    put(&href, &series("Weekly sync (moved, room 2)"));
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert!(report.conflicts.is_empty(), "{report:?}");

    let id: i64 = f
        .sql()
        .query_row("SELECT id FROM appointments WHERE uid = 'series-1' AND recurrence_id IS NULL", [], |r| r.get(0))
        .unwrap();
    let master = f.core.appointment(&dana, id).unwrap();
    f.core.set_appointment_status(&dana, master.id, AppointmentStatus::Cancelled).unwrap();
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert!(report.conflicts.is_empty(), "{report:?}");
    assert_eq!(f.core.appointment(&dana, master.id).unwrap().status, AppointmentStatus::Cancelled);
    assert!(get(&href).contains("STATUS:CANCELLED"), "the cancellation reached the server");
}

/// What the sync could not take from the server is said in its report, naming the server's resource, as an
/// .ics import says it: before, the sync read it into a report of its own and dropped it, and said nothing.
#[test]
fn what_the_sync_could_not_take_from_the_server_is_reported() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, _) = dana_connected(&f, &calendar);
    let keychain = OsKeychain;
    let href = format!("{calendar}server-1.ics");
    let newer = SERVER_EVENT.replace("SUMMARY:", "SEQUENCE:3\r\nSUMMARY:");
    put(&href, &newer);
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!((report.pulled, report.problems.len()), (1, 0), "{report:?}");
    // Written back by a client that kept an older copy: this one is older than what is here, and is not taken.
    put(&href, &SERVER_EVENT.replace("SUMMARY:", "SEQUENCE:1\r\nSUMMARY:").replace("Dentist", "Old dentist"));
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!(report.pulled, 0, "{report:?}");
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert!(report.problems[0].starts_with("server-1.ics: "), "{report:?}");
    assert!(report.problems[0].contains("older version"), "{report:?}");
    let kept: String =
        f.sql().query_row("SELECT title FROM appointments WHERE uid = 'server-1'", [], |r| r.get(0)).unwrap();
    assert_eq!(kept, "Dentist (from the server)");
}

/// A server that answers a PUT without the new ETag: the event is asked for, so a later edit is sent over that
/// copy. Before, it was sent as a new event, refused as existing, and reported as changed on both sides (the
/// server's copy, our own, then won over the edit). The meeting lies beyond the sync's window, whose listing
/// would otherwise bring the ETag.
#[test]
fn an_edit_after_a_send_the_server_gave_no_etag_for_is_not_a_conflict() {
    if !keychain_available() {
        return;
    }
    use std::sync::atomic::Ordering;
    let (_tmp, server, proxy, calendar) = radicale_behind_proxy();
    let f = fixture();
    let (dana, id) = dana_connected(&f, &calendar);
    let keychain = OsKeychain;
    proxy.put_without_etag.store(true, Ordering::SeqCst);
    let far =
        f.core.book_appointment(&dana, &booking(id, "Review", "2029-06-04T09:00:00Z", "2029-06-04T10:00:00Z")).unwrap();
    assert_eq!(f.core.sync_caldav(&dana, &keychain).unwrap().pushed, 1);
    let sent = f.core.appointment(&dana, far.id).unwrap();
    f.core.move_appointment(&dana, sent.id, sent.version, "2029-06-04T11:00:00Z", "2029-06-04T12:00:00Z").unwrap();
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert!(report.conflicts.is_empty(), "{report:?}");
    assert_eq!(report.pushed, 1, "{report:?}");
    let on_server = get(&href_in(&format!("{}agent/calendar/", server.url), &far.uid));
    assert!(on_server.contains("T110000"), "the edit reached the server: {on_server}");
    let here = f.core.appointment(&dana, far.id).unwrap();
    assert!(here.start.starts_with("2029-06-04T11:00") && !here.sync_pending, "{here:?}");
}

/// A keychain that holds its entries but refuses to remove them (locked), then is unlocked.
struct LockableKeychain {
    inner: common::MemoryKeychain,
    locked: std::sync::atomic::AtomicBool,
}

impl Secrets for LockableKeychain {
    fn set(&self, key: &str, secret: &str) -> Result<(), rapport_core::secrets::SecretError> {
        self.inner.set(key, secret)
    }
    fn get(&self, key: &str) -> Result<Option<String>, rapport_core::secrets::SecretError> {
        self.inner.get(key)
    }
    fn delete(&self, key: &str) -> Result<(), rapport_core::secrets::SecretError> {
        if self.locked.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(rapport_core::secrets::SecretError::Locked("test".into()));
        }
        self.inner.delete(key)
    }
}

/// Disconnecting while the keychain is locked refuses with nothing changed (the account stays, and so does its
/// password), so that disconnecting again once it is unlocked removes both. It used to remove the account first
/// and then fail, saying nothing had happened, and a retry found no account: the password stayed for good.
#[test]
fn a_disconnect_the_keychain_refuses_changes_nothing_and_can_be_done_again() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    let url = "https://dav.example.com/dana/work/";
    // Connected as a server would have let it be (connecting checks the server, which this test does without).
    f.sql()
        .execute(
            "INSERT INTO caldav_accounts (user_id, calendar_url, username, created_at) VALUES (?1, ?2, 'dana', '2026-11-20T09:00:00Z')",
            rusqlite::params![id, url],
        )
        .unwrap();
    let keychain = LockableKeychain { inner: Default::default(), locked: true.into() };
    let key = format!("caldav:{id}:dana@{url}");
    keychain.set(&key, "s3cret-pass").unwrap();
    let before = f.dump();
    let err = f.core.disconnect_caldav(&dana, &keychain).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Keychain, "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    assert!(f.core.caldav_account(&dana).unwrap().is_some());
    assert_eq!(keychain.get(&key).unwrap().as_deref(), Some("s3cret-pass"));

    keychain.locked.store(false, std::sync::atomic::Ordering::SeqCst);
    f.core.disconnect_caldav(&dana, &keychain).unwrap();
    assert!(f.core.caldav_account(&dana).unwrap().is_none());
    assert_eq!(keychain.get(&key).unwrap(), None);
}

/// An event private on the server is private here; one stored before Rapport kept classes (its copy on the server
/// unchanged since, so never read again) is read once more by the first sync after the upgrade, and is Busy to
/// everyone else from then on.
#[test]
fn a_private_event_on_the_server_is_busy_to_colleagues_also_when_stored_before_classes_were_kept() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    put(&format!("{calendar}server-1.ics"), &SERVER_EVENT.replace("END:VEVENT", "CLASS:PRIVATE\r\nEND:VEVENT"));
    let f = fixture();
    let (dana, id) = dana_connected(&f, &calendar);
    f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    let summary = || {
        f.core.occurrences(&f.admin, &[id], "2026-12-03T00:00:00Z", "2026-12-04T00:00:00Z").unwrap()[0].summary.clone()
    };
    assert_eq!(summary(), "Busy");
    // As a database of version 25 holds it after its sync: no class kept, shown to everyone.
    f.sql()
        .execute_batch(
            "UPDATE appointments SET private = 0, event = json_remove(event, '$.class');
             UPDATE caldav_accounts SET classes_read = 0",
        )
        .unwrap();
    assert_eq!(summary(), "Dentist (from the server)");
    f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert_eq!(summary(), "Busy", "the first sync after the upgrade reads the unchanged copy again");
    let read: i64 = f.sql().query_row("SELECT classes_read FROM caldav_accounts", [], |r| r.get(0)).unwrap();
    assert_eq!(read, 1, "once");
}

#[test]
fn connecting_the_same_calendar_again_takes_what_changed_on_the_server_and_sends_what_changed_here() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, review, lunch) = review_and_lunch_sent(&f, &calendar);
    let keychain = OsKeychain;
    let href_of = |uid: &str| href_in(&calendar, uid);

    // Her password expired; meanwhile "Review" moved on her phone, and "Lunch" was moved here while she was not
    // connected. She connects the same calendar again with the new password.
    f.core.disconnect_caldav(&dana, &keychain).unwrap();
    let moved = get(&href_of(&review.uid))
        .replace("20261204T090000Z", "20261204T140000Z")
        .replace("20261204T100000Z", "20261204T150000Z");
    assert!(moved.contains("20261204T140000Z") && moved.contains("SEQUENCE:"), "{moved}");
    let moved = moved.replace("SEQUENCE:0", "SEQUENCE:1");
    put(&href_of(&review.uid), &moved);
    let lunch = f.core.appointment(&dana, lunch.id).unwrap();
    f.core.move_appointment(&dana, lunch.id, lunch.version, "2026-12-05T13:00:00Z", "2026-12-05T14:00:00Z").unwrap();
    f.core.connect_caldav(&dana, &agent_login(&calendar), &keychain).unwrap();

    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert!(report.conflicts.is_empty(), "nothing changed on both sides: {report:?}");
    let review = f.core.appointment(&dana, review.id).unwrap();
    assert_eq!((review.start.as_str(), review.sync_pending), ("2026-12-04T14:00:00Z", false));
    assert!(get(&href_of(&review.uid)).contains("20261204T140000Z"), "the phone's move stays on the server");
    let lunch = f.core.appointment(&dana, lunch.id).unwrap();
    assert_eq!((lunch.start.as_str(), lunch.sync_pending), ("2026-12-05T13:00:00Z", false));
    assert!(get(&href_of(&lunch.uid)).contains("20261205T130000Z"), "the move made here reached the server");
    assert!(f.core.sync_caldav(&dana, &keychain).unwrap().conflicts.is_empty(), "and it stays settled");
}

/// A confirmation is Rapport's own (the lead's answer to a reminder): nothing of it is in a calendar file, and
/// sent, the server's copy would be written again from Rapport's fields, without its alarm.
#[test]
fn a_confirmation_set_here_leaves_the_servers_copy_as_it_is() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, review, href) = review_sent(&f, &calendar);
    let keychain = OsKeychain;
    // Her phone adds an alarm.
    let alarm = "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Review\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT";
    let with_alarm = get(&href).replacen("END:VEVENT", alarm, 1);
    put(&href, &with_alarm);
    f.core.sync_caldav(&dana, &keychain).unwrap();

    let confirmed = f.core.set_confirmation(&dana, review.id, Confirmation::Confirmed).unwrap();
    assert!(!confirmed.sync_pending, "nothing to send");
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!((report.pushed, report.conflicts.len()), (0, 0), "{report:?}");
    assert!(get(&href).contains("TRIGGER:-PT15M"), "the alarm stays");
    assert_eq!(f.core.appointment(&dana, review.id).unwrap().confirmation, Confirmation::Confirmed);
}

/// The notice of a change the server refused while its newer copy came (see the test above) names the meeting
/// as the agent sees it: "Busy" when its lead is in a campaign the agent does not work on.
#[test]
fn a_conflict_notice_names_a_meeting_the_agent_sees_as_busy_so() {
    if !keychain_available() {
        return;
    }
    let (_tmp, server, proxy, calendar) = radicale_behind_proxy();
    let f = fixture();
    let (dana, id, a) = pitch_to_autumn_lead_booked(&f, &calendar);
    assert_eq!(f.core.sync_caldav(&dana, &OsKeychain).unwrap().pushed, 1);
    only_spring(&f, id);
    let a = f.core.appointment(&f.admin, a.id).unwrap();
    f.core.move_appointment(&f.admin, a.id, a.version, "2026-12-04T11:00:00Z", "2026-12-04T12:00:00Z").unwrap();
    let direct = href_in(&format!("{}agent/calendar/", server.url), &a.uid);
    put(&direct, &with_sequence_5(&get(&direct)).replace("SUMMARY:Busy", "SUMMARY:Busy (moved)"));
    *proxy.refuse_put.lock().unwrap() = Some(a.uid.replace('@', "_"));

    let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert_eq!((report.refused.len(), report.conflicts.len()), (1, 1), "{report:?}");
    assert!(report.conflicts[0].contains("“Busy”"), "{report:?}");
    let told = f.core.take_notifications(&dana).unwrap();
    for secret in ["Pitch", "Ann", "Lee"] {
        assert!(!report.conflicts[0].contains(secret) && !told.iter().any(|t| t.contains(secret)), "{told:?}");
    }
}

/// A meeting moved while no calendar was connected, under a version that kept such a change unsent (and sent
/// every meeting on connecting): after the upgrade it waits to be sent, and connecting again sends it, while
/// one not changed since waits for nothing.
#[test]
fn a_change_made_while_disconnected_before_the_upgrade_is_sent_on_connecting_again() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, review, lunch) = review_and_lunch_sent(&f, &calendar);
    let keychain = OsKeychain;
    f.core.disconnect_caldav(&dana, &keychain).unwrap();
    let lunch = f.core.appointment(&dana, lunch.id).unwrap();
    f.core.move_appointment(&dana, lunch.id, lunch.version, "2026-12-05T13:00:00Z", "2026-12-05T14:00:00Z").unwrap();
    // As version 26 left it: the change kept unsent.
    let c = f.sql();
    c.execute("UPDATE appointments SET sync_pending = 0", []).unwrap();
    common::pretend_version(&c, 26);
    drop(c);
    let common::Fixture { dir: _dir, path, core, .. } = f;
    drop(core);

    let core = rapport_core::Rapport::open(&path).unwrap();
    let dana = core.sign_in("dana", PASSWORD).unwrap();
    assert!(core.appointment(&dana, lunch.id).unwrap().sync_pending, "the move waits to be sent");
    assert!(!core.appointment(&dana, review.id).unwrap().sync_pending, "nothing changed here since");
    core.connect_caldav(&dana, &agent_login(&calendar), &keychain).unwrap();
    let report = core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!((report.pushed, report.conflicts.len()), (1, 0), "{report:?}");
    assert!(get(&href_in(&calendar, &lunch.uid)).contains("20261205T130000Z"));
}

/// An invite the agent's server already filed (at an address of its own, as Nextcloud, iCloud and Google do
/// with invitations), imported here from its .ics file too: the sync finds the server's copy by its UID and
/// keeps to it, rather than sending another and being refused (RFC 4791's no-uid-conflict) at every sync.
#[test]
fn an_invite_the_server_filed_itself_is_one_event_there_after_its_file_is_imported() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, id) = dana_connected(&f, &calendar);
    let keychain = OsKeychain;
    let invite = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Acme//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n\
UID:acme-kickoff-77@acme.example\r\nDTSTAMP:20261101T000000Z\r\nSEQUENCE:0\r\nDTSTART:20261210T090000Z\r\n\
DTEND:20261210T100000Z\r\nSUMMARY:Kick-off with Acme\r\nORGANIZER:mailto:pm@acme.example\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
    put(&format!("{calendar}server-invite.ics"), &invite.replace("METHOD:REQUEST\r\n", ""));
    let file = rapport_core::calendar::IcsFile { name: "invite.ics".into(), bytes: invite.as_bytes().to_vec() };
    f.core.import_ics(&dana, &[file], Some(id)).unwrap();

    let mut last = None;
    for _ in 0..3 {
        last = Some(f.core.sync_caldav(&dana, &keychain).unwrap());
    }
    let report = last.unwrap();
    assert!(report.refused.is_empty() && report.conflicts.is_empty(), "settled: {report:?}");
    assert_eq!(f.core.caldav_account(&dana).unwrap().unwrap().pending, 0, "nothing waits");
    let listing = ureq::request("PROPFIND", &calendar)
        .set("Authorization", &auth())
        .set("Depth", "1")
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert_eq!(listing.matches(".ics</").count(), 1, "one copy on the server: {listing}");
}

/// The same, with the server's copy newer than the file (the organizer moved the meeting, the agent accepted it
/// on a phone with an alarm): the newer copy stands, here and there, as between two files; and an identical
/// one is left as the server holds it, alarm and all.
#[test]
fn an_invite_the_server_filed_itself_keeps_the_newer_copy_after_its_older_file_is_imported() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, id) = dana_connected(&f, &calendar);
    let keychain = OsKeychain;
    let invite = |uid: &str, sequence: u32, stamp: &str, start: &str, end: &str, extra: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Acme//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{stamp}\r\n\
             SEQUENCE:{sequence}\r\nDTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:Kick-off with Acme\r\n\
             ORGANIZER:mailto:pm@acme.example\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    };
    let alarm = "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Kick-off\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\n";
    // Moved by the organizer since the mail the file came in.
    put(
        &format!("{calendar}moved.ics"),
        &invite("moved-1", 1, "20261102T000000Z", "20261210T110000Z", "20261210T120000Z", alarm),
    );
    // The same copy as the file, with the phone's alarm.
    put(
        &format!("{calendar}same.ics"),
        &invite("same-1", 0, "20261101T000000Z", "20261211T090000Z", "20261211T100000Z", alarm),
    );
    let files = [
        ("moved.ics", invite("moved-1", 0, "20261101T000000Z", "20261210T090000Z", "20261210T100000Z", "")),
        ("same.ics", invite("same-1", 0, "20261101T000000Z", "20261211T090000Z", "20261211T100000Z", "")),
    ]
    .map(|(name, text)| rapport_core::calendar::IcsFile { name: name.into(), bytes: text.into_bytes() });
    f.core.import_ics(&dana, &files, Some(id)).unwrap();

    let mut reports = Vec::new();
    for _ in 0..3 {
        reports.push(f.core.sync_caldav(&dana, &keychain).unwrap());
    }
    assert!(reports.iter().all(|r| r.conflicts.is_empty()), "nothing changed on both sides: {reports:?}");
    assert!(reports[1].refused.is_empty() && reports[2].refused.is_empty(), "settled: {reports:?}");
    assert_eq!(f.core.caldav_account(&dana).unwrap().unwrap().pending, 0);
    let occ = f.core.occurrences(&dana, &[id], "2026-12-10T00:00:00Z", "2026-12-12T00:00:00Z").unwrap();
    let starts: Vec<&str> = occ.iter().map(|o| o.start.as_str()).collect();
    assert_eq!(starts, ["2026-12-10T11:00:00Z", "2026-12-11T09:00:00Z"], "the organizer's move is taken");
    let moved = get(&format!("{calendar}moved.ics"));
    assert!(moved.contains("20261210T110000Z") && moved.contains("TRIGGER:-PT10M"), "{moved}");
    assert!(get(&format!("{calendar}same.ics")).contains("TRIGGER:-PT10M"), "the phone's alarm stays");
}

/// A server event changed here ("Change…": notes) goes back with its invitees as the server had them: the
/// agent's own answer stays, and the organizer is not made one of its invitees.
#[test]
fn a_server_event_changed_here_keeps_its_invitees_as_the_server_had_them() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, id) = dana_connected(&f, &calendar);
    let keychain = OsKeychain;
    let event = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Nextcloud//EN\r\nBEGIN:VEVENT\r\nUID:board-9\r\n\
DTSTAMP:20261101T000000Z\r\nDTSTART:20261211T090000Z\r\nDTEND:20261211T100000Z\r\nSUMMARY:Board\r\n\
ORGANIZER;CN=Pat:mailto:pm@acme.example\r\nATTENDEE;PARTSTAT=ACCEPTED;CN=Dana:mailto:dana@rapport.example\r\n\
ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bo@acme.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let href = format!("{calendar}board-9.ics");
    put(&href, event);
    f.core.sync_caldav(&dana, &keychain).unwrap();
    let a = f.core.occurrences(&dana, &[id], "2026-12-11T00:00:00Z", "2026-12-12T00:00:00Z").unwrap();
    let board = f.core.appointment(&dana, a[0].appointment_id).unwrap();
    let input = rapport_core::calendar::AppointmentInput {
        agent_id: board.agent_id,
        lead_id: board.lead_id,
        title: board.title.clone(),
        start: board.start.clone(),
        end: board.end.clone(),
        time_zone: String::new(),
        location: board.location.clone(),
        video_url: board.video_url.clone(),
        notes: "Bring the Q4 figures".into(),
        status: board.status,
        private: board.private,
    };
    f.core.update_appointment(&dana, board.id, board.version, &input).unwrap();
    let report = f.core.sync_caldav(&dana, &keychain).unwrap();
    assert_eq!(report.pushed, 1, "{report:?}");
    let copy = get(&href).replace("\r\n ", "");
    assert!(copy.contains("Bring the Q4 figures"), "{copy}");
    let attendees: Vec<&str> = copy.lines().filter(|l| l.starts_with("ATTENDEE")).collect();
    assert!(attendees.iter().any(|l| l.contains("dana@rapport.example") && l.contains("PARTSTAT=ACCEPTED")), "{copy}");
    assert!(!attendees.iter().any(|l| l.contains("pm@acme.example")), "the organizer is no invitee: {copy}");
    assert!(attendees.iter().any(|l| l.contains("bo@acme.example")), "{copy}");
}

/// The first sync of a newly connected calendar sends Rapport's appointments and reads the server's listing:
/// its own copies, met with the ETags their sends got, are nothing pulled, change nothing here and raise no clash
/// "from the server" (the review overlaps an invite imported here, which that import already flagged).
#[test]
fn the_first_sync_does_not_take_rapports_own_copies_for_the_servers() {
    if !keychain_available() {
        return;
    }
    let (_tmp, _server, calendar) = radicale();
    let f = fixture();
    let (dana, id) = dana_connected(&f, &calendar);
    let review = f
        .core
        .book_appointment(&dana, &booking(id, "Quarterly review", "2026-12-04T10:00:00Z", "2026-12-04T11:00:00Z"))
        .unwrap();
    f.core.book_appointment(&dana, &booking(id, "Demo", "2026-12-05T09:00:00Z", "2026-12-05T10:00:00Z")).unwrap();
    f.core.book_appointment(&dana, &booking(id, "Lunch", "2026-12-07T12:00:00Z", "2026-12-07T13:00:00Z")).unwrap();
    let invite = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:budget-1\r\n\
DTSTAMP:20261101T000000Z\r\nDTSTART:20261204T103000Z\r\nDTEND:20261204T113000Z\r\nSUMMARY:Budget planning\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";
    let file = rapport_core::calendar::IcsFile { name: "budget.ics".into(), bytes: invite.as_bytes().to_vec() };
    assert_eq!(f.core.import_ics(&dana, &[file], None).unwrap()[0].clashes.len(), 1, "flagged by the import");
    let rows = || -> Vec<(i64, i64, Option<String>, String, String)> {
        let c = f.sql();
        let mut s = c.prepare("SELECT id, version, clash, event, updated_at FROM appointments ORDER BY id").unwrap();
        let all = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))).unwrap();
        all.map(|r| r.unwrap()).collect()
    };
    let (before, logged) = (rows(), f.count("change_log"));

    let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert_eq!((report.pushed, report.pulled, report.removed), (4, 0, 0), "{report:?}");
    assert!(report.clashes.is_empty(), "Rapport's own copies read back: {report:?}");
    assert_eq!(rows(), before, "reading its own copies back changed no appointment");
    assert_eq!(f.count("change_log"), logged, "and logged nothing");
    assert_eq!(f.core.appointment(&dana, review.id).unwrap().clash, None);

    // A real change on the server still counts: the review moved there onto the demo is pulled, with its clash.
    let href = href_in(&calendar, &review.uid);
    let moved = get(&href).replace("20261204T100000", "20261205T093000").replace("20261204T110000", "20261205T103000");
    put(&href, &moved);
    let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert_eq!((report.pushed, report.pulled), (0, 1), "{report:?}");
    let named = |c: &String| c.starts_with("“Quarterly review”") && c.contains("“Demo”");
    assert!(report.clashes.iter().any(named), "{report:?}");
}

/// Makes a calendar collection on Radicale at `url`, named `name`, for the components listed.
fn make_calendar(url: &str, name: &str, components: &[&str]) {
    let comps: String = components.iter().map(|c| format!(r#"<C:comp name="{c}"/>"#)).collect();
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>{name}</D:displayname><C:supported-calendar-component-set>{comps}</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>"#
    );
    ureq::request("MKCALENDAR", url)
        .set("Authorization", &auth())
        .set("Content-Type", "application/xml")
        .send_string(&body)
        .unwrap();
}

/// Few users know their calendar's own address: the server's is enough. Radicale's root names the user's
/// principal, which names the home of their calendars; the one calendar of events there is connected, and a
/// sync goes to it. With a second one, the user chooses: the refusal names both, and the list gives both (a
/// task list is neither).
#[test]
fn the_servers_address_is_enough_to_find_and_connect_the_calendar() {
    if !keychain_available() {
        return;
    }
    let (_tmp, server, calendar) = radicale();
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    let root = server.url.clone();

    let found = f.core.caldav_calendars(&dana, &agent_login(&root)).unwrap();
    assert_eq!(found, [CaldavCalendar { url: calendar.clone(), name: "Calendar".into() }]);
    // The calendar's own address is itself.
    let found = f.core.caldav_calendars(&dana, &agent_login(&calendar)).unwrap();
    assert_eq!(found, [CaldavCalendar { url: calendar.clone(), name: "Calendar".into() }]);
    // An address on the server where nothing is (404): the site's well-known address (RFC 6764), which Radicale
    // redirects to its root, leads to the calendar.
    let found = f.core.caldav_calendars(&dana, &agent_login(&format!("{root}agent/nothing/"))).unwrap();
    assert_eq!(found, [CaldavCalendar { url: calendar.clone(), name: "Calendar".into() }]);
    // A wrong password is said as one, not as "no calendar there".
    let wrong = CaldavConnect { password: "wrong-one-9".into(), ..agent_login(&root) };
    let err = f.core.caldav_calendars(&dana, &wrong).unwrap_err();
    assert!(err.to_string().contains("refused the user name or password"), "{err}");
    let err = f.core.connect_caldav(&dana, &wrong, &OsKeychain).unwrap_err();
    assert!(err.to_string().contains("refused the user name or password"), "{err}");
    assert!(f.core.caldav_account(&dana).unwrap().is_none());

    // Connected from the server's address: the account is the calendar's, and a booking lands in it.
    let account = f.core.connect_caldav(&dana, &agent_login(&root), &OsKeychain).unwrap();
    assert_eq!(account.calendar_url, calendar);
    let review =
        f.core.book_appointment(&dana, &booking(id, "Review", "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z")).unwrap();
    assert_eq!(f.core.sync_caldav(&dana, &OsKeychain).unwrap().pushed, 1);
    assert!(get(&href_in(&calendar, &review.uid)).contains("SUMMARY:Review"));
    f.core.disconnect_caldav(&dana, &OsKeychain).unwrap();

    // Two calendars of events and a task list.
    let work = format!("{root}agent/work/");
    make_calendar(&work, "Work", &["VEVENT", "VTODO"]);
    make_calendar(&format!("{root}agent/tasks/"), "Tasks", &["VTODO"]);
    let mut found = f.core.caldav_calendars(&dana, &agent_login(&root)).unwrap();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(
        found,
        [
            CaldavCalendar { url: calendar.clone(), name: "Calendar".into() },
            CaldavCalendar { url: work.clone(), name: "Work".into() },
        ]
    );
    let err = f.core.connect_caldav(&dana, &agent_login(&root), &OsKeychain).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    let fields = err.field_errors();
    assert_eq!(fields.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["calendar_url"]);
    let message = &fields[0].message;
    assert!(message.starts_with("you have 2 calendars there:"), "{message}");
    assert!(message.contains(&format!("“Work” ({work})")) && message.contains(&format!("“Calendar” ({calendar})")));
    assert!(!message.contains("Tasks"), "{message}");
    assert!(f.core.caldav_account(&dana).unwrap().is_none());

    // The one chosen is connected.
    let account = f.core.connect_caldav(&dana, &agent_login(&work), &OsKeychain).unwrap();
    assert_eq!(account.calendar_url, work);
    let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
    assert_eq!(report.pushed, 1, "{report:?}");
    assert!(get(&href_in(&work, &review.uid)).contains("SUMMARY:Review"));
}

/// A front that answers every request with `status` to the same path on `upstream` (a calendar moved, or
/// http:// sent on to https://).
fn redirector(upstream: &str, status: u16) -> String {
    use std::io::BufReader;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let upstream = upstream.trim_end_matches('/').to_owned();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let path = read_request(&mut BufReader::new(stream.try_clone().unwrap())).path;
            let head = format!(
                "HTTP/1.1 {status} Moved\r\nLocation: {upstream}{path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes());
        }
    });
    url
}

/// A calendar whose address the server redirects keeps its method, body and password on the way: ureq's own
/// redirects made a PROPFIND a GET without the password, and the calendar "refused the user name or
/// password". Connected through the redirect (to the server's address, or the calendar's), the sync sends
/// and reads through it.
#[test]
fn a_redirected_calendar_address_is_followed_with_its_method_and_password() {
    if !keychain_available() {
        return;
    }
    let (_tmp, server, calendar) = radicale();
    put(&format!("{calendar}server-1.ics"), SERVER_EVENT);
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    for (status, hour) in [(301, 9), (308, 11)] {
        let front = redirector(&server.url, status);
        let found = f.core.caldav_calendars(&dana, &agent_login(&front)).unwrap();
        assert_eq!(found.len(), 1, "{status}: {found:?}");
        let moved = format!("{front}agent/calendar/");
        let account = f.core.connect_caldav(&dana, &agent_login(&moved), &OsKeychain).unwrap();
        assert_eq!(account.calendar_url, moved);
        let title = format!("Review {status}");
        let (start, end) = (format!("2026-12-04T{hour:02}:00:00Z"), format!("2026-12-04T{:02}:00:00Z", hour + 1));
        let a = f.core.book_appointment(&dana, &booking(id, &title, &start, &end)).unwrap();
        let report = f.core.sync_caldav(&dana, &OsKeychain).unwrap();
        assert!(report.pushed >= 1, "{status}: {report:?}");
        assert!(get(&href_in(&calendar, &a.uid)).contains(&format!("SUMMARY:{title}")));
        let seen = f.core.occurrences(&dana, &[id], "2026-12-03T00:00:00Z", "2026-12-05T00:00:00Z").unwrap();
        assert!(format!("{seen:?}").contains("Dentist (from the server)"), "{status}: {seen:?}");
        f.core.disconnect_caldav(&dana, &OsKeychain).unwrap();
    }
}

/// Baïkal signs in by HTTP Digest by default, and WsgiDAV (started here) by Digest only. Rapport signs in to it
/// (WsgiDAV holds no calendar, and the search says that, not a refusal), and a wrong password is refused as one.
/// It was "refused the user name or password" with the right one.
#[test]
fn a_server_that_signs_in_by_digest_only_is_signed_in_to() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new("bash")
        .arg(root().join("tests/calendar/services.sh"))
        .arg("webdav-digest")
        .arg(tmp.path().join("webdav"))
        .output()
        .unwrap();
    assert!(out.status.success(), "WsgiDAV did not start: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let server = Server {
        url: v["url"].as_str().unwrap().to_owned(),
        pid: v["pid"].as_u64().unwrap() as u32,
        dir: tmp.path().join("webdav"),
        child: None,
    };
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let err = f.core.caldav_calendars(&dana, &agent_login(&server.url)).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("no calendar was found from this address"), "{message}");
    let log = std::fs::read_to_string(server.dir.join("wsgidav.log")).unwrap();
    assert!(log.contains("\"PROPFIND / HTTP/1.1\" 207"), "signed in and answered: {log}");
    let wrong = CaldavConnect { password: "wrong-one-9".into(), ..agent_login(&server.url) };
    let err = f.core.caldav_calendars(&dana, &wrong).unwrap_err();
    assert!(err.to_string().contains("refused the user name or password"), "{err}");
    assert!(!format!("{err} {message}").contains(CALDAV_PASSWORD));
}

/// A Digest sign-in Rapport cannot make (an algorithm it does not know) is said as such, not taken for a wrong
/// password: the user would look for another one.
#[test]
fn a_digest_sign_in_that_cannot_be_made_says_so() {
    use std::io::BufReader;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/dav.php/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            read_request(&mut BufReader::new(stream.try_clone().unwrap()));
            let _ = stream.write_all(
                b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"BaikalDAV\", qop=\"auth\", \
                  algorithm=SHA-512-256, nonce=\"5f2e\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let err = f.core.caldav_calendars(&dana, &agent_login(&url)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Remote);
    let message = err.to_string();
    assert!(message.contains("Digest sign-in with SHA-512-256") && !message.contains("refused"), "{message}");
}
