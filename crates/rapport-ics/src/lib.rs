//! Reading and writing iCalendar (.ics) files, pure: no I/O, no database. The `ical` crate parses each
//! content line; this crate nests components, resolves time zones (IANA, Windows names, the file's own
//! VTIMEZONE), reads events and expands their recurrence with the `rrule` crate.
//!
//! Reading never stops at a bad event: each event that cannot be read is a `Problem` naming its line, and
//! the file's other events are returned.

pub mod contain;
mod content;
mod event;
mod recur;
mod rule;
mod values;
mod windows_zones;
mod write;
mod zone;

pub use content::Problem;
pub use event::{Event, Length, Moment, Person};
pub use recur::{expand, Expansion, Occurrence, When};
pub use rule::{rule_ends, MAX_OCCURRENCES};
pub use write::{write_calendar, PRODID};
pub use zone::{iana_for, CustomZone, Observance, Zone};

/// What a file holds.
#[derive(Debug, Default)]
pub struct Calendar {
    /// METHOD: PUBLISH, REQUEST, CANCEL, REPLY, ... of the first calendar (each event keeps its own calendar's).
    pub method: Option<String>,
    /// X-WR-CALNAME.
    pub name: Option<String>,
    pub events: Vec<Event>,
    /// What could not be read, by line: those events are not in `events`.
    pub problems: Vec<Problem>,
    /// The lines of the `problems` that are events not read (the others are lines skipped: a description's
    /// unfolded lines, a stray property), so that a file with one bad line is not said to have lost a meeting.
    pub unread_events: Vec<usize>,
    /// What was read with an assumption, or skipped on purpose (to-dos, journals).
    pub warnings: Vec<String>,
}

