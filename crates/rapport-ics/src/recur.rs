//! Recurrence: RRULE expanded by the `rrule` crate in wall-clock time (RFC 5545 repeats "9:00 every
//! Monday" in the event's zone, whatever DST does), RDATE added, EXDATE and overridden instances taken
//! out, then each occurrence placed in UTC by its zone.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;

use crate::event::{Event, Length, Moment};
use crate::rule::expand_rule_with;
use crate::values::RawValue;
use crate::zone::Zone;

/// An occurrence's start or end: a calendar date (all-day) or a UTC instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum When {
    Date(NaiveDate),
    Time(DateTime<Utc>),
}

impl When {
    pub fn to_utc(self, floating: &Zone) -> DateTime<Utc> {
        match self {
            When::Date(d) => Zone::Floating.to_utc(d.and_time(chrono::NaiveTime::MIN), floating),
            When::Time(t) => t,
        }
    }
    /// RFC 3339 in UTC with `Z` for instants, `YYYY-MM-DD` for dates.
    pub fn to_text(self) -> String {
        match self {
            When::Date(d) => d.format("%Y-%m-%d").to_string(),
            When::Time(t) => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub uid: String,
    pub start: When,
    pub end: When,
    /// The original start this occurrence stands for (its RECURRENCE-ID), for repeating events.
    pub recurrence_id: Option<When>,
    /// Index (in the slice given to `expand`) of the event whose details this occurrence has: the series'
    /// master, or the override that moved or changed it.
    pub event: usize,
}

#[derive(Debug, Default)]
pub struct Expansion {
    pub occurrences: Vec<Occurrence>,
    /// Rules that could not be read; the series then has its first occurrence only.
    pub warnings: Vec<String>,
    pub truncated: bool,
}

fn matches(moment: &Moment, wall: NaiveDateTime, utc: DateTime<Utc>, floating: &Zone, all_day: bool) -> bool {
    match moment {
        Moment::Date(d) => *d == wall.date(),
        // An all-day series' instance named by a date-time (Outlook writes RECURRENCE-ID;TZID=...:T000000)
        // is the instance of that day.
        Moment::Time { wall: w, .. } if all_day => w.date() == wall.date(),
        // A floating EXDATE or RECURRENCE-ID names the instance by its wall time in the series' own zone
        // (sabre/vobject, behind Nextcloud, writes EXDATE without the TZID); read in the reader's zone instead,
        // it named nothing, and the instance stayed (or showed twice beside its moved copy).
        Moment::Time { wall: w, zone: Zone::Floating } => *w == wall,
        Moment::Time { .. } => moment.to_utc(floating) == utc,
    }
}

fn end_of(start_wall: NaiveDateTime, start: When, length: Length, zone: &Zone, floating: &Zone) -> When {
    match (start, length) {
        (When::Date(d), Length::Days(n)) => When::Date(d + Duration::days(n.max(0))),
        (When::Date(d), _) => When::Date(d + Duration::days(1)),
        (When::Time(t), length) => When::Time(length.end_after(start_wall, t, zone, floating)),
    }
}

fn occurrence_at(event: &Event, wall: NaiveDateTime, length: Length, floating: &Zone) -> (When, When) {
    match &event.start {
        Moment::Date(_) => {
            let start = When::Date(wall.date());
            (start, end_of(wall, start, length, &Zone::Floating, floating))
        }
        Moment::Time { zone, .. } => {
            let start = When::Time(zone.to_utc(wall, floating));
            (start, end_of(wall, start, length, zone, floating))
        }
    }
}

fn overlaps(start: When, end: When, from: DateTime<Utc>, to: DateTime<Utc>, floating: &Zone) -> bool {
    let (s, e) = (start.to_utc(floating), end.to_utc(floating));
    if s == e {
        return s >= from && s < to;
    }
    s < to && e > from
}

/// The occurrences of `events` that overlap [from, to), sorted by start. Events sharing a UID form one
/// series: the one without RECURRENCE-ID is the master, the others override single instances. Dates and
/// floating times are read in `floating` (the agent's zone).
pub fn expand(events: &[Event], from: DateTime<Utc>, to: DateTime<Utc>, floating: &Zone) -> Expansion {
    let mut out = Expansion::default();
    let mut by_uid: std::collections::BTreeMap<&str, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        by_uid.entry(e.uid.as_str()).or_default().push(i);
    }
    for indexes in by_uid.values() {
        expand_series(events, indexes, from, to, floating, &mut out);
    }
    out.occurrences.sort_by(|a, b| (a.start.to_utc(floating), &a.uid).cmp(&(b.start.to_utc(floating), &b.uid)));
    out
}

fn expand_series(
    events: &[Event],
    indexes: &[usize],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    floating: &Zone,
    out: &mut Expansion,
) {
    // One change per instance: when a file holds two for the same RECURRENCE-ID, the higher SEQUENCE (then
    // the later one) is the instance.
    let mut overrides: Vec<usize> = Vec::new();
    for i in indexes.iter().copied().filter(|&i| events.get(i).is_some_and(|e| e.recurrence_id.is_some())) {
        let key = |j: usize| events.get(j).and_then(|e| e.recurrence_id.as_ref()).map(|r| r.to_utc(floating));
        match overrides.iter().position(|&o| key(o) == key(i)) {
            Some(at) => {
                let older = events.get(overrides[at]).map_or(0, |e| e.sequence);
                if events.get(i).map_or(0, |e| e.sequence) >= older {
                    overrides[at] = i;
                }
            }
            None => overrides.push(i),
        }
    }
    // Several masters for one UID (a file that repeats an event): the highest SEQUENCE wins.
    let master = indexes
        .iter()
        .copied()
        .filter(|&i| events.get(i).is_some_and(|e| e.recurrence_id.is_none()))
        .max_by_key(|&i| events.get(i).map(|e| e.sequence).unwrap_or(0));

    // The instances the master's rules make in the window, before exclusions: an older change of an
    // instance the newer series no longer has is dropped.
    let mut generated: Vec<NaiveDateTime> = Vec::new();
    let mut window_walls = None;
    if let Some(m) = master.and_then(|m| events.get(m).map(|e| (m, e))) {
        let (index, event) = m;
        let zone = event.zone().cloned().unwrap_or(Zone::Floating);
        let wall_zone = if matches!(zone, Zone::Floating) { floating.clone() } else { zone.clone() };
        // "This and future" changes, latest original start first: each moves the instances after it by the wall
        // time it moved its own ("Mondays instead of Fridays, at 9"), measured on the series' clock: measured in
        // UTC across a change of the clocks, it moved every later instance by an hour, or a day for an all-day
        // series. The moved instances are read on the change's clock: a move to 9:00 New York keeps them at 9:00
        // there when Berlin's clocks change.
        let mut future: Vec<(DateTime<Utc>, usize, Duration)> = overrides
            .iter()
            .filter_map(|&o| {
                let changed = events.get(o).filter(|e| e.this_and_future)?;
                let rid = changed.recurrence_id.as_ref()?.to_utc(floating);
                Some((rid, o, changed.start.wall() - wall_zone.to_wall(rid)))
            })
            .collect();
        future.sort_by_key(|(rid, o, _)| (*rid, *o));
        // An instance a change moves into the window is made from where the rule put it, which may be far
        // outside: a narrow window (one day, as a booking's clash check asks) missed a Friday meeting moved to
        // Mondays, and a booking over it was not refused. So the window is widened by the farthest move each
        // way, and by the longest of the changed lengths (a change into another zone moves the instances by the
        // zones' difference too, which the two days of margin cover).
        let later = future.iter().map(|(_, _, shift)| *shift).max().unwrap_or_default().max(Duration::zero());
        let earlier = -future.iter().map(|(_, _, shift)| *shift).min().unwrap_or_default().min(Duration::zero());
        let span = std::iter::once(event.length)
            .chain(future.iter().filter_map(|(_, o, _)| events.get(*o).map(|e| e.length)))
            .map(|length| match length {
                Length::Days(n) => Duration::days(n),
                Length::Wall { days, seconds } | Length::Nominal { days, seconds } => {
                    Duration::days(days) + Duration::seconds(seconds)
                }
                Length::Exact(s) => Duration::seconds(s),
            })
            .max()
            .unwrap_or_default();
        let mut window_from = wall_zone.to_wall(from) - Duration::days(2) - span - later;
        let mut window_to = wall_zone.to_wall(to) + Duration::days(2) + earlier;
        // Whether a newer series still makes the instance an older change moved is asked where the instance
        // was, however far from the window: asked only inside it, a moved meeting the series had deleted showed
        // in a one-day view (and a booking's clash check) and not in the week's.
        for rid in overrides
            .iter()
            .filter_map(|&o| events.get(o))
            .filter(|e| e.sequence < event.sequence)
            .filter_map(|e| e.recurrence_id.as_ref())
        {
            window_from = window_from.min(rid.wall() - Duration::days(1));
            window_to = window_to.max(rid.wall() + Duration::days(1));
        }
        let dtstart = event.start.wall();
        window_walls = Some((window_from, window_to));

        // RDATEs first: when one repeats DTSTART with a PERIOD, its length is the one meant.
        let mut starts: Vec<(NaiveDateTime, Length)> = Vec::new();
        for (rdate, len) in &event.rdates {
            let wall = match (rdate, &event.start) {
                (Moment::Date(d), _) => d.and_time(chrono::NaiveTime::MIN),
                // A floating RDATE is a wall time of the series' zone, as a floating EXDATE is.
                (Moment::Time { wall, zone: Zone::Floating }, Moment::Time { .. }) => *wall,
                (Moment::Time { .. }, Moment::Time { .. }) => wall_zone.to_wall(rdate.to_utc(floating)),
                (Moment::Time { wall, .. }, Moment::Date(_)) => *wall,
            };
            starts.push((wall, len.unwrap_or(event.length)));
        }
        let rdate_count = starts.len();
        starts.push((dtstart, event.length));
        let mut ended_before_start = false;
        // UNTIL is the last moment a series may start at. A date UNTIL on a series of times (Mozilla writes them;
        // RFC 5545 leaves it undefined) is that whole day: read as its midnight, the series lost its last meeting,
        // and one that starts that day lost every one. A whole-day series ends by the date alone: a UTC UNTIL
        // read as a wall time west of UTC fell on the evening before, and its last day was lost.
        let all_day = matches!(event.start, Moment::Date(_));
        let whole_day = |d: chrono::NaiveDate| d.and_hms_opt(23, 59, 59).unwrap_or(d.and_time(chrono::NaiveTime::MIN));
        let until = |raw: RawValue| match raw {
            RawValue::Date(d) => whole_day(d),
            RawValue::DateTime(d) if all_day => whole_day(d.wall.date()),
            RawValue::DateTime(d) if d.utc => wall_zone.to_wall(d.wall.and_utc()),
            RawValue::DateTime(d) => d.wall,
        };
        for rule in &event.rrules {
            match expand_rule_with(dtstart, rule, &until, window_from, window_to) {
                Ok((walls, limited, ignored)) => {
                    out.truncated |= limited;
                    for part in ignored {
                        out.warnings.push(format!(
                            "line {}: \"{part}\" in a repetition rule is not understood: ignored",
                            event.line
                        ));
                    }
                    starts.extend(walls.into_iter().map(|w| (w, event.length)));
                }
                Err(e) if e.contains("before it starts") => {
                    // As other calendar programs do: a series that ends before it starts has no occurrence.
                    ended_before_start = true;
                    out.warnings.push(format!(
                        "line {}: the event repeats until before it starts ({e}): it has no occurrence",
                        event.line
                    ));
                }
                Err(e) => out.warnings.push(format!(
                    "line {}: repetition rule \"{}\" not understood ({e}): only its first occurrence is shown",
                    event.line,
                    crate::content::shorten(rule)
                )),
            }
        }
        if ended_before_start {
            starts.truncate(rdate_count);
        }
        // EXRULE (RFC 2445): the instances a rule makes are left out, as EXDATEs are.
        let mut excluded_walls = std::collections::HashSet::new();
        for rule in &event.exrules {
            match expand_rule_with(dtstart, rule, &until, window_from, window_to) {
                Ok((walls, _, _)) => excluded_walls.extend(walls),
                Err(e) => out.warnings.push(format!(
                    "line {}: exclusion rule \"{}\" not understood ({e}): no instance is left out by it",
                    event.line,
                    crate::content::shorten(rule)
                )),
            }
        }
        starts.retain(|(w, _)| !excluded_walls.contains(w));
        generated = starts.iter().map(|(w, _)| *w).collect();
        starts.sort_by_key(|(w, _)| *w);
        starts.dedup_by_key(|(w, _)| *w);

        // Two walls may be one instant: hourly from midnight the night the clocks go forward, 02:00 (which does
        // not exist) is read as 03:00 (RFC 5545 3.3.5), which the rule also makes. One instance (3.8.5.3).
        let mut seen: std::collections::HashSet<DateTime<Utc>> = std::collections::HashSet::new();
        for (wall, length) in starts {
            let (mut start, mut end) = occurrence_at(event, wall, length, floating);
            let utc = start.to_utc(floating);
            if !seen.insert(utc) {
                continue;
            }
            if event.exdates.iter().any(|x| matches(x, wall, utc, floating, event.is_all_day())) {
                continue;
            }
            let replaced = overrides.iter().any(|&o| {
                events
                    .get(o)
                    .and_then(|e| e.recurrence_id.as_ref())
                    .is_some_and(|rid| matches(rid, wall, utc, floating, event.is_all_day()))
            });
            let mut source = index;
            if let Some((_, o, shift)) = future.iter().rev().find(|(rid, ..)| *rid < utc) {
                if let Some(changed) = events.get(*o) {
                    (start, end) = occurrence_at(changed, wall + *shift, changed.length, floating);
                    source = *o;
                }
            }
            if replaced || !overlaps(start, end, from, to, floating) {
                continue;
            }
            out.occurrences.push(Occurrence {
                uid: event.uid.clone(),
                start,
                end,
                recurrence_id: event.is_recurring().then_some(start),
                event: source,
            });
        }
    }

    let master_event = master.and_then(|m| events.get(m));
    for o in overrides {
        let Some(event) = events.get(o) else { continue };
        // An instance the (newer) series deleted stays deleted, whatever an older change of it said.
        if let (Some(m), Some(rid)) = (master_event, &event.recurrence_id) {
            let rid_utc = rid.to_utc(floating);
            let excluded = m.exdates.iter().any(|x| matches(x, rid.wall(), rid_utc, floating, m.is_all_day()));
            let in_window = window_walls.is_some_and(|(a, b)| rid.wall() >= a && rid.wall() <= b);
            let gone = in_window
                && !generated.iter().any(|w| {
                    if m.is_all_day() {
                        w.date() == rid.wall().date()
                    } else {
                        *w == rid.wall() || m.zone().is_some_and(|z| z.to_utc(*w, floating) == rid_utc)
                    }
                });
            if event.sequence < m.sequence && (excluded || gone) {
                continue;
            }
        }
        let length = match master_event.filter(|_| event.timed_by_series) {
            Some(m) => m.length,
            None => event.length,
        };
        let (start, end) = occurrence_at(event, event.start.wall(), length, floating);
        if !overlaps(start, end, from, to, floating) {
            continue;
        }
        let rid = event.recurrence_id.as_ref().map(|r| match r {
            Moment::Date(d) => When::Date(*d),
            Moment::Time { .. } => When::Time(r.to_utc(floating)),
        });
        out.occurrences.push(Occurrence { uid: event.uid.clone(), start, end, recurrence_id: rid, event: o });
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    /// A meeting moved from a Monday to a Friday by an older change, whose newer series (at 10 now) no longer
    /// makes that Monday's 9 o'clock: gone in every window. It showed in a one-day window of the Friday (and a
    /// booking's clash check refused the slot) though not in the week's.
    #[test]
    fn an_older_move_the_newer_series_deleted_is_gone_in_every_window() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:m\r\nSEQUENCE:2\r\n\
DTSTART;TZID=Europe/Berlin:20270301T100000\r\nDTEND;TZID=Europe/Berlin:20270301T110000\r\n\
RRULE:FREQ=WEEKLY;BYDAY=MO\r\nSUMMARY:Monday sync\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:m\r\nSEQUENCE:0\r\nRECURRENCE-ID;TZID=Europe/Berlin:20270308T090000\r\n\
DTSTART;TZID=Europe/Berlin:20270312T140000\r\nDTEND;TZID=Europe/Berlin:20270312T150000\r\n\
SUMMARY:Monday sync (on Friday)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let cal = crate::read(text.as_bytes());
        let at = |d: u32, h: u32| Utc.with_ymd_and_hms(2027, 3, d, h, 0, 0).single().unwrap_or_default();
        for (from, to) in [(at(8, 0), at(15, 0)), (at(12, 0), at(13, 0)), (at(12, 12), at(12, 14))] {
            let found = super::expand(&cal.events, from, to, &crate::Zone::Utc);
            assert!(
                !found.occurrences.iter().any(|o| o.start.to_utc(&crate::Zone::Utc) == at(12, 13)),
                "{from}..{to}: {:?}",
                found.occurrences
            );
        }
    }

    /// "From the 27 March on, Mondays instead of Fridays, at 9" in Berlin: the clocks change on 29 March, and
    /// the instances after it stay at 9 on Mondays.
    #[test]
    fn a_this_and_future_change_across_a_change_of_the_clocks_keeps_the_wall_time() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:w\r\nDTSTART;TZID=Europe/Berlin:20260306T090000\r\n\
DTEND;TZID=Europe/Berlin:20260306T100000\r\nRRULE:FREQ=WEEKLY;COUNT=8\r\nSUMMARY:Weekly\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:w\r\nRECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20260327T090000\r\n\
DTSTART;TZID=Europe/Berlin:20260330T090000\r\nDTEND;TZID=Europe/Berlin:20260330T100000\r\nSUMMARY:Weekly\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";
        let cal = crate::read(text.as_bytes());
        let (from, to) = match (
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single(),
            Utc.with_ymd_and_hms(2026, 12, 31, 0, 0, 0).single(),
        ) {
            (Some(a), Some(b)) => (a, b),
            _ => panic!("dates"),
        };
        let starts: Vec<String> = super::expand(&cal.events, from, to, &crate::Zone::Utc)
            .occurrences
            .iter()
            .map(|o| o.start.to_utc(&crate::Zone::Utc).to_rfc3339())
            .collect();
        // 9:00 in Berlin is 08:00Z before 29 March and 07:00Z after it.
        assert!(starts.contains(&"2026-03-20T08:00:00+00:00".to_string()), "{starts:?}");
        assert!(starts.contains(&"2026-03-30T07:00:00+00:00".to_string()), "{starts:?}");
        assert!(starts.contains(&"2026-04-06T07:00:00+00:00".to_string()), "{starts:?}");
        assert!(!starts.iter().any(|s| s.starts_with("2026-04-03") || s.starts_with("2026-04-06T06")), "{starts:?}");
    }

