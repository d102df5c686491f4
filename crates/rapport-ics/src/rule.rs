//! One RRULE expanded by the `rrule` crate in wall-clock time, read leniently the way calendar programs
//! write rules (escaped separators, impossible COUNTs, unknown parts); used for events and for the
//! transitions of a file's own time zones alike.
use chrono::{NaiveDateTime, TimeZone};

use crate::values::{parse_date_or_time, RawValue};

/// Upper bound of occurrences one series yields in one window; a window that would hold more is cut
/// there and says so (`Expansion::truncated`).
pub const MAX_OCCURRENCES: u16 = u16::MAX;

/// Upper bound of the dates the rrule crate is walked through for one window, those before the window
/// included: it walks from the rule's start, so a rule repeating every second since 1970 would otherwise take
/// billions of steps (an import, and every later view, hung on it).
const MAX_STEPS: usize = 500_000;

/// The span of one period of a rule without COUNT whose periods all have the same length (seconds to weeks):
/// moving its start by whole periods leaves every later occurrence where it was (the periods' grid, the time of
/// day, the weekday are kept), so a window far from the start needs no walk from it.
fn fixed_period(parts: &[String]) -> Option<chrono::Duration> {
    let (mut unit, mut interval) = (None, 1i64);
    for part in parts {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        match key {
            "COUNT" => return None,
            "INTERVAL" => interval = value.parse().ok().filter(|n| *n >= 1)?,
            "FREQ" => {
                unit = match value {
                    "SECONDLY" => Some(1i64),
                    "MINUTELY" => Some(60),
                    "HOURLY" => Some(3_600),
                    "DAILY" => Some(86_400),
                    "WEEKLY" => Some(604_800),
                    _ => None,
                }
            }
            _ => {}
        }
    }
    chrono::Duration::try_seconds(unit?.checked_mul(interval)?)
}

/// `dtstart` moved by whole periods to a period before `from` (see [`fixed_period`]).
fn start_near(dtstart: NaiveDateTime, parts: &[String], from: NaiveDateTime) -> NaiveDateTime {
    let Some(period) = fixed_period(parts) else { return dtstart };
    let (gap, span) = ((from - dtstart).num_seconds(), period.num_seconds());
    // One period short of the window: its first occurrences may lie before the period's start.
    let periods = gap / span - 1;
    if periods <= 0 {
        return dtstart;
    }
    span.checked_mul(periods)
        .and_then(chrono::Duration::try_seconds)
        .and_then(|d| dtstart.checked_add_signed(d))
        .unwrap_or(dtstart)
}

/// Whether a rule ends, read as [`expand_rule_with`] reads it: by an UNTIL, or by a COUNT that is a positive
/// number (a COUNT of 0, -3 or "x" is ignored there, so the rule repeats forever).
pub fn rule_ends(rule: &str) -> bool {
    let rule = rule.replace("\\;", ";");
    rule.trim().trim_start_matches("RRULE:").split(';').any(|part| {
        let (key, value) = part.trim().split_once('=').unwrap_or((part, ""));
        match key.to_ascii_uppercase().as_str() {
            "UNTIL" => !no_end_in_sight(value),
            "COUNT" => value.parse::<u32>().is_ok_and(|n| n > 0),
            _ => false,
        }
    })
}

/// "second" or "minute" for a rule repeating by the second or minute that may yield more than a view lists of one
/// series ([`MAX_OCCURRENCES`]: no COUNT bounds it below that), read as [`rule_ends`] reads a rule.
pub(crate) fn repeats_by_the(rule: &str) -> Option<&'static str> {
    let rule = rule.replace("\\;", ";").to_ascii_uppercase();
    let (mut unit, mut few) = (None, false);
    for part in rule.trim().trim_start_matches("RRULE:").split(';') {
        match part.trim().split_once('=').unwrap_or((part, "")) {
            ("FREQ", "SECONDLY") => unit = Some("second"),
            ("FREQ", "MINUTELY") => unit = Some("minute"),
            ("COUNT", n) => few = n.parse::<u32>().is_ok_and(|n| n > 0 && n <= u32::from(MAX_OCCURRENCES)),
            _ => {}
        }
    }
    unit.filter(|_| !few)
}

