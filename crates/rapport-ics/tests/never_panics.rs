#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Fuzzing the reader with proptest: any bytes, and real-looking files with lines dropped, repeated, cut
//! or garbled, are read and expanded without a panic, and every problem names a line of the file.
use chrono::{TimeZone, Utc};
use proptest::prelude::*;

const SEED: &str = "BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
X-WR-TIMEZONE:Europe/Berlin
BEGIN:VTIMEZONE
TZID:Custom Zone
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:a
DTSTART;TZID=Custom Zone:20260105T090000
DTEND;TZID=Custom Zone:20260105T100000
RRULE:FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20261231T000000Z
EXDATE;TZID=Custom Zone:20260108T090000
RDATE;VALUE=PERIOD:20260110T100000Z/PT2H
SUMMARY:Weekly\\, with an escaped comma and a long line that will be folded somewhere aroun
 d here
ATTENDEE;CN=\"Doe, Jane\";PARTSTAT=ACCEPTED:mailto:jane@example.com
END:VEVENT
BEGIN:VEVENT
UID:a
RECURRENCE-ID;TZID=Custom Zone:20260112T090000
RANGE=THISANDFUTURE
DTSTART;TZID=W. Europe Standard Time:20260112T110000
DURATION:PT45M
END:VEVENT
BEGIN:VEVENT
UID:b
DTSTART;VALUE=DATE:20260301
RRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=40
END:VEVENT
END:VCALENDAR
";

fn check(bytes: &[u8]) {
    let cal = rapport_ics::read(bytes);
    let lines = bytes.split(|b| *b == b'\n').count().max(1);
    for p in &cal.problems {
        assert!(p.line >= 1 && p.line <= lines, "problem on line {} of {lines}: {}", p.line, p.message);
    }
    let from = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2028, 1, 1, 0, 0, 0).unwrap();
    let exp = rapport_ics::expand(&cal.events, from, to, &rapport_ics::Zone::Utc);
    for o in &exp.occurrences {
        assert!(o.start <= o.end || matches!(o.start, rapport_ics::When::Date(_)), "{o:?}");
    }
    // What was read can be written and read back.
    let again = rapport_ics::read(rapport_ics::write_calendar(None, None, &cal.events, from).as_bytes());
    assert_eq!(again.events.len(), cal.events.len());
}

#[derive(Debug, Clone)]
enum Edit {
    Drop(usize),
    Repeat(usize),
    Cut(usize, usize),
    Garble(usize, usize, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..60usize).prop_map(Edit::Drop),
        (0..60usize).prop_map(Edit::Repeat),
        (0..60usize, 0..80usize).prop_map(|(l, c)| Edit::Cut(l, c)),
        (0..60usize, 0..80usize, any::<u8>()).prop_map(|(l, c, b)| Edit::Garble(l, c, b)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        check(&bytes);
    }

    #[test]
    fn any_text_shaped_like_ics(text in "(BEGIN:VCALENDAR|BEGIN:VEVENT|END:VEVENT|DTSTART[;A-Z=]*:[0-9TZ]{0,16}|RRULE:[A-Z=;,0-9-]{0,30}|UID:[a-z]{0,3}|DURATION:[PT0-9HMSDW-]{0,8}|EXDATE:[0-9TZ,]{0,20}|\r?\n| ){0,40}") {
        check(text.as_bytes());
    }

    #[test]
    fn a_real_file_damaged(edits in proptest::collection::vec(edit(), 0..8)) {
        let mut lines: Vec<Vec<u8>> = SEED.split('\n').map(|l| l.as_bytes().to_vec()).collect();
        for e in edits {
            let n = lines.len().max(1);
            match e {
                Edit::Drop(i) => { if !lines.is_empty() { lines.remove(i % n); } }
                Edit::Repeat(i) => { if let Some(l) = lines.get(i % n).cloned() { lines.insert(i % n, l); } }
                Edit::Cut(i, c) => { if let Some(l) = lines.get_mut(i % n) { l.truncate(c); } }
                Edit::Garble(i, c, b) => { if let Some(l) = lines.get_mut(i % n) { if !l.is_empty() { let k = c % l.len(); l[k] = b; } } }
            }
        }
        check(&lines.join(&b'\n'));
    }
}

