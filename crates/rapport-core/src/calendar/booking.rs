//! Booking, rescheduling and status changes. The double-booking check (buffers and time off included)
//! runs inside the writing transaction, and SQLite lets one writer in at a time across threads and
//! processes, so two bookings of the same agent and time cannot both succeed.
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use rapport_ics::{Event, Length, Moment, Person, Zone};
use rusqlite::Transaction;

use super::model::{AgentCalendar, Appointment, AppointmentInput, AppointmentStatus, Attendee, Confirmation};
use super::occurrences::{agent_zone, busy_between, event_of, row_visible, view, visible, visible_row};
use super::store::{self, AppointmentRow};
use super::time::{parse_instant, span_words, utc_text, zone};
use super::CalendarError;
use crate::access::{Actor, Grant, Permission};
use crate::audit::store::{self as changelog, BatchId};
use crate::audit::Origin;
use crate::error::{Error, Result};
use crate::leads::ValidationErrors;
use crate::rapport::Rapport;

const MAX_LENGTH_DAYS: i64 = 31;

/// A checked booking: times in UTC and the zone the organizer meant them in.
pub(crate) struct Booking {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub tz: Tz,
}

fn check_input(input: &AppointmentInput, agent_tz: Tz) -> Result<Booking> {
    let mut errors = ValidationErrors::none();
    if input.title.trim().is_empty() {
        errors.push("title", "an appointment needs a title");
    }
    if input.title.chars().count() > 200 {
        errors.push("title", "a title is at most 200 characters");
    }
    for (field, value, max) in
        [("location", &input.location, 500), ("video_url", &input.video_url, 2000), ("notes", &input.notes, 10_000)]
    {
        if value.chars().count() > max {
            errors.push(field, format!("at most {max} characters"));
        }
    }
    let url = input.video_url.trim();
    if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
        errors.push("video_url", "a video link starts with https://");
    }
    errors.into_result()?;
    let start = parse_instant("start", &input.start)?;
    let end = parse_instant("end", &input.end)?;
    if end <= start {
        return Err(ValidationErrors::one("end", "the appointment ends after it starts").into());
    }
    if end - start > Duration::days(MAX_LENGTH_DAYS) {
        return Err(ValidationErrors::one("end", "an appointment lasts at most 31 days").into());
    }
    let tz = if input.time_zone.trim().is_empty() { agent_tz } else { zone("time_zone", &input.time_zone)? };
    Ok(Booking { start, end, tz })
}

/// The first busy time or time off of `agent` within its buffer of [start, end), other than series `uid`.
pub(crate) fn clash(
    tx: &rusqlite::Connection,
    grant: &Grant,
    agent: &AgentCalendar,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    except_uid: Option<&str>,
) -> Result<Option<String>> {
    let agent_id = agent.user_id;
    let tz: Tz = agent.time_zone.parse().unwrap_or(Tz::UTC);
    let buffer = Duration::minutes(i64::from(agent.buffer_minutes));
    let (from, to) = (start - buffer, end + buffer);
    for b in busy_between(tx, agent_id, tz, from, to)? {
        if Some(b.uid.as_str()) == except_uid || !(b.start < to && b.end > from) {
            continue;
        }
        let shown = !(b.private && grant.user_id != Some(agent_id)) && visible(tx, grant, b.lead_id)?;
        let what = if shown { format!("“{}”", b.title) } else { "another appointment".into() };
        let buffer_note = if b.start < end && b.end > start {
            String::new()
        } else {
            format!(" (within the {}-minute buffer)", agent.buffer_minutes)
        };
        // Said to people: no row id (of an appointment they may not even see).
        return Ok(Some(format!(
            "{} is already booked then: {what} {}{buffer_note}",
            agent.display_name,
            span_words(b.start, b.end, tz)
        )));
    }
    if let Some(off) = store::time_off_between(tx, agent_id, &utc_text(start), &utc_text(end))?.into_iter().next() {
        let (s, e) = (
            super::time::parse_db_time(&off.start).unwrap_or(start),
            super::time::parse_db_time(&off.end).unwrap_or(end),
        );
        let note = if off.note.is_empty() { String::new() } else { format!(": {}", off.note) };
        return Ok(Some(format!("{} is off then{note} ({})", agent.display_name, span_words(s, e, tz))));
    }
    Ok(None)
}

pub(crate) fn person_of_lead(conn: &rusqlite::Connection, lead_id: i64) -> Result<Option<Attendee>> {
    Ok(crate::leads::store::get(conn, lead_id)?.and_then(|l| {
        let email = l.emails.first()?.address.clone();
        Some(Attendee {
            email,
            name: format!("{} {}", l.first_name, l.last_name).trim().to_owned(),
            response: String::new(),
            lead_id: Some(lead_id),
            colleague: None,
        })
    }))
}

