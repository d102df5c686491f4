//! A VEVENT read into what a calendar needs: when (in its zone), how long, how it repeats, who is invited.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::content::{unescape, Component, Line, Problem};
use crate::values::{self, parse_date_or_time, parse_duration, parse_period, RawPeriodEnd, RawValue};
use crate::zone::{iana_for, Zone};

/// An event Exchange's extension flags as all-day (`X-MICROSOFT-CDO-ALLDAYEVENT:TRUE`) but writes from midnight
/// to midnight as date-times (Outlook's older exports, CRM exporters writing "GMT dates"): the days it covers,
/// as the calendar that wrote it shows them. Read as times, it was a meeting of 24 hours, an hour off in another
/// zone. A single event only: a series' instances and exceptions are named by times.
fn all_day_as_flagged(c: &Component, start: Moment, length: Length, rrules: &[String]) -> (Moment, Length) {
    let flagged = c.first("X-MICROSOFT-CDO-ALLDAYEVENT").is_some_and(|l| l.value.trim().eq_ignore_ascii_case("TRUE"));
    let single = rrules.is_empty() && c.first("RDATE").is_none() && c.first("RECURRENCE-ID").is_none();
    if let (true, true, Moment::Time { wall, .. }) = (flagged, single, &start) {
        let days = match length {
            Length::Wall { days, seconds: 0 } | Length::Nominal { days, seconds: 0 } => Some(days),
            Length::Exact(seconds) | Length::Wall { days: 0, seconds } | Length::Nominal { days: 0, seconds }
                if seconds > 0 && seconds % 86_400 == 0 =>
            {
                Some(seconds / 86_400)
            }
            _ => None,
        };
        if let Some(days) = days.filter(|d| *d >= 1).filter(|_| wall.time() == NaiveTime::MIN) {
            return (Moment::Date(wall.date()), Length::Days(days));
        }
    }
    (start, length)
}

/// A point in time as the file says it: a calendar date (all-day), or a wall time in a zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Moment {
    Date(NaiveDate),
    Time { wall: NaiveDateTime, zone: Zone },
}

impl Moment {
    pub fn is_date(&self) -> bool {
        matches!(self, Moment::Date(_))
    }
    /// The wall time (a date's midnight).
    pub fn wall(&self) -> NaiveDateTime {
        match self {
            Moment::Date(d) => d.and_time(NaiveTime::MIN),
            Moment::Time { wall, .. } => *wall,
        }
    }
    /// The UTC instant; dates and floating times are read in `floating`.
    pub fn to_utc(&self, floating: &Zone) -> DateTime<Utc> {
        match self {
            Moment::Date(d) => Zone::Floating.to_utc(d.and_time(NaiveTime::MIN), floating),
            Moment::Time { wall, zone } => zone.to_utc(*wall, floating),
        }
    }
}

/// How long each occurrence lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Length {
    /// All-day: a number of calendar days.
    Days(i64),
    /// Wall-clock length in the event's zone (a DTEND in the same zone): 9:00 to 17:00 stays 9:00 to 17:00 on
    /// the day DST changes, as calendar programs show it.
    Wall { days: i64, seconds: i64 },
    /// Exact length, when start and end are in different zones.
    Exact(i64),
    /// A DURATION (RFC 5545 3.3.6): its days and weeks on the wall clock (a day is 23 hours when the clocks go
    /// forward), its hours, minutes and seconds exact (one hour across the change is still an hour).
    Nominal { days: i64, seconds: i64 },
}

