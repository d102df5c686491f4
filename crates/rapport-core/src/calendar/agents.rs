//! Agents' calendar settings and time off: an agent edits their own, an Administrator anyone's.
use chrono::{Duration, NaiveTime};

use super::model::{AgentCalendar, WorkingHours};
use super::store;
use super::time::{parse_instant, utc_text, zone};
use crate::access::{Actor, Grant, Permission};
use crate::audit::store as changelog;
use crate::audit::Origin;
use crate::error::{Error, Result};
use crate::leads::ValidationErrors;
use crate::rapport::Rapport;
use crate::users::Role;

/// Settings of an agent who never saved any: UTC, Monday to Friday 9 to 5, no buffer.
pub(crate) fn default_calendar(user_id: i64, display_name: String) -> AgentCalendar {
    AgentCalendar {
        user_id,
        display_name,
        email: String::new(),
        time_zone: "UTC".into(),
        working_hours: (0..5)
            .map(|d| WorkingHours { weekday: d, start: "09:00".into(), end: "17:00".into() })
            .collect(),
        buffer_minutes: 0,
        min_notice_minutes: 0,
        expertise: vec![],
        territories: vec![],
        weight: 100,
        reminder_minutes: vec![15],
        time_off: vec![],
    }
}

pub(crate) fn load(conn: &rusqlite::Connection, user_id: i64) -> Result<AgentCalendar> {
    let name = store::user_name(conn, user_id)?.ok_or(Error::NotFound { entity: "agent", id: user_id.to_string() })?;
    let mut cal = store::agent(conn, user_id)?.unwrap_or_else(|| default_calendar(user_id, name));
    cal.time_off = store::time_off(conn, user_id, "")?;
    Ok(cal)
}

/// [`load`], for an appointment to be given to the agent: only an active Editor or Administrator holds them
/// (a deactivated user or a Viewer would hold a meeting nobody attends, with no reminder reaching anyone).
pub(crate) fn load_bookable(conn: &rusqlite::Connection, user_id: i64) -> Result<AgentCalendar> {
    let agent = load(conn, user_id)?;
    if !store::agent_users(conn)?.iter().any(|(id, _)| *id == user_id) {
        return Err(ValidationErrors::one(
            "agent_id",
            format!("{} cannot hold appointments (deactivated, or a Viewer): choose another agent", agent.display_name),
        )
        .into());
    }
    Ok(agent)
}

/// Whether user `user_id` works on `campaign`: sees its leads, so may meet them.
pub(crate) fn works_on(conn: &rusqlite::Connection, user_id: i64, campaign: &str) -> Result<bool> {
    Ok(crate::users::store::grant(conn, user_id)?.is_some_and(|g| g.lead_scope().allows_campaign(campaign)))
}

/// Seed 3.2: a meeting with a lead goes to an agent who works on its campaign. Another could not see whom
/// they meet (their calendar would show it as "Busy"), nor prepare for it.
pub(crate) fn check_works_on(conn: &rusqlite::Connection, agent: &AgentCalendar, campaign: &str) -> Result<()> {
    if works_on(conn, agent.user_id, campaign)? {
        return Ok(());
    }
    let which = if campaign.trim().is_empty() {
        "leads without a campaign, as this one is".to_owned()
    } else {
        format!("campaign {}, this lead's", campaign.trim())
    };
    Err(ValidationErrors::one(
        "agent_id",
        format!("{} does not work on {which}: choose an agent who does", agent.display_name),
    )
    .into())
}

pub(crate) fn parse_hm(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").ok().or_else(|| (text.trim() == "24:00").then_some(NaiveTime::MIN))
}

fn normalize(mut c: AgentCalendar) -> Result<AgentCalendar> {
    let mut errors = ValidationErrors::none();
    let tz = zone("time_zone", &c.time_zone)?;
    c.time_zone = tz.name().to_owned();
    for (i, h) in c.working_hours.iter().enumerate() {
        let (s, e) = (parse_hm(&h.start), parse_hm(&h.end));
        let ends_at_midnight = h.end.trim() == "24:00";
        match (s, e) {
            (Some(s), Some(e)) if h.weekday <= 6 && (s < e || ends_at_midnight) => {}
            _ => errors.push(
                format!("working_hours.{i}"),
                "each working span needs a weekday and a start before its end, as HH:MM",
            ),
        }
    }
    c.working_hours.sort_by(|a, b| (a.weekday, &a.start).cmp(&(b.weekday, &b.start)));
    if c.buffer_minutes > 1440 {
        errors.push("buffer_minutes", "a buffer is at most 1440 minutes (a day)");
    }
    if c.min_notice_minutes > 525_600 {
        errors.push("min_notice_minutes", "minimum notice is at most a year");
    }
    if !(1..=1000).contains(&c.weight) {
        errors.push("weight", "the weight is between 1 and 1000 (100 is a normal share)");
    }
    if c.reminder_minutes.iter().any(|m| *m > 10_080) {
        errors.push("reminder_minutes", "a reminder is at most a week (10080 minutes) before");
    }
    c.reminder_minutes.sort_unstable();
    c.reminder_minutes.dedup();
    c.email = c.email.trim().to_owned();
    if !c.email.is_empty() {
        match crate::leads::normalize_email(&c.email) {
            Ok(e) => c.email = e,
            Err(e) => errors.push("email", e.to_string()),
        }
    }
    let clean = |list: &mut Vec<String>, upper: bool| {
        let mut out: Vec<String> = list
            .iter()
            .map(|s| if upper { s.trim().to_uppercase() } else { s.trim().to_lowercase() })
            .filter(|s| !s.is_empty())
            .collect();
        out.sort();
        out.dedup();
        *list = out;
    };
    clean(&mut c.expertise, false);
    clean(&mut c.territories, true);
    if c.expertise.len() > 50 || c.territories.len() > 200 {
        errors.push("expertise", "at most 50 expertise tags and 200 territories");
    }
    errors.into_result()?;
    Ok(c)
}

