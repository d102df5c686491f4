//! Exporting .ics: an invite for one appointment (METHOD:REQUEST, or CANCEL once cancelled, with organizer,
//! attendees and a VTIMEZONE) and an agent's whole calendar.
use rapport_ics::{Event, Person};
use rusqlite::Connection;

use super::occurrences::{event_of, row_visible, visible_row};
use super::store::{self, AppointmentRow};
use crate::access::{Actor, Permission};
use crate::error::Result;
use crate::rapport::Rapport;

/// The stored definition with what was changed in Rapport since (title, place, notes, status).
fn export_event(conn: &Connection, row: &AppointmentRow) -> Result<Option<Event>> {
    let Some(mut e) = event_of(row) else { return Ok(None) };
    e.summary = Some(row.title.clone());
    e.location = Some(row.location.clone()).filter(|s| !s.is_empty());
    e.description = Some(row.notes.clone()).filter(|s| !s.is_empty());
    e.url = Some(row.video_url.clone()).filter(|s| !s.is_empty());
    e.status = Some(
        match row.status.as_str() {
            "cancelled" => "CANCELLED",
            "proposed" => "TENTATIVE",
            _ => "CONFIRMED",
        }
        .to_owned(),
    );
    e.sequence = e.sequence.max(row.sequence);
    // A meeting someone else organized keeps its people as its organizer sent them: the agent among them, each
    // with their answer, and the organizer once. Written from the people matched to leads here, the agent was
    // dropped and the organizer listed as an attendee still to answer.
    let theirs = row.source != "rapport" && (e.organizer.is_some() || !e.attendees.is_empty());
    if e.organizer.is_none() && row.recurrence_id.is_some() {
        // A moved meeting of a series is its organizer's too, though its own copy may not say so.
        e.organizer = store::by_uid(conn, row.agent_id, &row.uid)?
            .iter()
            .filter(|r| r.recurrence_id.is_none())
            .find_map(|master| event_of(master).and_then(|m| m.organizer));
    }
    if e.organizer.is_none() {
        let agent = super::agents::load(conn, row.agent_id)?;
        if !agent.email.is_empty() {
            e.organizer = Some(Person { email: agent.email, name: Some(agent.display_name), status: None });
        }
    }
    if !theirs {
        e.attendees = store::attendees(conn, row.id)?
            .into_iter()
            .map(|a| Person {
                email: a.email,
                name: Some(a.name).filter(|n| !n.is_empty()),
                status: Some(a.response).filter(|r| !r.is_empty()).or_else(|| Some("NEEDS-ACTION".into())),
            })
            .collect();
    }
    Ok(Some(e))
}

impl Rapport {
    /// An invite for appointment `id` (its overrides included when it repeats).
    pub fn export_invite(&self, actor: &Actor, id: i64) -> Result<String> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            let row = visible_row(conn, &grant, id)?;
            // One instance of a series cancelled: the cancellation of that instance alone (RFC 5546 3.2.5, with
            // its RECURRENCE-ID). The series beside it in a CANCEL would cancel every meeting at the receiver's.
            if row.recurrence_id.is_some() && row.status == "cancelled" {
                let events: Vec<_> = export_event(conn, &row)?.into_iter().collect();
                return Ok(rapport_ics::write_calendar(Some("CANCEL"), None, &events, chrono::Utc::now()));
            }
            let mut events = Vec::new();
            let mut left_out = Vec::new();
            for r in store::by_uid(conn, row.agent_id, &row.uid)? {
                // A changed instance may have been given a lead the reader may not see: it stays out, and the
                // series says it has no instance then (else the receiver would make one from the rule).
                if !row_visible(conn, &grant, &r)? {
                    left_out.extend(event_of(&r).and_then(|e| e.recurrence_id));
                    continue;
                }
                if let Some(e) = export_event(conn, &r)? {
                    events.push(e);
                }
            }
            if let Some(series) = events.iter_mut().find(|e| e.recurrence_id.is_none()) {
                series.exdates.extend(left_out);
            }
            // A request is answered to its organizer: without one (an agent with no email in their calendar
            // settings), mail programs do not take it as an invitation, so it is published as an event.
            let organized = events.iter().all(|e| e.organizer.is_some());
            let method = match (row.status == "cancelled", organized) {
                (true, _) => "CANCEL",
                (false, true) => "REQUEST",
                (false, false) => "PUBLISH",
            };
            Ok(rapport_ics::write_calendar(Some(method), None, &events, chrono::Utc::now()))
        })
    }

    /// An agent's calendar as one file; appointments with a lead outside the reader's campaigns, and the agent's
    /// private ones to anyone else, appear as busy time without details.
    pub fn export_agent_calendar(&self, actor: &Actor, agent_id: i64) -> Result<String> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            let agent = super::agents::load(conn, agent_id)?;
            let rows = store::of_agent(conn, agent_id)?;
            // A series the reader sees keeps its UID on an instance they may not see, which is Busy time in the
            // series' place (paired by its RECURRENCE-ID): under another UID it paired with nothing, and calendar
            // programs made the series' own meeting of that day from the rule too. A series they may not see
            // takes another UID, all its instances with it (its UID may say whom it is with).
            let mut series_shown: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
            for row in rows.iter().filter(|r| r.recurrence_id.is_none()) {
                series_shown.insert(row.uid.as_str(), row_visible(conn, &grant, row)?);
            }
            let mut events = Vec::new();
            for row in &rows {
                let Some(mut e) = export_event(conn, row)? else { continue };
                let shown = row_visible(conn, &grant, row)?;
                if !shown {
                    e.summary = Some("Busy".into());
                    e.description = None;
                    e.location = None;
                    e.url = None;
                    e.attendees.clear();
                    // An invite's organizer may be the lead: named by nothing else here, not by that either.
                    e.organizer = None;
                }
                if !series_shown.get(row.uid.as_str()).copied().unwrap_or(shown) {
                    e.uid = super::occurrences::hidden_uid(&row.uid);
                }
                events.push(e);
            }
            Ok(rapport_ics::write_calendar(Some("PUBLISH"), Some(&agent.display_name), &events, chrono::Utc::now()))
        })
    }
}