impl Length {
    /// The end of a timed occurrence that starts at `start_wall` in `zone` (a floating zone read as `floating`),
    /// which is `start` in UTC.
    pub fn end_after(
        self,
        start_wall: NaiveDateTime,
        start: DateTime<Utc>,
        zone: &Zone,
        floating: &Zone,
    ) -> DateTime<Utc> {
        match self {
            Length::Wall { days, seconds } => {
                // A start the clocks skip (02:30 the night they go forward) is moved on by the gap; its end, read
                // on the wall, is not, and the meeting lasted nothing: it keeps its length exactly (RFC 5545
                // 3.8.5.3: the DTEND's exact duration for every instance).
                let here = if matches!(zone, Zone::Floating) { floating } else { zone };
                if here.to_wall(start) != start_wall {
                    return start + Duration::days(days) + Duration::seconds(seconds);
                }
                zone.to_utc(start_wall + Duration::days(days) + Duration::seconds(seconds), floating)
            }
            Length::Nominal { days, seconds } => {
                zone.to_utc(start_wall + Duration::days(days), floating) + Duration::seconds(seconds)
            }
            Length::Exact(s) => start + Duration::seconds(s),
            Length::Days(n) => start + Duration::days(n),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// As written after `mailto:`, trimmed; matching lower-cases it.
    pub email: String,
    pub name: Option<String>,
    /// PARTSTAT: NEEDS-ACTION, ACCEPTED, DECLINED, TENTATIVE, DELEGATED.
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub uid: String,
    /// Line of its BEGIN:VEVENT.
    pub line: usize,
    pub sequence: i64,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    /// STATUS upper-cased: TENTATIVE, CONFIRMED, CANCELLED.
    pub status: Option<String>,
    /// Whether the event makes its attendees busy (TRANSP and Outlook's busy status).
    pub busy: bool,
    /// CLASS upper-cased as written (PUBLIC, PRIVATE, CONFIDENTIAL or another value): kept so a copy written
    /// back to the calendar server stays as private as its owner made it. See [`Event::is_private`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    pub organizer: Option<Person>,
    pub attendees: Vec<Person>,
    pub start: Moment,
    pub length: Length,
    /// A changed instance written without DTSTART, DTEND or DURATION (a cancellation of one instance may be): it
    /// keeps its series' time and length. Also a cancellation of a whole event that names it by UID alone (no
    /// RECURRENCE-ID either): it keeps the time the event has where it is stored, and its `start` means nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub timed_by_series: bool,
    pub recurrence_id: Option<Moment>,
    /// RECURRENCE-ID;RANGE=THISANDFUTURE: this change applies to the later instances too.
    #[serde(default)]
    pub this_and_future: bool,
    /// RRULE values as written (UNTIL is read at expansion, against the start's zone).
    pub rrules: Vec<String>,
    /// EXRULE values as written (RFC 2445, which older programs still write): the instances they make are left
    /// out, as EXDATEs are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exrules: Vec<String>,
    pub rdates: Vec<(Moment, Option<Length>)>,
    pub exdates: Vec<Moment>,
    pub last_modified: Option<DateTime<Utc>>,
    /// DTSTAMP: when the sender wrote this copy. Of two copies with one SEQUENCE (a changed room or text need
    /// not raise it), the later stamp is the newer version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<DateTime<Utc>>,
    /// Assumptions made reading it ("time zone X unknown: read as local time").
    pub warnings: Vec<String>,
    /// METHOD of the calendar it came in, upper-cased (a file may join several calendars, each with its own):
    /// how it was sent, not what it is, so it is not stored with it.
    #[serde(skip)]
    pub method: Option<String>,
}

impl Event {
    pub fn is_recurring(&self) -> bool {
        !self.rrules.is_empty() || !self.rdates.is_empty()
    }
    pub fn is_all_day(&self) -> bool {
        self.start.is_date()
    }
    /// Whether only its owner may see what it is about: CLASS PRIVATE or CONFIDENTIAL, and (RFC 5545 3.8.1.3)
    /// any value a reader does not know, which it must treat as PRIVATE.
    pub fn is_private(&self) -> bool {
        self.class.as_deref().is_some_and(|c| c != "PUBLIC")
    }
    pub fn zone(&self) -> Option<&Zone> {
        match &self.start {
            Moment::Time { zone, .. } => Some(zone),
            Moment::Date(_) => None,
        }
    }
}

/// What reading one VEVENT needs from the file around it.
pub struct Context<'a> {
    pub zones: &'a [(String, Zone)],
    /// X-WR-TIMEZONE (Google): floating times are in it, and UTC start times of repeating events repeat in
    /// its wall time, as Google means them.
    pub calendar_zone: Option<Zone>,
    /// TZIDs no VTIMEZONE of the file defines, as read by name (a zone, and whether only its offset was read).
    pub named: std::cell::RefCell<std::collections::HashMap<String, Option<(Zone, bool)>>>,
    /// The calendar is a cancellation (METHOD:CANCEL), whose events may name what they cancel by UID alone.
    pub cancel: bool,
}

impl Context<'_> {
    fn zone_of(&self, line: &Line, warnings: &mut Vec<String>) -> Zone {
        let Some(tzid) = line.param("TZID") else {
            return self.calendar_zone.clone().unwrap_or(Zone::Floating);
        };
        // Exchange's zone names hold commas ("(GMT-06.00) Guadalajara, Mexico City, Monterrey"): written without
        // the quotes they need, the parser splits the name there. The whole name is the file's zone, when it is.
        let whole = line.param_text("TZID").unwrap_or_default();
        if let Some((_, zone)) = self.zones.iter().find(|(id, _)| id == whole.trim()) {
            return zone.clone();
        }
        let tzid = tzid.trim();
        if let Some((_, zone)) = self.zones.iter().find(|(id, _)| id == tzid) {
            return zone.clone();
        }
        // Looked for once per file: a TZID no VTIMEZONE defines is compared with every zone's name, and a file
        // of thousands of events names it at each of their times.
        let named = self
            .named
            .borrow_mut()
            .entry(tzid.to_owned())
            .or_insert_with(|| match iana_for(tzid) {
                Some(tz) => Some((Zone::Iana(tz), false)),
                None => crate::zone::zone_named_loosely(tzid),
            })
            .clone();
        match named {
            Some((zone, offset_only)) => {
                if offset_only {
                    warnings.push(format!(
                        "line {}: time zone \"{}\" is not known: read at its offset all year (a summer time of \
                         its own is not)",
                        line.number,
                        crate::content::shorten(tzid)
                    ));
                }
                zone
            }
            None => {
                warnings.push(format!(
                    "line {}: time zone \"{}\" is unknown and not defined in the file: read as local time",
                    line.number,
                    crate::content::shorten(tzid)
                ));
                self.calendar_zone.clone().unwrap_or(Zone::Floating)
            }
        }
    }

