//! Time zones: a TZID resolved to an IANA zone (directly, through the paths old Mozilla and libical
//! exports put in front of it, or through the Windows names Outlook and Exchange write), or, when no name
//! is known, to the file's own VTIMEZONE definition evaluated as written.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::content::{Component, Problem};
use crate::values::{parse_date_or_time, parse_date_time, RawValue};
use crate::windows_zones::WINDOWS_ZONES;

/// The zone a wall-clock time is in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Zone {
    Utc,
    Iana(chrono_tz::Tz),
    /// A VTIMEZONE whose TZID names no known zone, kept as defined.
    Custom(CustomZone),
    /// No zone: the same wall time wherever the reader is (RFC 5545 "floating").
    Floating,
}

impl Zone {
    /// A name for display and for re-export: the IANA name, the custom zone's TZID, or nothing.
    pub fn name(&self) -> Option<String> {
        match self {
            Zone::Utc => Some("UTC".into()),
            Zone::Iana(tz) => Some(tz.name().to_owned()),
            Zone::Custom(c) => Some(c.tzid.clone()),
            Zone::Floating => None,
        }
    }

    /// UTC instant of a wall time in this zone. In a DST gap the time is moved forward by the gap (RFC
    /// 5545 3.3.5: the offset before the gap applies); when a time happens twice, the first is meant.
    pub fn to_utc(&self, wall: NaiveDateTime, floating: &Zone) -> DateTime<Utc> {
        match self {
            Zone::Utc => Utc.from_utc_datetime(&wall),
            Zone::Iana(tz) => match tz.from_local_datetime(&wall) {
                LocalResult::Single(t) => t.with_timezone(&Utc),
                LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
                LocalResult::None => {
                    // The offset in force just before the gap.
                    let before = tz.offset_from_utc_datetime(&(wall - Duration::hours(26)));
                    let offset = chrono::Offset::fix(&before).local_minus_utc();
                    Utc.from_utc_datetime(&(wall - Duration::seconds(i64::from(offset))))
                }
            },
            Zone::Custom(c) => c.to_utc(wall),
            Zone::Floating => match floating {
                Zone::Floating => Utc.from_utc_datetime(&wall),
                other => other.to_utc(wall, &Zone::Utc),
            },
        }
    }

    /// Wall time in this zone of a UTC instant.
    pub fn to_wall(&self, utc: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Zone::Utc | Zone::Floating => utc.naive_utc(),
            Zone::Iana(tz) => utc.with_timezone(tz).naive_local(),
            Zone::Custom(c) => utc.naive_utc() + Duration::seconds(i64::from(c.offset_at(utc))),
        }
    }
}

/// The most RDATEs of an observance kept: each conversion of a time in the zone reads its onsets, and a real zone
/// has a few per year.
const MAX_ONSET_DATES: usize = 1_000;

/// An observance's RRULE when it is one a real zone has: yearly or monthly, at one time of the day. A zone
/// changing its offset every second (FREQ=SECONDLY, or BYSECOND lists) made each conversion of a time in it
/// expand half a million onsets, and an import of a daily series in it hold the database for hours. One hour,
/// minute or second is the time of the change, as Lotus Notes writes it ("BYHOUR=2;BYMINUTE=0").
fn observance_rule(value: &str) -> Option<String> {
    let upper = value.to_ascii_uppercase();
    let parts: Vec<&str> = upper.split(';').map(str::trim).collect();
    let yearly_or_monthly = parts.iter().any(|p| *p == "FREQ=YEARLY" || *p == "FREQ=MONTHLY");
    let several_times = parts.iter().any(|p| {
        ["BYHOUR=", "BYMINUTE=", "BYSECOND="].iter().any(|by| p.strip_prefix(by).is_some_and(|v| v.contains(',')))
    });
    (yearly_or_monthly && !several_times).then(|| value.to_owned())
}