/// Whether `input` may be private: the agent's own, and without a lead (a meeting with a lead is its team's to
/// see and prepare for) unless it came so from the agent's calendar (`old`) and keeps its lead and agent.
fn check_private(grant: &Grant, input: &AppointmentInput, old: Option<&AppointmentRow>) -> Result<()> {
    if !input.private {
        return Ok(());
    }
    if grant.user_id != Some(input.agent_id) {
        return Err(ValidationErrors::one("private", "only the agent marks their own appointment private").into());
    }
    let kept = old.is_some_and(|o| o.private && o.lead_id == input.lead_id && o.agent_id == input.agent_id);
    if input.lead_id.is_some() && !kept {
        return Err(ValidationErrors::one(
            "private",
            "a meeting with a lead is its team's to see: it cannot be private",
        )
        .into());
    }
    Ok(())
}

/// The class `input` gives an event that was `prior`: its own kept while it stays as private as it was (an
/// invite's CONFIDENTIAL, or PUBLIC), PRIVATE when made private here.
fn class_for(input: &AppointmentInput, prior: Option<&Event>) -> Option<String> {
    match prior {
        Some(p) if p.is_private() == input.private => p.class.clone(),
        _ => input.private.then(|| "PRIVATE".to_owned()),
    }
}

/// The definition Rapport stores (and exports) for an appointment made in Rapport.
fn event_for(
    uid: &str,
    sequence: i64,
    input: &AppointmentInput,
    b: &Booking,
    organizer: Option<Person>,
    attendees: &[Attendee],
) -> Event {
    let wall = b.start.with_timezone(&b.tz).naive_local();
    let zone = Zone::Iana(b.tz);
    // The second of two equal wall times (the hour the clocks go back) reads back as the first: such a start is
    // kept as the instant it is.
    let start = if zone.to_utc(wall, &zone) == b.start {
        Moment::Time { wall, zone }
    } else {
        Moment::Time { wall: b.start.naive_utc(), zone: Zone::Utc }
    };
    Event {
        uid: uid.to_owned(),
        line: 0,
        sequence,
        summary: Some(input.title.trim().to_owned()),
        description: Some(input.notes.trim().to_owned()).filter(|s| !s.is_empty()),
        location: Some(input.location.trim().to_owned())
            .filter(|s| !s.is_empty())
            .or_else(|| Some(input.video_url.trim().to_owned()).filter(|s| !s.is_empty())),
        url: Some(input.video_url.trim().to_owned()).filter(|s| !s.is_empty()),
        status: Some(
            match input.status {
                AppointmentStatus::Proposed => "TENTATIVE",
                AppointmentStatus::Cancelled => "CANCELLED",
                _ => "CONFIRMED",
            }
            .to_owned(),
        ),
        busy: true,
        class: class_for(input, None),
        organizer,
        attendees: attendees
            .iter()
            .map(|a| Person {
                email: a.email.clone(),
                name: Some(a.name.clone()).filter(|n| !n.is_empty()),
                status: Some(a.response.clone()).filter(|r| !r.is_empty()),
            })
            .collect(),
        start,
        // A booking is the two instants it was checked for clashes between: across a change of the clocks its
        // wall times are an hour more or less apart (or the end's before the start's) than it lasts.
        length: Length::Exact((b.end - b.start).num_seconds()),
        timed_by_series: false,
        recurrence_id: None,
        this_and_future: false,
        rrules: vec![],
        exrules: vec![],
        rdates: vec![],
        exdates: vec![],
        last_modified: None,
        stamp: None,
        warnings: vec![],
        method: None,
    }
}

/// The fields the change log names, with their values as text.
pub(crate) fn logged_fields(row: &AppointmentRow) -> Vec<(&'static str, String)> {
    vec![
        ("title", row.title.clone()),
        ("start", row.start_utc.clone()),
        ("end", row.end_utc.clone().unwrap_or_default()),
        ("status", row.status.clone()),
        ("agent", row.agent_id.to_string()),
        ("lead", row.lead_id.map(|l| l.to_string()).unwrap_or_default()),
        ("location", row.location.clone()),
        ("video_url", row.video_url.clone()),
        ("notes", row.notes.clone()),
        ("confirmation", row.confirmation.clone()),
        ("time_zone", row.time_zone.clone().unwrap_or_default()),
        ("clash", row.clash.clone().unwrap_or_default()),
        ("repeats", repetition_definition(row)),
        ("busy", row.busy.to_string()),
        ("private", row.private.to_string()),
    ]
}

