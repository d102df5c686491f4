//! From stored rows to what people see: occurrences expanded from each appointment's definition, the
//! busy times the double-booking check compares against, and appointment views with names filled in.
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rapport_ics::{Event, When, Zone};
use rusqlite::Connection;

use super::model::{Appointment, AppointmentSource, AppointmentStatus, Confirmation, Occurrence};
use super::store::{self, AppointmentRow};
use super::time::{parse_db_time, utc_text};
use crate::access::{Actor, Grant, Permission};
use crate::error::{Error, Result};
use crate::rapport::Rapport;

pub(crate) fn event_of(row: &AppointmentRow) -> Option<Event> {
    serde_json::from_str(&row.event).ok()
}

/// Whether the agent (`agent_email`) is among the event's attendees with PARTSTAT=DECLINED.
pub(crate) fn declined_by(event: &Event, agent_email: &str) -> bool {
    !agent_email.is_empty()
        && event.attendees.iter().any(|p| {
            p.status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("DECLINED"))
                && crate::leads::normalize_email(&p.email).is_ok_and(|e| e.eq_ignore_ascii_case(agent_email))
        })
}

pub(crate) fn agent_zone(conn: &Connection, agent_id: i64) -> Result<Tz> {
    let name = store::agent(conn, agent_id)?.map(|a| a.time_zone).unwrap_or_else(|| "UTC".into());
    Ok(name.parse().unwrap_or(Tz::UTC))
}

/// One expanded occurrence and the row it came from.
pub(crate) struct Expanded<'a> {
    pub row: &'a AppointmentRow,
    pub start: When,
    pub end: When,
    /// This occurrence makes the agent busy (not cancelled, not transparent).
    pub busy: bool,
}

/// Expands `rows` (whole series: master and overrides together) over [from, to).
pub(crate) fn expand_rows<'a>(
    rows: &'a [AppointmentRow],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: Tz,
) -> Vec<Expanded<'a>> {
    let floating = Zone::Iana(tz);
    let mut by_uid: BTreeMap<&str, Vec<(&AppointmentRow, Event)>> = BTreeMap::new();
    for row in rows {
        if let Some(event) = event_of(row) {
            by_uid.entry(row.uid.as_str()).or_default().push((row, event));
        }
    }
    let mut out = Vec::new();
    for group in by_uid.values() {
        let events: Vec<Event> = group.iter().map(|(_, e)| e.clone()).collect();
        let expansion = rapport_ics::expand(&events, from, to, &floating);
        for o in expansion.occurrences {
            let Some((row, event)) = group.get(o.event) else { continue };
            let holds = AppointmentStatus::parse(&row.status).is_some_and(AppointmentStatus::holds_time);
            out.push(Expanded { row, start: o.start, end: o.end, busy: holds && row.busy && event.busy });
        }
    }
    out.sort_by_key(|e| (e.start.to_utc(&floating), e.row.id));
    out
}