/// One STANDARD or DAYLIGHT part of a VTIMEZONE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observance {
    /// Onset, in the wall time of the offset before it.
    pub start: NaiveDateTime,
    pub offset_from: i32,
    pub offset_to: i32,
    pub rrule: Option<String>,
    pub rdates: Vec<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomZone {
    pub tzid: String,
    pub observances: Vec<Observance>,
    /// The onsets of each year asked for, as [`CustomZone::onsets_near`] found them.
    #[serde(skip)]
    pub onsets: OnsetCache,
}

/// Onsets (UTC, and the offset each brings) by year. Each conversion asks for a year's onsets, up to three times
/// (one per offset the zone has); expanding the observances' rules every time made a minutely event of a
/// custom zone take 35 s for its 65,535 occurrences, against 0.4 s in an IANA zone. Not part of the zone's
/// value: a clone starts empty and two zones compare by their rules.
#[derive(Default)]
pub struct OnsetCache(std::sync::Mutex<std::collections::HashMap<i32, Onsets>>);

/// A year's onsets: when (UTC) each offset begins.
type Onsets = std::sync::Arc<[(DateTime<Utc>, i32)]>;

impl OnsetCache {
    /// Years kept at most; a calendar's events span far fewer.
    const YEARS: usize = 512;
}

impl Clone for OnsetCache {
    fn clone(&self) -> Self {
        OnsetCache::default()
    }
}

impl PartialEq for OnsetCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for OnsetCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnsetCache")
    }
}

impl CustomZone {
    pub fn new(tzid: String, observances: Vec<Observance>) -> Self {
        CustomZone { tzid, observances, onsets: OnsetCache::default() }
    }

    /// [`CustomZone::onsets_near`], computed once per year.
    fn onsets_of(&self, year: i32) -> Onsets {
        // A poisoned lock only means a panic elsewhere mid-insert: the map is still whole.
        let mut cache = self.onsets.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(found) = cache.get(&year) {
            return found.clone();
        }
        if cache.len() >= OnsetCache::YEARS {
            cache.clear();
        }
        let found: Onsets = self.onsets_near(year).into();
        cache.insert(year, found.clone());
        found
    }

    /// Onsets (UTC) and the offset each brings, within a span around `year`.
    fn onsets_near(&self, year: i32) -> Vec<(DateTime<Utc>, i32)> {
        let mut out = Vec::new();
        for o in &self.observances {
            let to_utc =
                |wall: NaiveDateTime| Utc.from_utc_datetime(&(wall - Duration::seconds(i64::from(o.offset_from))));
            out.push((to_utc(o.start), o.offset_to));
            for r in &o.rdates {
                out.push((to_utc(*r), o.offset_to));
            }
            if let Some(rule) = &o.rrule {
                let from = chrono::NaiveDate::from_ymd_opt(year - 1, 1, 1);
                let to = chrono::NaiveDate::from_ymd_opt(year + 1, 12, 31);
                if let (Some(from), Some(to)) = (from, to) {
                    // Outlook starts its yearly rules in 1601: expanding four centuries on every conversion
                    // is wasted work, and moving a yearly rule's start by whole years changes nothing.
                    let upper = rule.to_ascii_uppercase();
                    let start =
                        if upper.contains("FREQ=YEARLY") && !upper.contains("COUNT=") && o.start.year() < year - 2 {
                            o.start.with_year(year - 2).unwrap_or(o.start)
                        } else {
                            o.start
                        };
                    let walls = crate::rule::expand_rule(
                        start,
                        rule,
                        from.and_time(chrono::NaiveTime::MIN),
                        to.and_time(chrono::NaiveTime::MIN),
                    );
                    out.extend(walls.into_iter().map(|w| (to_utc(w), o.offset_to)));
                }
            }
        }
        out.sort_by_key(|(t, _)| *t);
        out
    }