/// The invitees as the change log keeps them: each address with its answer, in address order.
fn invitees_text(list: &[Attendee]) -> String {
    let mut items: Vec<String> = list
        .iter()
        .map(|a| match a.response.trim() {
            "" => a.email.clone(),
            r => format!("{} ({})", a.email, r.to_lowercase()),
        })
        .collect();
    items.sort_by_key(|i| i.to_lowercase());
    items.join("; ")
}

/// Logs what changed between an appointment's invitees `old` and `new`: who is invited with their answers
/// (field `invitees`), and each invitation given another lead (`attendee:ADDRESS`, the leads' ids, as a merge
/// logs it).
pub(crate) fn log_attendees(
    tx: &Transaction<'_>,
    batch: &BatchId,
    id: i64,
    old: &[Attendee],
    new: &[Attendee],
) -> Result<()> {
    let (before, after) = (invitees_text(old), invitees_text(new));
    if before != after {
        changelog::record(tx, batch, "appointment", id, "invitees", Some(&before), Some(&after))?;
    }
    for a in new {
        let was = old.iter().find(|o| o.email.eq_ignore_ascii_case(&a.email)).and_then(|o| o.lead_id);
        if was != a.lead_id {
            let text = |l: Option<i64>| l.map(|l| l.to_string()).unwrap_or_default();
            let field = format!("attendee:{}", a.email);
            changelog::record(tx, batch, "appointment", id, &field, Some(&text(was)), Some(&text(a.lead_id)))?;
        }
    }
    Ok(())
}

/// How an appointment repeats, as the change log keeps it: its rules and the dates added or taken out. A new
/// copy of an invite that drops a week (EXDATE) or repeats on other days changes the calendar like a move.
fn repetition_definition(row: &AppointmentRow) -> String {
    let Some(event) = super::occurrences::event_of(row) else { return String::new() };
    let when = |m: &rapport_ics::Moment| match m {
        rapport_ics::Moment::Date(d) => d.to_string(),
        rapport_ics::Moment::Time { wall, .. } => wall.format("%Y-%m-%d %H:%M").to_string(),
    };
    let mut parts: Vec<String> = event.rrules.clone();
    parts.extend(event.exrules.iter().map(|r| format!("except {r}")));
    if !event.rdates.is_empty() {
        parts.push(format!("also {}", event.rdates.iter().map(|(m, _)| when(m)).collect::<Vec<_>>().join(", ")));
    }
    if !event.exdates.is_empty() {
        parts.push(format!("not {}", event.exdates.iter().map(when).collect::<Vec<_>>().join(", ")));
    }
    parts.join("; ")
}

pub(crate) fn log_creation(tx: &Transaction<'_>, batch: &BatchId, row: &AppointmentRow) -> Result<()> {
    let snapshot: serde_json::Map<String, serde_json::Value> =
        logged_fields(row).into_iter().map(|(k, v)| (k.to_owned(), serde_json::Value::String(v))).collect();
    changelog::record(
        tx,
        batch,
        "appointment",
        row.id,
        "*",
        None,
        Some(&serde_json::Value::Object(snapshot).to_string()),
    )?;
    Ok(())
}

/// The change log's record of an appointment removed (gone from the CalDAV server): every field as a creation
/// logs it, and what a restore would need beyond them, its identity, its attendees and its event as stored.
pub(crate) fn log_removal(tx: &Transaction<'_>, batch: &BatchId, row: &AppointmentRow) -> Result<()> {
    let mut snapshot: serde_json::Map<String, serde_json::Value> =
        logged_fields(row).into_iter().map(|(k, v)| (k.to_owned(), serde_json::Value::String(v))).collect();
    snapshot.insert("uid".into(), row.uid.clone().into());
    snapshot.insert("recurrence_id".into(), row.recurrence_id.clone().into());
    let attendees: Vec<serde_json::Value> = store::attendees(tx, row.id)?
        .into_iter()
        .map(|a| serde_json::json!({"email": a.email, "name": a.name, "response": a.response, "lead": a.lead_id}))
        .collect();
    snapshot.insert("attendees".into(), attendees.into());
    snapshot.insert("event".into(), row.event.clone().into());
    let old = serde_json::Value::Object(snapshot).to_string();
    changelog::record(tx, batch, "appointment", row.id, "*", Some(&old), None)?;
    Ok(())
}

