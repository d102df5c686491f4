//! "Find a slot": agents filtered by expertise and territory, their free times (working hours, minus
//! appointments with buffers, time off and minimum notice), ranked by fairness — a round-robin by recent
//! load weighted per agent (as Cal.com's weighted round-robin) — then by free time, each suggestion
//! explained in words.
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::agents::{load, parse_hm};
use super::model::{AgentCalendar, SlotRequest, SlotSuggestion};
use super::occurrences::{busy_between, Busy};
use super::store;
use super::time::{parse_instant, utc_text};
use crate::access::{Actor, Permission};
use crate::error::Result;
use crate::leads::ValidationErrors;
use crate::rapport::Rapport;

/// Slots start on a quarter hour.
const GRID_MINUTES: i64 = 15;

/// Where the lead is, upper-cased.
#[derive(Debug, Default, Clone)]
pub(crate) struct Place {
    pub country: String,
    pub region: String,
    pub postcode: String,
}

/// A country as typed ("Germany", "Deutschland", "DEU", "de") as the code territories are written in ("DE");
/// as typed, upper-cased, when no country has that name.
fn country_code(typed: &str) -> String {
    crate::leads::region_of_country(typed).unwrap_or_else(|| typed.trim().to_uppercase())
}

/// The territory of `agent` that covers `place`, if one does; `Some("")` when the agent covers everywhere.
pub(crate) fn territory_match(agent: &AgentCalendar, place: &Place) -> Option<String> {
    if agent.territories.is_empty() || place.country.is_empty() {
        return Some(String::new());
    }
    agent
        .territories
        .iter()
        // Territories are compared as codes too: one written "UK" or "DEU" covers a lead from "United Kingdom".
        .find(|t| match t.split_once('-') {
            None => country_code(t) == place.country,
            Some((country, rest)) if country_code(country) == place.country => {
                if rest.chars().all(|c| c.is_ascii_digit()) {
                    place.postcode.replace(' ', "").starts_with(rest)
                } else {
                    rest == place.region
                }
            }
            Some(_) => false,
        })
        .cloned()
}

/// Free spans of the agent within [from, to): working hours minus busy time (`busy`, read over at least
/// [from, to) widened by the buffer; buffers added) and time off.
pub(crate) fn free_spans(
    conn: &rusqlite::Connection,
    agent: &AgentCalendar,
    busy: &[Busy],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    let tz: Tz = agent.time_zone.parse().unwrap_or(Tz::UTC);
    let buffer = Duration::minutes(i64::from(agent.buffer_minutes));
    let mut blocked: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        busy.iter().map(|b| (b.start - buffer, b.end + buffer)).collect();
    for off in store::time_off_between(conn, agent.user_id, &utc_text(from), &utc_text(to))? {
        if let (Some(s), Some(e)) = (super::time::parse_db_time(&off.start), super::time::parse_db_time(&off.end)) {
            blocked.push((s, e));
        }
    }
    blocked.sort();

    let mut free = Vec::new();
    let first_day = from.with_timezone(&tz).date_naive() - Duration::days(1);
    let last_day = to.with_timezone(&tz).date_naive();
    let mut day = first_day;
    while day <= last_day {
        let weekday = day.weekday().num_days_from_monday() as u8;
        for h in agent.working_hours.iter().filter(|h| h.weekday == weekday) {
            let (Some(s), Some(e)) = (parse_hm(&h.start), parse_hm(&h.end)) else { continue };
            let start = local(tz, day, s);
            let end = if h.end.trim() == "24:00" {
                local(tz, day + Duration::days(1), chrono::NaiveTime::MIN)
            } else {
                local(tz, day, e)
            };
            let (start, end) = (start.max(from), end.min(to));
            if start < end {
                subtract(start, end, &blocked, &mut free);
            }
        }
        day += Duration::days(1);
    }
    Ok(free)
}

/// How many of `busy` start in [from, to), each occurrence of a series one: the load the round-robin weighs and
/// the week's meetings a suggestion names (a weekly series begun before the window is a meeting in it, not none).
fn starting_in(busy: &[Busy], from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
    u32::try_from(busy.iter().filter(|b| b.start >= from && b.start < to).count()).unwrap_or(u32::MAX)
}

fn local(tz: Tz, day: NaiveDate, time: chrono::NaiveTime) -> DateTime<Utc> {
    rapport_ics::Zone::Iana(tz).to_utc(day.and_time(time), &rapport_ics::Zone::Utc).with_timezone(&Utc)
}