    pub fn offset_at(&self, utc: DateTime<Utc>) -> i32 {
        let onsets = self.onsets_of(utc.naive_utc().date().year());
        match onsets.iter().rev().find(|(t, _)| *t <= utc) {
            Some((_, offset)) => *offset,
            // Before the first onset: the offset the earliest observance came from.
            None => self.observances.iter().min_by_key(|o| o.start).map(|o| o.offset_from).unwrap_or(0),
        }
    }

    fn to_utc(&self, wall: NaiveDateTime) -> DateTime<Utc> {
        let mut candidates: Vec<i32> = self.observances.iter().map(|o| o.offset_to).collect();
        candidates.extend(self.observances.iter().map(|o| o.offset_from));
        candidates.sort_unstable_by(|a, b| b.cmp(a));
        candidates.dedup();
        // The largest offset gives the earliest instant: the first of two equal wall times.
        for offset in &candidates {
            let utc = Utc.from_utc_datetime(&(wall - Duration::seconds(i64::from(*offset))));
            if self.offset_at(utc) == *offset {
                return utc;
            }
        }
        // In a gap: the offset before it.
        let probe = Utc.from_utc_datetime(&(wall - Duration::hours(26)));
        let offset = self.offset_at(probe);
        Utc.from_utc_datetime(&(wall - Duration::seconds(i64::from(offset))))
    }
}

/// A UTC offset as written in TZOFFSETFROM/TZOFFSETTO: `+0100`, `-0530`, `+013045`.
fn parse_offset(text: &str) -> Option<i32> {
    let text = text.trim();
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, text.get(1..)?),
        b'-' => (-1, text.get(1..)?),
        _ => return None,
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !(digits.len() == 4 || digits.len() == 6) {
        return None;
    }
    let h: i32 = digits.get(0..2)?.parse().ok()?;
    let m: i32 = digits.get(2..4)?.parse().ok()?;
    let s: i32 = digits.get(4..6).map_or(Some(0), |s| s.parse().ok())?;
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60 + s))
}

/// An IANA zone for a TZID, if the name says which one.
pub fn iana_for(tzid: &str) -> Option<chrono_tz::Tz> {
    let tzid = tzid.trim().trim_matches('"');
    if let Ok(tz) = tzid.parse::<chrono_tz::Tz>() {
        return Some(tz);
    }
    if let Some(tz) = chrono_tz::TZ_VARIANTS.iter().find(|tz| tz.name().eq_ignore_ascii_case(tzid)) {
        return Some(*tz);
    }
    // "/mozilla.org/20050126_1/Europe/Berlin", "/freeassociation.sourceforge.net/Tzfile/Europe/London",
    // "/softwarestudio.org/Olson_20011030_5/America/New_York", Exchange's "tzone://Microsoft/Utc": the zone is
    // the path's tail.
    let parts: Vec<&str> = tzid.split('/').filter(|p| !p.is_empty()).collect();
    for take in (1..=parts.len().min(3)).rev() {
        let Some(tail) = parts.get(parts.len() - take..).map(|p| p.join("/")) else { continue };
        let any_case = || chrono_tz::TZ_VARIANTS.iter().find(|tz| tz.name().eq_ignore_ascii_case(&tail)).copied();
        if let Some(tz) = tail.parse::<chrono_tz::Tz>().ok().or_else(any_case) {
            return Some(tz);
        }
    }
    windows_zone(tzid)
}

const MAX_LOOSE_TZID: usize = 160;

