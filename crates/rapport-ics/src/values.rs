//! Value types of RFC 5545: DATE, DATE-TIME, DURATION and PERIOD, parsed strictly enough to name what is
//! wrong, leniently enough for what real programs write (lower-case `t`/`z`, missing seconds, ISO 8601's
//! "2026-07-12T09:00:00+02:00").

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// A DATE-TIME as written: wall time, and whether it ended in `Z` (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawDateTime {
    pub wall: NaiveDateTime,
    pub utc: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawValue {
    Date(NaiveDate),
    DateTime(RawDateTime),
}

pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = text.get(0..4)?.parse().ok()?;
    // Calendar arithmetic near the ends of chrono's range would overflow; no calendar means such years
    // (Outlook's zones start in 1601).
    if !(1000..=9000).contains(&year) {
        return None;
    }
    let month = text.get(4..6)?.parse().ok()?;
    let day = text.get(6..8)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

pub fn parse_date_time(text: &str) -> Option<RawDateTime> {
    basic_date_time(text).or_else(|| {
        let (basic, offset) = iso_extended(text)?;
        let mut read = basic_date_time(&basic)?;
        if let Some(seconds) = offset {
            read.wall -= chrono::Duration::seconds(i64::from(seconds));
        }
        Some(read)
    })
}

/// A DATE-TIME written the ISO 8601 way, as some web tools write invites ("2026-07-12T09:00:00Z", "…+02:00",
/// fractional seconds): RFC 5545's basic form of it ("20260712T090000Z", in UTC when an offset was named), and
/// that offset in seconds east of UTC. `None` when it has none of those marks, or is no date-time.
fn iso_extended(text: &str) -> Option<(String, Option<i32>)> {
    let text = text.trim();
    let t = text.find(['T', 't'])?;
    let (date, time) = (&text[..t], &text[t + 1..]);
    let date =
        iso_date(date).map(|d| d.format("%Y%m%d").to_string()).or_else(|| parse_date(date).map(|_| date.to_owned()))?;
    let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
        Some(i) => time.split_at(i),
        None => (time, ""),
    };
    let offset = match zone {
        "" => None,
        "Z" | "z" => Some(0),
        signed => Some(written_offset(signed)?),
    };
    let (whole, fraction) = clock.split_once(['.', ',']).unwrap_or((clock, ""));
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let marked = date.len() != t || whole.contains(':') || clock != whole || !matches!(zone, "" | "Z" | "z");
    if !marked {
        return None;
    }
    let whole: String = whole.chars().filter(|c| *c != ':').collect();
    let utc = if offset.is_some() { "Z" } else { "" };
    Some((format!("{date}T{whole}{utc}"), offset.filter(|o| *o != 0)))
}

/// An offset from UTC as people write it after a time or a zone's name ("+02:00", "+0200", "-05.00", "+1"), in
/// seconds east of UTC; a sign is needed. (A VTIMEZONE's TZOFFSETFROM/TO is RFC 5545's own stricter form.)
pub(crate) fn written_offset(text: &str) -> Option<i32> {
    let (sign, body) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    // Digits and separators only: the split below counts bytes, and "+€" (or a Latin-1 byte read as "°") would
    // cut a character in two.
    if !body.is_ascii() {
        return None;
    }
    let (hours, minutes) = match body.split_once([':', '.']) {
        Some((h, m)) => (h, m),
        None if body.len() > 2 => body.split_at(body.len() - 2),
        None => (body, "0"),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(hours) || !digits(minutes) {
        return None;
    }
    let (h, m): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// A date written the ISO 8601 way, "2026-07-12".
fn iso_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    parse_date(&text.replace('-', ""))
}

fn basic_date_time(text: &str) -> Option<RawDateTime> {
    let text = text.trim();
    let (date, rest) = text.split_at_checked(8)?;
    let date = parse_date(date)?;
    let rest = rest.strip_prefix(['T', 't'])?;
    let (time, utc) = match rest.strip_suffix(['Z', 'z']) {
        Some(t) => (t, true),
        None => (rest, false),
    };
    if !time.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m, s) = match time.len() {
        6 => (time.get(0..2)?, time.get(2..4)?, time.get(4..6)?),
        4 => (time.get(0..2)?, time.get(2..4)?, "00"),
        _ => return None,
    };
    let (h, m, mut s): (u32, u32, u32) = (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?);
    // A leap second (":60") is allowed by the RFC; chrono has no such time.
    if s == 60 {
        s = 59;
    }
    let time = NaiveTime::from_hms_opt(h, m, s)?;
    Some(RawDateTime { wall: date.and_time(time), utc })
}

/// A DATE or DATE-TIME, by the VALUE parameter when given, else by its shape.
pub fn parse_date_or_time(text: &str, value_param: Option<&str>) -> Option<RawValue> {
    match value_param.map(str::to_ascii_uppercase).as_deref() {
        Some("DATE") => date_with_stray_z(text)
            .map(RawValue::Date)
            // Some programs say VALUE=DATE and write a date-time (a festival's programme of shows at 15:00 and
            // 17:00): the time written is kept. Taken as the day, each became an all-day event, and two shows of
            // one title on one day were one.
            .or_else(|| parse_date_time(text).map(RawValue::DateTime)),
        _ => {
            let text = text.trim();
            if text.len() == 8 || text.len() == 9 || iso_date(text).is_some() {
                date_with_stray_z(text).map(RawValue::Date)
            } else {
                parse_date_time(text).map(RawValue::DateTime)
            }
        }
    }
}