fn subtract(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    blocked: &[(DateTime<Utc>, DateTime<Utc>)],
    out: &mut Vec<(DateTime<Utc>, DateTime<Utc>)>,
) {
    let mut cursor = start;
    for (bs, be) in blocked {
        if *be <= cursor || *bs >= end {
            continue;
        }
        if *bs > cursor {
            out.push((cursor, (*bs).min(end)));
        }
        cursor = cursor.max(*be);
        if cursor >= end {
            return;
        }
    }
    if cursor < end {
        out.push((cursor, end));
    }
}

fn align(t: DateTime<Utc>) -> DateTime<Utc> {
    let step = GRID_MINUTES * 60;
    let secs = t.timestamp();
    let aligned = (secs + step - 1).div_euclid(step) * step;
    Utc.timestamp_opt(aligned, 0).single().unwrap_or(t)
}

/// Up to `n` start times of length `d` in `free`, earliest first.
pub(crate) fn slots(free: &[(DateTime<Utc>, DateTime<Utc>)], d: Duration, n: usize) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    for (s, e) in free {
        let mut t = align(*s);
        while t + d <= *e && out.len() < n {
            out.push(t);
            // Spread the suggestions: the next one an hour (or the meeting's length) later.
            t += d.max(Duration::hours(1));
        }
        if out.len() >= n {
            break;
        }
    }
    out
}

struct Candidate {
    agent: AgentCalendar,
    territory: String,
    load: f64,
    this_week: u32,
    free_minutes: i64,
    last_booked: Option<String>,
    starts: Vec<DateTime<Utc>>,
}

impl Rapport {
    pub fn find_slots(&self, actor: &Actor, req: &SlotRequest) -> Result<Vec<SlotSuggestion>> {
        let now = self.now_utc();
        let from = if req.from.trim().is_empty() { now } else { parse_instant("from", &req.from)?.max(now) };
        let to = if req.to.trim().is_empty() { from + Duration::days(14) } else { parse_instant("to", &req.to)? };
        if to <= from || to - from > Duration::days(92) {
            return Err(
                ValidationErrors::one("to", "search a window that ends after it starts, within three months").into()
            );
        }
        let minutes = if req.duration_minutes == 0 { 30 } else { req.duration_minutes };
        if minutes > 12 * 60 {
            return Err(
                ValidationErrors::one("duration_minutes", "a meeting found this way lasts at most 12 hours").into()
            );
        }
        let d = Duration::minutes(i64::from(minutes));
        let per_agent = req.per_agent.clamp(1, 20) as usize;
        let wanted: Vec<String> =
            req.expertise.iter().map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty()).collect();

        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            let mut place = Place {
                country: country_code(&req.country),
                region: req.region.trim().to_uppercase(),
                postcode: req.postcode.trim().to_uppercase(),
            };
            let mut campaign = None;
            if let Some(lead_id) = req.lead_id {
                let lead = crate::leads::api::visible_lead(conn, &grant, lead_id)?;
                campaign = Some(lead.campaign.clone());
                if place.country.is_empty() {
                    place = Place {
                        country: country_code(&lead.address.country),
                        region: lead.address.region.trim().to_uppercase(),
                        postcode: lead.address.postcode.trim().to_uppercase(),
                    };
                }
            }
            let manual = !req.agents.is_empty();
            let ids: Vec<i64> = if manual {
                req.agents.clone()
            } else {
                store::agent_users(conn)?.into_iter().map(|(id, _)| id).collect()
            };
            let mut candidates = Vec::new();
            for id in ids {
                // Only calendars the caller may book in: a colleague's only for a meeting with a lead (booking
                // refuses the others, and a suggestion it refuses is none).
                if super::agents::may_change(&grant, id, req.lead_id, "rapport").is_err() {
                    continue;
                }
                // Seed 3.2: only an agent who sees the lead may meet it (booking refuses the others).
                if let Some(c) = &campaign {
                    if !super::agents::works_on(conn, id, c)? {
                        continue;
                    }
                }
                let agent = load(conn, id)?;
                if !manual && !wanted.iter().all(|w| agent.expertise.contains(w)) {
                    continue;
                }
                let territory = match territory_match(&agent, &place) {
                    Some(t) => t,
                    None if manual => String::new(),
                    None => continue,
                };
                let tz: Tz = agent.time_zone.parse().unwrap_or(Tz::UTC);
                let notice = now + Duration::minutes(i64::from(agent.min_notice_minutes));
                let week_start = {
                    let local = from.with_timezone(&tz).date_naive();
                    local - Duration::days(i64::from(local.weekday().num_days_from_monday()))
                };
                let week_from = super::allocation::local(tz, week_start, chrono::NaiveTime::MIN);
                let week_to = week_from + Duration::days(7);
                let load_from = from - Duration::days(7);
                // One read of the busy times for the free spans, the load and the week's meetings.
                let (slot_from, buffer) = (from.max(notice), Duration::minutes(i64::from(agent.buffer_minutes)));
                let (read_from, read_to) =
                    ((slot_from - buffer).min(load_from).min(week_from), (to + buffer).max(week_to));
                let busy = busy_between(conn, id, tz, read_from, read_to)?;
                let free = free_spans(conn, &agent, &busy, slot_from, to)?;
                let starts = slots(&free, d, per_agent);
                if starts.is_empty() {
                    continue;
                }
                let free_minutes = free.iter().map(|(s, e)| (*e - *s).num_minutes()).sum();
                let load_count = starting_in(&busy, load_from, to);
                let this_week = starting_in(&busy, week_from, week_to);
                candidates.push(Candidate {
                    load: f64::from(load_count) * 100.0 / f64::from(agent.weight.max(1)),
                    agent,
                    territory,
                    this_week,
                    free_minutes,
                    last_booked: store::last_booked(conn, id)?,
                    starts,
                });
            }
            // Least loaded for its weight first; then the one with more free time; then the one booked
            // longest ago (never booked first); then by id, so the order is stable.
            candidates.sort_by(|a, b| {
                a.load
                    .total_cmp(&b.load)
                    .then(b.free_minutes.cmp(&a.free_minutes))
                    .then(a.last_booked.cmp(&b.last_booked))
                    .then(a.agent.user_id.cmp(&b.agent.user_id))
            });
            let mut out = Vec::new();
            for (i, c) in candidates.iter().enumerate() {
                let explanation = explain(c, &wanted, manual);
                for s in &c.starts {
                    out.push(SlotSuggestion {
                        agent_id: c.agent.user_id,
                        agent_name: c.agent.display_name.clone(),
                        start: utc_text(*s),
                        end: utc_text(*s + d),
                        rank: i as u32 + 1,
                        explanation: explanation.clone(),
                    });
                }
            }
            Ok(out)
        })
    }
}

