//! One RRULE expanded by the `rrule` crate in wall-clock time, read leniently the way calendar programs
//! write rules (escaped separators, impossible COUNTs, unknown parts); used for events and for the
//! transitions of a file's own time zones alike.
use chrono::{NaiveDateTime, TimeZone};

use crate::values::{parse_date_or_time, RawValue};

/// Upper bound of occurrences one series yields in one window; a window that would hold more is cut
/// there and says so (`Expansion::truncated`).
pub const MAX_OCCURRENCES: u16 = u16::MAX;

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
            "UNTIL" => until = Some(value.to_owned()),
            "RSCALE" if !value.eq_ignore_ascii_case("GREGORIAN") => {
                return Err(format!("calendar scale {value} is not supported"));
            }
            "RSCALE" | "SKIP" => {}
            // A count that is not a positive number says nothing: the rest of the rule still does.
            "COUNT" if value.parse::<u32>().map_or(true, |n| n == 0) => ignored.push(part.to_owned()),
            "FREQ" | "COUNT" | "INTERVAL" | "BYSECOND" | "BYMINUTE" | "BYHOUR" | "BYDAY" | "BYMONTHDAY"
            | "BYYEARDAY" | "BYWEEKNO" | "BYMONTH" | "BYSETPOS" | "WKST" => parts.push(part.to_ascii_uppercase()),
            _ => ignored.push(part.to_owned()),
        }
    }
    let joined = parts.join(";");
    // A rule the crate cannot handle must cost one event its repetition, never the import: a panic inside
    // it (the fuzz test found one) is turned into an error.
    let parsed = std::panic::catch_unwind(|| joined.parse::<rrule::RRule<rrule::Unvalidated>>())
        .map_err(|_| "the repetition rule could not be read".to_string())?;
    let mut parsed = parsed.map_err(|e: rrule::RRuleError| e.to_string())?;
    if let Some(until) = until {
        let raw = parse_date_or_time(&until, None).ok_or_else(|| format!("UNTIL \"{until}\" is not a date"))?;
        let wall = until_wall(raw);
        if wall < dtstart {
            return Err(format!("it ends (UNTIL {until}) before it starts"));
        }
        parsed = parsed.until(rrule::Tz::UTC.from_utc_datetime(&wall));
    }
    let start = rrule::Tz::UTC.from_utc_datetime(&dtstart);
    let (after, before) = (rrule::Tz::UTC.from_utc_datetime(&from), rrule::Tz::UTC.from_utc_datetime(&to));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        parsed.build(start).map(|set| set.after(after).before(before).all(MAX_OCCURRENCES))
    }))
    .map_err(|_| "the repetition rule could not be expanded".to_string())?
    .map_err(|e| e.to_string())?;
    Ok((result.dates.into_iter().map(|d| d.naive_utc()).collect(), result.limited, ignored))
}

/// Wall times of a time zone's transition rule (UNTIL read as written).
pub fn expand_rule(dtstart: NaiveDateTime, rule: &str, from: NaiveDateTime, to: NaiveDateTime) -> Vec<NaiveDateTime> {
    let until = |raw: RawValue| match raw {
        RawValue::Date(d) => d.and_hms_opt(23, 59, 59).unwrap_or(d.and_time(chrono::NaiveTime::MIN)),
        RawValue::DateTime(d) => d.wall,
    };
    expand_rule_with(dtstart, rule, &until, from, to).map(|(w, _, _)| w).unwrap_or_default()
}