    fn moment(&self, line: &Line, warnings: &mut Vec<String>) -> Result<Moment, Problem> {
        let parsed = parse_date_or_time(&line.value, line.param("VALUE"));
        if matches!(parsed, Some(RawValue::DateTime(_)))
            && line.param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
        {
            warnings.push(format!(
                "line {}: {} says it is a date but gives a time too: read as the time written",
                line.number, line.name
            ));
        }
        match parsed {
            Some(RawValue::Date(d)) => Ok(Moment::Date(d)),
            Some(RawValue::DateTime(d)) if d.utc => Ok(Moment::Time { wall: d.wall, zone: Zone::Utc }),
            Some(RawValue::DateTime(d)) => Ok(Moment::Time { wall: d.wall, zone: self.zone_of(line, warnings) }),
            None => Err(Problem {
                line: line.number,
                message: format!(
                    "{} is not a date or date-time: \"{}\"",
                    line.name,
                    crate::content::shorten(&line.value)
                ),
            }),
        }
    }
}

fn text(c: &Component, name: &str) -> Option<String> {
    c.first(name).map(|l| unescape(&l.value)).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn person(line: &Line) -> Option<Person> {
    let value = line.value.trim();
    // The address after the last "mailto:": an unquoted SENT-BY=mailto:… before it ends the parameters at its
    // own colon, and the value read is "a@x.com:mailto:b@x.com".
    let email = match value.to_ascii_lowercase().rfind("mailto:") {
        Some(at) => value.get(at + 7..).unwrap_or(value),
        None => value,
    }
    .trim();
    // Some programs write the address only in the EMAIL parameter, with an opaque URI as the value.
    let email = if email.contains('@') { email.to_owned() } else { line.param("EMAIL")?.trim().to_owned() };
    Some(Person {
        email,
        name: line.param_text("CN").map(|s| s.trim().trim_matches('"').trim().to_owned()).filter(|s| !s.is_empty()),
        status: line.param("PARTSTAT").map(str::to_ascii_uppercase),
    })
}

/// The moment a DTEND says, or None when it cannot be read. "24:00" (ISO 8601's end of a day, which some
/// programs write for a meeting until midnight) is the next day's 00:00.
fn end_of(cx: &Context, line: &Line, warnings: &mut Vec<String>) -> Option<Moment> {
    if let Ok(end) = cx.moment(line, warnings) {
        return Some(end);
    }
    let (date, time) = line.value.trim().split_once('T')?;
    let rest = time.strip_prefix("240000")?;
    let next = crate::values::parse_date(date)?.succ_opt()?;
    let mended = Line { value: format!("{}T000000{rest}", next.format("%Y%m%d")), ..line.clone() };
    cx.moment(&mended, warnings).ok()
}

/// The end of an event starting at `start`: as [`end_of`] reads it, but a time written in an end marked as a date
/// beside a whole-day start is read as its day (the start says the event is whole days), and said so.
fn end_beside(cx: &Context, line: &Line, start: &Moment, warnings: &mut Vec<String>) -> Option<Moment> {
    let said = warnings.len();
    let end = end_of(cx, line, warnings)?;
    let marked_date = line.param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
    match end {
        Moment::Time { wall, .. } if start.is_date() && marked_date => {
            warnings.truncate(said);
            warnings.push(format!(
                "line {}: {} says it is a date but gives a time too: read as its date, as the start is a date",
                line.number, line.name
            ));
            Some(Moment::Date(wall.date()))
        }
        other => Some(other),
    }
}

/// Reads one VEVENT. An event without a usable start is refused with the line; smaller faults (an unreadable
/// EXDATE, an unknown zone, an end before the start) become warnings.
pub fn read_event(c: &Component, cx: &Context) -> Result<Event, Problem> {
    let mut warnings = Vec::new();
    // A cancellation or a change of one instance may leave DTSTART out (RFC 5546 allows it in a CANCEL): the
    // instance starts when it was to start. Refused, the cancellation was lost and the meeting stayed booked.
    let mut start = match c.first("DTSTART").or_else(|| c.first("RECURRENCE-ID")) {
        Some(line) => cx.moment(line, &mut warnings)?,
        // RFC 5546 3.2.5: a CANCEL may name the whole event by its UID alone (older SabreDAV servers send them
        // so). It is read as timed by the event it cancels ([`Event::timed_by_series`]); this date stands for no
        // time, and nothing reads it without the stored event.
        None if cx.cancel => Moment::Date(NaiveDate::default()),
        None => return Err(Problem { line: c.line, message: "event without DTSTART".into() }),
    };
    // RFC 5545 allows each of these once in an event; a second one (an editor's copy and paste) is not read.
    for name in ["DTSTART", "DTEND", "DURATION"] {
        let mut lines = c.all(name);
        if let (Some(first), Some(second)) = (lines.next(), lines.next()) {
            warnings.push(format!(
                "line {}: a second {name} in one event: the one on line {} is used",
                second.number, first.number
            ));
        }
    }
    let rrules: Vec<String> = c.all("RRULE").map(|l| l.value.trim().to_owned()).filter(|v| !v.is_empty()).collect();
    // Meetings repeat by the hour at most; a rule by the second or minute yields more than a view can list of
    // it, which the views then cut at MAX_OCCURRENCES of that series: said once, here, not left silent.
    for line in c.all("RRULE") {
        if let Some(unit) = crate::rule::repeats_by_the(&line.value) {
            warnings.push(format!(
                "line {}: the event repeats by the {unit}: a view lists at most {} of its occurrences at a time, and \
                 cuts a longer span short",
                line.number,
                crate::rule::MAX_OCCURRENCES
            ));
        }
    }
    let exrules: Vec<String> = c.all("EXRULE").map(|l| l.value.trim().to_owned()).filter(|v| !v.is_empty()).collect();

    // Google writes repeating events in UTC with the calendar's zone beside: repeat them in that zone.
    if let (Moment::Time { wall, zone: Zone::Utc }, Some(cal_zone)) = (&start, &cx.calendar_zone) {
        if !rrules.is_empty() {
            let utc = Zone::Utc.to_utc(*wall, &Zone::Utc);
            start = Moment::Time { wall: cal_zone.to_wall(utc), zone: cal_zone.clone() };
        }
    }

    // RFC 5545 3.6.1: a date lasts one day, a date-time has no length. An end before the start was refused, and the
    // meeting lost (with its clash) for a typo: a single event is read the other way round, a series (whose start
    // anchors its repetitions) is kept with no length, as a negative duration is.
    let no_length = if start.is_date() { Length::Days(1) } else { Length::Wall { days: 0, seconds: 0 } };
    let kept = if start.is_date() { "as one day" } else { "with no length" };
    // Only the start makes the event: an end or a length that cannot be read costs it its length, not the meeting.
    let unreadable = |line: &Line, what: &str| {
        format!(
            "line {}: {} (\"{}\"): the event is kept {kept}",
            line.number,
            what,
            crate::content::shorten(&line.value)
        )
    };
    let length = match (c.first("DTEND"), c.first("DURATION")) {
        (Some(end_line), _) => match end_beside(cx, end_line, &start, &mut warnings) {
            None => {
                warnings.push(unreadable(end_line, "DTEND is not a date or time"));
                no_length
            }
            Some(end) => match length_between(&start, &end, &cx.calendar_zone) {
                Some(length) => length,
                // Start and end typed the wrong way round (as Python's recurring-ical-events reads them too).
                None => match length_between(&end, &start, &cx.calendar_zone) {
                    // A slip, not an event of years: read the other way round only within a week (a test file's
                    // start in 2030 and end in 2009 made a 21-year event that clashed with every other).
                    Some(length) if rrules.is_empty() && about_seconds(&length) <= SWAPPED_AT_MOST => {
                        warnings.push(format!(
                            "line {}: DTEND is before DTSTART: read the other way round",
                            end_line.number
                        ));
                        start = end;
                        length
                    }
                    _ => {
                        warnings.push(format!(
                            "line {}: DTEND is before DTSTART: the event is kept {kept}",
                            end_line.number
                        ));
                        no_length
                    }
                },
            },
        },
        (None, Some(d)) => match parse_duration(&d.value) {
            None => {
                warnings.push(unreadable(d, "DURATION is not a duration"));
                no_length
            }
            Some(duration) if duration.days < 0 || duration.seconds < 0 => {
                warnings.push(format!("line {}: DURATION is negative: the event is kept with no length", d.number));
                no_length
            }
            // Whole days, rounded up ("PT48H" is two), and at least the one day a date is.
            Some(duration) if start.is_date() => {
                Length::Days((duration.days + (duration.seconds + 86_399) / 86_400).max(1))
            }
            Some(duration) => Length::Nominal { days: duration.days, seconds: duration.seconds },
        },
        (None, None) => no_length,
    };
    let (start, length) = all_day_as_flagged(c, start, length, &rrules);

    let uid = match text(c, "UID") {
        Some(uid) => uid,
        None => {
            // Without a UID, the event is still shown; its identity is its content, so importing the same
            // file twice still finds it.
            warnings.push(format!("line {}: event without UID: identified by its start and summary", c.line));
            let basis = format!("{:?}|{:?}", start, text(c, "SUMMARY"));
            format!("rapport-{:016x}{NO_UID_MARK}", fnv(basis.as_bytes()))
        }
    };

    let mut exdates = Vec::new();
    for line in c.all("EXDATE") {
        for item in values::list(&line.value) {
            let one = Line { value: item.to_owned(), ..line.clone() };
            match cx.moment(&one, &mut warnings) {
                Ok(m) => exdates.push(m),
                Err(p) => warnings.push(format!("line {}: {} ignored", p.line, p.message)),
            }
        }
    }
    let mut rdates = Vec::new();
    for line in c.all("RDATE") {
        for item in values::list(&line.value) {
            let one = Line { value: item.to_owned(), ..line.clone() };
            if line.param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("PERIOD")) || item.contains('/') {
                match parse_period(item) {
                    Some((s, end)) => {
                        let zone = if s.utc { Zone::Utc } else { cx.zone_of(line, &mut warnings) };
                        let m = Moment::Time { wall: s.wall, zone: zone.clone() };
                        let len = match end {
                            RawPeriodEnd::Duration(d) => Length::Nominal { days: d.days, seconds: d.seconds },
                            RawPeriodEnd::End(e) => {
                                let e = Moment::Time { wall: e.wall, zone: if e.utc { Zone::Utc } else { zone } };
                                length_between(&m, &e, &cx.calendar_zone).unwrap_or(length)
                            }
                        };
                        rdates.push((m, Some(len)));
                    }
                    None => warnings.push(format!("line {}: RDATE period \"{item}\" ignored", line.number)),
                }
                continue;
            }
            match cx.moment(&one, &mut warnings) {
                Ok(m) => rdates.push((m, None)),
                Err(p) => warnings.push(format!("line {}: {} ignored", p.line, p.message)),
            }
        }
    }
    let recurrence_id = match c.first("RECURRENCE-ID") {
        Some(line) => Some(cx.moment(line, &mut warnings)?),
        None => None,
    };
    let transparent = c.first("TRANSP").is_some_and(|l| l.value.trim().eq_ignore_ascii_case("TRANSPARENT"));
    let ms_free = c.first("X-MICROSOFT-CDO-BUSYSTATUS").is_some_and(|l| l.value.trim().eq_ignore_ascii_case("FREE"));
    let status = c.first("STATUS").map(|l| l.value.trim().to_ascii_uppercase()).filter(|s| !s.is_empty());
    Ok(Event {
        uid,
        line: c.line,
        sequence: c.first("SEQUENCE").and_then(|l| l.value.trim().parse().ok()).unwrap_or(0),
        summary: text(c, "SUMMARY"),
        description: text(c, "DESCRIPTION"),
        location: text(c, "LOCATION"),
        url: text(c, "URL"),
        // Shown as busy or free only: a cancellation is the STATUS's to say (it releases the time while it
        // lasts). Folded in here, a meeting cancelled and then set back to Confirmed stayed free, and was sent
        // out as TRANSP:TRANSPARENT.
        busy: !transparent && !ms_free,
        class: c.first("CLASS").map(|l| l.value.trim().to_ascii_uppercase()).filter(|s| !s.is_empty()),
        status,
        organizer: c.first("ORGANIZER").and_then(person),
        attendees: c.all("ATTENDEE").filter_map(person).collect(),
        timed_by_series: c.first("DTSTART").is_none() && c.first("DTEND").is_none() && c.first("DURATION").is_none(),
        start,
        length,
        this_and_future: c
            .first("RECURRENCE-ID")
            .and_then(|l| l.param("RANGE"))
            .is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE")),
        recurrence_id,
        rrules,
        exrules,
        rdates,
        exdates,
        last_modified: c
            .first("LAST-MODIFIED")
            .and_then(|l| values::parse_date_time(&l.value))
            .filter(|d| d.utc)
            .map(|d| d.wall.and_utc()),
        stamp: c
            .first("DTSTAMP")
            .and_then(|l| values::parse_date_time(&l.value))
            .filter(|d| d.utc)
            .map(|d| d.wall.and_utc()),
        warnings,
        method: None,
    })
}

