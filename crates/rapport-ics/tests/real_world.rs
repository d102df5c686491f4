#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Shapes of files that calendar programs write, each a finding turned into a regression test.
use chrono::{TimeZone, Utc};

fn starts(text: &str) -> Vec<String> {
    occurrences_in(text, &rapport_ics::Zone::Utc).into_iter().map(|(start, _)| start).collect()
}

/// The file's occurrences in 2026, read by someone in `zone`, as (start, end) in UTC; the file reads cleanly.
fn occurrences_in(text: &str, zone: &rapport_ics::Zone) -> Vec<(String, String)> {
    let cal = rapport_ics::read(text.replace('\n', "\r\n").as_bytes());
    assert!(cal.problems.is_empty(), "{:?}", cal.problems);
    let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    rapport_ics::expand(&cal.events, from, to, zone)
        .occurrences
        .iter()
        .map(|o| (o.start.to_text(), o.end.to_text()))
        .collect()
}

/// Outlook 16 names its zone by display name, escaping the commas in the VTIMEZONE's TZID only.
#[test]
fn outlook_display_name_zone_with_escaped_commas() {
    let file = r"BEGIN:VCALENDAR
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
VERSION:2.0
BEGIN:VTIMEZONE
TZID:(UTC+01:00) Amsterdam\, Berlin\, Bern\, Rome\, Stockholm\, Vienna
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
DTSTART;TZID=&quot;(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna&quot;:20261022T100000
DTEND;TZID=&quot;(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna&quot;:20261022T110000
RRULE:FREQ=WEEKLY;COUNT=2;BYDAY=TH
SUMMARY:Weekly
UID:outlook-1
END:VEVENT
END:VCALENDAR
"
    .replace("&quot;", "\"");
    // 10:00 summer time, then 10:00 winter time after 25 October: the file's own rules.
    assert_eq!(starts(&file), ["2026-10-22T08:00:00Z", "2026-10-29T09:00:00Z"]);
}

/// Exchange writes a Windows zone name, sometimes without any VTIMEZONE.
#[test]
fn windows_zone_name_without_vtimezone() {
    let file = "BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:ex-1
DTSTART;TZID=Pacific Standard Time:20260310T090000
DTEND;TZID=Pacific Standard Time:20260310T093000
END:VEVENT
END:VCALENDAR
";
    assert_eq!(starts(file), ["2026-03-10T16:00:00Z"], "PDT since 8 March");
}

/// Lotus Notes (HCL Notes) writes its zones' rules with the hour and minute of the change ("BYHOUR=2;
/// BYMINUTE=0"): one change a year all the same. The rules were ignored as changing "more often than monthly",
/// so a summer meeting in New York came an hour late.
#[test]
fn lotus_notes_zone_rules_with_the_hour_of_the_change() {
    let file = "BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Lotus Development Corporation//NONSGML Notes 9.0//EN_C
BEGIN:VTIMEZONE
TZID:Eastern
BEGIN:STANDARD
DTSTART:19501105T020000
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
RRULE:FREQ=YEARLY;BYMINUTE=0;BYHOUR=2;BYDAY=1SU;BYMONTH=11
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19500312T020000
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
RRULE:FREQ=YEARLY;BYMINUTE=0;BYHOUR=2;BYDAY=2SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
DTSTART;TZID=\"Eastern\":20260710T090000
DTEND;TZID=\"Eastern\":20260710T093000
DTSTAMP:20261201T120000Z
UID:notes-1
SUMMARY:Notes meeting
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=\"Eastern\":20260115T090000
DTEND;TZID=\"Eastern\":20260115T093000
DTSTAMP:20261201T120000Z
UID:notes-2
SUMMARY:Notes meeting in winter
END:VEVENT
END:VCALENDAR
";
    assert_eq!(starts(file), ["2026-01-15T14:00:00Z", "2026-07-10T13:00:00Z"], "EST in January, EDT in July");
}

/// Exchange names UTC "tzone://Microsoft/Utc" (its web services' id), without a VTIMEZONE: read as
/// the user's own time, a meeting moved by their offset.
#[test]
fn exchange_s_name_for_utc() {
    let file = "BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:ews-1
DTSTART;TZID=tzone://Microsoft/Utc:20260711T090000
DTEND;TZID=tzone://Microsoft/Utc:20260711T093000
END:VEVENT
END:VCALENDAR
";
    let berlin = rapport_ics::Zone::Iana(chrono_tz::Europe::Berlin);
    assert_eq!(
        occurrences_in(file, &berlin),
        [("2026-07-11T09:00:00Z".to_string(), "2026-07-11T09:30:00Z".to_string())]
    );
    let cal = rapport_ics::read(file.replace('\n', "\r\n").as_bytes());
    assert!(cal.warnings.is_empty(), "{:?}", cal.warnings);
}

/// A TZID written without a VTIMEZONE as Windows shows zones ("(UTC-05:00) Eastern Time (US & Canada)",
/// Outlook 2003's "(GMT+01.00) Amsterdam, Berlin, …"), with a space for the underscore, or as an offset: read
/// as the zone it names (by its cities, checked against the offset), not as the reader's own time.
#[test]
fn zones_named_as_windows_shows_them_or_loosely_without_a_vtimezone() {
    let at = |tzid: &str| {
        let file = format!(
            "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:z\nDTSTART;TZID={tzid}:20260710T090000\n\
             DTEND;TZID={tzid}:20260710T100000\nEND:VEVENT\nEND:VCALENDAR\n"
        );
        let cal = rapport_ics::read(file.replace('\n', "\r\n").as_bytes());
        let berlin = rapport_ics::Zone::Iana(chrono_tz::Europe::Berlin);
        let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let starts: Vec<String> =
            rapport_ics::expand(&cal.events, from, to, &berlin).occurrences.iter().map(|o| o.start.to_text()).collect();
        (starts.join(" "), cal.warnings.len())
    };
    let sure = |s: &str| (s.to_string(), 0);
    assert_eq!(at("(UTC-05:00) Eastern Time (US & Canada)"), sure("2026-07-10T13:00:00Z"));
    assert_eq!(at("Pacific Time (US & Canada)"), sure("2026-07-10T16:00:00Z"));
    // As other Windows versions wrote them: "and" for "&", a second region after a semicolon (quoted, as the
    // semicolon needs), a region of Mexico.
    assert_eq!(at("(UTC-05:00) Eastern Time (US and Canada)"), sure("2026-07-10T13:00:00Z"));
    assert_eq!(at("\"(GMT-08:00) Pacific Time (US & Canada); Tijuana\""), sure("2026-07-10T16:00:00Z"));
    assert_eq!(at("(UTC-08:00) Baja California"), sure("2026-07-10T16:00:00Z"));
    // A name written before its country moved its clock: the zone, as it is now (Caracas at UTC-4 since 2016).
    assert_eq!(at("(UTC-04:30) Caracas"), sure("2026-07-10T13:00:00Z"));
    // A city of today's offset before one that had it once: Mazatlán (UTC-7), not Chihuahua (UTC-6 since 2022).
    assert_eq!(at("(UTC-07:00) Chihuahua, La Paz, Mazatlan"), sure("2026-07-10T16:00:00Z"));
    assert_eq!(at("(GMT+01.00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"), sure("2026-07-10T07:00:00Z"));
    assert_eq!(at("(UTC+10:00) Canberra, Melbourne, Sydney"), sure("2026-07-09T23:00:00Z"));
    assert_eq!(at("(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi"), sure("2026-07-10T03:30:00Z"));
    assert_eq!(at("(UTC) Coordinated Universal Time"), sure("2026-07-10T09:00:00Z"));
    assert_eq!(at("America/New York"), sure("2026-07-10T13:00:00Z"));
    // A city of another offset is not taken: the offset alone is, all year, and the import says so.
    assert_eq!(at("(UTC+03:00) Paris"), ("2026-07-10T06:00:00Z".to_string(), 2));
    assert_eq!(at("GMT+0100"), ("2026-07-10T08:00:00Z".to_string(), 2));
    assert_eq!(at("UTC-3"), ("2026-07-10T12:00:00Z".to_string(), 2));
    // Nothing to go by: the reader's own time, said.
    assert_eq!(at("Somewhere Standard Time"), ("2026-07-10T07:00:00Z".to_string(), 2));
}

/// A start marked as a date but written with a time (a festival's programme: two shows of one title on one day,
/// no UIDs): each keeps its time, said. Taken as the day, both were one all-day event and a show was lost.
#[test]
fn a_date_written_with_a_time_keeps_its_time() {
    let file = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nDTSTAMP:20110801T000000Z\n\
                DTSTART;VALUE=DATE:20110805T150000\nDTEND;VALUE=DATE:20110805T160000\nSUMMARY:Flying display\n\
                END:VEVENT\nBEGIN:VEVENT\nDTSTAMP:20110801T000000Z\nDTSTART;VALUE=DATE:20110805T170000\n\
                DTEND;VALUE=DATE:20110805T180000\nSUMMARY:Flying display\nEND:VEVENT\nEND:VCALENDAR\n";
    let cal = rapport_ics::read(file.replace('\n', "\r\n").as_bytes());
    let berlin = rapport_ics::Zone::Iana(chrono_tz::Europe::Berlin);
    let from = Utc.with_ymd_and_hms(2011, 8, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2011, 9, 1, 0, 0, 0).unwrap();
    let out = rapport_ics::expand(&cal.events, from, to, &berlin);
    let shown: Vec<(String, String)> = out.occurrences.iter().map(|o| (o.start.to_text(), o.end.to_text())).collect();
    assert_eq!(
        shown,
        [
            ("2011-08-05T13:00:00Z".to_string(), "2011-08-05T14:00:00Z".to_string()),
            ("2011-08-05T15:00:00Z".to_string(), "2011-08-05T16:00:00Z".to_string())
        ]
    );
    assert!(cal.warnings.iter().any(|w| w.contains("says it is a date but gives a time")), "{:?}", cal.warnings);

    // A whole-day start beside such an end: the end's day, said as such (not "read as the time written").
    let mixed = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:v6\r\nDTSTART;VALUE=DATE:20110815\r\n\
                 DTEND;VALUE=DATE:20110816T120000\r\nSUMMARY:Fair\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let cal = rapport_ics::read(mixed.as_bytes());
    let out = rapport_ics::expand(&cal.events, from, to, &berlin);
    let shown: Vec<(String, String)> = out.occurrences.iter().map(|o| (o.start.to_text(), o.end.to_text())).collect();
    assert_eq!(shown, [("2011-08-15".to_string(), "2011-08-16".to_string())]);
    let warned: Vec<String> = cal.events.iter().flat_map(|e| e.warnings.clone()).chain(cal.warnings.clone()).collect();
    assert!(warned.iter().any(|w| w.contains("read as its date, as the start is a date")), "{warned:?}");
    assert!(!warned.iter().any(|w| w.contains("read as the time written")), "{warned:?}");
}

/// A zone that dropped its summer time (Mexico City, 2022), defined in the file with its old rules, as Exchange
/// keeps them from when a series was made: read as the zone is now, as other calendars show it, not an hour
/// early all summer. (A name that never had summer time, "EST" with a DAYLIGHT part, still follows the file.)
#[test]
fn a_zone_that_dropped_summer_time_is_not_read_with_the_file_s_stale_rules() {
    let at = |tzid: &str| {
        let file = format!(
            "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTIMEZONE\nTZID:{tzid}\nBEGIN:STANDARD\nTZOFFSETFROM:-0500\n\
             TZOFFSETTO:-0600\nDTSTART:19701025T020000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nEND:STANDARD\n\
             BEGIN:DAYLIGHT\nTZOFFSETFROM:-0600\nTZOFFSETTO:-0500\nDTSTART:19700405T020000\n\
             RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU\nEND:DAYLIGHT\nEND:VTIMEZONE\nBEGIN:VEVENT\nUID:m\n\
             DTSTART;TZID={tzid}:20260706T090000\nDURATION:PT1H\nEND:VEVENT\nEND:VCALENDAR\n"
        );
        let cal = rapport_ics::read(file.replace('\n', "\r\n").as_bytes());
        let from = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 8, 1, 0, 0, 0).unwrap();
        let out = rapport_ics::expand(&cal.events, from, to, &rapport_ics::Zone::Utc);
        out.occurrences.iter().map(|o| o.start.to_text()).collect::<Vec<_>>().join(" ")
    };
    assert_eq!(at("America/Mexico_City"), "2026-07-06T15:00:00Z");
    assert_eq!(at("Central Standard Time (Mexico)"), "2026-07-06T15:00:00Z");
    assert_eq!(at("CST6CDT"), "2026-07-06T14:00:00Z", "a zone with summer time now, as the file says");
}

/// A file that starts with spaces (a blank indented line, then the calendar indented): read as the calendar
/// it is, without a word. The indented BEGIN continued nothing and was read as a property named "  BEGIN",
/// with four confusing lines about a calendar outside any calendar.
#[test]
fn a_file_that_starts_with_spaces_is_read() {
    let file = "   \r\n  BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:ws\r\nDTSTART:20251009T100000Z\r\n\
                DURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let cal = rapport_ics::read(file.as_bytes());
    assert_eq!(cal.events.len(), 1);
    assert!(cal.problems.is_empty() && cal.warnings.is_empty(), "{:?} {:?}", cal.problems, cal.warnings);
}

/// Times written as ISO 8601 shows them ("2026-07-12T09:00:00Z", with an offset, fractional seconds), as some
/// web tools write invites: the event was dropped as "not a date or date-time", though its time is plain.
#[test]
fn times_written_the_iso_8601_way_are_read() {
    let file = "BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:iso-1
DTSTART:2026-07-12T09:00:00Z
DTEND:2026-07-12T10:00:00Z
END:VEVENT
BEGIN:VEVENT
UID:iso-2
DTSTART:2026-07-13T09:00:00+02:00
DTEND:2026-07-13T09:30:00.000+02:00
END:VEVENT
BEGIN:VEVENT
UID:frac-1
DTSTART:20260714T090000.000Z
DTEND:20260714T100000.250Z
END:VEVENT
BEGIN:VEVENT
UID:day-1
DTSTART;VALUE=DATE:2026-07-15
END:VEVENT
BEGIN:VEVENT
UID:iso-zoned-1
DTSTART;TZID=Europe/Berlin:2026-07-16T09:00:00
DTEND;TZID=Europe/Berlin:2026-07-16T10:00:00
END:VEVENT
END:VCALENDAR
";
    assert_eq!(
        occurrences_in(file, &rapport_ics::Zone::Utc),
        [
            ("2026-07-12T09:00:00Z".to_string(), "2026-07-12T10:00:00Z".to_string()),
            ("2026-07-13T07:00:00Z".to_string(), "2026-07-13T07:30:00Z".to_string()),
            ("2026-07-14T09:00:00Z".to_string(), "2026-07-14T10:00:00Z".to_string()),
            ("2026-07-15".to_string(), "2026-07-16".to_string()),
            // With its zone named: Berlin's summer time.
            ("2026-07-16T07:00:00Z".to_string(), "2026-07-16T08:00:00Z".to_string()),
        ]
    );
}

/// Google exports repeating events in UTC with the calendar's zone beside: they repeat in that zone.
#[test]
fn google_utc_series_repeat_in_the_calendar_zone() {
    let file = "BEGIN:VCALENDAR
VERSION:2.0
X-WR-TIMEZONE:Europe/Berlin
BEGIN:VEVENT
UID:g-1
DTSTART:20261019T070000Z
DTEND:20261019T073000Z
RRULE:FREQ=WEEKLY;COUNT=2
END:VEVENT
END:VCALENDAR
";
    assert_eq!(starts(file), ["2026-10-19T07:00:00Z", "2026-10-26T08:00:00Z"]);
}

/// Thunderbird's old exports put a path before the zone; lines are folded inside multi-byte characters' text.
#[test]
fn thunderbird_zone_path_and_folded_text() {
    let file = "BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:tb-1
SUMMARY:Besprechung über die Zusammenarbeit mit der Müller GmbH in Mün
 chen
DTSTART;TZID=/mozilla.org/20070129_1/Europe/Berlin:20260601T140000
DTEND;TZID=/mozilla.org/20070129_1/Europe/Berlin:20260601T150000
END:VEVENT
END:VCALENDAR
";
    let cal = rapport_ics::read(file.as_bytes());
    assert_eq!(
        cal.events[0].summary.as_deref(),
        Some("Besprechung über die Zusammenarbeit mit der Müller GmbH in München")
    );
    assert_eq!(starts(file), ["2026-06-01T12:00:00Z"]);
}

/// Some writers fold at 75 octets inside a character ("é" as C3 | A9): the file is still UTF-8, read as such
/// (not as Latin-1, which garbled every accent of it), and its lines keep their numbers.
#[test]
fn a_fold_inside_a_character_keeps_the_file_utf8() {
    let mut file =
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:split-1\r\nSUMMARY:R\xC3\r\n \xA9union \xE2\x82"
            .to_vec();
    file.extend_from_slice(
        b"\r\n\t\xAC chez M\xC3\xBCller\r\nDTSTART:20260601T140000Z\r\nBAD LINE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let cal = rapport_ics::read(&file);
    assert_eq!(cal.events[0].summary.as_deref(), Some("Réunion € chez Müller"));
    assert!(cal.warnings.iter().all(|w| !w.contains("Latin-1") && !w.contains("UTF-8")), "{:?}", cal.warnings);
    assert_eq!(cal.problems.iter().map(|p| p.line).collect::<Vec<_>>(), [9], "{:?}", cal.problems);
}

/// Google has written zones it defines in the file with a colon in their TZID, unquoted.
#[test]
fn a_tzid_with_an_unquoted_colon() {
    let file = "BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VTIMEZONE
TZID:GMT+05:30
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0530
TZOFFSETTO:+0530
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:colon-1
SUMMARY:Call
DTSTART;TZID=GMT+05:30:20260310T100000
DTEND;TZID=GMT+05:30:20260310T110000
END:VEVENT
END:VCALENDAR
";
    assert_eq!(starts(file), ["2026-03-10T04:30:00Z"]);
}

/// Exchange's zone names hold commas; written unquoted, the parser splits the TZID at them, and the zone the
/// file defines under the whole name was missed (a fixed offset read instead, an hour off in its summer).
#[test]
fn a_tzid_with_unquoted_commas_is_the_zone_the_file_defines() {
    let file = "BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VTIMEZONE
TZID:(GMT-06.00) Guadalajara\\, Mexico City\\, Monterrey
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:-0500
TZOFFSETTO:-0600
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:-0600
TZOFFSETTO:-0500
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:commas-1
SUMMARY:Call
DTSTART;TZID=(GMT-06.00) Guadalajara, Mexico City, Monterrey:20260615T090000
DTEND;TZID=(GMT-06.00) Guadalajara, Mexico City, Monterrey:20260615T100000
END:VEVENT
END:VCALENDAR
";
    assert_eq!(starts(file), ["2026-06-15T14:00:00Z"]);
}

/// Only the start makes an event: an end or a length that cannot be read costs it its length, said, not the
/// meeting (each of these was refused, and a file of them "had no event that could be read"); "24:00" is the
/// next day's midnight.
#[test]
fn an_unreadable_end_or_length_keeps_the_event() {
    let file = "BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:end-1
DTSTART:20260104T100000Z
DTEND:
END:VEVENT
BEGIN:VEVENT
UID:end-2
DTSTART;TZID=Europe/Berlin:20260105T220000
DTEND;TZID=Europe/Berlin:20260105T240000
END:VEVENT
BEGIN:VEVENT
UID:end-3
DTSTART:20260106T100000Z
DURATION:60
END:VEVENT
END:VCALENDAR
";
    let cal = rapport_ics::read(file.replace('\n', "\r\n").as_bytes());
    assert!(cal.problems.is_empty(), "{:?}", cal.problems);
    assert_eq!(cal.events.len(), 3);
    let said: Vec<&String> = cal.events.iter().flat_map(|e| &e.warnings).collect();
    assert!(said.iter().any(|w| w.contains("DTEND is not a date or time")), "{said:?}");
    assert!(said.iter().any(|w| w.contains("DURATION is not a duration")), "{said:?}");
    assert_eq!(
        occurrences_in(file, &rapport_ics::Zone::Utc),
        [
            ("2026-01-04T10:00:00Z".to_string(), "2026-01-04T10:00:00Z".to_string()),
            ("2026-01-05T21:00:00Z".to_string(), "2026-01-05T23:00:00Z".to_string()),
            ("2026-01-06T10:00:00Z".to_string(), "2026-01-06T10:00:00Z".to_string()),
        ]
    );
}

/// What we write is folded at 75 octets without splitting a character, and reads back the same.
#[test]
fn written_lines_fold_on_character_boundaries() {
    let file = "BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:w-1
SUMMARY:ÄÖÜ äöü ß — 日本語のタイトル, with a comma; a semicolon and a very long tail to force folding twice over
DTSTART;TZID=Asia/Tokyo:20260601T140000
DURATION:PT1H
END:VEVENT
END:VCALENDAR
";
    let cal = rapport_ics::read(file.as_bytes());
    let out = rapport_ics::write_calendar(Some("PUBLISH"), None, &cal.events, Utc::now());
    assert!(out.split("\r\n").all(|l| l.len() <= 75), "{out}");
    let again = rapport_ics::read(out.as_bytes());
    assert_eq!(again.events[0].summary, cal.events[0].summary);
    assert_eq!(starts(&out.replace("\r\n", "\n")), ["2026-06-01T05:00:00Z"]);
}

/// Found by the fuzz test: a byte garbled into a rule (the file then read as Latin-1) made the rrule crate
/// panic; the event now keeps its first occurrence and a warning.
#[test]
fn a_garbled_rule_costs_the_repetition_not_the_file() {
    let mut bytes =
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:g\r\nDTSTART:20260105T090000Z\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,T"
            .to_vec();
    bytes.push(0x80);
    bytes.extend_from_slice(b"H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    let cal = rapport_ics::read(&bytes);
    let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    let exp = rapport_ics::expand(&cal.events, from, to, &rapport_ics::Zone::Utc);
    assert_eq!(exp.occurrences.len(), 1);
    assert!(exp.warnings.iter().any(|w| w.contains("not understood")), "{:?}", exp.warnings);
}

/// A zoned start with a floating end (some exporters write the end without its TZID): the end is read in the
/// start's zone, an hour in New York, not an end three hours before its start refused.
#[test]
fn a_floating_end_beside_a_zoned_start_is_read_in_its_zone() {
    let file = "BEGIN:VCALENDAR
BEGIN:VEVENT
UID:mixed-1
DTSTART;TZID=America/New_York:20260310T100000
DTEND:20260310T110000
SUMMARY:Call
END:VEVENT
END:VCALENDAR
";
    let spans = occurrences_in(file, &rapport_ics::Zone::Utc);
    assert_eq!(spans, [("2026-03-10T14:00:00Z".to_string(), "2026-03-10T15:00:00Z".to_string())]);
}

/// Old Outlook exports are Windows-1252: its curly quotes, dashes and euro sign read as such (not as invisible
/// control characters), and one such line in a UTF-8 file leaves the others' accents alone.
#[test]
fn windows_1252_lines_read_as_windows_1252() {
    let mut file = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:cp-1\r\nDTSTART:20260601T140000Z\r\n".to_vec();
    file.extend_from_slice(
        b"SUMMARY:Mike\x92s offer \x80 5\x96 10\r\nLOCATION:M\xC3\xBCnchen\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let cal = rapport_ics::read(&file);
    assert_eq!(cal.events[0].summary.as_deref(), Some("Mike\u{2019}s offer \u{20AC} 5\u{2013} 10"));
    assert_eq!(cal.events[0].location.as_deref(), Some("München"));
    assert!(cal.warnings.iter().any(|w| w.contains("Windows-1252")), "{:?}", cal.warnings);
}

/// Windows' "Unicode" saves are UTF-16 with a byte-order mark.
#[test]
fn utf16_files_with_their_byte_order_mark_are_read() {
    let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u16\r\nDTSTART:20260601T140000Z\r\nSUMMARY:Réunion\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    for big_endian in [false, true] {
        let mut bytes = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
        for unit in text.encode_utf16() {
            bytes.extend(if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
        }
        let cal = rapport_ics::read(&bytes);
        assert!(cal.problems.is_empty(), "{:?}", cal.problems);
        assert_eq!(cal.events.len(), 1);
        assert_eq!(cal.events[0].summary.as_deref(), Some("Réunion"));
    }
}

/// A mistyped END (END:VEVNT) leaves the event open until the calendar's END: it is kept, and said.
#[test]
fn a_mistyped_end_keeps_the_event() {
    let file = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260105T090000Z\r\nSUMMARY:Kept\r\nEND:VEVNT\r\nEND:VCALENDAR\r\n";
    let cal = rapport_ics::read(file.as_bytes());
    assert_eq!(cal.events.len(), 1, "{:?}", cal.problems);
    assert_eq!(cal.events[0].summary.as_deref(), Some("Kept"));
    let said: Vec<&str> = cal.problems.iter().map(|p| p.message.as_str()).collect();
    assert!(said.iter().any(|m| m.contains("never ended")), "{said:?}");
}

/// A floating EXDATE and RECURRENCE-ID in a series with a zone (sabre/vobject, behind Nextcloud, writes EXDATE
/// without its TZID) name instances by their wall time in the series' zone, whatever the reader's zone.
#[test]
fn floating_exdates_and_recurrence_ids_name_the_series_own_wall_times() {
    let file = "BEGIN:VCALENDAR
BEGIN:VEVENT
UID:weekly-1
DTSTART;TZID=America/New_York:20260105T100000
DTEND;TZID=America/New_York:20260105T110000
RRULE:FREQ=WEEKLY;COUNT=3
EXDATE:20260112T100000
END:VEVENT
BEGIN:VEVENT
UID:weekly-1
RECURRENCE-ID:20260119T100000
DTSTART;TZID=America/New_York:20260119T120000
DTEND;TZID=America/New_York:20260119T130000
END:VEVENT
END:VCALENDAR
";
    let berlin = rapport_ics::Zone::Iana(chrono_tz::Europe::Berlin);
    let starts: Vec<String> = occurrences_in(file, &berlin).into_iter().map(|(start, _)| start).collect();
    assert_eq!(starts, ["2026-01-05T15:00:00Z", "2026-01-19T17:00:00Z"]);
}

/// EXRULE (RFC 2445, still written by older programs) leaves out the instances it makes: weekdays only.
#[test]
fn an_exclusion_rule_leaves_out_its_instances() {
    let file = "BEGIN:VCALENDAR
BEGIN:VEVENT
UID:exrule-1
DTSTART:20260105T090000Z
DTEND:20260105T093000Z
RRULE:FREQ=DAILY;COUNT=7
EXRULE:FREQ=WEEKLY;BYDAY=SA,SU
END:VEVENT
END:VCALENDAR
";
    let days: Vec<String> = starts(file).iter().map(|s| s[..10].to_string()).collect();
    assert_eq!(days, ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09"]);
    // Written out again with the rule.
    let cal = rapport_ics::read(file.replace('\n', "\r\n").as_bytes());
    assert_eq!(cal.events[0].exrules, ["FREQ=WEEKLY;BYDAY=SA,SU"]);
}

/// Mozilla's files end a series of times with a date (vobject's recurrence.ics): the series runs through that
/// day, as vobject and Thunderbird read it; one that starts on that day keeps its one meeting.
#[test]
fn a_date_until_on_a_series_of_times_takes_in_its_whole_day() {
    let file = "BEGIN:VCALENDAR
BEGIN:VEVENT
UID:m
DTSTART:20260129T230000Z
DTEND:20260129T235900Z
RRULE:FREQ=MONTHLY;UNTIL=20261231;BYDAY=-1TH
SUMMARY:Last Thursday
END:VEVENT
BEGIN:VEVENT
UID:one
DTSTART:20260105T100000
DTEND:20260105T110000
RRULE:FREQ=DAILY;UNTIL=20260105
SUMMARY:Just once
END:VEVENT
END:VCALENDAR
";
    let starts = starts(file);
    assert!(starts.contains(&"2026-12-31T23:00:00Z".to_string()), "the last Thursday, on the UNTIL day: {starts:?}");
    assert_eq!(starts.iter().filter(|s| s.starts_with("2026-")).count(), 13, "{starts:?}");
}

/// A whole-day series ended by a UTC time is ended by its date, wherever its reader is: west of UTC the time
/// fell on the evening before, and the last day was lost.
#[test]
fn a_whole_day_series_ends_by_the_date_of_its_until() {
    let file = "BEGIN:VCALENDAR
BEGIN:VEVENT
UID:d
DTSTART;VALUE=DATE:20260105
DTEND;VALUE=DATE:20260106
RRULE:FREQ=DAILY;UNTIL=20260109T000000Z
SUMMARY:Trade fair
END:VEVENT
END:VCALENDAR
";
    let new_york = rapport_ics::Zone::Iana(chrono_tz::America::New_York);
    let days: Vec<String> = occurrences_in(file, &new_york).into_iter().map(|(start, _)| start).collect();
    assert_eq!(days, vec!["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09"]);
}

/// Ends that other programs shrug at: a whole day ending on its own date is that day (it had no length, and
/// never made the agent busy); an end before the start is read the other way round, and a negative duration
/// keeps the event with no length, each said (they were refused, and the meeting lost); hours on a date are
/// whole days, rounded up.
#[test]
fn odd_ends_keep_the_event() {
    let file = "BEGIN:VCALENDAR
BEGIN:VEVENT
UID:same-day
DTSTART;VALUE=DATE:20260105
DTEND;VALUE=DATE:20260105
SUMMARY:Fair
END:VEVENT
BEGIN:VEVENT
UID:backwards
DTSTART:20260106T100000Z
DTEND:20260106T090000Z
SUMMARY:Typo
END:VEVENT
BEGIN:VEVENT
UID:negative
DTSTART:20260107T100000Z
DURATION:-PT1H
SUMMARY:Negative
END:VEVENT
BEGIN:VEVENT
UID:hours
DTSTART;VALUE=DATE:20260110
DURATION:PT48H
SUMMARY:Two days
END:VEVENT
BEGIN:VEVENT
UID:years
DTSTART:20300101T100000Z
DTEND:20090101T100000Z
SUMMARY:No slip
END:VEVENT
END:VCALENDAR
";
    let cal = rapport_ics::read(file.replace('\n', "\r\n").as_bytes());
    assert!(cal.problems.is_empty(), "{:?}", cal.problems);
    let warned: Vec<String> = cal.events.iter().flat_map(|e| e.warnings.clone()).collect();
    assert!(
        warned.iter().any(|w| w.contains("line 11: DTEND is before DTSTART: read the other way round")),
        "{warned:?}"
    );
    assert!(warned.iter().any(|w| w.contains("DURATION is negative")), "{warned:?}");
    // An end 21 years before the start is no slip: kept with no length, not made an event of 21 years.
    assert!(
        warned.iter().any(|w| w.contains("line 29: DTEND is before DTSTART: the event is kept with no length")),
        "{warned:?}"
    );
    let spans = occurrences_in(file, &rapport_ics::Zone::Utc);
    assert_eq!(
        spans,
        vec![
            ("2026-01-05".to_string(), "2026-01-06".to_string()),
            ("2026-01-06T09:00:00Z".to_string(), "2026-01-06T10:00:00Z".to_string()),
            ("2026-01-07T10:00:00Z".to_string(), "2026-01-07T10:00:00Z".to_string()),
            ("2026-01-10".to_string(), "2026-01-12".to_string()),
        ]
    );
    let from = Utc.with_ymd_and_hms(2029, 12, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2030, 2, 1, 0, 0, 0).unwrap();
    let cal = rapport_ics::read(file.replace('\n', "\r\n").as_bytes());
    let far: Vec<(String, String)> = rapport_ics::expand(&cal.events, from, to, &rapport_ics::Zone::Utc)
        .occurrences
        .iter()
        .map(|o| (o.start.to_text(), o.end.to_text()))
        .collect();
    assert_eq!(far, [("2030-01-01T10:00:00Z".to_string(), "2030-01-01T10:00:00Z".to_string())]);
}

/// Two exports joined end to end, each with its byte order mark: the second calendar is a calendar, its zone
/// applies to its floating times, and nothing is reported as outside a calendar.
#[test]
fn calendars_joined_with_their_byte_order_marks_are_each_read() {
    let first = "\u{feff}BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260105T090000Z\r\nSUMMARY:A\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let second = "\u{feff}BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Europe/Berlin\r\nBEGIN:VEVENT\r\nUID:b\r\nDTSTART:20260106T090000\r\nRRULE:FREQ=DAILY;COUNT=1\r\nSUMMARY:B\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let cal = rapport_ics::read(format!("{first}{second}").as_bytes());
    assert!(cal.problems.is_empty(), "{:?}", cal.problems);
    assert_eq!(cal.events.len(), 2);
    let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
    let starts: Vec<String> = rapport_ics::expand(&cal.events, from, to, &rapport_ics::Zone::Utc)
        .occurrences
        .iter()
        .map(|o| o.start.to_utc(&rapport_ics::Zone::Utc).to_rfc3339())
        .collect();
    assert!(starts.contains(&"2026-01-06T08:00:00+00:00".to_string()), "9:00 in Berlin: {starts:?}");
}

/// The night the clocks go forward: a meeting whose start the clocks skip keeps its length (it lasted nothing,
/// its end read on the wall), and two starts that are one instant are one meeting.
#[test]
fn a_start_the_clocks_skip_keeps_its_length_and_one_instant_is_one_meeting() {
    let spans = |file: &str, from: (u32, u32), to: (u32, u32)| -> Vec<(String, String)> {
        let cal = rapport_ics::read(file.as_bytes());
        assert!(cal.problems.is_empty(), "{:?}", cal.problems);
        let from = Utc.with_ymd_and_hms(2026, from.0, from.1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, to.0, to.1, 0, 0, 0).unwrap();
        let utc = |w: rapport_ics::When| w.to_utc(&rapport_ics::Zone::Utc).format("%d %H:%M").to_string();
        rapport_ics::expand(&cal.events, from, to, &rapport_ics::Zone::Utc)
            .occurrences
            .iter()
            .map(|o| (utc(o.start), utc(o.end)))
            .collect()
    };
    let daily = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:night\r\nDTSTART;TZID=America/New_York:20260307T023000\r\n\
DTEND;TZID=America/New_York:20260307T033000\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let got = spans(daily, (3, 7), (3, 10));
    let want = [("07 07:30", "07 08:30"), ("08 07:30", "08 08:30"), ("09 06:30", "09 07:30")];
    assert_eq!(got, want.map(|(a, b)| (a.to_string(), b.to_string())), "02:30 on the 8th does not exist");
    let hourly = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:hourly\r\nDTSTART;TZID=Europe/Berlin:20260329T000000\r\n\
DURATION:PT30M\r\nRRULE:FREQ=HOURLY;COUNT=5\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let starts: Vec<String> = spans(hourly, (3, 28), (3, 30)).into_iter().map(|(s, _)| s).collect();
    let mut unique = starts.clone();
    unique.dedup();
    assert_eq!(starts, unique, "no instant twice: {starts:?}");
    assert_eq!(starts.first().map(String::as_str), Some("28 23:00"));
}

/// A calendar inside a calendar (libical's test data holds such a cluster): its events are read, not skipped
/// with the calendar as an unknown component.
#[test]
fn a_calendar_inside_a_calendar_is_read() {
    let file = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:Europe/Berlin\r\n\
BEGIN:VEVENT\r\nUID:inner\r\nDTSTART:20260106T090000\r\nSUMMARY:Inner\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n\
BEGIN:VEVENT\r\nUID:outer\r\nDTSTART:20260107T090000Z\r\nSUMMARY:Outer\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let cal = rapport_ics::read(file.as_bytes());
    assert!(cal.problems.is_empty() && cal.warnings.is_empty(), "{:?} {:?}", cal.problems, cal.warnings);
    let mut uids: Vec<&str> = cal.events.iter().map(|e| e.uid.as_str()).collect();
    uids.sort_unstable();
    assert_eq!(uids, ["inner", "outer"]);
    let inner = cal.events.iter().find(|e| e.uid == "inner").unwrap();
    let utc = inner.start.to_utc(&rapport_ics::Zone::Utc);
    assert_eq!(utc.to_rfc3339(), "2026-01-06T08:00:00+00:00", "the inner calendar's zone holds for its events");
}

/// A timetable exporter giving each lesson its course's UID: one appointment to every calendar program, and the
/// others were dropped without a word. It is said, with the lines.
#[test]
fn events_that_share_a_uid_at_different_times_are_said() {
    let file = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:lecture-1\r\nDTSTAMP:20260101T000000Z\r\n\
DTSTART:20260108T090000Z\r\nSUMMARY:Lecture\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:lecture-1\r\n\
DTSTAMP:20260101T000000Z\r\nDTSTART:20260115T090000Z\r\nSUMMARY:Lecture\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let cal = rapport_ics::read(file.as_bytes());
    assert!(
        cal.warnings.iter().any(|w| w.starts_with("lines 2, 8: 2 events share the UID \"lecture-1\"")),
        "{:?}",
        cal.warnings
    );
    // Copies of one event (an update after the invite, same start) are no news.
    let update = file.replace("20260115T090000Z", "20260108T090000Z");
    assert!(rapport_ics::read(update.as_bytes()).warnings.is_empty());
}

/// Names and addresses as careless writers put them: a CN with a comma and no quotes was cut at the comma, and
/// an unquoted SENT-BY left the organizer without a readable address.
#[test]
fn attendees_written_without_the_quotes_they_need() {
    let file = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:p\r\nDTSTART:20260108T090000Z\r\n\
ORGANIZER;SENT-BY=mailto:assistant@x.example:MAILTO:boss@x.example\r\n\
ATTENDEE;CN=Doe, Jane;PARTSTAT=ACCEPTED:mailto:jane@x.example\r\n\
ATTENDEE;CN=\"Müller, Jürgen\":mailto:jm@x.example\r\n\
ATTENDEE;CN=AGSM Student Society\\, Class of 2014:mailto:agsm@x.example\r\n\
ATTENDEE;CN=\"Jane ^'JJ^' O^^Neil\":mailto:jj@x.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let cal = rapport_ics::read(file.as_bytes());
    let e = &cal.events[0];
    assert_eq!(e.organizer.as_ref().map(|p| p.email.as_str()), Some("boss@x.example"));
    let people: Vec<(String, Option<String>)> = e.attendees.iter().map(|p| (p.email.clone(), p.name.clone())).collect();
    assert_eq!(
        people,
        vec![
            ("jane@x.example".to_string(), Some("Doe, Jane".to_string())),
            ("jm@x.example".to_string(), Some("Müller, Jürgen".to_string())),
            // Google's backslash before a comma, and RFC 6868's carets, read.
            ("agsm@x.example".to_string(), Some("AGSM Student Society, Class of 2014".to_string())),
            ("jj@x.example".to_string(), Some("Jane \"JJ\" O^Neil".to_string())),
        ]
    );
    assert_eq!(e.attendees[0].status.as_deref(), Some("ACCEPTED"));
}

/// An attendee's answer to an invitation (iTIP REPLY, as RFC 5546's examples and mail clients write it) names
/// the event by its UID and need carry no time: it was refused as "event without DTSTART", so a file that is
/// only an answer read as a broken one. It is said to be an answer with nothing to import; an event without a
/// time in an invitation or a published calendar is still refused.
#[test]
fn an_answer_to_an_invitation_without_a_time_is_no_broken_event() {
    let reply = "BEGIN:VCALENDAR
PRODID:-//ACME/DesktopCalendar//EN
METHOD:REPLY
VERSION:2.0
BEGIN:VEVENT
ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@example.com
ORGANIZER:mailto:a@example.com
UID:calsrv.example.com-873970198738785@example.com
SEQUENCE:1
DTSTAMP:19970612T190000Z
END:VEVENT
END:VCALENDAR
";
    let cal = rapport_ics::read(reply.replace('\n', "\r\n").as_bytes());
    assert!(cal.problems.is_empty(), "{:?}", cal.problems);
    assert!(cal.events.is_empty());
    assert!(cal.warnings.iter().any(|w| w.contains("METHOD:REPLY") && w.contains("line 5")), "{:?}", cal.warnings);
    for method in ["REQUEST", "PUBLISH"] {
        let cal = rapport_ics::read(reply.replace("REPLY", method).replace('\n', "\r\n").as_bytes());
        assert_eq!(cal.problems.len(), 1, "{method}: {:?}", cal.problems);
        assert!(cal.problems[0].message.contains("without DTSTART"), "{:?}", cal.problems);
    }
}

/// A file that names its own US Eastern zone "EST", with the summer time it keeps: the IANA database's "EST"
/// is a fixed UTC-5, so every summer meeting was read an hour late. The file's definition holds then; "EST"
/// with no DAYLIGHT part, or a name whose IANA zone has summer time, is still read as the IANA zone.
#[test]
fn a_zone_named_as_a_fixed_iana_offset_keeps_the_summer_time_its_file_gives_it() {
    let file = |daylight: bool, tzid: &str| {
        let summer = if daylight {
            "BEGIN:DAYLIGHT\nDTSTART:20070311T020000\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400\n\
             RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\nEND:DAYLIGHT\n"
        } else {
            ""
        };
        format!(
            "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTIMEZONE\nTZID:{tzid}\nBEGIN:STANDARD\nDTSTART:20071104T020000\n\
             TZOFFSETFROM:-0400\nTZOFFSETTO:-0500\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nEND:STANDARD\n{summer}\
             END:VTIMEZONE\nBEGIN:VEVENT\nUID:e\nDTSTART;TZID={tzid}:20260715T090000\nDTEND;TZID={tzid}:20260715T100000\n\
             END:VEVENT\nBEGIN:VEVENT\nUID:w\nDTSTART;TZID={tzid}:20260115T090000\nDTEND;TZID={tzid}:20260115T100000\n\
             END:VEVENT\nEND:VCALENDAR\n"
        )
    };
    let mut with_summer = starts(&file(true, "EST"));
    with_summer.sort();
    assert_eq!(with_summer, ["2026-01-15T14:00:00Z", "2026-07-15T13:00:00Z"]);
    let mut fixed = starts(&file(false, "EST"));
    fixed.sort();
    assert_eq!(fixed, ["2026-01-15T14:00:00Z", "2026-07-15T14:00:00Z"], "no DAYLIGHT part: the IANA zone");
    let mut named = starts(&file(true, "America/New_York"));
    named.sort();
    assert_eq!(named, ["2026-01-15T14:00:00Z", "2026-07-15T13:00:00Z"]);
}

/// vCalendar 1.0 as Outlook saves a .vcs and old phones export: quoted-printable text, its long lines broken by
/// a final "=" and continued at the start of the next line. The title was kept as "Besprechung M=C3=BCller", and
/// a broken line holding a colon ("Meeting ID: 123") was read as a property of its own, the notes cut.
#[test]
fn quoted_printable_text_of_a_vcalendar_1_is_read() {
    let file = "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nUID:qp-1\r\n\
DTSTART:20260712T090000Z\r\nDTEND:20260712T100000Z\r\n\
SUMMARY;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Besprechung M=C3=BCller\r\n\
DESCRIPTION;ENCODING=QUOTED-PRINTABLE:Join: https://zoom.example/j/123?pwd=3Dabc=0D=0AMeeting =\r\n\
ID: 123 456=0D=0AKennwort: gr=FC=DFe\r\n\
LOCATION;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:K=F6ln\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";
    let cal = rapport_ics::read(file.as_bytes());
    assert!(cal.problems.is_empty(), "{:?}", cal.problems);
    let e = &cal.events[0];
    assert_eq!(e.summary.as_deref(), Some("Besprechung Müller"));
    assert_eq!(
        e.description.as_deref(),
        Some("Join: https://zoom.example/j/123?pwd=abc\nMeeting ID: 123 456\nKennwort: grüße")
    );
    assert_eq!(e.location.as_deref(), Some("Köln"));
}

/// A Google export names a zone "Europe/lisbon" (an IANA name but for one letter's case) and defines it with
/// Central European rules: its meetings are at the times the file's definition gives, as its writer meant. Read
/// as the IANA zone (UTC+0 in winter), they came an hour late, and an exception missed its occurrence.
#[test]
fn a_zone_named_as_iana_but_for_its_case_is_the_files_definition() {
    let file = "BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Google Inc//Google Calendar 70.9054//EN
BEGIN:VTIMEZONE
TZID:Europe/lisbon
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:lisbon-1
DTSTART;TZID=Europe/lisbon:20260114T133000
DTEND;TZID=Europe/lisbon:20260114T143000
END:VEVENT
BEGIN:VEVENT
UID:lisbon-2
DTSTART;TZID=Europe/Lisbon:20260114T133000
DTEND;TZID=Europe/Lisbon:20260114T143000
END:VEVENT
END:VCALENDAR
";
    // The file's CET for its own name; the IANA zone for the name spelt as IANA spells it (no definition given).
    assert_eq!(starts(file), ["2026-01-14T12:30:00Z", "2026-01-14T13:30:00Z"]);
}

/// An all-day event written from midnight to midnight with Exchange's all-day flag is the day it covers, as
/// Outlook shows it; without the flag, or not from midnight, it stays a timed event.
#[test]
fn an_event_flagged_all_day_from_midnight_to_midnight_is_its_days() {
    let event = |uid: &str, start: &str, end: &str, flag: &str| {
        format!(
            "BEGIN:VEVENT\nUID:{uid}\nDTSTART;TZID=W. Europe Standard Time:{start}\nDTEND;TZID=W. Europe Standard Time:{end}\n\
             {flag}SUMMARY:Trade fair\nEND:VEVENT\n"
        )
    };
    let file = format!(
        "BEGIN:VCALENDAR\nVERSION:2.0\n{}{}{}{}END:VCALENDAR\n",
        event("a", "20260313T000000", "20260314T000000", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE\n"),
        event("b", "20260316T000000", "20260318T000000", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE\n"),
        event("c", "20260320T000000", "20260321T000000", ""),
        event("d", "20260323T090000", "20260324T090000", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE\n"),
    );
    let cal = rapport_ics::read(file.replace('\n', "\r\n").as_bytes());
    let shape: Vec<(bool, String)> =
        cal.events.iter().map(|e| (e.start.is_date(), format!("{:?}", e.length))).collect();
    assert_eq!(
        shape,
        [
            (true, "Days(1)".to_string()),
            (true, "Days(2)".to_string()),
            (false, "Wall { days: 0, seconds: 86400 }".to_string()),
            (false, "Wall { days: 0, seconds: 86400 }".to_string())
        ]
    );
}

/// A file of time zones only (a zone published for others to use), or an empty export, reads without a
/// problem and holds no event: said, so that the import's "0 created" is not taken for "all of it was known".
#[test]
fn a_calendar_without_events_says_so() {
    let zones_only =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Africa/Casablanca\r\n\
        BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n\
        END:VTIMEZONE\r\nEND:VCALENDAR\r\n";
    let cal = rapport_ics::read(zones_only.as_bytes());
    assert!(cal.events.is_empty() && cal.problems.is_empty(), "{:?}", cal.problems);
    assert_eq!(cal.warnings, ["the file holds time zone definitions only: no event to import"]);

    let empty = rapport_ics::read(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nEND:VCALENDAR\r\n");
    assert_eq!(empty.warnings, ["the calendar is empty: no event to import"]);

    // A to-do is no event either, and its own warning says so; nor does a file with an event get the warning.
    let todo = rapport_ics::read(b"BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n");
    assert_eq!(todo.warnings, ["1 VTODO component(s) skipped: only events (VEVENT) are imported"]);
    let event = rapport_ics::read(
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:e\r\nDTSTART:20270105T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    assert_eq!(event.events.len(), 1);
    assert!(event.warnings.is_empty(), "{:?}", event.warnings);
}

/// A file that ends inside an event (a download cut short, Radicale's `broken-vevent.ics`) has lost that
/// meeting: it is an event not read, and the calendar is not called empty.
#[test]
fn an_event_the_file_ends_inside_is_an_event_lost() {
    let cut = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:cut\r\n\
               DTSTART;TZID=Europe/Budapest:20160727T170000\r\nSUMMARY:Board meeting\r\n";
    let cal = rapport_ics::read(cut.as_bytes());
    assert!(cal.events.is_empty());
    assert_eq!(cal.unread_events, [4], "the event on line 4 is lost: {:?}", cal.problems);
    assert!(cal.problems.iter().any(|p| p.line == 4 && p.message.contains("ends inside it")), "{:?}", cal.problems);
    assert!(cal.warnings.iter().all(|w| !w.contains("empty")), "{:?}", cal.warnings);

    // Cut after a whole event: that one is read, the one cut short is lost.
    let whole = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270105T090000Z\r\nEND:VEVENT\r\n\
                 BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20270106T090000Z\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n";
    let cal = rapport_ics::read(whole.as_bytes());
    assert_eq!(cal.events.iter().map(|e| e.uid.as_str()).collect::<Vec<_>>(), ["a"]);
    assert_eq!(cal.unread_events, [6], "{:?}", cal.problems);
    // An alarm or a to-do the file ends inside is no meeting lost.
    let todo = "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:t\r\n";
    assert!(rapport_ics::read(todo.as_bytes()).unread_events.is_empty());
}

/// A to-do, a journal entry or free/busy time written without a VCALENDAR around it is a calendar file that
/// holds no event, said as it is said of one inside a VCALENDAR, not "not an iCalendar file".
#[test]
fn a_bare_to_do_or_journal_says_what_it_holds() {
    for (name, body) in [
        ("VTODO", "UID:t\r\nSUMMARY:Call back\r\n"),
        ("VJOURNAL", "UID:j\r\nDTSTART;VALUE=DATE:20270105\r\n"),
        ("VFREEBUSY", "UID:f\r\nFREEBUSY:20270105T090000Z/PT1H\r\n"),
    ] {
        let text = format!("BEGIN:{name}\r\n{body}END:{name}\r\n");
        let cal = rapport_ics::read(text.as_bytes());
        assert!(cal.problems.is_empty(), "{name}: {:?}", cal.problems);
        assert_eq!(cal.warnings, [format!("1 {name} component(s) skipped: only events (VEVENT) are imported")]);
    }
    // A vCard is still no calendar.
    let card = rapport_ics::read(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEND:VCARD\r\n");
    assert_eq!(card.problems.len(), 1);
    assert!(card.problems[0].message.contains("not an iCalendar file"), "{:?}", card.problems);
}

/// A second DTSTART, DTEND or DURATION in one event (python-icalendar's `america_new_york.ics` has two
/// DTSTARTs) is not read: the first is used, and the warning says which.
#[test]
fn a_second_start_or_end_in_one_event_is_said() {
    let two = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:two\r\nDTSTART;TZID=America/New_York:20140829T080000\r\n\
               DTSTART;TZID=America/New_York:20140829T100000\r\nDTEND;TZID=America/New_York:20140829T110000\r\n\
               END:VEVENT\r\nEND:VCALENDAR\r\n";
    let cal = rapport_ics::read(two.as_bytes());
    assert_eq!(cal.events.len(), 1);
    assert_eq!(
        cal.events[0].start,
        rapport_ics::read(two.replace("DTSTART;TZID=America/New_York:20140829T100000\r\n", "").as_bytes()).events[0]
            .start
    );
    assert_eq!(cal.warnings, ["line 5: a second DTSTART in one event: the one on line 4 is used"]);
}

/// A rule by the second or minute yields more occurrences than a view lists of one series (MAX_OCCURRENCES):
/// the import says so, so that a view cut short is not silent; an hourly rule is no such rule.
#[test]
fn a_rule_by_the_second_or_minute_is_said_to_be_cut_in_long_views() {
    let event = |rule: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:r\r\nDTSTART:20240101T000000Z\r\nRRULE:{rule}\r\nEND:VEVENT\r\n\
             END:VCALENDAR\r\n"
        )
    };
    for (rule, unit) in [("FREQ=SECONDLY", "second"), ("interval=5;freq=minutely", "minute")] {
        let cal = rapport_ics::read(event(rule).as_bytes());
        assert_eq!(cal.events.len(), 1);
        assert_eq!(
            cal.warnings,
            [format!(
                "line 5: the event repeats by the {unit}: a view lists at most {} of its occurrences at a time, and \
                 cuts a longer span short",
                rapport_ics::MAX_OCCURRENCES
            )]
        );
        // And a view of two days is cut there.
        let from = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").map(|d| d.to_utc());
        let from = from.unwrap_or_else(|e| panic!("{e}"));
        let two_days = from + chrono::Duration::days(if unit == "second" { 2 } else { 1000 });
        let expansion = rapport_ics::expand(&cal.events, from, two_days, &rapport_ics::Zone::Utc);
        assert!(expansion.truncated);
        assert_eq!(expansion.occurrences.len(), usize::from(rapport_ics::MAX_OCCURRENCES));
    }
    assert!(rapport_ics::read(event("FREQ=HOURLY").as_bytes()).warnings.is_empty());
    // Read as the expansion reads a rule: separators escaped as text; a COUNT that keeps it within a view's list.
    assert_eq!(rapport_ics::read(event("FREQ=SECONDLY\\;INTERVAL=2").as_bytes()).warnings.len(), 1);
    assert!(rapport_ics::read(event("FREQ=SECONDLY;COUNT=10").as_bytes()).warnings.is_empty());
    assert_eq!(rapport_ics::read(event("FREQ=MINUTELY;COUNT=100000").as_bytes()).warnings.len(), 1);
}

/// A whole-day start with an end written as a time late on a day (ical4j's "Boston Summit 2006": Oct 7 to
/// Oct 9 23:59): the end's day is one of the event's, as a DURATION's part of a day is. It was cut to Oct 7-8.
#[test]
fn a_date_start_with_a_timed_end_keeps_the_end_s_day() {
    let file = |end: &str| {
        format!(
            "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\nBEGIN:VEVENT\nUID:summit@t\nDTSTAMP:20260101T000000Z\n\
             DTSTART;VALUE=DATE:20261007\n{end}\nSUMMARY:Summit\nEND:VEVENT\nEND:VCALENDAR\n"
        )
    };
    let ends = |end: &str| occurrences_in(&file(end), &rapport_ics::Zone::Utc);
    assert_eq!(ends("DTEND:20261009T235900"), [("2026-10-07".to_string(), "2026-10-10".to_string())]);
    assert_eq!(ends("DURATION:PT60H"), [("2026-10-07".to_string(), "2026-10-10".to_string())], "as a duration");
    // An end at midnight ends the day before, as a date end does.
    assert_eq!(ends("DTEND:20261009T000000"), [("2026-10-07".to_string(), "2026-10-09".to_string())]);
}

/// Events without a UID are known by their start and summary; two that share both but differ otherwise (libical's
/// recur-errors.ics: a daily and a weekly series, no summary) are two events, and the file read again gives them
/// the same identities. The second was dropped without a word. Copies alike in everything stay one.
#[test]
fn events_without_a_uid_alike_in_start_and_summary_are_still_two() {
    let event = |rule: &str, text: &str| {
        format!("BEGIN:VEVENT\nDTSTART:20260701T200000Z\nRRULE:{rule}\nDESCRIPTION:{text}\nEND:VEVENT\n")
    };
    let file = format!(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n{}{}{}END:VCALENDAR\n",
        event("FREQ=DAILY;COUNT=2", "first"),
        event("FREQ=WEEKLY;COUNT=3", "second"),
        event("FREQ=WEEKLY;COUNT=3", "second"),
    );
    let read = || rapport_ics::read(file.replace('\n', "\r\n").as_bytes());
    let cal = read();
    let uids: Vec<&str> = cal.events.iter().map(|e| e.uid.as_str()).collect();
    assert_eq!(uids.len(), 3);
    assert_ne!(uids[0], uids[1], "two events");
    assert_eq!(uids[1], uids[2], "a copy is the same event");
    let again = read();
    assert_eq!(again.events.iter().map(|e| e.uid.as_str()).collect::<Vec<_>>(), uids, "stable");
    let mut starts = starts(&file);
    starts.dedup();
    assert_eq!(
        starts,
        ["2026-07-01T20:00:00Z", "2026-07-02T20:00:00Z", "2026-07-08T20:00:00Z", "2026-07-15T20:00:00Z"]
    );
}
