#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Expanded occurrences compared with an independent implementation — Python's `icalendar` +
//! `recurring-ical-events`, run by this test from the venv `scripts/pyenv.sh` makes — over two years, on
//! files other programs wrote: the shared samples (vobject, khal) and the calendars shipped inside those two
//! Python packages (Google, Outlook/Exchange, Apple, Thunderbird, DAVx5, ... exports; BSD-2-Clause and
//! LGPL-3.0-or-later, read in place, not copied).
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use chrono::{DateTime, Datelike, TimeZone, Utc};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The venv's python, or `None` (skip) in a partial run; in CI or under scripts/test.sh its absence fails the test.
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

fn package_dir(python: &Path, module: &str) -> PathBuf {
    let out = Command::new(python)
        .args(["-c", &format!("import os, {module}; print(os.path.dirname({module}.__file__))")])
        .output()
        .unwrap();
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

fn ics_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            ics_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "ics") {
            out.push(p);
        }
    }
}

pub fn corpus(python: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let shared = root().join("../shared/data/ics");
    if shared.exists() {
        ics_files(&shared, &mut files);
    } else {
        eprintln!("../shared/data/ics is absent: only the Python packages' calendars are compared");
    }
    let ical = package_dir(python, "icalendar").join("tests");
    for sub in ["calendars", "events", "timezones"] {
        ics_files(&ical.join(sub), &mut files);
    }
    ics_files(&package_dir(python, "recurring_ical_events").join("test/calendars"), &mut files);
    files
}

/// Two years from the start of the year of the file's first event (by our reading), so each file's
/// repetitions are compared where they happen.
fn window(cal: &rapport_ics::Calendar) -> (DateTime<Utc>, DateTime<Utc>) {
    let year = cal
        .events
        .iter()
        .map(|e| e.start.to_utc(&rapport_ics::Zone::Utc).year())
        .min()
        .unwrap_or(2020)
        .clamp(1971, 2090);
    let at = |y| Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).unwrap();
    (at(year), at(year + 2))
}

type Occ = (String, String, String);