/// The longest an event whose end was typed before its start is read as, the other way round.
const SWAPPED_AT_MOST: i64 = 7 * 86_400;

/// A length in seconds, a day counted as 86,400 (for a bound, not for placing an event).
fn about_seconds(length: &Length) -> i64 {
    match length {
        Length::Days(d) => d.saturating_mul(86_400),
        Length::Wall { days, seconds } | Length::Nominal { days, seconds } => {
            days.saturating_mul(86_400).saturating_add(*seconds)
        }
        Length::Exact(seconds) => *seconds,
    }
}

fn length_between(start: &Moment, end: &Moment, calendar_zone: &Option<Zone>) -> Option<Length> {
    let floating = calendar_zone.clone().unwrap_or(Zone::Utc);
    let length = match (start, end) {
        // An end on the start's own day (some exporters write the last day, not the day after): the one day.
        (Moment::Date(s), Moment::Date(e)) if e == s => Length::Days(1),
        (Moment::Date(s), Moment::Date(e)) => Length::Days((*e - *s).num_days()),
        // A time of day in the end of a whole-day event is into that day: it is one of the event's, rounded up
        // as a DURATION is ("20061009T235900" ends the 9th, which was lost), at least the one day a date is.
        (Moment::Date(s), Moment::Time { wall, .. }) => {
            let into_the_day = i64::from(wall.time() != NaiveTime::MIN);
            Length::Days(((wall.date() - *s).num_days() + into_the_day).max(1))
        }
        // A floating end (or start) beside a zoned one is read in that zone: "DTSTART;TZID=America/New_York:…T100000"
        // with "DTEND:…T110000" is an hour in New York, not an end three hours before its start.
        (Moment::Time { wall: s, zone: zs }, Moment::Time { wall: e, zone: ze })
            if zs == ze || *zs == Zone::Floating || *ze == Zone::Floating =>
        {
            let d = *e - *s;
            Length::Wall { days: 0, seconds: d.num_seconds() }
        }
        (Moment::Time { .. }, _) => Length::Exact((end.to_utc(&floating) - start.to_utc(&floating)).num_seconds()),
    };
    match length {
        Length::Days(d) if d < 0 => None,
        Length::Wall { seconds, .. } | Length::Nominal { seconds, .. } | Length::Exact(seconds) if seconds < 0 => None,
        other => Some(other),
    }
}

/// How the identity given to an event without a UID ends.
pub(crate) const NO_UID_MARK: &str = "@no-uid";

/// FNV-1a: a stable identity for events without a UID (not a security digest).
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
