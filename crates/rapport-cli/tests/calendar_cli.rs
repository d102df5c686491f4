#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! The calendar from the `rapport` binary: two processes racing for one slot, the occurrence list scripts
//! read, and exported files re-read by an independent parser (Python's `icalendar`).
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PASSWORD: &str = "correct horse battery";

fn rapport(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("RAPPORT_USER", "admin")
        .env("RAPPORT_PASSWORD", PASSWORD)
        .env("RAPPORT_NEW_PASSWORD", PASSWORD)
        .env("RAPPORT_DEMO", "0")
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "stderr: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The venv's python (scripts/pyenv.sh); `None` skips in a partial run, and fails in CI or under scripts/test.sh.
fn python() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("RAPPORT_PYTHON").map(PathBuf::from),
        std::env::var_os("RAPPORT_TOOLS").map(|t| PathBuf::from(t).join("pyenv/bin/python")),
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/rapport/tools/pyenv/bin/python")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none() && std::env::var_os("RAPPORT_TEST_EVERYTHING").is_none(),
            "the Python venv is missing, and this run was to test everything: scripts/pyenv.sh makes it"
        );
        // Past the test harness, which keeps what a passing test prints: a skip must not read as a plain "ok".
        std::io::Write::write_all(
            &mut std::io::stderr(),
            "skipped: no Python venv with icalendar (run scripts/pyenv.sh)\n".as_bytes(),
        )
        .ok();
    }
    found
}

#[test]
fn two_processes_booking_one_slot_book_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("race.db");
    ok(&rapport(&db, &["settings", "show"])); // creates the administrator
    let children: Vec<_> = (0..4)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_rapport"))
                .arg("--db")
                .arg(&db)
                .args(["appointments", "book", "--title", &format!("p{i}")])
                .args(["--start", "2026-12-10T10:00:00Z", "--end", "2026-12-10T11:00:00Z"])
                .env("RAPPORT_USER", "admin")
                .env("RAPPORT_PASSWORD", PASSWORD)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<Output> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    let booked = outputs.iter().filter(|o| o.status.success()).count();
    let refusals: Vec<String> = outputs
        .iter()
        .filter(|o| !o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .collect();
    assert_eq!(booked, 1, "{refusals:?}");
    assert!(refusals.iter().all(|e| e.contains("is already booked then")), "{refusals:?}");
    let list =
        ok(&rapport(&db, &["appointments", "list", "--from", "2026-12-10T00:00:00Z", "--to", "2026-12-11T00:00:00Z"]));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&list).unwrap().as_array().unwrap().len(), 1);
}

const SERIES: &str = "BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
X-WR-TIMEZONE:Europe/Berlin\r
BEGIN:VEVENT\r
DTSTART;TZID=Europe/Berlin:20261019T090000\r
DTEND;TZID=Europe/Berlin:20261019T093000\r
RRULE:FREQ=WEEKLY;BYDAY=MO,TH\r
EXDATE;TZID=Europe/Berlin:20261022T090000\r
UID:standup@google.com\r
SUMMARY:Stand-up\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;TZID=Europe/Berlin:20261027T100000\r
DTEND;TZID=Europe/Berlin:20261027T103000\r
RECURRENCE-ID;TZID=Europe/Berlin:20261026T090000\r
UID:standup@google.com\r
SUMMARY:Stand-up (moved)\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;VALUE=DATE:20261026\r
DTEND;VALUE=DATE:20261027\r
UID:holiday@google.com\r
SUMMARY:Holiday\r
TRANSP:TRANSPARENT\r
END:VEVENT\r
END:VCALENDAR\r
";