/// Zones Windows shows by a region's name rather than by cities ("(UTC-05:00) Eastern Time (US & Canada)").
const WINDOWS_REGION_NAMES: &[(&str, &str)] = &[
    ("eastern time (us & canada)", "America/New_York"),
    ("central time (us & canada)", "America/Chicago"),
    ("mountain time (us & canada)", "America/Denver"),
    ("pacific time (us & canada)", "America/Los_Angeles"),
    ("alaska", "America/Anchorage"),
    ("hawaii", "Pacific/Honolulu"),
    ("arizona", "America/Phoenix"),
    ("atlantic time (canada)", "America/Halifax"),
    ("newfoundland", "America/St_Johns"),
    ("saskatchewan", "America/Regina"),
    ("indiana (east)", "America/Indiana/Indianapolis"),
    ("central america", "America/Guatemala"),
    ("baja california", "America/Tijuana"),
    ("mid-atlantic", "Etc/GMT+2"),
    ("cape verde is.", "Atlantic/Cape_Verde"),
    ("azores", "Atlantic/Azores"),
    ("brasilia", "America/Sao_Paulo"),
    ("coordinated universal time", "UTC"),
    ("greenwich mean time", "Europe/London"),
];

/// A zone a TZID names loosely, for when no VTIMEZONE of the file defines it: as Windows shows zones, an
/// offset and cities or a region ("(UTC+01:00) Amsterdam, Berlin, …", Outlook 2003's "(GMT+01.00) …"), an IANA
/// name with spaces ("America/New York"), or an offset alone ("GMT+0100", "UTC-3"). A city or region counts
/// only when its standard offset is the one written. The flag says that only the offset was read: the same all
/// year, so a summer time the sender keeps is not.
pub fn zone_named_loosely(tzid: &str) -> Option<(Zone, bool)> {
    let tzid = tzid.trim().trim_matches('"').trim();
    // Windows' longest display name is under 100 characters: a longer TZID is no such name, and each of its
    // words would be looked for among six hundred zones, at each of its file's times.
    if tzid.len() > MAX_LOOSE_TZID {
        return None;
    }
    if tzid.contains('/') && tzid.contains(' ') {
        if let Some(tz) = iana_for(&tzid.replace(' ', "_")) {
            return Some((Zone::Iana(tz), false));
        }
    }
    let (offset, rest) = leading_offset(tzid);
    let standard = |tz: &chrono_tz::Tz, year: i32| {
        [(1, 1), (7, 1)]
            .iter()
            .filter_map(|(m, d)| chrono::NaiveDate::from_ymd_opt(year, *m, *d)?.and_hms_opt(0, 0, 0))
            .map(|t| chrono::Offset::fix(&tz.offset_from_utc_datetime(&t)).local_minus_utc())
            .min()
    };
    // The offset a display name was written with is its zone's standard offset of the day it was written:
    // Windows names from before a country moved its clock ("(UTC-04:30) Caracas", "(UTC+02:00) Amman") still
    // name its zone, read as it is now. Zones of today's offset first ("Chihuahua, La Paz, Mazatlan" at
    // UTC-7 is Mazatlán's, Chihuahua having moved), then those of its offset since 2000.
    let now = Utc::now().year();
    let fits_in = |tz: &chrono_tz::Tz, years: std::ops::RangeInclusive<i32>| {
        offset.is_none_or(|o| years.into_iter().any(|y| standard(tz, y) == Some(o)))
    };
    // Windows wrote "US & Canada" as "US and Canada" in some versions, and older ones named a second region
    // after a semicolon ("Pacific Time (US & Canada); Tijuana").
    let lower = rest.trim().to_lowercase().replace(" and ", " & ");
    for years in [now..=now, 2000..=now] {
        let fits = |tz: &chrono_tz::Tz| fits_in(tz, years.clone());
        for part in [lower.as_str(), lower.split([':', ';']).next().unwrap_or_default().trim()] {
            let named = WINDOWS_REGION_NAMES.iter().find(|(n, _)| *n == part).and_then(|(_, z)| z.parse().ok());
            if let Some(tz) = named.filter(|tz| fits(tz)) {
                return Some((Zone::Iana(tz), false));
            }
        }
        for city in rest.split([',', ':', ';']).map(str::trim).filter(|c| !c.is_empty()) {
            let key = city.replace(' ', "_");
            let named =
                |tz: &&chrono_tz::Tz| tz.name().rsplit('/').next().is_some_and(|l| l.eq_ignore_ascii_case(&key));
            if let Some(tz) = chrono_tz::TZ_VARIANTS.iter().filter(named).find(|tz| fits(tz)) {
                return Some((Zone::Iana(*tz), false));
            }
        }
    }
    let offset = offset?;
    let start = chrono::NaiveDate::from_ymd_opt(1601, 1, 1)?.and_hms_opt(0, 0, 0)?;
    let observance = Observance { start, offset_from: offset, offset_to: offset, rrule: None, rdates: Vec::new() };
    Some((Zone::Custom(CustomZone::new(tzid.to_owned(), vec![observance])), true))
}