#[test]
fn the_seed_file_itself_reads_cleanly() {
    let cal = rapport_ics::read(SEED.as_bytes());
    assert_eq!(cal.events.len(), 3, "{:?}", cal.problems);
    check(SEED.as_bytes());
}

/// A file of 200,000 nested components (hostile, or a CalDAV server's answer) is read without overflowing the
/// stack: what is nested too deep is skipped and said, and the event beside it is read.
#[test]
fn components_nested_without_end_are_read_without_overflowing_the_stack() {
    let depth = 200_000;
    let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
    text.push_str("BEGIN:VEVENT\r\nUID:kept\r\nDTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nSUMMARY:Kept\r\nEND:VEVENT\r\n");
    text.push_str(&"BEGIN:X-DEEP\r\n".repeat(depth));
    text.push_str(&"END:X-DEEP\r\n".repeat(depth));
    text.push_str("END:VCALENDAR\r\n");
    // Read on a thread with a small stack, as the app's blocking threads have.
    let cal = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || rapport_ics::read(text.as_bytes()))
        .unwrap()
        .join()
        .expect("read without overflowing the stack");
    assert_eq!(cal.events.iter().map(|e| e.uid.as_str()).collect::<Vec<_>>(), ["kept"]);
    assert!(cal.problems.iter().any(|p| p.message.contains("nested deeper")), "{:?}", cal.problems);
}

/// A zone defined in the file whose offset would change every second: its rule is ignored, said, and the
/// daily series in it is read and expanded over two years (each conversion expanded half a million onsets).
#[test]
fn a_zone_changing_its_offset_every_second_is_not_expanded() {
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Evil\r\nBEGIN:STANDARD\r\n\
DTSTART:20000101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nRRULE:FREQ=SECONDLY\r\nEND:STANDARD\r\n\
BEGIN:DAYLIGHT\r\nDTSTART:20000101T000001\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\n\
RRULE:FREQ=YEARLY;BYSECOND=0,1,2,3,4,5,6,7,8,9,10\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:daily\r\nDTSTART;TZID=Evil:20260105T090000\r\nDTEND;TZID=Evil:20260105T100000\r\n\
RRULE:FREQ=DAILY\r\nSUMMARY:Standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let cal = rapport_ics::read(text.as_bytes());
    let ignored = cal.problems.iter().filter(|p| p.message.contains("more often than monthly")).count();
    assert_eq!(ignored, 2, "{:?}", cal.problems);
    assert_eq!(cal.events.len(), 1);
    let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2028, 1, 1, 0, 0, 0).unwrap();
    let n = rapport_ics::expand(&cal.events, from, to, &rapport_ics::Zone::Utc).occurrences.len();
    assert!(n > 700, "{n} occurrences");
}

/// A time whose offset has a character beyond ASCII after its sign (a Latin-1 byte re-read as Windows-1252 in
/// a file that is not UTF-8) costs that event, named by its line, not the whole file: it panicked.
#[test]
fn a_time_offset_with_a_character_beyond_ascii_is_one_event_s_problem() {
    let file = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//T//EN\r\nBEGIN:VEVENT\r\nUID:x\r\n\
DTSTART:20261203T090000-\xB01\r\nSUMMARY:Broken\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:y\r\n\
DTSTART:20261204T090000Z\r\nSUMMARY:Fine\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let cal = rapport_ics::read(file);
    assert_eq!(
        cal.events.iter().map(|e| e.summary.as_deref()).collect::<Vec<_>>(),
        [Some("Fine")],
        "{:?}",
        cal.problems
    );
    assert_eq!(cal.problems.len(), 1, "{:?}", cal.problems);
}
