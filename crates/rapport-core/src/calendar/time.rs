//! Time as the calendar speaks it: UTC text in the database, zones by IANA name, instants from RFC 3339.
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::error::Result;
use crate::leads::ValidationErrors;

pub(crate) fn utc_text(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(crate) fn parse_instant(field: &str, text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim()).map(|t| t.with_timezone(&Utc)).map_err(|_| {
        ValidationErrors::one(field, format!("\"{}\" is not a date and time such as 2026-12-03T10:00:00Z", text.trim()))
            .into()
    })
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