/// The offset a TZID begins with, "(UTC+01:00)", "(GMT-05.00)", "(UTC)", or is ("GMT+0100", "UTC-3"), in
/// seconds east of UTC, and what follows it; no offset and the whole TZID when it does not begin with one.
fn leading_offset(tzid: &str) -> (Option<i32>, &str) {
    let none = (None, tzid);
    let bracketed = tzid.starts_with('(');
    let text = tzid.trim_start_matches('(');
    let Some(prefix) = text.get(..3).filter(|p| p.eq_ignore_ascii_case("utc") || p.eq_ignore_ascii_case("gmt")) else {
        return none;
    };
    let after = &text[prefix.len()..];
    let sign_len = usize::from(after.starts_with(['+', '-']));
    let digits_end = after[sign_len..]
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))
        .map_or(after.len(), |i| i + sign_len);
    let (number, mut rest) = after.split_at(digits_end);
    if bracketed {
        let Some(r) = rest.strip_prefix(')') else { return none };
        rest = r;
    } else if !rest.trim().is_empty() {
        return none;
    }
    if number.is_empty() {
        return (Some(0), rest.trim());
    }
    if sign_len == 0 {
        return none;
    }
    match crate::values::written_offset(number) {
        Some(seconds) => (Some(seconds), rest.trim()),
        None => none,
    }
}

fn windows_zone(name: &str) -> Option<chrono_tz::Tz> {
    let found = WINDOWS_ZONES
        .binary_search_by(|(w, _)| w.cmp(&name))
        .ok()
        .and_then(|i| WINDOWS_ZONES.get(i))
        .or_else(|| WINDOWS_ZONES.iter().find(|(w, _)| w.eq_ignore_ascii_case(name)));
    found.and_then(|(_, iana)| iana.parse().ok())
}

/// Whether IANA zone `tz` has kept one offset all year since 1970: no summer time to read a file's DAYLIGHT part
/// as ("EST", "MST" and "HST" are fixed offsets there). A zone that had one and dropped it (Mexico City in
/// 2022, Brazil, Jordan, Turkey) is not such a zone: a file's VTIMEZONE with its old summer rules, as Exchange
/// keeps them from when a series was made, is stale, and its meetings would be an hour off each summer.
fn never_changes(tz: chrono_tz::Tz) -> bool {
    use chrono::Offset;
    let offset = |year: i32, month: u32| {
        chrono::NaiveDate::from_ymd_opt(year, month, 15)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map(|noon| tz.offset_from_utc_datetime(&noon).fix())
    };
    let first = offset(1970, 1);
    (1970..=Utc::now().year()).all(|year| offset(year, 1) == first && offset(year, 7) == first)
}