pub(crate) fn log_changes(
    tx: &Transaction<'_>,
    batch: &BatchId,
    old: &AppointmentRow,
    new: &AppointmentRow,
) -> Result<bool> {
    let mut any = false;
    for ((field, before), (_, after)) in logged_fields(old).into_iter().zip(logged_fields(new)) {
        if before != after {
            changelog::record(tx, batch, "appointment", old.id, field, Some(&before), Some(&after))?;
            any = true;
        }
    }
    Ok(any)
}

/// Fills the derived columns of `row` from `event` (start, latest end, repeats, busy, private, zone).
pub(crate) fn derive(row: &mut AppointmentRow, event: &Event, tz: Tz) {
    let floating = Zone::Iana(tz);
    let start = event.start.to_utc(&floating);
    row.start_utc = utc_text(start);
    row.repeats = event.is_recurring();
    row.busy = event.busy;
    row.private = event.is_private();
    row.time_zone = event.zone().and_then(Zone::name);
    row.end_utc = series_end(event, &floating).map(utc_text);
    row.sequence = event.sequence;
    row.event = serde_json::to_string(event).unwrap_or_default();
}

/// When the last occurrence ends; `None` for a repetition without end.
fn series_end(event: &Event, floating: &Zone) -> Option<DateTime<Utc>> {
    let start = event.start.to_utc(floating);
    if !event.rrules.iter().all(|r| rapport_ics::rule_ends(r)) {
        return None;
    }
    // Bounded rules: expand them all (COUNT and UNTIL bound the work) and take the last end.
    let horizon = start + Duration::days(365 * 200);
    let expansion = rapport_ics::expand(std::slice::from_ref(event), start - Duration::days(1), horizon, floating);
    // More occurrences than one expansion yields (COUNT=100000 hourly): its end is beyond what was walked, and a
    // stored end short of it would hide the rest of the series from reminders and clash checks.
    if expansion.truncated {
        return None;
    }
    let last = expansion.occurrences.iter().map(|o| o.end.to_utc(floating)).max();
    // A repetition that yields nothing (all excluded) still holds its first span in the index.
    Some(last.unwrap_or(start + Duration::minutes(1)).max(start))
}

pub(crate) fn new_uid(at: &str) -> String {
    format!("{:016x}-{:08x}@rapport", fastrand::u64(..), rapport_match::digest(&[at]) as u32)
}

impl Rapport {
    fn organizer_of(agent: &AgentCalendar) -> Option<Person> {
        (!agent.email.is_empty()).then(|| Person {
            email: agent.email.clone(),
            name: Some(agent.display_name.clone()),
            status: None,
        })
    }

