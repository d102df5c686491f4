//! Time as the calendar speaks it: UTC text in the database, zones by IANA name, instants from RFC 3339.
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::error::Result;
use crate::leads::ValidationErrors;

pub(crate) fn utc_text(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(crate) fn parse_instant(field: &str, text: &str) -> Result<DateTime<Utc>> {
    use chrono::Timelike;
    let refused = || -> crate::error::Error {
        ValidationErrors::one(field, format!("\"{}\" is not a date and time such as 2026-12-03T10:00:00Z", text.trim()))
            .into()
    };
    let t = DateTime::parse_from_rfc3339(text.trim()).map(|t| t.with_timezone(&Utc)).map_err(|_| refused())?;
    // A leap second (":60"), which chrono reads on any day: stored, it came back a second early or was written
    // as 23:59:60 in an invite other programs refuse.
    if t.nanosecond() >= 1_000_000_000 {
        return Err(refused());
    }
    Ok(t)
}

pub(crate) fn parse_db_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

pub(crate) fn zone(field: &str, name: &str) -> Result<Tz> {
    name.trim().parse::<Tz>().map_err(|_| {
        ValidationErrors::one(
            field,
            format!("\"{}\" is not a time zone; use a name such as Europe/Berlin", name.trim()),
        )
        .into()
    })
}

/// "Thu 3 Dec 2026 10:00–11:00 (Europe/Berlin)": how a clash or a suggestion is named to a person.
pub(crate) fn span_words(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    let s = start.with_timezone(&tz);
    let e = end.with_timezone(&tz);
    let end_text = if s.date_naive() == e.date_naive() {
        e.format("%H:%M").to_string()
    } else {
        e.format("%a %-d %b %H:%M").to_string()
    };
    format!("{}–{} ({})", s.format("%a %-d %b %Y %H:%M"), end_text, tz.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A leap second is refused as any time that is not one: chrono reads ":60" on any day, and the end of a
    /// meeting booked so came back a second early.
    #[test]
    fn a_leap_second_is_no_time_to_book() {
        assert!(parse_instant("start", "2026-12-31T23:59:60Z").is_err());
        assert!(parse_instant("start", "2026-12-31T23:59:59Z").is_ok());
        assert!(parse_instant("start", "2026-12-31T23:59:59.999+01:00").is_ok());
    }
}
