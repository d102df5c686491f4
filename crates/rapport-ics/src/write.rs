//! Writing .ics: invites (METHOD:REQUEST/CANCEL) and whole calendars, with a VTIMEZONE for every zone used
//! so that programs without the IANA database (Outlook) place the times right. Lines are folded at 75
//! octets on character boundaries and TEXT is escaped (RFC 5545 3.1, 3.3.11).

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName};

use crate::event::{Event, Length, Moment, Person};
use crate::zone::{CustomZone, Zone};

pub const PRODID: &str = "-//Rapport//Rapport CRM//EN";

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value: quoted when it holds `:;,`, and without characters a parameter cannot hold.
fn param(text: &str) -> String {
    let clean: String = text.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    if clean.contains([':', ';', ',']) {
        format!("\"{clean}\"")
    } else {
        clean
    }
}

struct Out(String);

impl Out {
    fn line(&mut self, text: &str) {
        let mut used = 0;
        for c in text.chars() {
            let len = c.len_utf8();
            if used + len > 75 {
                self.0.push_str("\r\n ");
                used = 1;
            }
            self.0.push(c);
            used += len;
        }
        self.0.push_str("\r\n");
    }
}

fn utc_text(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn wall_text(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

fn moment_line(out: &mut Out, name: &str, m: &Moment) {
    out.line(&moment_text(name, m));
}

/// A property of one moment, unfolded: `NAME;VALUE=DATE:…`, `NAME:…Z`, `NAME;TZID=…:…`.
fn moment_text(name: &str, m: &Moment) -> String {
    match m {
        Moment::Date(d) => format!("{name};VALUE=DATE:{}", d.format("%Y%m%d")),
        Moment::Time { wall, zone: Zone::Utc } => format!("{name}:{}", utc_text(wall.and_utc())),
        Moment::Time { wall, zone: Zone::Floating } => format!("{name}:{}", wall_text(*wall)),
        Moment::Time { wall, zone } => {
            let tzid = zone.name().unwrap_or_default();
            format!("{name};TZID={}:{}", param(&tzid), wall_text(*wall))
        }
    }
}

/// `RDATE;VALUE=PERIOD:<start>/<duration>`, the start written as `moment_line` writes it.
fn period_line(out: &mut Out, start: &Moment, length: Length) {
    let seconds = match length {
        Length::Days(d) => d.saturating_mul(86_400),
        Length::Wall { days, seconds } | Length::Nominal { days, seconds } => {
            days.saturating_mul(86_400).saturating_add(seconds)
        }
        Length::Exact(s) => s,
    }
    .max(0);
    let (d, rest) = (seconds / 86_400, seconds % 86_400);
    let (h, m, sec) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let mut duration = String::from("P");
    if d > 0 {
        let _ = write!(duration, "{d}D");
    }
    duration.push('T');
    let _ = write!(duration, "{h}H{m}M{sec}S");
    out.line(&format!("{}/{duration}", moment_text("RDATE;VALUE=PERIOD", start)));
}

fn person_line(out: &mut Out, name: &str, p: &Person, rsvp: bool) {
    let mut line = name.to_owned();
    if let Some(cn) = &p.name {
        let _ = write!(line, ";CN={}", param(cn));
    }
    if let Some(status) = &p.status {
        let _ = write!(line, ";PARTSTAT={}", param(status));
    }
    if rsvp {
        line.push_str(";RSVP=TRUE");
    }
    let _ = write!(line, ":mailto:{}", p.email.trim());
    out.line(&line);
}

fn end_moment(e: &Event) -> Option<Moment> {
    match (&e.start, e.length) {
        (Moment::Date(d), Length::Days(n)) => Some(Moment::Date(*d + Duration::days(n.max(1)))),
        (Moment::Time { wall, zone }, Length::Wall { days, seconds }) => {
            Some(Moment::Time { wall: *wall + Duration::days(days) + Duration::seconds(seconds), zone: zone.clone() })
        }
        (Moment::Time { wall, zone }, length @ Length::Nominal { .. }) => {
            let end = length.end_after(*wall, e.start.to_utc(&Zone::Utc), zone, &Zone::Utc);
            Some(Moment::Time { wall: zone.to_wall(end), zone: zone.clone() })
        }
        (Moment::Time { .. }, Length::Exact(s)) => Some(Moment::Time {
            wall: (e.start.to_utc(&Zone::Utc) + Duration::seconds(s)).naive_utc(),
            zone: Zone::Utc,
        }),
        _ => None,
    }
}

/// A calendar with `events` (an invite is a calendar with one event, or one series with its overrides).
pub fn write_calendar(method: Option<&str>, name: Option<&str>, events: &[Event], stamp: DateTime<Utc>) -> String {
    let mut out = Out(String::new());
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line(&format!("PRODID:{PRODID}"));
    out.line("CALSCALE:GREGORIAN");
    if let Some(method) = method {
        out.line(&format!("METHOD:{method}"));
    }
    if let Some(name) = name {
        out.line(&format!("X-WR-CALNAME:{}", escape(name)));
    }
    let events = zones_named_apart(events);
    write_zones(&mut out, &events);
    for e in events.iter() {
        write_event(&mut out, e, stamp, method == Some("REQUEST"));
    }
    out.line("END:VCALENDAR");
    out.0
}

fn write_event(out: &mut Out, e: &Event, stamp: DateTime<Utc>, rsvp: bool) {
    out.line("BEGIN:VEVENT");
    out.line(&format!("UID:{}", escape(&e.uid)));
    out.line(&format!("DTSTAMP:{}", utc_text(stamp)));
    out.line(&format!("SEQUENCE:{}", e.sequence.max(0)));
    moment_line(out, "DTSTART", &e.start);
    match end_moment(e) {
        Some(end) => moment_line(out, "DTEND", &end),
        None => out.line("DURATION:PT0S"),
    }
    if let Some(rid) = &e.recurrence_id {
        // This instance and the ones after it: without the range, another program moves this one alone.
        let name = if e.this_and_future { "RECURRENCE-ID;RANGE=THISANDFUTURE" } else { "RECURRENCE-ID" };
        moment_line(out, name, rid);
    }
    for rule in &e.rrules {
        out.line(&format!("RRULE:{rule}"));
    }
    for rule in &e.exrules {
        out.line(&format!("EXRULE:{rule}"));
    }
    for (rdate, length) in &e.rdates {
        match (rdate, length) {
            // An extra date with a length of its own (a PERIOD) keeps it: read back without, it would last as
            // long as the event.
            (Moment::Time { .. }, Some(length)) => period_line(out, rdate, *length),
            _ => moment_line(out, "RDATE", rdate),
        }
    }
    for exdate in &e.exdates {
        moment_line(out, "EXDATE", exdate);
    }
    for (name, value) in [("SUMMARY", &e.summary), ("DESCRIPTION", &e.description), ("LOCATION", &e.location)] {
        if let Some(v) = value {
            out.line(&format!("{name}:{}", escape(v)));
        }
    }
    if let Some(url) = &e.url {
        out.line(&format!("URL:{}", url.chars().filter(|c| !c.is_control()).collect::<String>()));
    }
    if let Some(status) = &e.status {
        out.line(&format!("STATUS:{}", param(status)));
    }
    if !e.busy {
        out.line("TRANSP:TRANSPARENT");
    }
    if let Some(class) = &e.class {
        // A value that is no token cannot be written as read: it is private to whoever reads it (RFC 5545).
        let token = !class.is_empty() && class.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        out.line(&format!("CLASS:{}", if token { class.as_str() } else { "PRIVATE" }));
    }
    if let Some(o) = &e.organizer {
        person_line(out, "ORGANIZER", o, false);
    }
    for a in &e.attendees {
        person_line(out, "ATTENDEE", a, rsvp);
    }
    out.line("END:VEVENT");
}

/// Two custom zones of one TZID but other rules (two senders' "Eastern", each from its own file's VTIMEZONE)
/// were written as one VTIMEZONE, and the events of the second read with the first's offsets. Every
/// definition after the first of a TZID is renamed "TZID (2)", "TZID (3)", … in the copy written.
fn zones_named_apart(events: &[Event]) -> std::borrow::Cow<'_, [Event]> {
    fn moments(e: &mut Event) -> impl Iterator<Item = &mut Moment> {
        std::iter::once(&mut e.start)
            .chain(e.recurrence_id.as_mut())
            .chain(e.rdates.iter_mut().map(|(m, _)| m))
            .chain(e.exdates.iter_mut())
    }
    // (TZID as read, its rules, TZID as written)
    let mut names: Vec<(String, &[crate::zone::Observance], String)> = Vec::new();
    let mut renames: Vec<(CustomZone, String)> = Vec::new();
    let all = events.iter().flat_map(moments_of);
    let customs: Vec<&CustomZone> = all
        .filter_map(|m| match m {
            Moment::Time { zone: Zone::Custom(c), .. } => Some(c),
            _ => None,
        })
        .collect();
    for c in customs.iter().copied() {
        if names.iter().any(|(tzid, rules, _)| *tzid == c.tzid && *rules == c.observances.as_slice()) {
            continue;
        }
        if !names.iter().any(|(tzid, _, _)| *tzid == c.tzid) {
            names.push((c.tzid.clone(), &c.observances, c.tzid.clone()));
            continue;
        }
        let taken = |name: &str| customs.iter().any(|c| c.tzid == name) || names.iter().any(|(_, _, w)| w == name);
        let Some(written) = (2..).map(|n| format!("{} ({n})", c.tzid)).find(|name| !taken(name)) else { continue };
        names.push((c.tzid.clone(), &c.observances, written.clone()));
        renames.push((c.clone(), written));
    }
    if renames.is_empty() {
        return std::borrow::Cow::Borrowed(events);
    }
    let mut copy = events.to_vec();
    for m in copy.iter_mut().flat_map(moments) {
        if let Moment::Time { zone: Zone::Custom(c), .. } = m {
            if let Some((_, written)) = renames.iter().find(|(zone, _)| zone == c) {
                c.tzid = written.clone();
            }
        }
    }
    std::borrow::Cow::Owned(copy)
}

/// Every moment of an event written with a zone: its start (its end follows it), and the instances it names.
fn moments_of(e: &Event) -> impl Iterator<Item = &Moment> {
    std::iter::once(&e.start).chain(&e.recurrence_id).chain(e.rdates.iter().map(|(m, _)| m)).chain(&e.exdates)
}

fn write_zones(out: &mut Out, events: &[Event]) {
    let mut written: Vec<String> = Vec::new();
    // A zone named only by an EXDATE or a RECURRENCE-ID needs its VTIMEZONE as much as one of a start: without
    // it the time reads as floating, and the instance it names is missed.
    for m in events.iter().flat_map(moments_of) {
        let Moment::Time { zone, wall } = m else { continue };
        let Some(name) = zone.name() else { continue };
        if matches!(zone, Zone::Utc) || written.contains(&name) {
            continue;
        }
        // The years the zone's transitions must cover: this zone's times, and a series' through its last meeting
        // (ten years on for one that never ends). Written only two years on, a reader that goes by the file's
        // zone put every summer meeting after them an hour off.
        let years = events.iter().flat_map(|x| moments_of(x).map(move |m| (x, m))).filter_map(|(x, m)| match m {
            Moment::Time { zone: z, wall } if z.name().as_deref() == Some(name.as_str()) => {
                Some((wall.year(), if x.is_recurring() { series_last_year(x, wall.year()) } else { wall.year() }))
            }
            _ => None,
        });
        let (first, last) = years.fold((wall.year(), wall.year()), |(a, b), (s, e)| (a.min(s), b.max(e)));
        match zone {
            Zone::Iana(tz) => write_iana_zone(out, *tz, first - 1, last + 1),
            Zone::Custom(c) => write_custom_zone(out, c),
            Zone::Utc | Zone::Floating => {}
        }
        written.push(name);
    }
}

/// The year a series starting in `start` meets last, as far as its rules tell (UNTIL, or COUNT at its
/// frequency), at least two years on; ten years on for one without an end; never more than fifty.
fn series_last_year(e: &Event, start: i32) -> i32 {
    let now = Utc::now().year();
    let from = start.max(now);
    let mut last: Option<i32> = Some(from + 2);
    for rule in &e.rrules {
        let part = |key: &str| {
            rule.split(';').find_map(|p| p.split_once('=').filter(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
        };
        let interval = part("INTERVAL").and_then(|v| v.parse::<i64>().ok()).unwrap_or(1).max(1);
        let ends = if let Some(until) = part("UNTIL") {
            until.get(..4).and_then(|y| y.parse::<i32>().ok())
        } else if let Some(count) = part("COUNT").and_then(|v| v.parse::<i64>().ok()) {
            let per_year = match part("FREQ").map(str::to_ascii_uppercase).as_deref() {
                Some("YEARLY") => 1,
                Some("MONTHLY") => 12,
                Some("WEEKLY") => 52,
                Some("DAILY") => 365,
                _ => 365 * 24,
            };
            i32::try_from(count.saturating_mul(interval) / per_year + 1).ok().map(|years| start.saturating_add(years))
        } else {
            None
        };
        last = match (last, ends) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
    }
    last.unwrap_or(from + 10).min(now + 50)
}

fn write_custom_zone(out: &mut Out, zone: &CustomZone) {
    out.line("BEGIN:VTIMEZONE");
    out.line(&format!("TZID:{}", escape(&zone.tzid)));
    for o in &zone.observances {
        let kind = if o.offset_to > o.offset_from { "DAYLIGHT" } else { "STANDARD" };
        out.line(&format!("BEGIN:{kind}"));
        out.line(&format!("DTSTART:{}", wall_text(o.start)));
        out.line(&format!("TZOFFSETFROM:{}", offset_text(o.offset_from)));
        out.line(&format!("TZOFFSETTO:{}", offset_text(o.offset_to)));
        if let Some(rule) = &o.rrule {
            out.line(&format!("RRULE:{rule}"));
        }
        // Onsets given one by one (a country that moved its clocks on dates of its own choosing).
        for r in &o.rdates {
            out.line(&format!("RDATE:{}", wall_text(*r)));
        }
        out.line(&format!("END:{kind}"));
    }
    out.line("END:VTIMEZONE");
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    if s % 60 == 0 {
        format!("{sign}{:02}{:02}", s / 3600, s / 60 % 60)
    } else {
        format!("{sign}{:02}{:02}{:02}", s / 3600, s / 60 % 60, s % 60)
    }
}

/// Every transition of `tz` in [first, last] written out one by one (no RRULE: exact whatever the
/// zone's history), found by an hourly scan refined to the second.
fn write_iana_zone(out: &mut Out, tz: chrono_tz::Tz, first: i32, last: i32) {
    let offset = |t: i64| -> (i32, bool, String) {
        let utc = DateTime::from_timestamp(t, 0).unwrap_or_default();
        let o = tz.offset_from_utc_datetime(&utc.naive_utc());
        let name = o.abbreviation().unwrap_or("").to_owned();
        (o.fix().local_minus_utc(), !o.dst_offset().is_zero(), name)
    };
    let start = Utc.with_ymd_and_hms(first, 1, 1, 0, 0, 0).single().map(|t| t.timestamp()).unwrap_or(0);
    let end = Utc.with_ymd_and_hms(last + 1, 1, 1, 0, 0, 0).single().map(|t| t.timestamp()).unwrap_or(start);
    out.line("BEGIN:VTIMEZONE");
    out.line(&format!("TZID:{}", tz.name()));
    let (mut current, dst0, name0) = offset(start);
    let mut parts = 0;
    let mut t = start;
    while t < end {
        let next = t + 3600;
        let (o, _, _) = offset(next);
        if o != current {
            // Narrow the change down to the second.
            let (mut lo, mut hi) = (t, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset(mid).0 == current {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let (to, dst, name) = offset(hi);
            let wall = DateTime::from_timestamp(hi + i64::from(current), 0).unwrap_or_default().naive_utc();
            observance(out, dst, wall, current, to, &name);
            parts += 1;
            current = to;
        }
        t = next;
    }
    if parts == 0 {
        let wall = DateTime::from_timestamp(start + i64::from(current), 0).unwrap_or_default().naive_utc();
        observance(out, dst0, wall, current, current, &name0);
    }
    out.line("END:VTIMEZONE");
}

fn observance(out: &mut Out, dst: bool, wall: NaiveDateTime, from: i32, to: i32, name: &str) {
    let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
    out.line(&format!("BEGIN:{kind}"));
    out.line(&format!("DTSTART:{}", wall_text(wall)));
    out.line(&format!("TZOFFSETFROM:{}", offset_text(from)));
    out.line(&format!("TZOFFSETTO:{}", offset_text(to)));
    if !name.is_empty() && !name.starts_with(['+', '-']) {
        out.line(&format!("TZNAME:{}", escape(name)));
    }
    out.line(&format!("END:{kind}"));
}

#[cfg(test)]
mod tests {
    /// A zone of the file's own, with onsets given by RDATE, is written back whole: read again, it is the
    /// same zone and the event the same instant (without them, another program got the offsets wrong).
    #[test]
    fn a_custom_zone_keeps_its_rdates() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Island Time\r\n\
BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0200\r\n\
RDATE:20261101T030000\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0200\r\n\
TZOFFSETTO:+0300\r\nRDATE:20260405T020000\r\nRDATE:20270404T020000\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:island-1\r\nDTSTAMP:20261001T000000Z\r\nDTSTART;TZID=Island Time:20261201T090000\r\n\
DTEND;TZID=Island Time:20261201T100000\r\nSUMMARY:Call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let first = crate::read(text.as_bytes());
        let stamp = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        let written = super::write_calendar(None, None, &first.events, stamp);
        assert_eq!(written.matches("RDATE:").count(), 3, "{written}");
        let again = crate::read(written.as_bytes());
        assert_eq!(again.events.len(), 1);
        assert_eq!(again.events[0].zone(), first.events[0].zone(), "{written}");
        assert_eq!(again.events[0].start, first.events[0].start);
    }

    /// A series' zone is written through its last meeting: a daily series of 10,000 from 2020 meets until 2047,
    /// and its zone stopped two years on, so a reader going by the file put summer meetings after that an hour
    /// off. One without an end gets ten years.
    #[test]
    fn a_series_zone_covers_its_meetings() {
        let series = |rule: &str| {
            format!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:d-1\r\n\
                 DTSTAMP:20200101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20200101T080000\r\n\
                 DTEND;TZID=Europe/Berlin:20200101T083000\r\n{rule}SUMMARY:Stand-up\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            )
        };
        let stamp = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        let written =
            |rule: &str| super::write_calendar(None, None, &crate::read(series(rule).as_bytes()).events, stamp);
        let long = written("RRULE:FREQ=DAILY;COUNT=10000\r\n");
        assert!(long.contains("DTSTART:20460325T020000"), "spring 2046 is in the zone: {long}");
        let until = written("RRULE:FREQ=WEEKLY;UNTIL=20351231T000000Z\r\n");
        assert!(until.contains("DTSTART:20350325T020000"), "{until}");
        let open = written("RRULE:FREQ=WEEKLY\r\n");
        let ten_on = chrono::Datelike::year(&chrono::Utc::now()) + 10;
        assert!(open.contains(&format!("DTSTART:{ten_on}03")), "{open}");
    }

    /// What a reader keeps of a series is written back: a moved instance that moves the ones after it
    /// (RANGE=THISANDFUTURE), and an extra date with a length of its own (an RDATE PERIOD).
    #[test]
    fn a_range_and_a_period_are_written_back() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n\
BEGIN:VEVENT\r\nUID:s-1\r\nDTSTAMP:20261001T000000Z\r\nDTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\n\
RRULE:FREQ=WEEKLY;COUNT=6\r\nRDATE;VALUE=PERIOD:20261203T090000Z/PT3H\r\nSUMMARY:Call\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:s-1\r\nDTSTAMP:20261001T000000Z\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20261215T090000Z\r\n\
DTSTART:20261215T100000Z\r\nDTEND:20261215T110000Z\r\nSUMMARY:Call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let first = crate::read(text.as_bytes());
        let stamp = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        let written = super::write_calendar(None, None, &first.events, stamp);
        assert!(written.contains("RECURRENCE-ID;RANGE=THISANDFUTURE:20261215T090000Z"), "{written}");
        assert!(written.contains("RDATE;VALUE=PERIOD:20261203T090000Z/PT3H0M0S"), "{written}");
        let again = crate::read(written.as_bytes());
        assert_eq!(again.events.len(), first.events.len());
        for (a, b) in again.events.iter().zip(&first.events) {
            assert_eq!(
                (&a.rdates, a.this_and_future, &a.recurrence_id),
                (&b.rdates, b.this_and_future, &b.recurrence_id)
            );
        }
    }

    /// How private its owner made an event is read and written back, so a copy sent to their calendar server
    /// does not make a private event public; a class no reader knows is private (RFC 5545), written as such
    /// when it is no token.
    #[test]
    fn an_events_class_is_read_and_written_back() {
        let file = |class: &str| {
            format!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:c-1\r\n\
DTSTAMP:20261001T000000Z\r\nDTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\nSUMMARY:Dentist\r\n\
{class}END:VEVENT\r\nEND:VCALENDAR\r\n"
            )
        };
        let stamp = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        for (line, class, private) in [
            ("CLASS:PRIVATE\r\n", Some("PRIVATE"), true),
            ("CLASS:confidential\r\n", Some("CONFIDENTIAL"), true),
            ("CLASS:X-OWNER-ONLY\r\n", Some("X-OWNER-ONLY"), true),
            ("CLASS:PUBLIC\r\n", Some("PUBLIC"), false),
            ("", None, false),
        ] {
            let first = crate::read(file(line).as_bytes());
            assert_eq!(first.events[0].class.as_deref(), class, "{line}");
            assert_eq!(first.events[0].is_private(), private, "{line}");
            let written = super::write_calendar(None, None, &first.events, stamp);
            let again = crate::read(written.as_bytes());
            assert_eq!(again.events[0].class.as_deref(), class, "{written}");
        }
        let mut odd = crate::read(file("").as_bytes()).events;
        odd[0].class = Some("OWNER ONLY;X".into());
        let written = super::write_calendar(None, None, &odd, stamp);
        assert!(written.contains("CLASS:PRIVATE\r\n"), "{written}");
    }

    /// Two senders' files each define "Island Time", one at UTC-5 and one at UTC+2: written together, each keeps
    /// its own rules, and every event read back is at the instant it was read at.
    #[test]
    fn two_custom_zones_of_one_name_are_written_apart() {
        let file = |offset: &str, uid: &str| {
            format!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Island Time\r\n\
BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261001T000000Z\r\n\
DTSTART;TZID=Island Time:20261201T090000\r\nDTEND;TZID=Island Time:20261201T100000\r\nRRULE:FREQ=DAILY;COUNT=3\r\n\
EXDATE;TZID=Island Time:20261202T090000\r\nSUMMARY:Call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            )
        };
        let mut events = crate::read(file("-0500", "a").as_bytes()).events;
        events.extend(crate::read(file("+0200", "b").as_bytes()).events);
        // A third event in the first zone shares its VTIMEZONE.
        events.extend(crate::read(file("-0500", "c").as_bytes()).events);
        let floating = crate::Zone::Utc;
        let instants = |events: &[crate::Event]| -> Vec<String> {
            events
                .iter()
                .flat_map(|e| std::iter::once(&e.start).chain(&e.exdates))
                .map(|m| m.to_utc(&floating).to_rfc3339())
                .collect()
        };
        let stamp = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        let written = super::write_calendar(None, None, &events, stamp);
        assert_eq!(written.matches("BEGIN:VTIMEZONE").count(), 2, "{written}");
        assert!(written.contains("TZID:Island Time (2)"), "{written}");
        let again = crate::read(written.as_bytes());
        assert_eq!(instants(&again.events), instants(&events), "{written}");
        assert_eq!(
            instants(&events)[..2],
            ["2026-12-01T14:00:00+00:00".to_string(), "2026-12-02T14:00:00+00:00".to_string()]
        );
        assert_eq!(instants(&events)[2], "2026-12-01T07:00:00+00:00");
    }

    /// A zone that only an EXDATE names still gets its VTIMEZONE: read back without it, the time was floating
    /// and the instance it excludes came back.
    #[test]
    fn a_zone_named_only_by_an_exdate_is_written() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Island Time\r\n\
BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20261001T000000Z\r\nDTSTART:20261201T060000Z\r\n\
DTEND:20261201T070000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEXDATE;TZID=Island Time:20261202T090000\r\n\
SUMMARY:Call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let first = crate::read(text.as_bytes());
        let written = super::write_calendar(None, None, &first.events, chrono::DateTime::<chrono::Utc>::UNIX_EPOCH);
        assert!(written.contains("BEGIN:VTIMEZONE\r\nTZID:Island Time\r\n"), "{written}");
        let again = crate::read(written.as_bytes());
        let utc = |e: &crate::Event| e.exdates.iter().map(|m| m.to_utc(&crate::Zone::Utc)).collect::<Vec<_>>();
        assert_eq!(utc(&again.events[0]), utc(&first.events[0]));
        assert_eq!(utc(&first.events[0])[0].to_rfc3339(), "2026-12-02T06:00:00+00:00");
    }
}