/// A busy occurrence, for the double-booking check and free-slot search.
#[derive(Debug, Clone)]
pub(crate) struct Busy {
    pub appointment_id: i64,
    pub uid: String,
    pub title: String,
    pub lead_id: Option<i64>,
    /// Its agent's alone to read (see [`row_visible`]).
    pub private: bool,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

pub(crate) fn busy_between(
    conn: &Connection,
    agent_id: i64,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Busy>> {
    let rows = store::overlapping(conn, agent_id, &utc_text(from), &utc_text(to))?;
    let floating = Zone::Iana(tz);
    Ok(expand_rows(&rows, from, to, tz)
        .into_iter()
        .filter(|e| e.busy)
        .map(|e| Busy {
            appointment_id: e.row.id,
            uid: e.row.uid.clone(),
            title: e.row.title.clone(),
            lead_id: e.row.lead_id,
            private: e.row.private,
            start: e.start.to_utc(&floating),
            end: e.end.to_utc(&floating),
        })
        .collect())
}

/// Whether the reader may see an appointment's details: it has no lead, or its lead is in their scope.
pub(crate) fn visible(conn: &Connection, grant: &Grant, lead_id: Option<i64>) -> Result<bool> {
    match lead_id {
        None => Ok(true),
        Some(id) => match crate::leads::api::visible_lead(conn, grant, id) {
            Ok(_) => Ok(true),
            Err(Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        },
    }
}

/// The lead a reader who may not see an attendee's linked lead (another campaign's) is shown for them: one of
/// their own campaigns with the attendee's address, as made from the invite, or none.
fn lead_seen_by(conn: &Connection, grant: &Grant, email: &str) -> Result<Option<i64>> {
    for id in crate::leads::store::with_email(conn, email)? {
        if visible(conn, grant, Some(id))? {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Whether the reader may see appointment `row`'s details: a private one is its agent's alone (CLASS:PRIVATE in
/// their calendar: an Administrator or the team reading it there would read what the agent kept to themself),
/// and one with a lead needs the lead in the reader's scope.
pub(crate) fn row_visible(conn: &Connection, grant: &Grant, row: &AppointmentRow) -> Result<bool> {
    if row.private && grant.user_id != Some(row.agent_id) {
        return Ok(false);
    }
    Ok(visible(conn, grant, row.lead_id)? && merged_from_visible_leads(conn, grant, row)?)
}

/// Whether the merges that brought appointment `row` to its lead took it from leads the reader may see. A meeting
/// booked with another campaign's lead, merged into one of the reader's, stays that campaign's business, as that
/// lead's activities do: its title, place, notes and attendees were read (and it could be changed) by the
/// survivor's team.
fn merged_from_visible_leads(conn: &Connection, grant: &Grant, row: &AppointmentRow) -> Result<bool> {
    let Some(mut at) = row.lead_id else { return Ok(true) };
    if grant.lead_scope() == crate::access::LeadScope::All {
        return Ok(true);
    }
    for (reason, source, old, new) in crate::audit::store::field_changes(conn, "appointment", row.id, "lead")? {
        let lead_of = |v: Option<String>| v.and_then(|v| v.trim().parse::<i64>().ok());
        // The link as the merges left it: a later re-link (an unmerge, logged as a merge's; an edit) is the lead's
        // own, as booked.
        let merged_in =
            reason == Some(crate::audit::ChangeReason::Merge) && !crate::duplicates::store::is_unmerge_source(&source);
        if !merged_in || lead_of(new) != Some(at) {
            break;
        }
        let Some(from) = lead_of(old) else { break };
        if crate::duplicates::seen_through_merges(conn, grant, from)?.is_none() {
            return Ok(false);
        }
        at = from;
    }
    Ok(true)
}

/// Appointment `id`'s change history as `grant` may read it on a lead's timeline, newest first: only what was
/// written while it was with a lead the reader may see (or with none). A meeting re-linked from another
/// campaign's lead brings none of its past there (its title and notes were that lead's business), and the link's
/// old value is not named.
pub(crate) fn history_seen(conn: &Connection, grant: &Grant, id: i64) -> Result<Vec<crate::audit::store::ChangeEntry>> {
    // A private event's past is its agent's too: its titles and notes were what they kept to themself. So is
    // what was written while it was private, once it is not (made public, and given a lead).
    let row = store::get(conn, id)?;
    if row.as_ref().is_some_and(|r| r.private && grant.user_id != Some(r.agent_id)) {
        return Ok(Vec::new());
    }
    let own = row.as_ref().is_some_and(|r| grant.user_id == Some(r.agent_id));
    let mut private = false;
    let mut entries = crate::audit::store::history(conn, "appointment", id, 1000)?;
    entries.sort_by_key(|e| e.id);
    let lead_of = |v: &str| v.trim().parse::<i64>().ok();
    // A lead merged away since is seen as the lead it lives on in, when its campaign is the reader's: the
    // meeting's time with it is the survivor's history too.
    let seen = |lead: Option<i64>| -> Result<bool> {
        Ok(visible(conn, grant, lead)?
            || lead.map(|id| crate::duplicates::seen_through_merges(conn, grant, id)).transpose()?.flatten().is_some())
    };
    let mut lead: Option<i64> = None;
    let mut out = Vec::new();
    // Batch by batch: a save that re-links the meeting changes its lead and its other fields at once, and the
    // values it replaced were the earlier lead's.
    for batch in entries.chunk_by(|a, b| a.batch_id == b.batch_id) {
        let before = lead;
        let was_private = private;
        for e in batch {
            if e.field == "*" {
                let snapshot = e.new_value.as_deref().and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok());
                if let Some(v) = snapshot {
                    lead = v.get("lead").and_then(|l| l.as_str()).and_then(lead_of);
                    private = v.get("private").and_then(|p| p.as_str()) == Some("true");
                }
            } else if e.field == "lead" {
                lead = e.new_value.as_deref().and_then(lead_of);
            } else if e.field == "private" {
                private = e.new_value.as_deref() == Some("true");
            }
        }
        if !seen(lead)? || (private && !own) {
            continue;
        }
        let was_hidden = !seen(before)? || (was_private && !own);
        for mut e in batch.iter().cloned() {
            if was_hidden {
                e.old_value = None;
            }
            // An invitee who is a lead outside the reader's campaigns is named by address, without the lead's id
            // (as `view` shows them): a link to such a lead alone says nothing the reader may read.
            if e.field.starts_with("attendee:") {
                let mut hid = false;
                for value in [&mut e.old_value, &mut e.new_value] {
                    if let Some(other) = value.as_deref().and_then(lead_of) {
                        if !seen(Some(other))? {
                            *value = None;
                            hid = true;
                        }
                    }
                }
                let blank = |v: &Option<String>| v.as_deref().unwrap_or("").trim().is_empty();
                if hid && blank(&e.old_value) && blank(&e.new_value) {
                    continue;
                }
            }
            out.push(e);
        }
    }
    out.reverse();
    Ok(out)
}

fn source_of(s: &str) -> AppointmentSource {
    match s {
        "ics" => AppointmentSource::Ics,
        "caldav" => AppointmentSource::Caldav,
        _ => AppointmentSource::Rapport,
    }
}

/// "every week on Monday and Thursday, until 2027-06-30": the first rule of a repeating event in words.
pub(crate) fn repetition_words(event: &Event) -> Option<String> {
    let rule = event.rrules.first()?;
    let mut freq = "";
    let mut interval = 1u32;
    let mut days = Vec::new();
    let mut until = None;
    let mut count = None;
    for part in rule.split(';') {
        let Some((k, v)) = part.split_once('=') else { continue };
        match k.to_ascii_uppercase().as_str() {
            "FREQ" => freq = v,
            "INTERVAL" => interval = v.parse().unwrap_or(1),
            "BYDAY" => {
                for d in v.split(',') {
                    let name = match d.trim_start_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit()) {
                        "MO" => "Monday",
                        "TU" => "Tuesday",
                        "WE" => "Wednesday",
                        "TH" => "Thursday",
                        "FR" => "Friday",
                        "SA" => "Saturday",
                        "SU" => "Sunday",
                        _ => continue,
                    };
                    days.push(name);
                }
            }
            // The rule is stored as the file wrote it: a date that is not digits is not summarised (nor sliced).
            "UNTIL" => {
                until = v
                    .get(..8)
                    .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))
                    .map(|d| format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..8]))
            }
            "COUNT" => count = Some(v.to_owned()),
            _ => {}
        }
    }
    let unit = match freq.to_ascii_uppercase().as_str() {
        "DAILY" => "day",
        "WEEKLY" => "week",
        "MONTHLY" => "month",
        "YEARLY" => "year",
        "HOURLY" => "hour",
        _ => return Some(format!("repeats ({rule})")),
    };
    let mut text = if interval > 1 { format!("every {interval} {unit}s") } else { format!("every {unit}") };
    if !days.is_empty() {
        text.push_str(&format!(" on {}", days.join(", ")));
    }
    if let Some(u) = until {
        text.push_str(&format!(", until {u}"));
    }
    if let Some(c) = count {
        text.push_str(&format!(", {c} times"));
    }
    Some(text)
}

/// When a repeating meeting's last meeting ends: the series' end stored when it was written (read per view, a
/// long series was expanded again at every lead page), or a meeting of it moved later than that and still held;
/// a series cancelled "this and following" ends where that cancellation starts. None for one without end (and
/// not cut short so).
fn last_end(conn: &Connection, row: &AppointmentRow) -> Result<Option<String>> {
    if !row.repeats || row.recurrence_id.is_some() {
        return Ok(None);
    }
    let copies = store::by_uid(conn, row.agent_id, &row.uid)?;
    let cancelled = |r: &AppointmentRow| r.status == AppointmentStatus::Cancelled.as_str();
    let cut = copies
        .iter()
        .filter(|r| r.recurrence_id.is_some() && cancelled(r) && event_of(r).is_some_and(|e| e.this_and_future))
        .map(|r| r.start_utc.clone())
        .min();
    let moved = copies.iter().filter(|r| r.recurrence_id.is_some() && !cancelled(r)).filter_map(|r| r.end_utc.clone());
    let held = row.end_utc.clone().map(|end| moved.fold(end, std::cmp::max));
    Ok(match (held, cut) {
        (Some(end), Some(cut)) => Some(end.min(cut)),
        (end, cut) => end.or(cut),
    })
}

/// The view of a row the reader may see (callers check visibility first).
/// An appointment as `grant` may see it: an attendee who is a lead outside the reader's campaigns is shown by
/// the address the invite gave, without the lead's id.
pub(crate) fn view(conn: &Connection, grant: &Grant, row: &AppointmentRow) -> Result<Appointment> {
    let event = event_of(row);
    let tz = agent_zone(conn, row.agent_id)?;
    let floating = Zone::Iana(tz);
    let (start, end, all_day) = match &event {
        Some(e) if e.is_all_day() => {
            // The series' own first date, also when that meeting was deleted (an EXDATE on it, as Google
            // writes): it still started then, and this is a date, not the instant its midnight is in UTC.
            let mut from_its_start = e.clone();
            from_its_start.exdates.clear();
            from_its_start.exrules.clear();
            let first = rapport_ics::expand(
                std::slice::from_ref(&from_its_start),
                e.start.to_utc(&floating) - chrono::Duration::days(1),
                e.start.to_utc(&floating) + chrono::Duration::days(2),
                &floating,
            );
            match first.occurrences.first() {
                Some(o) => (o.start.to_text(), o.end.to_text(), true),
                None => (row.start_utc.clone(), row.end_utc.clone().unwrap_or_default(), true),
            }
        }
        Some(e) => {
            let start = e.start.to_utc(&floating);
            let zone = e.zone().cloned().unwrap_or(Zone::Floating);
            let end = e.length.end_after(e.start.wall(), start, &zone, &floating);
            (utc_text(start), utc_text(end), false)
        }
        None => (row.start_utc.clone(), row.end_utc.clone().unwrap_or_default(), false),
    };
    let lead_name = match row.lead_id {
        Some(id) => {
            crate::leads::store::get(conn, id)?.map(|l| format!("{} {}", l.first_name, l.last_name).trim().to_owned())
        }
        None => None,
    };
    Ok(Appointment {
        id: row.id,
        uid: row.uid.clone(),
        agent_id: row.agent_id,
        agent_name: store::user_name(conn, row.agent_id)?.unwrap_or_default(),
        lead_id: row.lead_id,
        lead_name,
        title: row.title.clone(),
        location: row.location.clone(),
        video_url: row.video_url.clone(),
        notes: row.notes.clone(),
        status: AppointmentStatus::parse(&row.status).unwrap_or(AppointmentStatus::Confirmed),
        confirmation: Confirmation::parse(&row.confirmation).unwrap_or(Confirmation::ToSend),
        start,
        end,
        all_day,
        time_zone: row.time_zone.clone(),
        repeats: row.repeats,
        repetition: event.as_ref().and_then(repetition_words),
        last_end: last_end(conn, row)?,
        source: source_of(&row.source),
        clash: row.clash.clone(),
        attendees: store::attendees(conn, row.id)?
            .into_iter()
            .map(|a| {
                let lead_id = match a.lead_id {
                    Some(id) if !visible(conn, grant, Some(id))? => lead_seen_by(conn, grant, &a.email)?,
                    linked => linked,
                };
                Ok(super::Attendee { lead_id, ..a })
            })
            .collect::<Result<Vec<_>>>()?,
        sync_pending: row.sync_pending,
        created_at: row.created_at.clone(),
        updated_at: row.updated_at.clone(),
        version: row.version,
        may_change: grant.require(crate::access::Permission::WriteLeads).is_ok()
            && super::agents::may_change(grant, row.agent_id, row.lead_id, &row.source).is_ok(),
        private: row.private,
    })
}

pub(crate) fn not_found(id: i64) -> Error {
    Error::NotFound { entity: "appointment", id: id.to_string() }
}

/// The UID a reader who may not see an appointment is given for it: the same for a series and its changed
/// instances (so a calendar reading the export still pairs them), and telling nothing of the original.
pub(crate) fn hidden_uid(uid: &str) -> String {
    use sha2::Digest as _;
    let digest = format!("{:x}", sha2::Sha256::digest(uid.as_bytes()));
    format!("busy-{}@rapport", &digest[..24])
}

/// The row, if the reader may see it.
pub(crate) fn visible_row(conn: &Connection, grant: &Grant, id: i64) -> Result<AppointmentRow> {
    let row = store::get(conn, id)?.ok_or_else(|| not_found(id))?;
    if row_visible(conn, grant, &row)? {
        Ok(row)
    } else {
        Err(not_found(id))
    }
}

impl Rapport {
    pub fn appointment(&self, actor: &Actor, id: i64) -> Result<Appointment> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            view(conn, &grant, &visible_row(conn, &grant, id)?)
        })
    }

    pub fn lead_appointments(&self, actor: &Actor, lead_id: i64) -> Result<Vec<Appointment>> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            crate::leads::api::visible_lead(conn, &grant, lead_id)?;
            let rows = store::by_lead(conn, lead_id)?;
            // A changed instance is shown by its series when the lead has that series; one the lead was invited
            // to alone (the invite carried only that meeting) is shown itself.
            let series_listed = |r: &store::AppointmentRow| {
                rows.iter().any(|s| s.recurrence_id.is_none() && s.uid == r.uid && s.agent_id == r.agent_id)
            };
            let mut out = Vec::new();
            for r in rows.iter().filter(|r| r.recurrence_id.is_none() || !series_listed(r)) {
                // Another agent's private event with this lead (an invite from their calendar) is theirs; one
                // merged in from another campaign's lead is that campaign's.
                if row_visible(conn, &grant, r)? {
                    out.push(view(conn, &grant, r)?);
                }
            }
            Ok(out)
        })
    }

    /// Occurrences of the agents' appointments overlapping [from, to) (every agent with appointments when
    /// `agent_ids` is empty), repetitions expanded, sorted by start. Appointments with a lead outside the
    /// reader's campaigns show only as busy time.
    pub fn occurrences(&self, actor: &Actor, agent_ids: &[i64], from: &str, to: &str) -> Result<Vec<Occurrence>> {
        let from = super::time::parse_instant("from", from)?;
        let to = super::time::parse_instant("to", to)?;
        if to <= from {
            return Err(crate::leads::ValidationErrors::one("to", "the window ends after it starts").into());
        }
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            let writes = grant.require(Permission::WriteLeads).is_ok();
            let agents = if agent_ids.is_empty() { store::agents_with_appointments(conn)? } else { agent_ids.to_vec() };
            let mut out = Vec::new();
            for agent in agents {
                let tz = agent_zone(conn, agent)?;
                let rows = store::overlapping(conn, agent, &utc_text(from), &utc_text(to))?;
                // Visibility is a lead lookup: once per appointment, not once per occurrence of a series.
                let mut shown_by_row: std::collections::HashMap<i64, bool> = std::collections::HashMap::new();
                for e in expand_rows(&rows, from, to, tz) {
                    let shown = match shown_by_row.get(&e.row.id) {
                        Some(s) => *s,
                        None => {
                            let s = row_visible(conn, &grant, e.row)?;
                            shown_by_row.insert(e.row.id, s);
                            s
                        }
                    };
                    out.push(Occurrence {
                        appointment_id: e.row.id,
                        // Another tool's UID often carries a name, an address or a booking's slug.
                        uid: if shown { e.row.uid.clone() } else { hidden_uid(&e.row.uid) },
                        agent_id: agent,
                        summary: if shown { e.row.title.clone() } else { "Busy".into() },
                        start: e.start.to_text(),
                        end: e.end.to_text(),
                        all_day: matches!(e.start, When::Date(_)),
                        status: AppointmentStatus::parse(&e.row.status).unwrap_or(AppointmentStatus::Confirmed),
                        busy: e.busy,
                        lead_id: if shown { e.row.lead_id } else { None },
                        clash: if shown { e.row.clash.clone() } else { None },
                        repeats: e.row.repeats || e.row.recurrence_id.is_some(),
                        hidden: !shown,
                        may_change: shown
                            && writes
                            && super::agents::may_change(&grant, e.row.agent_id, e.row.lead_id, &e.row.source).is_ok(),
                        private: shown && e.row.private,
                    });
                }
            }
            out.sort_by(|a, b| {
                let key = |o: &Occurrence| {
                    parse_db_time(&o.start).map(utc_text).unwrap_or_else(|| format!("{}T00:00:00Z", o.start))
                };
                (key(a), a.appointment_id).cmp(&(key(b), b.appointment_id))
            });
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by review: the rule is stored as the file wrote it, and a letter inside its UNTIL date was sliced
    /// through, so every view of the appointment failed.
    #[test]
    fn a_rule_with_a_mangled_until_date_is_put_in_words_without_it() {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260105T100000Z\r\n\
                   RRULE:FREQ=WEEKLY;UNTIL=202\u{e9}0101\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let cal = rapport_ics::read(ics.as_bytes());
        let event = cal.events.first().unwrap_or_else(|| panic!("{:?}", cal.problems));
        assert_eq!(repetition_words(event).as_deref(), Some("every week"));
        let ics = ics.replace("202\u{e9}0101", "20270630");
        let cal = rapport_ics::read(ics.as_bytes());
        let event = cal.events.first().unwrap_or_else(|| panic!("{:?}", cal.problems));
        assert_eq!(repetition_words(event).as_deref(), Some("every week, until 2027-06-30"));
    }
}