/// A date, also when written with a "Z" as if it were a time in UTC: Google Calendar writes its birthdays'
/// earlier years as `RDATE:20131210Z`. A date has no time to be in UTC, so the Z says nothing.
fn date_with_stray_z(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    parse_date(text).or_else(|| iso_date(text)).or_else(|| parse_date(text.strip_suffix(['Z', 'z'])?))
}

/// DURATION (RFC 5545 3.3.6): `[+|-]P[nW]` or `[+|-]P[nD][T[nH][nM][nS]]`. Days are kept apart from
/// seconds because a day is a calendar day (23 or 25 hours across a DST change), not 86,400 seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RawDuration {
    pub days: i64,
    pub seconds: i64,
}

pub fn parse_duration(text: &str) -> Option<RawDuration> {
    let text = text.trim();
    let (sign, rest) = match text.as_bytes().first()? {
        b'-' => (-1, text.get(1..)?),
        b'+' => (1, text.get(1..)?),
        _ => (1, text),
    };
    let rest = rest.strip_prefix(['P', 'p'])?;
    if rest.is_empty() {
        return None;
    }
    let mut out = RawDuration::default();
    let mut number = String::new();
    let mut in_time = false;
    let mut any = false;
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            d if d.is_ascii_digit() => number.push(d),
            'T' if !in_time && number.is_empty() => in_time = true,
            unit => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                any = true;
                match (unit, in_time) {
                    ('W', false) => out.days = out.days.checked_add(n.checked_mul(7)?)?,
                    ('D', false) => out.days = out.days.checked_add(n)?,
                    ('H', true) => out.seconds = out.seconds.checked_add(n.checked_mul(3600)?)?,
                    ('M', true) => out.seconds = out.seconds.checked_add(n.checked_mul(60)?)?,
                    ('S', true) => out.seconds = out.seconds.checked_add(n)?,
                    _ => return None,
                }
            }
        }
    }
    if !number.is_empty() || !any {
        return None;
    }
    // Bound it: a duration of more than ~27 years is a typo, and would overflow chrono arithmetic later.
    if out.days.abs() > 10_000 || out.seconds.abs() > 10_000 * 86_400 {
        return None;
    }
    out.days *= sign;
    out.seconds *= sign;
    Some(out)
}

/// A PERIOD's start and, when it has one, its end or duration.
pub enum RawPeriodEnd {
    End(RawDateTime),
    Duration(RawDuration),
}

pub fn parse_period(text: &str) -> Option<(RawDateTime, RawPeriodEnd)> {
    let (start, end) = text.split_once('/')?;
    let start = parse_date_time(start)?;
    let end = if end.trim_start().starts_with(['P', 'p', '+', '-']) {
        RawPeriodEnd::Duration(parse_duration(end)?)
    } else {
        RawPeriodEnd::End(parse_date_time(end)?)
    };
    Some((start, end))
}

/// Splits a comma-separated list value (EXDATE, RDATE, CATEGORIES) into its items.
pub fn list(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_written_with_a_z_is_the_date() {
        let day = NaiveDate::from_ymd_opt(2013, 12, 10);
        let date = |v: Option<RawValue>| match v {
            Some(RawValue::Date(d)) => Some(d),
            _ => None,
        };
        assert_eq!(date(parse_date_or_time("20131210Z", None)), day);
        assert_eq!(date(parse_date_or_time("20131210Z", Some("DATE"))), day);
        assert_eq!(date(parse_date_or_time("20131210", None)), day);
        assert!(parse_date_or_time("2013121Z", None).is_none());
        assert!(parse_date_or_time("20131210X", None).is_none());
    }

    /// A character other than a digit after a time's sign is no offset, and not a panic: the offset was cut by
    /// bytes before its digits were checked, and "+€" (or a Latin-1 byte read as "°") split a character.
    #[test]
    fn an_offset_with_a_character_beyond_ascii_is_no_offset() {
        for text in ["+€", "-°1", "+1é", "-€€", "+0\u{0300}1"] {
            assert_eq!(written_offset(text), None, "{text}");
        }
        assert_eq!(written_offset("+0130"), Some(5400));
        for value in ["20261203T090000+€", "20261203T090000-°1", "2026-12-03T09:00:00+é"] {
            assert!(parse_date_or_time(value, None).is_none(), "{value}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT1H30M"), Some(RawDuration { days: 0, seconds: 5400 }));
        assert_eq!(parse_duration("P1W"), Some(RawDuration { days: 7, seconds: 0 }));
        assert_eq!(parse_duration("-P1DT2H"), Some(RawDuration { days: -1, seconds: -7200 }));
        assert_eq!(parse_duration("P"), None);
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("P1H"), None);
        assert_eq!(parse_duration("PT5"), None);
        assert_eq!(parse_duration("P99999999999999999999D"), None);
    }

    #[test]
    fn date_times() {
        let d = parse_date_time("20260329T013000Z").map(|d| (d.wall.to_string(), d.utc));
        assert_eq!(d, Some(("2026-03-29 01:30:00".into(), true)));
        assert_eq!(parse_date_time("20260229T010000"), None);
        assert_eq!(parse_date_time("20260329T2500"), None);
        assert!(matches!(parse_date_or_time("20260301", None), Some(RawValue::Date(_))));
        assert!(matches!(parse_date_or_time("20260301T100000", Some("DATE")), Some(RawValue::DateTime(_))));
        assert!(matches!(parse_date_or_time("20260301", Some("DATE")), Some(RawValue::Date(_))));
    }
}