fn explain(c: &Candidate, wanted: &[String], manual: bool) -> String {
    let mut parts = Vec::new();
    if manual {
        parts.push("chosen by you".to_owned());
    }
    if !wanted.is_empty() {
        parts.push(format!("expertise {}", wanted.join(", ")));
    }
    if c.territory.is_empty() {
        if !c.agent.territories.is_empty() && manual {
            parts.push(format!("territory {} (outside the lead's area)", c.agent.territories.join(", ")));
        }
    } else {
        parts.push(format!("territory {}", c.territory));
    }
    parts.push(match c.this_week {
        1 => "1 meeting this week".to_owned(),
        n => format!("{n} meetings this week"),
    });
    let hours = c.free_minutes / 60;
    parts.push(format!("{hours} h free in the window"));
    if c.agent.weight != 100 {
        parts.push(format!("weight {}", c.agent.weight));
    }
    format!("{}: {}", c.agent.display_name, parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(territories: &[&str]) -> AgentCalendar {
        let mut a = super::super::agents::default_calendar(1, "Dana".into());
        a.territories = territories.iter().map(|s| s.to_string()).collect();
        a
    }

    #[test]
    fn territories_by_country_region_and_postcode() {
        let de = Place { country: "DE".into(), region: "BY".into(), postcode: "80331".into() };
        assert_eq!(territory_match(&agent(&["DE"]), &de).as_deref(), Some("DE"));
        assert_eq!(territory_match(&agent(&["DE-BY"]), &de).as_deref(), Some("DE-BY"));
        assert_eq!(territory_match(&agent(&["DE-80"]), &de).as_deref(), Some("DE-80"));
        assert_eq!(territory_match(&agent(&["DE-10"]), &de), None);
        assert_eq!(territory_match(&agent(&["FR", "US-CA"]), &de), None);
        assert_eq!(territory_match(&agent(&[]), &de).as_deref(), Some(""), "no territories: anywhere");
    }

    #[test]
    fn busy_time_is_cut_out_of_working_time() {
        let t = |h: u32, m: u32| Utc.with_ymd_and_hms(2026, 12, 3, h, m, 0).single().unwrap_or_default();
        let mut out = Vec::new();
        subtract(t(9, 0), t(17, 0), &[(t(8, 0), t(9, 30)), (t(12, 0), t(13, 0)), (t(16, 30), t(18, 0))], &mut out);
        assert_eq!(out, vec![(t(9, 30), t(12, 0)), (t(13, 0), t(16, 30))]);
        assert_eq!(slots(&out, Duration::minutes(90), 3), vec![t(9, 30), t(13, 0), t(14, 30)]);
    }
}