/// Reads a file's bytes. Never fails as a whole: a file that is not a calendar is a problem on line 1.
pub fn read(bytes: &[u8]) -> Calendar {
    let mut cal = Calendar::default();
    let (text, latin1) = content::decode(bytes);
    if latin1 {
        cal.warnings.push("lines of the file that are not UTF-8 were read as Windows-1252".into());
    }
    let (lines, mut problems) = content::lines(&text);
    let (roots, structure, cut_events) = content::components(lines);
    problems.extend(structure);
    cal.unread_events.extend(&cut_events);
    // Events written without a VCALENDAR around them (some programs' single-event exports) form one; so do a
    // to-do's, a journal entry's or free/busy time's, whose file then says what it holds instead of being no
    // calendar at all.
    const BARE: [&str; 6] = ["VEVENT", "VTIMEZONE", "VTODO", "VJOURNAL", "VFREEBUSY", "VAVAILABILITY"];
    let bare: Vec<content::Component> = roots.iter().filter(|c| BARE.contains(&c.name.as_str())).cloned().collect();
    let implicit = (!bare.is_empty()).then(|| content::Component {
        name: "VCALENDAR".into(),
        line: bare.first().map_or(1, |c| c.line),
        lines: Vec::new(),
        children: bare,
    });
    // A calendar inside a calendar (libical's clusters of calendars, a server wrapping the ones it holds) is read
    // as a calendar of its own: skipped as an unknown component, its events were lost with a warning only.
    fn with_nested<'a>(c: &'a content::Component, out: &mut Vec<&'a content::Component>) {
        out.push(c);
        for child in c.children.iter().filter(|ch| ch.name == "VCALENDAR") {
            with_nested(child, out);
        }
    }
    let mut calendars: Vec<&content::Component> = Vec::new();
    for c in roots.iter().filter(|c| c.name == "VCALENDAR").chain(implicit.as_ref()) {
        with_nested(c, &mut calendars);
    }
    if calendars.is_empty() {
        // One clear message, not one per line of something that is not a calendar at all.
        problems.clear();
        let what = roots.first().map(|c| format!("a {}", c.name)).unwrap_or_else(|| "nothing readable".into());
        problems.push(Problem {
            line: 1,
            message: format!("not an iCalendar file (BEGIN:VCALENDAR missing): found {what}"),
        });
    }
    for calendar in &calendars {
        let method = calendar.first("METHOD").map(|l| l.value.trim().to_ascii_uppercase());
        if cal.method.is_none() {
            cal.method.clone_from(&method);
        }
        if cal.name.is_none() {
            cal.name = calendar.first("X-WR-CALNAME").map(|l| content::unescape(&l.value));
        }
        let zones = zone::zones_of(calendar, &mut problems);
        let calendar_zone = calendar.first("X-WR-TIMEZONE").and_then(|l| {
            let id = l.value.trim();
            zones.iter().find(|(z, _)| z == id).map(|(_, z)| z.clone()).or_else(|| iana_for(id).map(Zone::Iana))
        });
        let cancel = method.as_deref() == Some("CANCEL");
        let cx = event::Context { zones: &zones, calendar_zone, named: Default::default(), cancel };
        let mut skipped: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        // An attendee's answer (RFC 5546: REPLY, COUNTER, REFRESH, DECLINECOUNTER) names its event by UID and
        // may carry no time: no broken event, an answer with nothing to import.
        let answer = method.as_deref().is_some_and(|m| matches!(m, "REPLY" | "COUNTER" | "REFRESH" | "DECLINECOUNTER"));
        for child in &calendar.children {
            match child.name.as_str() {
                "VEVENT" if answer && child.first("DTSTART").is_none() => cal.warnings.push(format!(
                    "line {}: an answer to an invitation (METHOD:{}) that names no time: nothing in it to import",
                    child.line,
                    method.as_deref().unwrap_or_default()
                )),
                "VEVENT" => match event::read_event(child, &cx) {
                    Ok(mut e) => {
                        e.method.clone_from(&method);
                        cal.warnings.extend(e.warnings.iter().cloned());
                        cal.events.push(e);
                    }
                    Err(p) => {
                        cal.unread_events.push(p.line);
                        problems.push(p);
                    }
                },
                "VTIMEZONE" | "VCALENDAR" => {}
                other => *skipped.entry(other).or_default() += 1,
            }
        }
        for (name, n) in skipped {
            cal.warnings.push(format!("{n} {name} component(s) skipped: only events (VEVENT) are imported"));
        }
    }
    // Nothing but time zones in every calendar: the file is said to hold nothing to import (a published time
    // zone, an empty export), not passed over as a file of no new events. An event the file ends inside is lost,
    // not absent: its problem says so instead.
    let children = || calendars.iter().flat_map(|c| &c.children);
    if !calendars.is_empty()
        && cut_events.is_empty()
        && children().all(|c| c.name == "VTIMEZONE" || c.name == "VCALENDAR")
    {
        cal.warnings.push(if children().any(|c| c.name == "VTIMEZONE") {
            "the file holds time zone definitions only: no event to import".into()
        } else {
            "the calendar is empty: no event to import".into()
        });
    }
    // Events without a UID are known by their start and summary (importing the file again finds them). Two that
    // share both but differ otherwise (another rule, another description) are two events, not copies: the later
    // ones are told apart by their place among them, the same on every import of the file. One was dropped.
    let mut no_uid_seen: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
    for i in 0..cal.events.len() {
        let e = &cal.events[i];
        if !e.uid.ends_with(event::NO_UID_MARK) || e.recurrence_id.is_some() {
            continue;
        }
        let same = no_uid_seen.entry(e.uid.clone()).or_default();
        let copy = |j: &usize| {
            let other = &cal.events[*j];
            Event { line: e.line, uid: e.uid.clone(), warnings: e.warnings.clone(), ..other.clone() } == *e
        };
        if let Some(j) = same.iter().copied().find(copy) {
            // A copy of one of them is that one.
            let uid = cal.events[j].uid.clone();
            cal.events[i].uid = uid;
            continue;
        }
        same.push(i);
        let n = same.len();
        if n > 1 {
            let uid = cal.events[i].uid.replace(event::NO_UID_MARK, &format!("-{n}{}", event::NO_UID_MARK));
            cal.events[i].uid = uid;
        }
    }
    // Copies of one event (an update after the invite) share their UID; events that differ and share one (a
    // timetable exporter giving each lesson its course's UID) are one appointment to every calendar program,
    // the newest copy kept. Said, so that the others are not lost without a word.
    let mut by_uid: std::collections::BTreeMap<&str, Vec<&Event>> = std::collections::BTreeMap::new();
    for e in cal.events.iter().filter(|e| e.recurrence_id.is_none()) {
        by_uid.entry(e.uid.as_str()).or_default().push(e);
    }
    for (uid, events) in by_uid {
        let same_sequence = events.iter().all(|e| e.sequence == events[0].sequence);
        if events.len() > 1 && same_sequence && events.iter().any(|e| e.start != events[0].start) {
            let lines: Vec<String> = events.iter().map(|e| e.line.to_string()).collect();
            cal.warnings.push(format!(
                "lines {}: {} events share the UID \"{}\" at different times: they are one appointment, of which \
                 only one copy is kept (give each its own UID to import them all)",
                lines.join(", "),
                events.len(),
                content::shorten(uid)
            ));
        }
    }
    problems.sort_by_key(|p| p.line);
    cal.problems = problems;
    cal
}