    /// Books an appointment; refused with the clash named when the agent is busy (buffers included) or off.
    pub fn book_appointment(&self, actor: &Actor, input: &AppointmentInput) -> Result<Appointment> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            // One reading of the agent's settings serves the zone, the clash check and the organizer.
            let agent = super::agents::load_bookable(tx, input.agent_id)?;
            super::agents::may_change(&grant, input.agent_id, input.lead_id, "rapport").map_err(|_| {
                crate::access::AccessError::Denied {
                    role: grant.role.as_str(),
                    action:
                        "book into another agent's calendar without a lead (with a lead of their campaigns, they may)",
                }
            })?;
            let agent_tz: Tz = agent.time_zone.parse().unwrap_or(Tz::UTC);
            let b = check_input(input, agent_tz)?;
            check_private(&grant, input, None)?;
            let attendees = match input.lead_id {
                Some(id) => {
                    let lead = crate::leads::api::visible_lead(tx, &grant, id)?;
                    super::agents::check_works_on(tx, &agent, &lead.campaign)?;
                    person_of_lead(tx, id)?.into_iter().collect()
                }
                None => vec![],
            };
            if input.status.holds_time() {
                if let Some(message) = clash(tx, &grant, &agent, b.start, b.end, None)? {
                    return Err(CalendarError::DoubleBooked(message).into());
                }
            }
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            let uid = new_uid(&batch.at);
            let event = event_for(&uid, 0, input, &b, Self::organizer_of(&agent), &attendees);
            let mut row = AppointmentRow {
                id: 0,
                uid,
                recurrence_id: None,
                agent_id: input.agent_id,
                lead_id: input.lead_id,
                title: input.title.trim().to_owned(),
                location: input.location.trim().to_owned(),
                video_url: input.video_url.trim().to_owned(),
                notes: input.notes.trim().to_owned(),
                status: input.status.as_str().to_owned(),
                event: String::new(),
                start_utc: String::new(),
                end_utc: None,
                repeats: false,
                busy: true,
                private: false,
                time_zone: None,
                sequence: 0,
                source: "rapport".into(),
                clash: None,
                confirmation: Confirmation::ToSend.as_str().to_owned(),
                remote_href: None,
                remote_etag: None,
                sync_pending: store::caldav_account(tx, input.agent_id)?.is_some(),
                created_at: batch.at.clone(),
                updated_at: batch.at.clone(),
                version: 1,
            };
            derive(&mut row, &event, agent_tz);
            // The zone it was booked in, also when its start had to be written in UTC (the repeated hour).
            row.time_zone = Some(b.tz.name().to_owned());
            row.id = store::insert(tx, &row)?;
            store::replace_attendees(tx, row.id, &attendees)?;
            log_creation(tx, &batch, &row)?;
            log_attendees(tx, &batch, row.id, &[], &attendees)?;
            view(tx, &grant, &row)
        })
    }

    /// Changes an appointment as edited on `version`; a new time is checked like a booking.
    pub fn update_appointment(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: &AppointmentInput,
    ) -> Result<Appointment> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let old = visible_row(tx, &grant, id)?;
            super::agents::may_change(&grant, old.agent_id, old.lead_id, &old.source)?;
            // What it becomes too: handed to a colleague, or its lead taken off, it is theirs alone.
            super::agents::may_change(&grant, input.agent_id, input.lead_id, &old.source)?;
            if old.version != version {
                return Err(Error::Conflict { entity: "appointment" });
            }
            if old.repeats || old.recurrence_id.is_some() {
                return Err(ValidationErrors::one(
                    "start",
                    "a repeating appointment comes from a calendar file or server: change it there, or export and re-import it",
                )
                .into());
            }
            // The event lives on the agent's calendar server too: handed to another agent here, it would stay
            // there and come back from the next sync as a copy still keeping the first agent busy.
            if input.agent_id != old.agent_id && old.remote_href.is_some() {
                return Err(ValidationErrors::one(
                    "agent_id",
                    "this appointment is on its agent's calendar server: cancel it and book it for the other agent",
                )
                .into());
            }
            // The agent it already has keeps it even if deactivated since (it can be edited, then handed over).
            let agent = if input.agent_id == old.agent_id {
                super::agents::load(tx, input.agent_id)?
            } else {
                super::agents::load_bookable(tx, input.agent_id)?
            };
            let agent_tz: Tz = agent.time_zone.parse().unwrap_or(Tz::UTC);
            let b = check_input(input, agent_tz)?;
            check_private(&grant, input, Some(&old))?;
            if let Some(lead) = input.lead_id {
                let lead = crate::leads::api::visible_lead(tx, &grant, lead)?;
                // A new agent or a new lead: the agent must work on the lead's campaign. One kept as it was (an
                // agent's campaigns changed since) stays editable.
                if input.agent_id != old.agent_id || input.lead_id != old.lead_id {
                    super::agents::check_works_on(tx, &agent, &lead.campaign)?;
                }
            }
            // Checked when the time it holds changes (moved, given to another agent, or holding time again): an
            // imported invite may overlap another, as it was kept, and its notes or lead stay editable.
            let moved = utc_text(b.start) != old.start_utc || old.end_utc.as_deref() != Some(utc_text(b.end).as_str());
            let held = AppointmentStatus::parse(&old.status).is_some_and(|s| s.holds_time());
            // A free event (an optional trade fair, imported as TRANSP:TRANSPARENT) stays free: it blocks
            // nothing, so nothing blocks it.
            if old.busy && input.status.holds_time() && (moved || input.agent_id != old.agent_id || !held) {
                if let Some(message) = clash(tx, &grant, &agent, b.start, b.end, Some(&old.uid))? {
                    return Err(CalendarError::DoubleBooked(message).into());
                }
            }
            let mut attendees = store::attendees(tx, id)?;
            // A meeting booked here invites its lead; an imported invite's invitees are its organizer's, whichever
            // lead the meeting is for here.
            if input.lead_id != old.lead_id && old.source == "rapport" {
                attendees.retain(|a| a.lead_id.is_none() || a.lead_id != old.lead_id);
                if let Some(p) = input.lead_id.map(|l| person_of_lead(tx, l)).transpose()?.flatten() {
                    attendees.push(p);
                }
            }
            let prior = event_of(&old);
            let organizer = prior.as_ref().and_then(|e| e.organizer.clone());
            let mut event = event_for(&old.uid, next_sequence(&old), input, &b, organizer, &attendees);
            event.busy = old.busy;
            event.class = class_for(input, prior.as_ref());
            // The copy an import took keeps its stamp: the same file imported again is then known as the same
            // copy, and what was changed here stands (a newer copy, or a later SEQUENCE, still comes in).
            if let Some(prior) = prior.as_ref().filter(|_| old.source != "rapport") {
                event.stamp = prior.stamp;
                event.last_modified = prior.last_modified;
                event.method.clone_from(&prior.method);
                // Its invitees are its organizer's, as the file or the server gave them (the agent's own answer
                // among them): not the people matched to leads here, which hold the organizer and not the agent.
                event.attendees.clone_from(&prior.attendees);
            }
            let mut row = AppointmentRow {
                agent_id: input.agent_id,
                lead_id: input.lead_id,
                title: input.title.trim().to_owned(),
                location: input.location.trim().to_owned(),
                video_url: input.video_url.trim().to_owned(),
                notes: input.notes.trim().to_owned(),
                status: input.status.as_str().to_owned(),
                clash: if moved { None } else { old.clash.clone() },
                // The lead confirmed the old time, not this one: a moved appointment is confirmed again.
                confirmation: if moved { Confirmation::ToSend.as_str().to_owned() } else { old.confirmation.clone() },
                ..old.clone()
            };
            derive(&mut row, &event, agent_tz);
            row.time_zone = Some(b.tz.name().to_owned());
            if input.agent_id != old.agent_id {
                store::forget_reminders_from(tx, old.id, &utc_text(self.now_utc()))?;
            }
            self.save_change(tx, &grant, &old, row, Some(&attendees))
        })
    }

    /// Drags an appointment to a new time (the calendar's drag and resize), checked like a booking.
    pub fn move_appointment(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        start: &str,
        end: &str,
    ) -> Result<Appointment> {
        let current = self.appointment(actor, id)?;
        let input = AppointmentInput {
            agent_id: current.agent_id,
            lead_id: current.lead_id,
            title: current.title,
            start: start.to_owned(),
            end: end.to_owned(),
            time_zone: current.time_zone.filter(|z| z.parse::<Tz>().is_ok()).unwrap_or_default(),
            location: current.location,
            video_url: current.video_url,
            notes: current.notes,
            status: current.status,
            private: current.private,
        };
        self.update_appointment(actor, id, version, &input)
    }

    pub fn set_appointment_status(&self, actor: &Actor, id: i64, status: AppointmentStatus) -> Result<Appointment> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let old = visible_row(tx, &grant, id)?;
            super::agents::may_change(&grant, old.agent_id, old.lead_id, &old.source)?;
            if old.status == status.as_str() {
                return view(tx, &grant, &old);
            }
            // Un-cancelling takes the time back: it must still be free (a series: each coming occurrence, as an
            // import checks them).
            let takes_time_back = status.holds_time()
                && !AppointmentStatus::parse(&old.status).is_some_and(AppointmentStatus::holds_time);
            // An appointment shown as free (transparent) takes no time back.
            if takes_time_back && old.repeats && old.busy {
                if let Some(message) = self.series_clash(tx, &grant, &old)? {
                    return Err(CalendarError::DoubleBooked(message).into());
                }
            }
            let agent = super::agents::load(tx, old.agent_id)?;
            // A meeting already over takes no time back (as the series' own occurrences, only coming ones count):
            // one cancelled by mistake after the day is set to No-show or Completed whatever overlapped it.
            let now = utc_text(self.now_utc());
            let coming = |i: &AppointmentRow| i.end_utc.as_deref().is_some_and(|e| e > now.as_str());
            if takes_time_back && !old.repeats && old.busy && coming(&old) {
                if let Some(message) = taken_back_clash(tx, &grant, &agent, &old, &old.uid)? {
                    return Err(CalendarError::DoubleBooked(message).into());
                }
            }
            // A series' changed instances are each a row of their own; those its cancellation took come back
            // with it, so they take their times back too (checked like a single appointment's).
            let series_master = old.repeats && old.recurrence_id.is_none();
            let returning = if takes_time_back && series_master {
                self.instances_cancelled_with(tx, &grant, &old)?
            } else {
                Vec::new()
            };
            for (instance, _) in returning.iter().filter(|(i, _)| i.busy && coming(i)) {
                if let Some(message) = taken_back_clash(tx, &grant, &agent, instance, &old.uid)? {
                    return Err(CalendarError::DoubleBooked(message).into());
                }
            }
            // The series and its instances change in one batch: the history shows one act, and setting the series
            // back knows which instances it took.
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            let row = with_status(tx, &old, status)?;
            let saved = self.save_change_in(tx, &grant, &batch, &old, row, None)?;
            // A series cancelled here cancels its changed instances too: each is a row of its own, which would
            // otherwise keep its time busy and its reminders coming (an import's cancellation does the same).
            // An instance with a lead outside the actor's campaigns is not theirs to change: it stays.
            if status == AppointmentStatus::Cancelled && series_master {
                for instance in store::by_uid(tx, old.agent_id, &old.uid)? {
                    let holds = AppointmentStatus::parse(&instance.status).is_some_and(|s| s.holds_time());
                    if instance.recurrence_id.is_some() && holds && row_visible(tx, &grant, &instance)? {
                        let row = with_status(tx, &instance, status)?;
                        self.save_change_in(tx, &grant, &batch, &instance, row, None)?;
                    }
                }
            }
            for (instance, was) in returning {
                let row = with_status(tx, &instance, was)?;
                self.save_change_in(tx, &grant, &batch, &instance, row, None)?;
            }
            changelog::discard_empty(tx, &batch)?;
            Ok(saved)
        })
    }

    /// The changed instances of series `series` (cancelled, being set back) that its latest cancellation took, each
    /// with the status it had before, when nothing changed its status since and the actor may change it.
    pub(crate) fn instances_cancelled_with(
        &self,
        tx: &Transaction<'_>,
        grant: &Grant,
        series: &AppointmentRow,
    ) -> Result<Vec<(AppointmentRow, AppointmentStatus)>> {
        let Some(batch) = changelog::last_change_to(tx, "appointment", series.id, "status", "cancelled")? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for instance in store::by_uid(tx, series.agent_id, &series.uid)? {
            if instance.recurrence_id.is_none()
                || instance.status != AppointmentStatus::Cancelled.as_str()
                || !row_visible(tx, grant, &instance)?
                || changelog::changed_after(tx, "appointment", instance.id, batch, "status")?
            {
                continue;
            }
            let was = changelog::batch_changes(tx, batch, "appointment", instance.id)?
                .into_iter()
                .find(|(field, _, new)| field == "status" && new.as_deref() == Some("cancelled"))
                .and_then(|(_, old, _)| old)
                .and_then(|old| AppointmentStatus::parse(&old));
            if let Some(was) = was {
                out.push((instance, was));
            }
        }
        Ok(out)
    }

    /// The first coming occurrence of series `row` (its own, not its changed instances') that overlaps another
    /// appointment of its agent, named.
    fn series_clash(&self, tx: &Transaction<'_>, grant: &Grant, row: &AppointmentRow) -> Result<Option<String>> {
        let tz = agent_zone(tx, row.agent_id)?;
        let now = self.now_utc();
        let window = (now, now + Duration::days(super::ics_import::CLASH_HORIZON_DAYS));
        let busy = super::ics_import::BusyIndex::of_agent(tx, grant, row.agent_id, tz, window)?;
        let series = store::by_uid(tx, row.agent_id, &row.uid)?;
        let floating = Zone::Iana(tz);
        // As a single appointment taken back is checked (see `clash`): the agent's buffer around each
        // occurrence, and their time off.
        let agent = super::agents::load(tx, row.agent_id)?;
        let buffer = Duration::minutes(i64::from(agent.buffer_minutes));
        for e in super::occurrences::expand_rows(&series, window.0, window.1, tz) {
            if e.row.id != row.id {
                continue;
            }
            let (s, end) = (e.start.to_utc(&floating), e.end.to_utc(&floating));
            if let Some((cs, ce, title)) = busy.clash(s - buffer, end + buffer, &row.uid) {
                let within = if cs < end && ce > s {
                    String::new()
                } else {
                    format!(" (within the {}-minute buffer)", agent.buffer_minutes)
                };
                return Ok(Some(format!(
                    "its occurrence {} overlaps {title} {}{within}",
                    span_words(s, end, tz),
                    span_words(cs, ce, tz)
                )));
            }
            if let Some(off) =
                store::time_off_between(tx, row.agent_id, &utc_text(s), &utc_text(end))?.into_iter().next()
            {
                let note = if off.note.is_empty() { String::new() } else { format!(": {}", off.note) };
                return Ok(Some(format!("its occurrence {} falls in time off{note}", span_words(s, end, tz))));
            }
        }
        Ok(None)
    }

    pub fn set_confirmation(&self, actor: &Actor, id: i64, confirmation: Confirmation) -> Result<Appointment> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let old = visible_row(tx, &grant, id)?;
            super::agents::may_change(&grant, old.agent_id, old.lead_id, &old.source)?;
            let row = AppointmentRow { confirmation: confirmation.as_str().to_owned(), ..old.clone() };
            self.save_change(tx, &grant, &old, row, None)
        })
    }

    /// Writes `row` over `old` with its change-log rows; a change marks it for the next CalDAV sync.
    pub(crate) fn save_change(
        &self,
        tx: &Transaction<'_>,
        grant: &Grant,
        old: &AppointmentRow,
        row: AppointmentRow,
        attendees: Option<&[Attendee]>,
    ) -> Result<Appointment> {
        let batch = self.begin_batch(tx, grant, &Origin::manual())?;
        let saved = self.save_change_in(tx, grant, &batch, old, row, attendees)?;
        // Saved with nothing changed (the form's Save pressed again): no batch without a change in it.
        changelog::discard_empty(tx, &batch)?;
        Ok(saved)
    }

    /// [`Self::save_change`] within `batch`, which the caller discards if it stays empty.
    pub(crate) fn save_change_in(
        &self,
        tx: &Transaction<'_>,
        grant: &Grant,
        batch: &BatchId,
        old: &AppointmentRow,
        mut row: AppointmentRow,
        attendees: Option<&[Attendee]>,
    ) -> Result<Appointment> {
        // The invitees as stored, read once: to tell whether they change, and to log how.
        let (attendees, before) = match attendees {
            Some(list) => {
                let mut list = list.to_vec();
                list.sort_by(|a, b| a.email.cmp(&b.email));
                let before = store::attendees(tx, old.id)?;
                if before == list {
                    (None, before)
                } else {
                    (Some(list), before)
                }
            }
            None => (None, Vec::new()),
        };
        if row == *old && attendees.is_none() {
            return view(tx, grant, old);
        }
        let changed = log_changes(tx, batch, old, &row)?;
        if changed {
            // A confirmation is Rapport's own, in no calendar file: sent, the server's copy would be written again
            // from Rapport's fields, losing what only it holds (an alarm set on a phone).
            let beside_the_file = AppointmentRow {
                confirmation: old.confirmation.clone(),
                updated_at: old.updated_at.clone(),
                version: old.version,
                sync_pending: old.sync_pending,
                ..row.clone()
            } == *old;
            // One already on a calendar server stays to be sent while none is connected: connected again, its
            // change goes out (and one never sent is sent anyway).
            row.sync_pending = if beside_the_file && attendees.is_none() {
                old.sync_pending
            } else {
                row.remote_href.is_some() || store::caldav_account(tx, row.agent_id)?.is_some()
            };
            store::update(tx, &row, &batch.at)?;
        }
        if let Some(list) = &attendees {
            log_attendees(tx, batch, row.id, &before, list)?;
            store::replace_attendees(tx, row.id, list)?;
        }
        let saved = store::get(tx, row.id)?.ok_or_else(|| super::occurrences::not_found(row.id))?;
        view(tx, grant, &saved)
    }
}