/// An UNTIL in a year no calendar reaches ("99991231T235959Z", which some programs write for a series without
/// an end): it repeats for good, rather than being refused as no date and cut to its first meeting.
fn no_end_in_sight(until: &str) -> bool {
    let year = until.trim().get(0..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit()));
    year.and_then(|y| y.parse::<u32>().ok()).is_some_and(|y| y > 9000)
}

/// Wall times of one RRULE from `dtstart` within [from, to] (inclusive; callers widen and filter).
/// `until` is read by `until_wall` because its meaning depends on the event's zone.
pub fn expand_rule_with(
    dtstart: NaiveDateTime,
    rule: &str,
    until_wall: &dyn Fn(RawValue) -> NaiveDateTime,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<(Vec<NaiveDateTime>, bool, Vec<String>), String> {
    // The grammar of a rule is ASCII; the rrule crate slices it by bytes and panics on anything else.
    if !rule.is_ascii() {
        return Err("the rule has characters a repetition rule cannot hold".into());
    }
    let mut until = None;
    let mut parts = Vec::new();
    let mut ignored = Vec::new();
    // Some programs escape the rule's separators as if it were text ("FREQ=DAILY\\;COUNT=10").
    let rule = rule.replace("\\;", ";").replace("\\,", ",");
    for part in rule.trim().trim_start_matches("RRULE:").split(';') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        match key.to_ascii_uppercase().as_str() {
            "UNTIL" if no_end_in_sight(value) => {}
            "UNTIL" => until = Some(value.to_owned()),
            "RSCALE" if !value.eq_ignore_ascii_case("GREGORIAN") => {
                return Err(format!("calendar scale {value} is not supported"));
            }
            // RFC 7529's SKIP=OMIT is what every rule does without it; BACKWARD and FORWARD (the last day of a
            // short month, or the next month's first) are not done, and said, rather than left out silently.
            "SKIP" if !value.eq_ignore_ascii_case("OMIT") => ignored.push(part.to_owned()),
            "RSCALE" | "SKIP" => {}
            // A count that is not a positive number says nothing: the rest of the rule still does.
            "COUNT" if value.parse::<u32>().map_or(true, |n| n == 0) => ignored.push(part.to_owned()),
            "FREQ" | "COUNT" | "INTERVAL" | "BYSECOND" | "BYMINUTE" | "BYHOUR" | "BYDAY" | "BYMONTHDAY"
            | "BYYEARDAY" | "BYWEEKNO" | "BYMONTH" | "BYSETPOS" | "WKST" => parts.push(part.to_ascii_uppercase()),
            _ => ignored.push(part.to_owned()),
        }
    }
    strip_ordinals_outside_months(&mut parts, &mut ignored);
    let joined = parts.join(";");
    // A rule the crate cannot handle must cost one event its repetition, never the import: a panic inside
    // it (the fuzz test found one) is turned into an error.
    let parsed = crate::contain::contain(|| joined.parse::<rrule::RRule<rrule::Unvalidated>>())
        .map_err(|_| "the repetition rule could not be read".to_string())?;
    let mut parsed = parsed.map_err(|e: rrule::RRuleError| e.to_string())?;
    if let Some(until) = until {
        let raw = parse_date_or_time(&until, None).ok_or_else(|| format!("UNTIL \"{until}\" is not a date"))?;
        let wall = until_wall(raw);
        if wall < dtstart {
            return Err(format!("it ends (UNTIL {until}) before it starts"));
        }
        // Ended before the window: nothing in it (and a start moved to the window would lie past the end,
        // which the crate refuses).
        if wall < from {
            return Ok((vec![], false, ignored));
        }
        parsed = parsed.until(rrule::Tz::UTC.from_utc_datetime(&wall));
    }
    let start = rrule::Tz::UTC.from_utc_datetime(&start_near(dtstart, &parts, from));
    let (after, before) = (rrule::Tz::UTC.from_utc_datetime(&from), rrule::Tz::UTC.from_utc_datetime(&to));
    let result = crate::contain::contain(std::panic::AssertUnwindSafe(move || {
        parsed.build(start).map(|set| {
            // The walk up to the window's end, counted: one longer than MAX_STEPS is cut there.
            let mut found = Vec::new();
            for (step, date) in (&set).into_iter().enumerate() {
                if date > before {
                    break;
                }
                if date >= after && found.len() < usize::from(MAX_OCCURRENCES) {
                    found.push(date);
                }
                if step + 1 >= MAX_STEPS {
                    return rrule::RRuleResult { dates: found, limited: true };
                }
            }
            set.after(after).before(before).all(MAX_OCCURRENCES)
        })
    }))
    .map_err(|_| "the repetition rule could not be expanded".to_string())?
    .map_err(|e| e.to_string())?;
    Ok((result.dates.into_iter().map(|d| d.naive_utc()).collect(), result.limited, ignored))
}