/// May `grant` change `user_id`'s calendar? Their own (anyone who may write), anyone's (Administrators).
pub(crate) fn may_manage(grant: &Grant, user_id: i64) -> Result<()> {
    if grant.user_id == Some(user_id) || grant.role == Role::Administrator {
        Ok(())
    } else {
        Err(crate::access::AccessError::Denied { role: grant.role.as_str(), action: "change another agent's calendar" }
            .into())
    }
}

/// May `grant` change an appointment on `agent_id`'s calendar, with `lead_id`, come from `source`? On their own
/// calendar or as an Administrator, any. On a colleague's, only a meeting booked in Rapport with a lead (whose
/// campaign the caller checks): a team reschedules its leads' meetings. A colleague's own events (a private
/// appointment, an invite from their calendar file or server) are theirs alone, and a change would be pushed
/// to their calendar server.
pub(crate) fn may_change(grant: &Grant, agent_id: i64, lead_id: Option<i64>, source: &str) -> Result<()> {
    if lead_id.is_some() && source == "rapport" {
        return Ok(());
    }
    may_manage(grant, agent_id).map_err(|_| {
        crate::access::AccessError::Denied {
            role: grant.role.as_str(),
            action: "change another agent's own appointments (only a meeting with a lead, booked in Rapport)",
        }
        .into()
    })
}

fn j<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The settings as stored (`now`) with those a form changed from what it read (`seen`) taken from `edited`;
/// a setting changed both in the form and in the store since is a conflict.
fn edits_over(now: &AgentCalendar, seen: &AgentCalendar, edited: &AgentCalendar) -> Result<AgentCalendar> {
    let mut out = now.clone();
    let (now_v, seen_v, edited_v) = (field_values(now), field_values(seen), field_values(edited));
    for ((field, n), ((_, s), (_, e))) in now_v.iter().zip(seen_v.iter().zip(&edited_v)) {
        if e == s {
            continue;
        }
        if n != s && n != e {
            return Err(Error::Conflict { entity: "agent calendar" });
        }
        match *field {
            "email" => out.email.clone_from(&edited.email),
            "time_zone" => out.time_zone.clone_from(&edited.time_zone),
            "working_hours" => out.working_hours.clone_from(&edited.working_hours),
            "buffer_minutes" => out.buffer_minutes = edited.buffer_minutes,
            "min_notice_minutes" => out.min_notice_minutes = edited.min_notice_minutes,
            "expertise" => out.expertise.clone_from(&edited.expertise),
            "territories" => out.territories.clone_from(&edited.territories),
            "weight" => out.weight = edited.weight,
            "reminder_minutes" => out.reminder_minutes.clone_from(&edited.reminder_minutes),
            _ => {}
        }
    }
    Ok(out)
}

/// The settings that decide which agent a slot search offers first: an Administrator's to set.
const ALLOCATION_FIELDS: [&str; 3] = ["expertise", "territories", "weight"];

fn field_values(c: &AgentCalendar) -> Vec<(&'static str, String)> {
    vec![
        ("email", c.email.clone()),
        ("time_zone", c.time_zone.clone()),
        ("working_hours", j(&c.working_hours)),
        ("buffer_minutes", c.buffer_minutes.to_string()),
        ("min_notice_minutes", c.min_notice_minutes.to_string()),
        ("expertise", j(&c.expertise)),
        ("territories", j(&c.territories)),
        ("weight", c.weight.to_string()),
        ("reminder_minutes", j(&c.reminder_minutes)),
    ]
}

/// The agent's appointments written in no zone of their own (all-day, or "floating" local times) happen in the
/// agent's zone: when it changes, their instants move with it, and the stored UTC columns every window and clash
/// query reads are written again (each move logged in `batch`).
fn placed_again(tx: &rusqlite::Transaction<'_>, batch: &changelog::BatchId, agent: i64, tz_name: &str) -> Result<()> {
    let tz: chrono_tz::Tz = tz_name.parse().unwrap_or(chrono_tz::Tz::UTC);
    for old in store::of_agent(tx, agent)? {
        let Some(event) = super::occurrences::event_of(&old) else { continue };
        if !matches!(event.zone(), None | Some(rapport_ics::Zone::Floating)) {
            continue;
        }
        let mut row = old.clone();
        super::booking::derive(&mut row, &event, tz);
        if row.start_utc != old.start_utc || row.end_utc != old.end_utc {
            super::booking::log_changes(tx, batch, &old, &row)?;
            store::update(tx, &row, &batch.at)?;
        }
    }
    Ok(())
}