#[test]
fn the_occurrence_list_expands_repetitions_in_utc_and_dates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("list.db");
    let file = dir.path().join("google.ics");
    std::fs::write(&file, SERIES).unwrap();
    ok(&rapport(&db, &["ics", "import", file.to_str().unwrap()]));
    let out =
        ok(&rapport(&db, &["appointments", "list", "--from", "2026-10-19T00:00:00Z", "--to", "2026-10-30T00:00:00Z"]));
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let rows: Vec<(String, String, String)> = list
        .iter()
        .map(|o| {
            (
                o["summary"].as_str().unwrap().into(),
                o["start"].as_str().unwrap().into(),
                o["end"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("Stand-up", "2026-10-19T07:00:00Z", "2026-10-19T07:30:00Z"),
        // 22 Oct excluded; 26 Oct moved to the 27th at 10:00 (after the DST change: 09:00Z).
        ("Holiday", "2026-10-26", "2026-10-27"),
        ("Stand-up (moved)", "2026-10-27T09:00:00Z", "2026-10-27T09:30:00Z"),
        ("Stand-up", "2026-10-29T08:00:00Z", "2026-10-29T08:30:00Z"),
    ];
    let expected: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(rows, expected);
    assert!(list.iter().all(|o| o["uid"].as_str().is_some_and(|u| u.ends_with("@google.com"))));
    // The window is half-open: an occurrence ending exactly at FROM is not in it.
    let out =
        ok(&rapport(&db, &["appointments", "list", "--from", "2026-10-19T07:30:00Z", "--to", "2026-10-19T08:00:00Z"]));
    assert_eq!(out.trim(), "[]");
}

#[test]
fn exported_files_are_read_by_an_independent_parser() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("export.db");
    let file = dir.path().join("google.ics");
    std::fs::write(&file, SERIES).unwrap();
    ok(&rapport(&db, &["ics", "import", file.to_str().unwrap()]));
    // The agent's address, which an invite is sent from (its ORGANIZER): set in the app, here in the file.
    let set = rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO agent_calendars (user_id, email, time_zone, working_hours, updated_at)
             SELECT id, 'admin@rapport.test', 'UTC', '[]', '2026-01-01T00:00:00Z' FROM users WHERE username = 'admin'",
            [],
        )
        .unwrap();
    assert_eq!(set, 1, "the agent's settings, as the app saves them");
    ok(&rapport(
        &db,
        &[
            "appointments",
            "book",
            "--title",
            "Demo, with \"quotes\"; and a very long title that must be folded at seventy-five octets ✓",
            "--start",
            "2026-12-03T09:00:00Z",
            "--end",
            "2026-12-03T10:00:00Z",
            "--time-zone",
            "America/New_York",
            "--location",
            "Room 4",
        ],
    ));
    let cal = dir.path().join("calendar.ics");
    ok(&rapport(&db, &["ics", "export", "-o", cal.to_str().unwrap()]));
    let read = |path: &Path| -> serde_json::Value {
        let o = Command::new(&python).arg(root().join("tests/calendar/read_ics.py")).arg(path).output().unwrap();
        assert!(
            o.status.success(),
            "{} rejected {}: {}",
            "icalendar",
            path.display(),
            String::from_utf8_lossy(&o.stdout)
        );
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let v = read(&cal);
    let events = v["events"].as_array().unwrap();
    let demo = events.iter().find(|e| e["summary"].as_str().unwrap().starts_with("Demo")).unwrap();
    assert_eq!(
        demo["summary"],
        "Demo, with \"quotes\"; and a very long title that must be folded at seventy-five octets ✓"
    );
    assert_eq!(
        (demo["start"].as_str().unwrap(), demo["end"].as_str().unwrap()),
        ("2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z")
    );
    assert_eq!(demo["tzid"], "America/New_York");
    assert!(
        v["timezones"].as_array().unwrap().iter().any(|t| t == "America/New_York"),
        "a VTIMEZONE for each zone used"
    );
    assert!(v["timezones"].as_array().unwrap().iter().any(|t| t == "Europe/Berlin"));
    let standup = events.iter().find(|e| e["summary"] == "Stand-up").unwrap();
    assert_eq!(standup["start"], "2026-10-19T07:00:00Z");
    assert!(events.iter().any(|e| e["summary"] == "Stand-up (moved)" && e["recurrence_id"].is_string()));
    // The same file, expanded by recurring-ical-events, gives the occurrences Rapport lists.
    let o = Command::new(&python)
        .arg(root().join("tests/calendar/expand.py"))
        .arg(&cal)
        .args(["--from", "2026-10-19T00:00:00Z", "--to", "2026-10-30T00:00:00Z"])
        .output()
        .unwrap();
    let theirs: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let ours: Vec<serde_json::Value> = serde_json::from_str(&ok(&rapport(
        &db,
        &["appointments", "list", "--from", "2026-10-19T00:00:00Z", "--to", "2026-10-30T00:00:00Z"],
    )))
    .unwrap();
    let key = |v: &[serde_json::Value]| -> Vec<(String, String)> {
        let mut k: Vec<_> = v
            .iter()
            .map(|o| (o["start"].as_str().unwrap().to_owned(), o["end"].as_str().unwrap().to_owned()))
            .collect();
        k.sort();
        k
    };
    assert_eq!(key(&theirs), key(&ours), "the export re-expands to the same occurrences");

    // One invite: METHOD:REQUEST, organizer, attendee, VTIMEZONE.
    let list: Vec<serde_json::Value> = serde_json::from_str(&ok(&rapport(
        &db,
        &["appointments", "list", "--from", "2026-12-03T00:00:00Z", "--to", "2026-12-04T00:00:00Z"],
    )))
    .unwrap();
    let id = list.iter().find(|o| o["summary"].as_str().unwrap().starts_with("Demo")).unwrap()["appointment_id"]
        .as_i64()
        .unwrap();
    let invite = dir.path().join("invite.ics");
    ok(&rapport(&db, &["ics", "export", "--invite", &id.to_string(), "-o", invite.to_str().unwrap()]));
    let v = read(&invite);
    assert_eq!(v["method"], "REQUEST");
    assert_eq!(v["events"].as_array().unwrap().len(), 1);
    assert_eq!(v["timezones"], serde_json::json!(["America/New_York"]));
}

/// A file of which no event can be read fails the command (after its report), so a script sees it; a file
/// with some events read and some not is imported and only reports the others.
#[test]
fn a_file_with_no_readable_event_fails_the_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ics.db");
    let bad = dir.path().join("notes.ics");
    std::fs::write(&bad, "Shopping list: milk, eggs.\n").unwrap();
    let o = rapport(&db, &["ics", "import", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no event could be read from") && err.contains("notes.ics"), "{err}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 created"), "the report comes first");
    let good = dir.path().join("google.ics");
    std::fs::write(&good, SERIES).unwrap();
    ok(&rapport(&db, &["ics", "import", good.to_str().unwrap()]));
}