/// An ordinal day ("-1FR", "2TU") means something only in a month or a year (RFC 5545 forbids it elsewhere); in a
/// weekly or daily rule the crate takes it for no day at all and repeats every day. Read as the day alone, as
/// python-dateutil and calendar programs read it, the ordinal noted as ignored.
fn strip_ordinals_outside_months(parts: &mut [String], ignored: &mut Vec<String>) {
    let freq = parts.iter().find_map(|p| p.strip_prefix("FREQ=")).unwrap_or_default().to_owned();
    if matches!(freq.as_str(), "MONTHLY" | "YEARLY") {
        return;
    }
    for part in parts.iter_mut() {
        let Some(days) = part.strip_prefix("BYDAY=") else { continue };
        let mut plain = Vec::new();
        for day in days.split(',') {
            let name = day.trim_start_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit());
            if name.len() != day.len() && !name.is_empty() {
                ignored.push(format!("{} before {name} (BYDAY of a {freq} rule)", &day[..day.len() - name.len()]));
            }
            if !plain.contains(&name) {
                plain.push(name);
            }
        }
        *part = format!("BYDAY={}", plain.join(","));
    }
}

/// Wall times of a time zone's transition rule (UNTIL read as written).
pub fn expand_rule(dtstart: NaiveDateTime, rule: &str, from: NaiveDateTime, to: NaiveDateTime) -> Vec<NaiveDateTime> {
    let until = |raw: RawValue| match raw {
        RawValue::Date(d) => d.and_hms_opt(23, 59, 59).unwrap_or(d.and_time(chrono::NaiveTime::MIN)),
        RawValue::DateTime(d) => d.wall,
    };
    expand_rule_with(dtstart, rule, &until, from, to).map(|(w, _, _)| w).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_ends_only_by_an_until_or_a_count_it_keeps() {
        for ends in ["FREQ=DAILY;COUNT=3", "RRULE:FREQ=WEEKLY;UNTIL=20270101", "FREQ=DAILY\\;count=2"] {
            assert!(rule_ends(ends), "{ends}");
        }
        // These COUNTs are ignored when the rule is expanded: it repeats forever.
        for forever in
            ["FREQ=DAILY", "FREQ=DAILY;COUNT=0", "FREQ=DAILY;COUNT=-3", "FREQ=DAILY;COUNT=x", "FREQ=DAILY;XCOUNT=3"]
        {
            assert!(!rule_ends(forever), "{forever}");
        }
    }

    /// An UNTIL in the year 9999 is a series without an end, as the program that wrote it meant: it was
    /// refused as no date, and the series cut to its first meeting.
    #[test]
    fn an_until_no_calendar_reaches_is_no_end() {
        assert!(!rule_ends("FREQ=WEEKLY;BYDAY=MO;UNTIL=99991231T235959Z"));
        let (walls, _) = expand(
            "2027-01-04 09:00:00",
            "FREQ=WEEKLY;BYDAY=MO;UNTIL=99991231T235959Z",
            "2027-01-01 00:00:00",
            "2027-02-01 00:00:00",
        );
        assert_eq!(walls.len(), 4, "{walls:?}");
        let (walls, _) = expand(
            "2027-01-04 09:00:00",
            "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270111T235959Z",
            "2027-01-01 00:00:00",
            "2027-02-01 00:00:00",
        );
        assert_eq!(walls.len(), 2, "an UNTIL in reach still ends it");
    }

    /// An ordinal day in a weekly or daily rule is the day alone (the crate made it every day), and said.
    #[test]
    fn an_ordinal_day_outside_a_month_is_the_day_alone() {
        let until = |raw: RawValue| match raw {
            RawValue::Date(d) => d.and_time(chrono::NaiveTime::MIN),
            RawValue::DateTime(d) => d.wall,
        };
        let from = at("2026-03-06 00:00:00");
        let to = at("2026-03-31 00:00:00");
        let start = at("2026-03-06 09:00:00");
        let (walls, _, ignored) = expand_rule_with(start, "FREQ=WEEKLY;BYDAY=-1FR", &until, from, to).unwrap();
        let days: Vec<String> = walls.iter().map(|w| w.format("%d").to_string()).collect();
        assert_eq!(days, ["06", "13", "20", "27"]);
        assert_eq!(ignored, ["-1 before FR (BYDAY of a WEEKLY rule)"]);
        let (walls, _, _) = expand_rule_with(start, "FREQ=DAILY;BYDAY=1MO,2TU,+3TU", &until, from, to).unwrap();
        let days: Vec<String> = walls.iter().map(|w| w.format("%a %d").to_string()).collect();
        assert_eq!(days, ["Mon 09", "Tue 10", "Mon 16", "Tue 17", "Mon 23", "Tue 24", "Mon 30"]);
        // In a month it keeps its meaning: the last Friday.
        let (walls, _, ignored) = expand_rule_with(start, "FREQ=MONTHLY;BYDAY=-1FR", &until, from, to).unwrap();
        assert_eq!((walls, ignored.len()), (vec![at("2026-03-27 09:00:00")], 0));
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn expand(start: &str, rule: &str, from: &str, to: &str) -> (Vec<NaiveDateTime>, bool) {
        let until = |raw: RawValue| match raw {
            RawValue::Date(d) => d.and_time(chrono::NaiveTime::MIN),
            RawValue::DateTime(d) => d.wall,
        };
        let (walls, limited, _) =
            expand_rule_with(at(start), rule, &until, at(from), at(to)).unwrap_or_else(|e| panic!("{rule}: {e}"));
        (walls, limited)
    }

    /// The crate's own expansion from the rule's true start: what moving the start must not change.
    fn walked(start: &str, rule: &str, from: &str, to: &str) -> Vec<NaiveDateTime> {
        let set = rule
            .parse::<rrule::RRule<rrule::Unvalidated>>()
            .and_then(|r| r.build(rrule::Tz::UTC.from_utc_datetime(&at(start))))
            .unwrap_or_else(|e| panic!("{rule}: {e}"));
        let (a, b) = (rrule::Tz::UTC.from_utc_datetime(&at(from)), rrule::Tz::UTC.from_utc_datetime(&at(to)));
        set.after(a).before(b).all(MAX_OCCURRENCES).dates.into_iter().map(|d| d.naive_utc()).collect()
    }

    #[test]
    fn a_rule_of_every_second_since_1970_gives_a_window_of_2026_at_once() {
        let (walls, limited) =
            expand("1970-01-01 00:00:00", "FREQ=SECONDLY", "2026-03-01 09:00:00", "2026-03-01 09:00:59");
        assert!(!limited);
        assert_eq!(walls.len(), 60);
        assert_eq!(walls.first(), Some(&at("2026-03-01 09:00:00")));
        let (walls, _) =
            expand("1970-01-01 00:00:07", "FREQ=MINUTELY;INTERVAL=7", "2026-03-01 09:00:00", "2026-03-01 10:00:00");
        assert!(walls.iter().all(|w| (*w - at("1970-01-01 00:00:07")).num_seconds() % 420 == 0), "{walls:?}");
        // Every one in the hour: none missing at either end, seven minutes apart.
        let (first, last) = (walls.first().copied(), walls.last().copied());
        assert!(first.is_some_and(|f| f - at("2026-03-01 09:00:00") < chrono::Duration::minutes(7)), "{walls:?}");
        assert!(last.is_some_and(|l| at("2026-03-01 10:00:00") - l < chrono::Duration::minutes(7)), "{walls:?}");
        assert!(walls.windows(2).all(|w| w[1] - w[0] == chrono::Duration::minutes(7)), "{walls:?}");
    }

    #[test]
    fn moving_the_start_by_whole_periods_changes_no_occurrence() {
        for rule in [
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR",
            "FREQ=WEEKLY;BYDAY=SU,TU;WKST=SU",
            "FREQ=HOURLY;INTERVAL=5;BYMINUTE=0,30",
            "FREQ=DAILY;INTERVAL=3;BYHOUR=9,17;BYSETPOS=-1",
            "FREQ=MINUTELY;INTERVAL=45",
            "FREQ=DAILY;UNTIL=20260120T000000Z",
            "FREQ=WEEKLY;UNTIL=20250601T000000Z",
        ] {
            let (start, from, to) = ("2019-06-14 10:20:30", "2026-01-01 00:00:00", "2026-02-15 00:00:00");
            let (walls, limited) = expand(start, rule, from, to);
            assert!(!limited, "{rule}");
            assert_eq!(walls.is_empty(), rule.contains("UNTIL=2025"), "{rule}: a series ended before has none");
            assert_eq!(walls, walked(start, rule, from, to), "{rule}");
        }
    }

    #[test]
    fn a_walk_too_long_to_take_is_cut_and_says_so() {
        // COUNT keeps the start where it is, so the walk from 1970 is cut, not taken.
        let (walls, limited) = expand(
            "1970-01-01 00:00:00",
            "FREQ=SECONDLY;COUNT=4000000000",
            "2026-03-01 09:00:00",
            "2026-03-01 09:01:00",
        );
        assert!(limited);
        assert!(walls.is_empty());
    }

    /// RFC 7529's SKIP other than OMIT is not done: the months without the day are left out, and the rule
    /// says so, as for any part it does not do.
    #[test]
    fn a_skip_to_a_near_day_is_said_to_be_ignored() {
        let start =
            chrono::NaiveDate::from_ymd_opt(2026, 1, 31).and_then(|d| d.and_hms_opt(9, 0, 0)).unwrap_or_default();
        let until = |_| start;
        let to = start + chrono::Duration::days(120);
        let rule = "RSCALE=GREGORIAN;FREQ=MONTHLY;SKIP=BACKWARD;COUNT=4";
        let (walls, _, ignored) = expand_rule_with(start, rule, &until, start, to).unwrap_or_default();
        assert_eq!(ignored, ["SKIP=BACKWARD"]);
        assert_eq!(walls.len(), 3, "January, March and May 31st: {walls:?}");
        let omit = "RSCALE=GREGORIAN;FREQ=MONTHLY;SKIP=OMIT;COUNT=4";
        assert!(expand_rule_with(start, omit, &until, start, to).unwrap_or_default().2.is_empty());
    }
}