    /// RFC 5545 3.3.6: a DURATION's days and weeks are nominal (the same wall time a day later, whatever the
    /// clocks do), its hours, minutes and seconds exact. Berlin's clocks go forward at 2:00 on 29 March 2026:
    /// one hour from 1:30 ends at 3:30 (an hour later, not two), one day from 9:00 the day before ends at 9:00
    /// (23 hours later), and a DTEND keeps the wall time it names.
    #[test]
    fn a_duration_s_days_are_nominal_and_its_hours_exact_across_a_change_of_the_clocks() {
        let ends = |start: &str, length: &str| -> Vec<String> {
            let text = format!(
                "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:d\r\nDTSTART;TZID=Europe/Berlin:{start}\r\n{length}\r\n\
SUMMARY:Call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            );
            let cal = crate::read(text.as_bytes());
            let (Some(from), Some(to)) = (
                Utc.with_ymd_and_hms(2026, 3, 27, 0, 0, 0).single(),
                Utc.with_ymd_and_hms(2026, 4, 2, 0, 0, 0).single(),
            ) else {
                panic!("dates")
            };
            super::expand(&cal.events, from, to, &crate::Zone::Utc)
                .occurrences
                .iter()
                .map(|o| {
                    format!(
                        "{} {}",
                        o.start.to_utc(&crate::Zone::Utc).to_rfc3339(),
                        o.end.to_utc(&crate::Zone::Utc).to_rfc3339()
                    )
                })
                .collect()
        };
        // 1:30 CET is 00:30Z; an hour later is 01:30Z (3:30 CEST).
        assert_eq!(ends("20260329T013000", "DURATION:PT1H"), ["2026-03-29T00:30:00+00:00 2026-03-29T01:30:00+00:00"]);
        assert_eq!(ends("20260329T013000", "DURATION:PT24H"), ["2026-03-29T00:30:00+00:00 2026-03-30T00:30:00+00:00"]);
        // 9:00 CET on the 28th is 08:00Z; 9:00 CEST on the 29th is 07:00Z.
        assert_eq!(ends("20260328T090000", "DURATION:P1D"), ["2026-03-28T08:00:00+00:00 2026-03-29T07:00:00+00:00"]);
        assert_eq!(ends("20260328T090000", "DURATION:P1DT1H"), ["2026-03-28T08:00:00+00:00 2026-03-29T08:00:00+00:00"]);
        assert_eq!(
            ends("20260329T013000", "DTEND;TZID=Europe/Berlin:20260329T033000"),
            ["2026-03-29T00:30:00+00:00 2026-03-29T01:30:00+00:00"]
        );
    }

    /// The starts (UTC) of a Friday 9:00 Berlin series changed from 27 March on to `moved_to`, in [from, to).
    fn starts_of_moved_fridays(moved_to: &str, from: (u32, u32), to: (u32, u32)) -> Vec<String> {
        let text = format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:w\r\nDTSTART;TZID=Europe/Berlin:20260306T090000\r\n\
DTEND;TZID=Europe/Berlin:20260306T100000\r\nRRULE:FREQ=WEEKLY;COUNT=12\r\nSUMMARY:Weekly\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:w\r\nRECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20260327T090000\r\n\
DTSTART;TZID=Europe/Berlin:{moved_to}T090000\r\nDTEND;TZID=Europe/Berlin:{moved_to}T100000\r\n\
SUMMARY:Weekly\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        let cal = crate::read(text.as_bytes());
        let (Some(from), Some(to)) = (
            Utc.with_ymd_and_hms(2026, from.0, from.1, 0, 0, 0).single(),
            Utc.with_ymd_and_hms(2026, to.0, to.1, 0, 0, 0).single(),
        ) else {
            panic!("dates")
        };
        super::expand(&cal.events, from, to, &crate::Zone::Utc)
            .occurrences
            .iter()
            .map(|o| o.start.to_utc(&crate::Zone::Utc).to_rfc3339())
            .collect()
    }

    /// "From 27 March on, at 9:00 New York" for a Berlin series: each later instance is at 9:00 in New York on
    /// its day, not the Berlin hour moved by the difference between the two 9:00s.
    #[test]
    fn a_this_and_future_change_into_another_zone_places_the_later_instances_in_it() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:w\r\nDTSTART;TZID=Europe/Berlin:20260306T090000\r\n\
DTEND;TZID=Europe/Berlin:20260306T100000\r\nRRULE:FREQ=WEEKLY;COUNT=8\r\nSUMMARY:Weekly\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:w\r\nRECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20260327T090000\r\n\
DTSTART;TZID=America/New_York:20260327T090000\r\nDTEND;TZID=America/New_York:20260327T100000\r\n\
SUMMARY:Weekly\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let cal = crate::read(text.as_bytes());
        let (Some(from), Some(to)) =
            (Utc.with_ymd_and_hms(2026, 4, 3, 0, 0, 0).single(), Utc.with_ymd_and_hms(2026, 4, 4, 0, 0, 0).single())
        else {
            panic!("dates")
        };
        let starts: Vec<String> = super::expand(&cal.events, from, to, &crate::Zone::Utc)
            .occurrences
            .iter()
            .map(|o| o.start.to_utc(&crate::Zone::Utc).to_rfc3339())
            .collect();
        // 9:00 in New York (daylight time since 8 March) is 13:00Z.
        assert_eq!(starts, ["2026-04-03T13:00:00+00:00"]);
    }

    /// A clash check asks for one day: the Friday instance a change moved to that Monday was made from a Friday
    /// outside the day's margin, and was missed, so a booking over it was not refused. Moves both ways.
    #[test]
    fn an_instance_moved_by_a_this_and_future_change_is_found_in_a_one_day_window() {
        // Fridays moved three days later, to Mondays: Friday 10 April is Monday 13 April.
        assert_eq!(starts_of_moved_fridays("20260330", (4, 13), (4, 14)), ["2026-04-13T07:00:00+00:00"]);
        // Fridays moved four days earlier, to Mondays: Friday 10 April is Monday 6 April.
        assert_eq!(starts_of_moved_fridays("20260323", (4, 6), (4, 7)), ["2026-04-06T07:00:00+00:00"]);
        // Nothing is left on the Friday itself.
        assert!(starts_of_moved_fridays("20260330", (4, 10), (4, 11)).is_empty());
    }
}