/// What appointment `row` would overlap taking its stored time back (set back from cancelled), checked as a
/// booking is (the agent's buffer, their time off), rows of `uid` aside.
fn taken_back_clash(
    tx: &Transaction<'_>,
    grant: &Grant,
    agent: &AgentCalendar,
    row: &AppointmentRow,
    uid: &str,
) -> Result<Option<String>> {
    let s = super::time::parse_db_time(&row.start_utc);
    let e = row.end_utc.as_deref().and_then(super::time::parse_db_time);
    match (s, e) {
        (Some(s), Some(e)) => clash(tx, grant, agent, s, e, Some(uid)),
        _ => Ok(None),
    }
}

/// The SEQUENCE a change made here gives an appointment. Only the organizer numbers the versions of a meeting
/// (RFC 5546): one booked in Rapport goes up, an invite imported from someone else's calendar keeps the number
/// its organizer gave it. Counting a rep's own notes and status changes would make the organizer's next update
/// (their SEQUENCE 1 against our 2) look older than what is stored, and a move or a cancellation be ignored.
fn next_sequence(old: &AppointmentRow) -> i64 {
    if old.source == "rapport" {
        old.sequence + 1
    } else {
        old.sequence
    }
}

/// Row `old` with `status`, its event saying so (a new status moves nothing: the zone it was booked in stays).
fn with_status(tx: &Transaction<'_>, old: &AppointmentRow, status: AppointmentStatus) -> Result<AppointmentRow> {
    let mut row = AppointmentRow { status: status.as_str().to_owned(), ..old.clone() };
    if let Some(mut event) = event_of(old) {
        event.status = Some(
            match status {
                AppointmentStatus::Cancelled => "CANCELLED",
                AppointmentStatus::Proposed => "TENTATIVE",
                _ => "CONFIRMED",
            }
            .to_owned(),
        );
        event.sequence = next_sequence(old);
        let tz = agent_zone(tx, old.agent_id)?;
        derive(&mut row, &event, tz);
        row.time_zone = old.time_zone.clone();
    }
    Ok(row)
}