fn ours(cal: &rapport_ics::Calendar, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occ> {
    let mut v: Vec<Occ> = rapport_ics::expand(&cal.events, from, to, &rapport_ics::Zone::Utc)
        .occurrences
        .iter()
        .map(|o| (o.uid.clone(), o.start.to_text(), o.end.to_text()))
        .collect();
    v.sort();
    v
}

/// Files where the two readers disagree on purpose, each with the reason. A disagreement not listed here
/// fails the test; a listed file that agrees again fails it too (the list must stay true).
const KNOWN: &[(&str, &str)] = &[
    // Python cannot read these; we read what is readable and report the rest with its line.
    ("invalid_tzoffset.ics", "icalendar refuses the whole file over one impossible VTIMEZONE offset"),
    ("non_dst_error.ics", "icalendar refuses a negative duration inside a VTIMEZONE; we skip that part"),
    ("badstream.ics", "icalendar refuses a bad DTSTAMP; we read the event, whose DTSTART is fine"),
    (
        "america_new_york_forward_reference.ics",
        "icalendar fails on a VTIMEZONE after its event; order does not matter to us",
    ),
    ("pacific_fiji.ics", "icalendar fails on a time zone with two RDATE lines; we read both"),
    ("broken_ical.ics", "icalendar fails on a second event without DTSTART; we report it by line and import the first"),
    ("multiple_calendar_components.ics", "icalendar refuses several VCALENDARs in one file; we read each"),
    (
        "bad_rrule_missing_until_event.ics",
        "UNTL (a typo) makes dateutil refuse the rule; we ignore that part with a warning",
    ),
    ("rfc_7529.ics", "dateutil fails on RSCALE=CHINESE; we refuse that rule (first occurrence only, with a warning)"),
    (
        "issue_464_invalid_rdate.ics",
        "one of two RDATE periods is malformed: icalendar drops both, we keep the valid one",
    ),
    ("issue_165_missing_event.ics", "BYDAY=MO, TU, WE (spaces): dateutil drops the rule, we read the days"),
    // Deliberately contradictory files, where the RFC decides and icalendar does otherwise.
    (
        "event_dt_mixed_awareness.ics",
        "TZID with a time ending in Z: RFC 5545 3.3.5 says UTC, icalendar applies the TZID",
    ),
    (
        "issue_201_mixed_datetime_and_date.ics",
        "a DATE start with a DATE-TIME end: we keep it all-day, Python makes it timed",
    ),
    ("issue_201_test_matrix.ics", "the same, for DURATION in hours on a DATE start"),
    // Time zone names.
    (
        "issue_526_calendar_with_different_events.ics",
        "\"Western/Central Europe\" (no VTIMEZONE): unknown to us, read as local with a warning",
    ),
    ("issue_526_calendar_with_event_subset.ics", "the same unknown zone name"),
    ("issue_526_calendar_with_events.ics", "the same unknown zone name"),
    ("issue_526_calendar_with_shuffeled_events.ics", "the same unknown zone name"),
    // A date UNTIL on a series of times (RFC 5545 leaves it undefined).
    (
        "recurrence.ics",
        "UNTIL=20061228 on a 23:00Z series: that whole day, as vobject (whose file this is) and Thunderbird read it; \
         dateutil stops at its midnight and drops the 28th",
    ),
    ("issue_75_range_parameter.ics", "the same: UNTIL=20250920 keeps the series' meeting on the 20th"),
    // A whole day whose DTEND is its own date (khal's sample, calendarlabs' holidays): one day to us, as to khal
    // and Google; Python keeps it without length, and it would never make anyone busy.
    ("event_d_same_start_end.ics", "a whole day ending on its own date: one day to us, no length to Python"),
    ("example.ics", "the same, three whole days ending on their own dates"),
    ("Germany_Holidays.ics", "the same, each holiday ending on its own date"),
];

#[test]
fn occurrences_agree_with_an_independent_implementation() {
    let Some(python) = python() else { return };
    let files = corpus(&python);
    assert!(files.len() > 150, "the corpus has its files ({} found)", files.len());
    let mut windows = BTreeMap::new();
    let mut input = String::new();
    for f in &files {
        let cal = rapport_ics::read(&std::fs::read(f).unwrap());
        let (from, to) = window(&cal);
        input.push_str(&format!("{}\t{}\t{}\n", f.display(), from.to_rfc3339(), to.to_rfc3339()));
        windows.insert(f.display().to_string(), (cal, from, to));
    }
    let mut child = Command::new(&python)
        .arg(root().join("tests/calendar/expand.py"))
        .arg("--batch")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    // A reader that stopped part-way would leave the rest of the corpus uncompared.
    assert!(out.status.success(), "expand.py failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut agree = 0;
    let mut both_refuse = 0;
    let mut differ: Vec<(String, String)> = Vec::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = v["file"].as_str().unwrap().to_owned();
        let (cal, from, to) = &windows[&file];
        let mine = ours(cal, *from, *to);
        let name = Path::new(&file).file_name().unwrap().to_string_lossy().to_string();
        if let Some(err) = v["error"].as_str() {
            // Python refuses the file; we must then have said what is wrong, or found nothing to import.
            if cal.events.is_empty() || !cal.problems.is_empty() {
                both_refuse += 1;
            } else {
                differ.push((name, format!("python refused ({err}), we read {} occurrences", mine.len())));
            }
            continue;
        }
        let mut theirs: Vec<Occ> = v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["uid"].as_str().unwrap().to_owned(),
                    e["start"].as_str().unwrap().to_owned(),
                    e["end"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        theirs.sort();
        // Events without UID get an identity of ours: compare those by time only.
        let strip = |v: &[Occ]| -> Vec<(String, String)> {
            let mut t: Vec<_> = v.iter().map(|(_, s, e)| (s.clone(), e.clone())).collect();
            t.sort();
            t
        };
        if mine == theirs || (cal.events.iter().any(|e| e.uid.ends_with("@no-uid")) && strip(&mine) == strip(&theirs)) {
            agree += 1;
        } else {
            let only_mine: Vec<_> = mine.iter().filter(|o| !theirs.contains(o)).take(3).collect();
            let only_theirs: Vec<_> = theirs.iter().filter(|o| !mine.contains(o)).take(3).collect();
            differ.push((
                name,
                format!("{} vs {}: only ours {only_mine:?}; only theirs {only_theirs:?}", mine.len(), theirs.len()),
            ));
        }
    }
    assert_eq!(agree + both_refuse + differ.len(), files.len(), "every file was compared");
    let unexplained: Vec<_> = differ.iter().filter(|(n, _)| !KNOWN.iter().any(|(k, _)| k == n)).collect();
    let stale: Vec<_> = KNOWN.iter().filter(|(k, _)| !differ.iter().any(|(n, _)| n == k)).collect();
    eprintln!(
        "{} files: {agree} agree, {both_refuse} refused by both, {} differ ({} explained)",
        files.len(),
        differ.len(),
        differ.len() - unexplained.len()
    );
    for (n, d) in &unexplained {
        eprintln!("DIFFER {n}: {d}");
    }
    assert!(unexplained.is_empty(), "{} files differ without a known reason", unexplained.len());
    assert!(stale.is_empty(), "listed as differing but agree now: {stale:?}");
}