/// The file's zones by TZID: every VTIMEZONE, resolved to an IANA zone when its TZID names one, else
/// evaluated from its own definition.
pub fn zones_of(calendar: &Component, problems: &mut Vec<Problem>) -> Vec<(String, Zone)> {
    let mut out = Vec::new();
    for tz in calendar.children.iter().filter(|c| c.name == "VTIMEZONE") {
        // Outlook escapes the commas of its display names in the TZID property ("Amsterdam\\, Berlin") but
        // not in the parameters that refer to it.
        let Some(tzid) = tz.first("TZID").map(|l| crate::content::unescape(&l.value).trim().to_owned()) else {
            problems.push(Problem { line: tz.line, message: "VTIMEZONE without a TZID".into() });
            continue;
        };
        // A name the IANA database holds is read as that zone, unless the file gives it a summer time the
        // zone never has: "EST", "MST" and "HST" are fixed offsets there, but files name their own US zones so,
        // with a DAYLIGHT part (read as the IANA zone, every summer time was an hour off).
        // Nor is a name that is an IANA zone's only when case is set aside ("Europe/lisbon", from a Google export
        // whose definition has Central European rules) that zone: the file's definition says what its writer meant.
        let defined = tz.children.iter().any(|c| c.name == "STANDARD" || c.name == "DAYLIGHT");
        let named = tzid.trim_matches('"');
        let case_only = named.parse::<chrono_tz::Tz>().is_err()
            && chrono_tz::TZ_VARIANTS.iter().any(|z| z.name().eq_ignore_ascii_case(named));
        if let Some(iana) = iana_for(&tzid).filter(|_| !(defined && case_only)) {
            let has_daylight = tz.children.iter().any(|c| c.name == "DAYLIGHT");
            if !(has_daylight && never_changes(iana)) {
                out.push((tzid, Zone::Iana(iana)));
                continue;
            }
        }
        let mut observances = Vec::new();
        for part in tz.children.iter().filter(|c| c.name == "STANDARD" || c.name == "DAYLIGHT") {
            let start = part.first("DTSTART").and_then(|l| match parse_date_or_time(&l.value, l.param("VALUE")) {
                Some(RawValue::DateTime(d)) => Some(d.wall),
                Some(RawValue::Date(d)) => Some(d.and_time(chrono::NaiveTime::MIN)),
                None => None,
            });
            let from = part.first("TZOFFSETFROM").and_then(|l| parse_offset(&l.value));
            let to = part.first("TZOFFSETTO").and_then(|l| parse_offset(&l.value));
            let rrule = part.first("RRULE").and_then(|l| {
                let kept = observance_rule(&l.value);
                if kept.is_none() {
                    problems.push(Problem {
                        line: l.number,
                        message: format!(
                            "time zone {tzid}: an offset that changes more often than monthly ({}) is ignored",
                            crate::content::shorten(&l.value)
                        ),
                    });
                }
                kept
            });
            match (start, from, to) {
                (Some(start), Some(from), Some(to)) => observances.push(Observance {
                    start,
                    offset_from: from,
                    offset_to: to,
                    rrule,
                    rdates: part
                        .all("RDATE")
                        .flat_map(|l| crate::values::list(&l.value).map(str::to_owned).collect::<Vec<_>>())
                        .filter_map(|v| parse_date_time(&v).map(|d| d.wall))
                        .take(MAX_ONSET_DATES)
                        .collect(),
                }),
                _ => problems.push(Problem {
                    line: part.line,
                    message: format!("time zone {tzid}: {} needs DTSTART, TZOFFSETFROM and TZOFFSETTO", part.name),
                }),
            }
        }
        if observances.is_empty() {
            problems.push(Problem {
                line: tz.line,
                message: format!("time zone {tzid} is not a known zone and defines no offsets"),
            });
            continue;
        }
        // A zone with one fixed offset that matches a known one reads better as "UTC+01:00" than as its
        // export's made-up name, but the name is what users recognise: keep the TZID.
        out.push((tzid.clone(), Zone::Custom(CustomZone::new(tzid, observances))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_outlook_and_mozilla_write() {
        assert_eq!(iana_for("W. Europe Standard Time").map(|t| t.name()), Some("Europe/Berlin"));
        assert_eq!(iana_for("Pacific Standard Time").map(|t| t.name()), Some("America/Los_Angeles"));
        assert_eq!(iana_for("/mozilla.org/20050126_1/Europe/Berlin").map(|t| t.name()), Some("Europe/Berlin"));
        assert_eq!(iana_for("Europe/London").map(|t| t.name()), Some("Europe/London"));
        assert_eq!(iana_for("Mars/Olympus_Mons"), None);
    }

    #[test]
    fn offsets_written_before_a_zone_s_name() {
        assert_eq!(leading_offset("(UTC+01:00) Amsterdam"), (Some(3600), "Amsterdam"));
        assert_eq!(leading_offset("(GMT-05.00) Eastern Time"), (Some(-18000), "Eastern Time"));
        assert_eq!(leading_offset("(UTC) Coordinated Universal Time"), (Some(0), "Coordinated Universal Time"));
        assert_eq!(leading_offset("GMT+0530"), (Some(19800), ""));
        assert_eq!(leading_offset("UTC-3"), (Some(-10800), ""));
        assert_eq!(leading_offset("UTC+15"), (None, "UTC+15"));
        assert_eq!(leading_offset("GMT Standard Time"), (None, "GMT Standard Time"));
        assert_eq!(leading_offset("(UTC+01:00 Amsterdam"), (None, "(UTC+01:00 Amsterdam"));
        assert_eq!(leading_offset("Ürümqi"), (None, "Ürümqi"));
    }

    proptest::proptest! {
        #[test]
        fn any_tzid_is_read_loosely_without_a_panic(tzid in "\\(?(UTC|GMT)?[+-]?[0-9:.]{0,6}\\)? ?[A-Za-z ,/()&:]{0,40}|\\PC{0,40}") {
            let _ = zone_named_loosely(&tzid);
        }
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+0100"), Some(3600));
        assert_eq!(parse_offset("-0530"), Some(-19800));
        assert_eq!(parse_offset("0100"), None);
        assert_eq!(parse_offset("+2500"), None);
    }

    /// A custom zone (Outlook's and Lotus Notes' way of writing one, rules from 1601) converts as the same zone
    /// from the IANA database does, and expands its rules once per year however many conversions ask.
    #[test]
    fn a_custom_zone_expands_its_rules_once_a_year() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap_or_default();
        let observance = |start: &str, from: i32, to: i32, month: u8| Observance {
            start: at(start),
            offset_from: from,
            offset_to: to,
            rrule: Some(format!("FREQ=YEARLY;BYDAY=-1SU;BYMONTH={month}")),
            rdates: Vec::new(),
        };
        let custom = CustomZone::new(
            "Berlin, Outlook's way".into(),
            vec![observance("16010101T030000", 7200, 3600, 10), observance("16010101T020000", 3600, 7200, 3)],
        );
        let zone = Zone::Custom(custom.clone());
        let berlin = Zone::Iana(chrono_tz::Europe::Berlin);
        let mut wall = at("20260101T090000");
        while wall < at("20270101T000000") {
            assert_eq!(zone.to_utc(wall, &Zone::Utc), berlin.to_utc(wall, &Zone::Utc), "{wall}");
            wall += Duration::minutes(97);
        }
        let Zone::Custom(used) = &zone else { unreachable!() };
        let years = used.onsets.0.lock().map(|c| c.len()).unwrap_or_default();
        assert!((1..=3).contains(&years), "{years} years of onsets kept for 5,400 conversions in 2026");
        // A clone starts empty and is the same zone.
        assert_eq!(Zone::Custom(custom.clone()), zone);
    }

    #[test]
    fn gap_moves_forward_and_overlap_takes_the_first() {
        let berlin = Zone::Iana(chrono_tz::Europe::Berlin);
        let wall = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").ok();
        let gap = wall("2026-03-29 02:30").map(|w| berlin.to_utc(w, &Zone::Utc).to_rfc3339());
        assert_eq!(gap.as_deref(), Some("2026-03-29T01:30:00+00:00"));
        let twice = wall("2026-10-25 02:30").map(|w| berlin.to_utc(w, &Zone::Utc).to_rfc3339());
        assert_eq!(twice.as_deref(), Some("2026-10-25T00:30:00+00:00"));
    }
}