impl Rapport {
    /// Every active user who can hold appointments, with their settings (defaults for those never saved).
    pub fn agent_calendars(&self, actor: &Actor) -> Result<Vec<AgentCalendar>> {
        self.db.read(|conn| {
            Self::grant(conn, actor, Permission::ReadLeads)?;
            store::agent_users(conn)?.into_iter().map(|(id, _)| load(conn, id)).collect()
        })
    }

    pub fn agent_calendar(&self, actor: &Actor, user_id: i64) -> Result<AgentCalendar> {
        self.db.read(|conn| {
            Self::grant(conn, actor, Permission::ReadLeads)?;
            load(conn, user_id)
        })
    }

    pub fn update_agent_calendar(&self, actor: &Actor, input: AgentCalendar) -> Result<AgentCalendar> {
        self.update_agent_calendar_as_seen(actor, None, input)
    }

    /// [`Rapport::update_agent_calendar`] from a form that read the settings as `seen`: only the settings the
    /// form changed are written, so an agent saving their buffer keeps the weight and territories an
    /// Administrator set meanwhile (they were saved back over them, logged as the agent's change). A setting
    /// both changed is refused as a conflict.
    pub fn update_agent_calendar_as_seen(
        &self,
        actor: &Actor,
        seen: Option<AgentCalendar>,
        input: AgentCalendar,
    ) -> Result<AgentCalendar> {
        let input = normalize(input)?;
        let seen = seen.map(normalize).transpose()?;
        if seen.as_ref().is_some_and(|s| s.user_id != input.user_id) {
            return Err(ValidationErrors::one("user_id", "the settings read were another agent's").into());
        }
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            may_manage(&grant, input.user_id)?;
            let old = load(tx, input.user_id)?;
            let new = match &seen {
                Some(seen) => edits_over(&old, seen, &input)?,
                None => input.clone(),
            };
            let changes: Vec<_> = field_values(&old)
                .into_iter()
                .zip(field_values(&new))
                .filter(|((_, a), (_, b))| a != b)
                .map(|((f, a), (_, b))| (f, a, b))
                .collect();
            if changes.is_empty() && store::agent(tx, new.user_id)?.is_some() {
                return load(tx, new.user_id);
            }
            // How appointments are shared out among agents is the system's configuration (seed 3.1: an Editor
            // cannot alter it): an agent who raised their own share, or cleared their territories to cover
            // everywhere, would be offered first for every lead.
            if grant.role != Role::Administrator {
                if let Some((field, _, _)) = changes.iter().find(|(f, _, _)| ALLOCATION_FIELDS.contains(f)) {
                    return Err(crate::access::AccessError::Denied {
                        role: grant.role.as_str(),
                        action: match *field {
                            "weight" => "change an agent's share of new appointments (an Administrator's setting)",
                            "territories" => "change an agent's territories (an Administrator's setting)",
                            _ => "change an agent's expertise (an Administrator's setting)",
                        },
                    }
                    .into());
                }
            }
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            store::save_agent(tx, &new, &batch.at)?;
            for (field, before, after) in changes {
                changelog::record(tx, &batch, "agent_calendar", new.user_id, field, Some(&before), Some(&after))?;
            }
            if old.time_zone != new.time_zone {
                placed_again(tx, &batch, new.user_id, &new.time_zone)?;
            }
            load(tx, new.user_id)
        })
    }

    pub fn add_time_off(
        &self,
        actor: &Actor,
        user_id: i64,
        start: &str,
        end: &str,
        note: &str,
    ) -> Result<AgentCalendar> {
        let (s, e) = (parse_instant("start", start)?, parse_instant("end", end)?);
        if e <= s || e - s > Duration::days(366) {
            return Err(ValidationErrors::one("end", "time off ends after it starts, within a year").into());
        }
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            may_manage(&grant, user_id)?;
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            let id = store::insert_time_off(tx, user_id, &utc_text(s), &utc_text(e), note.trim())?;
            let snapshot =
                serde_json::json!({"user_id": user_id, "start": utc_text(s), "end": utc_text(e), "note": note.trim()});
            changelog::record(tx, &batch, "time_off", id, "*", None, Some(&snapshot.to_string()))?;
            load(tx, user_id)
        })
    }

    pub fn remove_time_off(&self, actor: &Actor, user_id: i64, id: i64) -> Result<AgentCalendar> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            may_manage(&grant, user_id)?;
            let removed = store::delete_time_off(tx, user_id, id)?
                .ok_or(Error::NotFound { entity: "time off", id: id.to_string() })?;
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            let snapshot = serde_json::to_string(&removed).unwrap_or_default();
            changelog::record(tx, &batch, "time_off", id, "*", Some(&snapshot), None)?;
            load(tx, user_id)
        })
    }
}
