//! Importing .ics files: each file in one transaction; events read by `rapport-ics` (a malformed event is
//! reported with its line, the others are imported). An invite found again by its UID updates its
//! appointment (when its SEQUENCE is not older), a cancellation cancels it, and the same file imported twice
//! changes nothing. Attendees are matched to leads by normalized email. An event that overlaps the agent's
//! other appointments is imported and flagged with the clash, never silently double-booked.
use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use rapport_ics::{Event, When, Zone};
use rusqlite::Transaction;
use serde::{Deserialize, Serialize};

use super::booking::{derive, log_changes, log_creation};
use super::model::{AppointmentStatus, Attendee, Confirmation, IcsFileReport, IcsProblem, UnknownAttendee};
use super::occurrences::{busy_between, declined_by, event_of, visible, visible_row};
use super::store::{self, AppointmentRow};
use super::time::{span_words, utc_text};
use crate::access::{Actor, Grant, Permission};
use crate::audit::store as changelog;
use crate::audit::{ChangeReason, Origin};
use crate::error::{Error, Result};
use crate::leads::{LeadInput, ValidationErrors};
use crate::rapport::Rapport;

/// How far ahead imported events are checked for clashes: double booking matters from now on.
pub const CLASH_HORIZON_DAYS: i64 = 730;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IcsFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

fn status_of(event: &Event, cancel: bool) -> AppointmentStatus {
    if cancel {
        return AppointmentStatus::Cancelled;
    }
    match event.status.as_deref() {
        Some("CANCELLED") => AppointmentStatus::Cancelled,
        Some("TENTATIVE") => AppointmentStatus::Proposed,
        _ => AppointmentStatus::Confirmed,
    }
}

/// The instance a RECURRENCE-ID names, as stored. A floating one is a wall time of the event's own zone (as the
/// expansion reads it), so a later CANCEL naming the instance with its TZID finds the same key.
pub(crate) fn rid_text(event: &Event, tz: Tz) -> Option<String> {
    let own = event.zone().filter(|z| !matches!(z, Zone::Floating)).cloned().unwrap_or(Zone::Iana(tz));
    event.recurrence_id.as_ref().map(|m| match m {
        rapport_ics::Moment::Date(d) => d.format("%Y-%m-%d").to_string(),
        other => utc_text(other.to_utc(&own)),
    })
}

/// Busy intervals known while a file is imported, for clash checks: the agent's, then the file's own.
type BusyEntry = (DateTime<Utc>, String, String);

pub(crate) struct BusyIndex {
    /// (start, insertion number) → (end, UID, how the clash is named).
    by_start: BTreeMap<(DateTime<Utc>, u64), BusyEntry>,
    longest: Duration,
    next: u64,
}

impl BusyIndex {
    /// The agent's busy times in `window`, named as the reader may see them (for a refusal said to them now).
    pub(crate) fn of_agent(
        conn: &rusqlite::Connection,
        grant: &Grant,
        agent_id: i64,
        tz: Tz,
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Self> {
        Self::named(conn, Some(grant), agent_id, tz, window)
    }

    /// The agent's busy times in `window`, named as every reader of the calendar may see them: the clash notes
    /// an import stores are shown to whoever opens the appointment later, not only to the importer, so an
    /// appointment with a lead (of a campaign a later reader may not see) is not named.
    pub(crate) fn for_notes(
        conn: &rusqlite::Connection,
        agent_id: i64,
        tz: Tz,
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Self> {
        Self::named(conn, None, agent_id, tz, window)
    }

    fn named(
        conn: &rusqlite::Connection,
        grant: Option<&Grant>,
        agent_id: i64,
        tz: Tz,
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Self> {
        let mut busy = BusyIndex { by_start: BTreeMap::new(), longest: Duration::zero(), next: 0 };
        let mut shown: std::collections::HashMap<i64, bool> = std::collections::HashMap::new();
        for b in busy_between(conn, agent_id, tz, window.0, window.1)? {
            // Once per appointment: a weekly series has a hundred occurrences in two years.
            let visible_here = match shown.get(&b.appointment_id) {
                Some(v) => *v,
                None => {
                    let v = match grant {
                        Some(grant) => {
                            !(b.private && grant.user_id != Some(agent_id)) && visible(conn, grant, b.lead_id)?
                        }
                        None => b.lead_id.is_none() && !b.private,
                    };
                    shown.insert(b.appointment_id, v);
                    v
                }
            };
            let name = if visible_here { format!("“{}”", b.title) } else { "another appointment".into() };
            busy.add(b.start, b.end, &b.uid, name);
        }
        Ok(busy)
    }

    fn add(&mut self, start: DateTime<Utc>, end: DateTime<Utc>, uid: &str, title: String) {
        self.longest = self.longest.max(end - start);
        self.next += 1;
        self.by_start.insert((start, self.next), (end, uid.to_owned(), title));
    }

    pub(crate) fn clash(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        uid: &str,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>, &str)> {
        let from = (start - self.longest, 0);
        let to = (end, 0);
        self.by_start
            .range(from..to)
            .find(|((s, _), (e, u, _))| u != uid && *s < end && *e > start)
            .map(|((s, _), (e, _, t))| (*s, *e, t.as_str()))
    }
}

impl Rapport {
    /// Imports each file into `agent_id`'s calendar (the actor's own when `None`).
    pub fn import_ics(&self, actor: &Actor, files: &[IcsFile], agent_id: Option<i64>) -> Result<Vec<IcsFileReport>> {
        // Oldest copies first (an invite, then its update, then its cancellation, however the files were picked
        // or dropped): a cancellation read before its invite found nothing to cancel, and the invite then stood.
        // Each file's report keeps its place in the order given.
        // Reading is pure and may take a while on a large file: each file is read once, before any write lock.
        let mut read: Vec<Option<rapport_ics::Calendar>> =
            files.iter().map(|f| Some(rapport_ics::read(&f.bytes))).collect();
        let mut order: Vec<usize> = (0..files.len()).collect();
        order.sort_by_key(|&i| read[i].as_ref().and_then(oldest_copy));
        let mut reports: Vec<Option<IcsFileReport>> = files.iter().map(|_| None).collect();
        for i in order {
            let Some(calendar) = read[i].take() else { continue };
            reports[i] = Some(self.import_ics_file(actor, &files[i], calendar, agent_id)?);
        }
        Ok(reports.into_iter().flatten().collect())
    }

    fn import_ics_file(
        &self,
        actor: &Actor,
        file: &IcsFile,
        calendar: rapport_ics::Calendar,
        agent_id: Option<i64>,
    ) -> Result<IcsFileReport> {
        let mut report = IcsFileReport { file: file.name.clone(), ..Default::default() };
        report.problems = calendar
            .problems
            .iter()
            .map(|p| IcsProblem {
                line: p.line as u32,
                message: p.message.clone(),
                event: calendar.unread_events.contains(&p.line),
            })
            .collect();
        report.warnings = calendar.warnings.clone();
        // An answer to an invitation (an attendee's acceptance, a counter-proposal, a request for the latest
        // version) carries one attendee and little else: read as an invitation, it would strip the appointment's
        // other attendees and notes, and end a series. Each calendar of a file says what it is (a mail client may
        // save a thread's invitations, answers and cancellations as one file).
        let answers = |e: &&Event| {
            e.method.as_deref().is_some_and(|m| matches!(m, "REPLY" | "COUNTER" | "REFRESH" | "DECLINECOUNTER"))
        };
        let mut answered: Vec<&str> =
            calendar.events.iter().filter(answers).filter_map(|e| e.method.as_deref()).collect();
        answered.sort_unstable();
        answered.dedup();
        for m in &answered {
            report.warnings.push(format!(
                "this file answers an invitation (METHOD:{m}) rather than sending one: no appointment was changed by it"
            ));
        }
        let events: Vec<&Event> = calendar.events.iter().filter(|e| !answers(e)).collect();
        if events.is_empty() && !answered.is_empty() {
            return Ok(report);
        }
        let origin = Origin::import(file.name.clone());
        let now = self.now_utc();

        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let agent_id = agent_id.or(grant.user_id).ok_or_else(|| {
                Error::from(ValidationErrors::one("agent", "choose the agent whose calendar the file goes into"))
            })?;
            // An imported invite is kept even when it clashes (it exists on the inviter's side already), so only
            // the agent or an Administrator puts one in an agent's calendar.
            super::agents::may_manage(&grant, agent_id)?;
            // A deactivated agent's calendar still takes an Administrator's import: the cancellations and
            // reschedules of what it holds must land. One that never held any (a Viewer) takes none: booking
            // refuses them, and an import put meetings there nobody would attend.
            let agent = match super::agents::load_bookable(tx, agent_id) {
                Ok(agent) => agent,
                Err(refused) if super::store::of_agent(tx, agent_id)?.is_empty() => return Err(refused),
                Err(_) => super::agents::load(tx, agent_id)?,
            };
            let tz: Tz = agent.time_zone.parse().unwrap_or(Tz::UTC);
            let horizon = (now, now + Duration::days(CLASH_HORIZON_DAYS));
            let mut busy = BusyIndex::for_notes(tx, agent_id, tz, horizon)?;
            let batch = self.begin_batch(tx, &grant, &origin)?;
            let mut wrote = false;

            // Masters first, so a series exists before its overrides; a series' cancellation after them, so that
            // it finds the single meetings invited before it in the same file; then by UID for a stable order;
            // then the copies of one event oldest first (a mail thread saved as one file, files joined, or given
            // in any order): the newest version, a cancellation say, is the one that stands. (A series asked for
            // again after its cancellation, newer, still stands: the cancellation is then older than it.)
            let mut order = events.clone();
            let phase = |e: &Event| match (e.recurrence_id.is_some(), e.method.as_deref() == Some("CANCEL")) {
                (false, false) => 0,
                (true, _) => 1,
                (false, true) => 2,
            };
            order.sort_by_cached_key(|e| (phase(e), e.uid.clone(), e.sequence, written_at(e)));
            let mut cx = Upsert {
                grant: &grant,
                agent: &agent,
                tz,
                horizon,
                busy: &mut busy,
                batch: &batch,
                source: "ics",
                conflict: None,
                changed_instances: events.iter().filter(|e| e.recurrence_id.is_some()).map(|e| (*e).clone()).collect(),
                overridden: Vec::new(),
                kept: Vec::new(),
                hidden_changed: Vec::new(),
            };
            for incoming in order {
                let cancel = incoming.method.as_deref() == Some("CANCEL");
                wrote |= self.upsert_event(tx, &mut cx, incoming, cancel, None, &mut report)?.1;
            }
            if agent.email.is_empty() && events.iter().any(|e| e.organizer.is_some() || !e.attendees.is_empty()) {
                // Without it the agent's own address is one more unknown person of each invite (offered as a
                // lead), and a meeting they declined on their phone is not known as declined.
                report.warnings.push(format!(
                    "{} has no email address in the calendar settings: their own address cannot be told from the \
                     other people of an invite (it may be among the attendees listed), nor a meeting they declined. \
                     Set it in the calendar settings.",
                    agent.display_name
                ));
            }
            if !wrote {
                // Nothing changed: leave no empty batch behind.
                crate::audit::store::discard_empty(tx, &batch)?;
            }
            Ok::<_, Error>(())
        })?;
        Ok(report)
    }

    /// Attendees and organizer (other than the agent) with the lead each address belongs to, and the lead
    /// the appointment is with: the first address that matches a lead the actor may see.
    fn match_attendees(
        &self,
        tx: &Transaction<'_>,
        grant: &Grant,
        event: &Event,
        agent_email: &str,
    ) -> Result<(Vec<Attendee>, Option<i64>)> {
        let mut out: Vec<Attendee> = Vec::new();
        let mut lead = None;
        let people = event.organizer.iter().chain(event.attendees.iter());
        for p in people {
            let email = match crate::leads::normalize_email(&p.email) {
                Ok(e) => e,
                Err(_) => continue,
            };
            if email.eq_ignore_ascii_case(agent_email) || out.iter().any(|a| a.email.eq_ignore_ascii_case(&email)) {
                continue;
            }
            let mut lead_id = None;
            for id in crate::leads::store::with_email(tx, &email)? {
                if visible(tx, grant, Some(id))? {
                    lead_id = Some(id);
                    break;
                }
            }
            lead = lead.or(lead_id);
            let colleague = store::colleague_named(tx, &email)?;
            out.push(Attendee {
                email,
                name: p.name.clone().unwrap_or_default(),
                response: p.status.clone().unwrap_or_default(),
                lead_id,
                colleague,
            });
        }
        Ok((out, lead))
    }

    /// Makes an invite's unknown attendee a Draft lead and links it to the appointment, in one step. Its campaign
    /// is `campaign` when given; otherwise the appointment's lead's, or, for a user who works on campaigns, their
    /// one campaign. One with several, and an appointment without a lead, is asked which (a validation error on
    /// `campaign`): a lead outside every campaign of theirs is one they could not see once made.
    pub fn create_lead_from_attendee(
        &self,
        actor: &Actor,
        appointment_id: i64,
        email: &str,
        campaign: Option<&str>,
    ) -> Result<i64> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let row = visible_row(tx, &grant, appointment_id)?;
            super::agents::may_change(&grant, row.agent_id, row.lead_id, &row.source)?;
            let attendee = store::attendees(tx, appointment_id)?
                .into_iter()
                .find(|a| a.email.eq_ignore_ascii_case(email.trim()))
                .ok_or_else(|| Error::NotFound { entity: "attendee", id: email.trim().to_owned() })?;
            if let Some(name) = &attendee.colleague {
                return Err(ValidationErrors::one(
                    "email",
                    format!("{} is {name}'s address in Rapport: a colleague, not a lead", attendee.email),
                )
                .into());
            }
            if let Some(existing) = attendee.lead_id {
                if visible(tx, &grant, Some(existing))? {
                    self.link_on_every_copy(tx, &grant, &row, &attendee.email, existing, None)?;
                    return Ok(existing);
                }
                // A lead of a campaign this user does not work on: they are answered as for an attendee who is
                // no lead at all (a refusal would tell them it exists), and get a lead of their own, which the
                // duplicate check puts before a steward. The stored link stays for those who may see it; the
                // invite shows this user theirs by its address.
            }
            // An address that is a lead already (made since the invite came): that lead, not a second one.
            for known in crate::leads::store::with_email(tx, &attendee.email)? {
                if visible(tx, &grant, Some(known))? {
                    self.link_on_every_copy(tx, &grant, &row, &attendee.email, known, None)?;
                    return Ok(known);
                }
            }
            let (first, last) = match attendee.name.trim().rsplit_once(' ') {
                Some((f, l)) => (f.trim().to_owned(), l.trim().to_owned()),
                None => (attendee.name.trim().to_owned(), String::new()),
            };
            let campaign = match campaign.map(str::trim).filter(|c| !c.is_empty()) {
                Some(chosen) => chosen.to_owned(),
                None => attendee_campaign(tx, &grant, row.lead_id)?,
            };
            let input = LeadInput {
                first_name: first,
                last_name: last,
                emails: vec![attendee.email.clone()],
                campaign,
                source_detail: format!("calendar invite: {}", row.title),
                ..Default::default()
            };
            let lead = crate::leads::api::Rules::load(tx)?.validate(tx, &input, &grant.lead_scope(), None)?;
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            let id = crate::leads::api::insert_logged(tx, &grant, &batch, &lead, crate::pipeline::Passage::Checked)?;
            self.index_and_check(tx, id, true, &batch)?;
            self.link_on_every_copy(tx, &grant, &row, &attendee.email, id, Some(batch))?;
            Ok(id)
        })
    }

    /// Links lead `lead` to the attendee `email` on every copy of `row`'s meeting in its agent's calendar (a
    /// series and its changed instances), and makes it the lead of those that have none: a moved instance left
    /// without would show in full to every campaign, and offer to make the attendee a lead again.
    fn link_on_every_copy(
        &self,
        tx: &Transaction<'_>,
        grant: &Grant,
        row: &AppointmentRow,
        email: &str,
        lead: i64,
        mut batch: Option<crate::audit::store::BatchId>,
    ) -> Result<()> {
        for copy in store::by_uid(tx, row.agent_id, &row.uid)? {
            let Some(attendee) =
                store::attendees(tx, copy.id)?.into_iter().find(|a| a.email.eq_ignore_ascii_case(email))
            else {
                continue;
            };
            if attendee.lead_id.is_none() || copy.lead_id.is_none() {
                let b = match &batch {
                    Some(b) => b.clone(),
                    None => batch.insert(self.begin_batch(tx, grant, &Origin::manual())?).clone(),
                };
                if attendee.lead_id.is_none() {
                    let linked = Attendee { lead_id: Some(lead), ..attendee.clone() };
                    super::booking::log_attendees(tx, &b, copy.id, std::slice::from_ref(&attendee), &[linked])?;
                    store::link_attendee(tx, copy.id, &attendee.email, lead)?;
                }
                if copy.lead_id.is_none() {
                    let new = AppointmentRow { lead_id: Some(lead), ..copy.clone() };
                    log_changes(tx, &b, &copy, &new)?;
                    store::update(tx, &new, &b.at)?;
                }
            }
        }
        Ok(())
    }
}

/// The campaign of a lead made from an attendee, when none was chosen: the meeting's lead's (colleagues of one
/// account meet together), else the user's only campaign. Everyone-seeing users may leave it empty, as the form.
fn attendee_campaign(conn: &rusqlite::Connection, grant: &Grant, meeting_lead: Option<i64>) -> Result<String> {
    let scope = grant.lead_scope();
    if let Some(lead) = meeting_lead.map(|id| crate::leads::store::get(conn, id)).transpose()?.flatten() {
        if !lead.campaign.trim().is_empty() && scope.allows_campaign(&lead.campaign) {
            return Ok(lead.campaign);
        }
    }
    match scope {
        crate::access::LeadScope::All => Ok(String::new()),
        crate::access::LeadScope::Campaigns(list) if list.len() == 1 => Ok(list[0].clone()),
        crate::access::LeadScope::Campaigns(list) => Err(crate::leads::ValidationErrors::one(
            "campaign",
            format!("choose the new lead's campaign: {}", list.join(", ")),
        )
        .into()),
    }
}

/// What importing one event needs from around it.
pub(crate) struct Upsert<'a> {
    pub grant: &'a Grant,
    pub agent: &'a super::model::AgentCalendar,
    pub tz: Tz,
    pub horizon: (DateTime<Utc>, DateTime<Utc>),
    pub busy: &'a mut BusyIndex,
    pub batch: &'a crate::audit::store::BatchId,
    /// "ics" or "caldav".
    pub source: &'static str,
    /// The event is the server's copy of a resource changed on both sides (the server refused Rapport's send).
    /// The CRM is the master record (seed 2.3): a row with a change of its own waiting keeps it, and the server's
    /// values it replaces are written into its history in this batch; it is sent over the server's copy at the
    /// next sync. A row of the resource without a change of its own takes the server's, as always.
    pub conflict: Option<&'a crate::audit::store::BatchId>,
    /// The changed instances the file (or the server's resource) holds: a series' clashes are those of its
    /// occurrences as changed, not of the times its changed or cancelled instances no longer take.
    pub changed_instances: Vec<Event>,
    /// The rows whose server values were replaced so.
    pub overridden: Vec<i64>,
    /// The rows with a change of their own that met the server's copy and took its ETag (overridden or not).
    pub kept: Vec<i64>,
    /// The rows of meetings with a lead the reader may not see whose server copy was changed there (moved on the
    /// agent's phone): not taken, as the meeting is not theirs to change; marked to send Rapport's copy back over
    /// it, or the two would differ unseen from then on (and its old time count as busy here).
    pub hidden_changed: Vec<i64>,
}

impl Rapport {
    /// Creates, updates, cancels or leaves one event's appointment (by agent, UID and RECURRENCE-ID), with
    /// its clashes flagged. Returns the appointment's id (when there is one) and whether anything was written.
    pub(crate) fn upsert_event(
        &self,
        tx: &Transaction<'_>,
        cx: &mut Upsert<'_>,
        incoming: &Event,
        cancel: bool,
        remote: Option<(&str, &str)>,
        report: &mut IcsFileReport,
    ) -> Result<(Option<i64>, bool)> {
        let (grant, tz, horizon) = (cx.grant, cx.tz, cx.horizon);
        let agent_id = cx.agent.user_id;
        let floating = Zone::Iana(tz);
        let batch = cx.batch;
        let mut wrote = false;
        let mut event = incoming.clone();
        event.line = 0;
        event.warnings.clear();
        // A meeting the agent declined stays in their calendar (Google, Nextcloud) but is not their busy time.
        if declined_by(&event, &cx.agent.email) {
            event.busy = false;
        }
        let rid = rid_text(&event, tz);
        let same_uid = store::by_uid(tx, agent_id, &event.uid)?;
        let existing = same_uid.iter().find(|r| r.recurrence_id == rid).cloned();
        // A cancelled series takes its changed instances with it; a cancelled instance of a stored series is
        // kept as that instance, cancelled, in the series' place.
        let cancels_series = cancel && rid.is_none();
        let stored_series = same_uid.iter().find(|r| r.recurrence_id.is_none());
        let of_a_stored_series = rid.is_some() && stored_series.is_some();
        // A new changed instance of a series with a lead outside the reader's campaigns would cancel or move that
        // lead's meeting: not theirs to change, as the series itself is not.
        // The lead a new changed instance of a hidden series keeps: its series' (below).
        let mut inherited_lead: Option<i64> = None;
        if let (None, Some(_), Some(series)) = (&existing, &rid, stored_series) {
            if !visible(tx, grant, series.lead_id)? {
                // From the agent's calendar server, an occurrence of an invite of someone else's moved by its
                // organizer (or declined on a phone): its new time is taken, with what it is about as the series
                // has it and the series' lead, or the two calendars would differ unseen. A series booked in Rapport
                // is not (bookings do not repeat), and a file imported is the reader's to look at.
                match (remote, event_of(series)) {
                    (Some(_), Some(ours)) if series.source != "rapport" && !series.sync_pending => {
                        event = timing_of(
                            &event,
                            &Event { rrules: vec![], exrules: vec![], rdates: vec![], exdates: vec![], ..ours },
                        );
                        inherited_lead = series.lead_id;
                    }
                    _ => {
                        report
                            .warnings
                            .push(format!("event {} belongs to a lead outside your campaigns: skipped", event.uid));
                        return Ok((None, false));
                    }
                }
            }
        }
        if let Some(old) = &existing {
            if let (Some(_), Some((href, etag)), true) = (cx.conflict, remote, old.sync_pending) {
                // Rapport's version stays, to be sent with the server's ETag. A copy the same as the one sent
                // before was not changed there (another instance of the resource was): nothing to record. Also
                // for a lead outside the agent's campaigns: the copy is the agent's own calendar's, and skipping it
                // would leave the row to be refused at every sync.
                if !(event.sequence == old.sequence && same_stamp(&event, old)) {
                    keep_over_server(tx, cx, &event, old)?;
                }
                store::set_remote(tx, old.id, Some(href), Some(etag), true)?;
                cx.kept.push(old.id);
                report.appointment_ids.push(old.id);
                return Ok((Some(old.id), false));
            }
            // Never sent, and met on the server at an address of its own (an invite the server filed itself,
            // imported here from its file too; sent anew, it is refused as a UID the server holds): the row takes
            // that address, and the newer copy stands, as between two files. The same copy is in sync; Rapport's,
            // of a later version (changed here since), goes over the server's at the next sync; the server's,
            // newer (the organizer's update, the agent's answer on a phone), is taken as any server copy (below).
            if let (Some((href, etag)), None, true) = (remote, &old.remote_href, old.sync_pending) {
                let same = event.sequence == old.sequence && same_stamp(&event, old);
                let ours_newer =
                    event.sequence < old.sequence || (event.sequence == old.sequence && written_before(&event, old));
                if same || ours_newer {
                    store::set_remote(tx, old.id, Some(href), Some(etag), ours_newer)?;
                    report.unchanged += 1;
                    report.appointment_ids.push(old.id);
                    return Ok((Some(old.id), false));
                }
            }
            // From the server, the resource's ETag may have changed with another of its instances: the row
            // takes it, unless a change of its own waits to be sent (that one must meet the server's copy). Also
            // a row of a lead outside the agent's campaigns: a series is sent with its master's ETag.
            let hidden = !visible(tx, grant, old.lead_id)?;
            let mut timing_taken = false;
            if let (Some((href, etag)), false) = (remote, old.sync_pending) {
                let ours = event_of(old);
                let changed_there = hidden && ours.as_ref().is_none_or(|o| !same_time(&event, o, cx.horizon, tz));
                // Booked in Rapport, it is Rapport's to say (seed 2.3): the copy goes back over the move.
                let send_back = changed_there && old.source == "rapport";
                store::set_remote(tx, old.id, Some(href), Some(etag), send_back)?;
                if send_back {
                    cx.hidden_changed.push(old.id);
                    return Ok((existing_id_of(&existing), false));
                }
                // An invite of someone else's (its organizer moved it, or the agent declined it on a phone): its
                // new time, status and busy are taken, and what it is about stays as stored here.
                if let (true, Some(ours)) = (changed_there, ours) {
                    event = timing_of(&event, &ours);
                    timing_taken = true;
                }
            }
            if hidden && !timing_taken {
                // From the server, a copy with nothing new in its times (read again as another of its instances
                // changed) is simply as it was; a file imported is said to be left alone.
                if remote.is_none() {
                    report
                        .warnings
                        .push(format!("event {} belongs to a lead outside your campaigns: skipped", event.uid));
                }
                return Ok((existing_id_of(&existing), false));
            }
            // The very copy imported before (one SEQUENCE, one stamp): nothing new in it, and what was
            // changed here since (a cancellation, notes) stands.
            if event.sequence == old.sequence && same_stamp(&event, old) {
                // Stored before Rapport kept an event's class (migration 026): the same copy now tells that it is
                // private, which nothing else would, as the copy itself is not new.
                if event.is_private() && !old.private && event_of(old).is_some_and(|e| e.class.is_none()) {
                    learn_private(tx, cx.batch, old, &event)?;
                }
                count_unchanged(report, old.id);
                return Ok((existing_id_of(&existing), false));
            }
            let older =
                event.sequence < old.sequence || (event.sequence == old.sequence && written_before(&event, old));
            if older {
                count_unchanged(report, old.id);
                report.warnings.push(if event.sequence < old.sequence {
                    format!(
                        "“{}”: this file has an older version (SEQUENCE {} < {}): kept the newer one",
                        old.title, event.sequence, old.sequence
                    )
                } else {
                    format!("“{}”: this file is an earlier copy of the same version: kept the later one", old.title)
                });
                return Ok((existing_id_of(&existing), false));
            }
        }
        if cancels_series && existing.is_none() && same_uid.iter().any(|r| r.recurrence_id.is_some()) {
            // Invited to some meetings of a series only (Google sends those alone), then the series cancelled:
            // each of them is off. No series is made of the cancellation.
            let ids = cancel_instances(tx, cx, &same_uid, remote, report)?;
            report.cancelled += u32::try_from(ids.len()).unwrap_or(u32::MAX);
            report.appointment_ids.extend(&ids);
            return Ok((None, !ids.is_empty()));
        }
        if cancel && existing.is_none() && !of_a_stored_series {
            report.warnings.push(match event.summary.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(title) => {
                    format!("cancellation of “{title}” ({}): no such appointment in this calendar", event.uid)
                }
                // A cancellation need say nothing but which meeting (RFC 5546 3.2.5): no empty quotes for a title.
                None => format!("cancellation of {}: no such appointment in this calendar", event.uid),
            });
            return Ok((existing_id_of(&existing), false));
        }
        if cancel {
            // RFC 5546 3.2.5: a cancellation says the meeting is off and need say nothing else. It keeps what it
            // is about, its invitees, its repetition and its busy time as stored; only its status and version are
            // the cancellation's. Read as a new copy, a minimal CANCEL wiped the notes and ended a series, and
            // Outlook's ("Canceled: " before the title, the organizer's note as the description, marked free)
            // became the meeting, which set back to Confirmed stayed free.
            let series = stored_series.filter(|_| of_a_stored_series && existing.is_none());
            match (existing.as_ref().and_then(event_of), series.and_then(event_of)) {
                (Some(ours), _) => event = cancellation_of(&event, &ours),
                (None, Some(series)) => {
                    let one = Event { rrules: vec![], exrules: vec![], rdates: vec![], exdates: vec![], ..series };
                    let busy = one.busy;
                    event = Event { busy, ..cancellation_of(&event, &timing_of(&event, &one)) };
                }
                (None, None) if event.timed_by_series && event.recurrence_id.is_none() => {
                    report.warnings.push(format!(
                        "cancellation of “{}” names no time, and the appointment's own could not be read: not applied",
                        existing.as_ref().map_or(event.uid.as_str(), |o| o.title.as_str())
                    ));
                    return Ok((existing_id_of(&existing), false));
                }
                (None, None) => {}
            }
        }
        // Made private here, it stays so when a newer copy says nothing of its class (an organizer's update,
        // a file exported without one): only a copy that says PUBLIC makes it public again.
        if event.class.is_none() && existing.as_ref().is_some_and(|o| o.private) {
            event.class = Some("PRIVATE".to_owned());
        }
        // Rapport's export names the agent the organizer of a meeting whose copy named none (PUBLISH asks for
        // one): the agent's own calendar imported again (a backup restored) is no new organizer.
        if let Some(old) = existing.as_ref().and_then(event_of) {
            let agents_own = event
                .organizer
                .as_ref()
                .is_some_and(|o| !cx.agent.email.is_empty() && o.email.eq_ignore_ascii_case(&cx.agent.email));
            if old.organizer.is_none() && agents_own {
                event.organizer = None;
            }
        }
        let status = status_of(&event, cancel);
        let (mut attendees, lead_id) = self.match_attendees(tx, grant, &event, &cx.agent.email)?;
        if let Some(old) = &existing {
            keep_hidden_links(tx, grant, old.id, &mut attendees)?;
        } else if let (Some(_), Some(series)) = (inherited_lead, stored_series) {
            // A new occurrence of a hidden series: its invitees are linked to the leads the series' are.
            keep_hidden_links(tx, grant, series.id, &mut attendees)?;
        }
        let mut row = AppointmentRow {
            id: existing.as_ref().map_or(0, |r| r.id),
            uid: event.uid.clone(),
            recurrence_id: rid,
            agent_id,
            lead_id: existing.as_ref().and_then(|r| r.lead_id).or(inherited_lead).or(lead_id),
            title: event.summary.clone().unwrap_or_else(|| "(no title)".into()),
            location: event.location.clone().unwrap_or_default(),
            video_url: video_link(&event),
            notes: event.description.clone().unwrap_or_default(),
            status: status.as_str().to_owned(),
            event: String::new(),
            start_utc: String::new(),
            end_utc: None,
            repeats: false,
            busy: true,
            private: false,
            time_zone: None,
            sequence: 0,
            source: existing.as_ref().map_or_else(|| cx.source.to_owned(), |r| r.source.clone()),
            clash: existing.as_ref().and_then(|r| r.clash.clone()),
            confirmation: existing
                .as_ref()
                .map_or_else(|| Confirmation::ToSend.as_str().to_owned(), |r| r.confirmation.clone()),
            remote_href: existing.as_ref().and_then(|r| r.remote_href.clone()),
            remote_etag: existing.as_ref().and_then(|r| r.remote_etag.clone()),
            sync_pending: existing.as_ref().is_some_and(|r| r.sync_pending),
            created_at: existing.as_ref().map_or_else(|| batch.at.clone(), |r| r.created_at.clone()),
            updated_at: batch.at.clone(),
            version: existing.as_ref().map_or(1, |r| r.version),
        };
        derive(&mut row, &event, tz);
        // No-show and Completed are the rep's record of what happened; iCalendar has no word for them (they go
        // out as CONFIRMED), so a later copy of the same time saying CONFIRMED (the organizer's update, a reply)
        // keeps them. Moved, it is a meeting still to hold.
        let status = match existing.as_ref().and_then(|o| AppointmentStatus::parse(&o.status).map(|s| (o, s))) {
            Some((old, kept @ (AppointmentStatus::NoShow | AppointmentStatus::Completed)))
                if status == AppointmentStatus::Confirmed
                    && old.start_utc == row.start_utc
                    && old.end_utc == row.end_utc =>
            {
                row.status = kept.as_str().to_owned();
                kept
            }
            _ => status,
        };
        // Moved by the organizer (or on the agent's phone): the lead confirmed the old time, not this one, so it
        // is to be confirmed again, as a move made in Rapport is.
        if let Some(old) = existing.as_ref().filter(|o| o.start_utc != row.start_utc || o.end_utc != row.end_utc) {
            if old.confirmation != Confirmation::ToSend.as_str() {
                row.confirmation = Confirmation::ToSend.as_str().to_owned();
            }
        }

        // Clashes of its occurrences from now on, with the agent's appointments and the file's earlier
        // events. Unchanged events keep what they had, so a second import changes nothing.
        let unchanged = existing.as_ref().is_some_and(|old| same_content(old, &row));
        let mut occurrences = Vec::new();
        if status.holds_time() && event.busy {
            // The event as read (its line intact), so a warning names where it is.
            // A series with its changed instances beside it (which are checked each on its own), so that the times
            // they left are not taken for the series' own.
            let mut series = vec![incoming.clone()];
            if incoming.recurrence_id.is_none() && incoming.is_recurring() {
                series.extend(cx.changed_instances.iter().filter(|e| e.uid == incoming.uid).cloned());
            }
            let expansion = rapport_ics::expand(&series, horizon.0, horizon.1, &floating);
            report.warnings.extend(expansion.warnings);
            occurrences = expansion
                .occurrences
                .iter()
                // The series' own, and those a change "from here on" moved; not a changed instance's own time.
                .filter(|o| o.event == 0 || series.get(o.event).is_some_and(|e| e.this_and_future))
                .map(|o| (o.start.to_utc(&floating), o.end.to_utc(&floating), matches!(o.start, When::Date(_))))
                .collect();
        } else if incoming.is_recurring() {
            // Free (a trade fair, a holiday), cancelled or declined, it holds no time, but what its repetition
            // could not say is said all the same: it was kept as one meeting without a word.
            report
                .warnings
                .extend(rapport_ics::expand(std::slice::from_ref(incoming), horizon.0, horizon.1, &floating).warnings);
        }
        if !unchanged {
            row.clash = occurrences.iter().find_map(|(s, e, _)| {
                cx.busy.clash(*s, *e, &event.uid).map(|(cs, ce, title)| {
                    format!("overlaps {title} {} on {}", span_words(cs, ce, tz), span_words(*s, *e, tz))
                })
            });
            if let Some(c) = &row.clash {
                // Named as the reader sees it: "Busy" with a lead of a campaign that is not theirs.
                let name = if visible(tx, grant, row.lead_id)? { row.title.as_str() } else { "Busy" };
                report.clashes.push(format!("“{name}”: {c}"));
            }
        }
        for (s, e, _) in &occurrences {
            // Named in the notes of the file's other events only when no lead makes it a campaign's, and it is
            // not the agent's private business.
            let name = if row.lead_id.is_none() && !row.private {
                format!("“{}”", row.title)
            } else {
                "another appointment".into()
            };
            cx.busy.add(*s, *e, &event.uid, format!("{name} (same file)"));
        }

        // A later copy of an event this import met already (the file holds its versions oldest first: a mail
        // thread saved as one file): one appointment, counted once, as it was created or changed by the first.
        // It was "created 1, updated 1" for one meeting.
        let again = existing.as_ref().is_some_and(|old| report.appointment_ids.contains(&old.id));
        if let (true, Some(old), false) = (again, existing.as_ref(), status == AppointmentStatus::Cancelled) {
            report.warnings.push(if event.sequence > old.sequence {
                format!(
                    "“{}”: the file holds an older version too (SEQUENCE {} < {}): kept the newer one",
                    row.title, old.sequence, event.sequence
                )
            } else {
                format!("“{}”: the file holds an earlier copy of the same version too: kept the later one", row.title)
            });
        }
        // A cancelled series asked for again by a newer copy of it: what its cancellation took comes back.
        let reinstated = existing.as_ref().filter(|o| {
            o.recurrence_id.is_none()
                && o.status == AppointmentStatus::Cancelled.as_str()
                && !cancel
                && status.holds_time()
        });
        if let Some(old) = reinstated {
            wrote |= self.restore_instances(tx, cx, old, remote, report)?;
        }
        match existing {
            Some(old) if unchanged => count_unchanged(report, old.id),
            Some(old) => {
                row.sync_pending = remote.is_none()
                    && (row.sync_pending
                        || row.remote_href.is_some()
                        || store::caldav_account(tx, agent_id)?.is_some());
                log_changes(tx, batch, &old, &row)?;
                store::update(tx, &row, &batch.at)?;
                super::booking::log_attendees(tx, batch, row.id, &store::attendees(tx, row.id)?, &attendees)?;
                store::replace_attendees(tx, row.id, &attendees)?;
                if status == AppointmentStatus::Cancelled && old.status != row.status {
                    report.cancelled += 1;
                } else if !again {
                    report.updated += 1;
                }
                if !again {
                    report.appointment_ids.push(row.id);
                }
                wrote = true;
            }
            None => {
                row.sync_pending = remote.is_none() && store::caldav_account(tx, agent_id)?.is_some();
                row.id = store::insert(tx, &row)?;
                store::replace_attendees(tx, row.id, &attendees)?;
                // One meeting of a stored series, changed at the same time (a new room): the reminders given for
                // it are its own still, not to be given again.
                if let (Some(series), true) = (stored_series, of_a_stored_series) {
                    store::carry_reminders(tx, series.id, row.id, &row.start_utc)?;
                }
                log_creation(tx, batch, &row)?;
                super::booking::log_attendees(tx, batch, row.id, &[], &attendees)?;
                if status == AppointmentStatus::Cancelled && cancel {
                    report.cancelled += 1;
                } else {
                    report.created += 1;
                }
                report.appointment_ids.push(row.id);
                wrote = true;
            }
        }
        if cancels_series {
            wrote |= !cancel_instances(tx, cx, &same_uid, remote, report)?.is_empty();
        }
        if row.recurrence_id.is_none() && !cancel && status.holds_time() && event.is_recurring() {
            let same_uid = store::by_uid(tx, agent_id, &event.uid)?;
            wrote |= superseded_cancellations(tx, cx, &event, &same_uid)?;
        }
        for a in attendees.iter().filter(|a| a.lead_id.is_none() && a.colleague.is_none()) {
            report.unknown_attendees.push(UnknownAttendee {
                appointment_id: row.id,
                email: a.email.clone(),
                name: a.name.clone(),
            });
        }
        if let Some((href, etag)) = remote {
            // From the server: it is in sync by definition, whatever changed.
            store::set_remote(tx, row.id, Some(href), Some(etag), false)?;
        }
        Ok((Some(row.id), wrote))
    }
}

/// Cancels the stored changed instances among `same_uid` (rows of one UID) that the reader may change, as a
/// cancelled series takes them with it: the ids cancelled.
fn cancel_instances(
    tx: &Transaction<'_>,
    cx: &Upsert<'_>,
    same_uid: &[AppointmentRow],
    remote: Option<(&str, &str)>,
    report: &mut IcsFileReport,
) -> Result<Vec<i64>> {
    let cancelled = AppointmentStatus::Cancelled.as_str();
    let mut ids = Vec::new();
    for changed in same_uid.iter().filter(|r| r.recurrence_id.is_some() && r.status != cancelled) {
        // As the event itself would be: not the importer's to change.
        if !visible(tx, cx.grant, changed.lead_id)? {
            report.warnings.push(format!(
                "an instance of {} belongs to a lead outside your campaigns: not cancelled",
                changed.uid
            ));
            continue;
        }
        let at = &cx.batch.at;
        let mut new = AppointmentRow { status: cancelled.to_owned(), updated_at: at.clone(), ..changed.clone() };
        new.sync_pending = remote.is_none()
            && (new.sync_pending
                || new.remote_href.is_some()
                || store::caldav_account(tx, cx.agent.user_id)?.is_some());
        log_changes(tx, cx.batch, changed, &new)?;
        store::update(tx, &new, at)?;
        ids.push(changed.id);
    }
    Ok(ids)
}

impl Rapport {
    /// The changed instances that series `old`'s cancellation took (as the change log tells, unless their status
    /// changed since), given back the status they had, now that a newer copy asks for the series again: a moved
    /// meeting of it stayed cancelled in a series confirmed again. As a series set back in Rapport does.
    fn restore_instances(
        &self,
        tx: &Transaction<'_>,
        cx: &Upsert<'_>,
        old: &AppointmentRow,
        remote: Option<(&str, &str)>,
        report: &mut IcsFileReport,
    ) -> Result<bool> {
        let mut wrote = false;
        for (instance, was) in self.instances_cancelled_with(tx, cx.grant, old)? {
            let at = &cx.batch.at;
            let mut new =
                AppointmentRow { status: was.as_str().to_owned(), updated_at: at.clone(), ..instance.clone() };
            new.sync_pending = remote.is_none()
                && (new.sync_pending
                    || new.remote_href.is_some()
                    || store::caldav_account(tx, cx.agent.user_id)?.is_some());
            log_changes(tx, cx.batch, &instance, &new)?;
            store::update(tx, &new, at)?;
            if !report.appointment_ids.contains(&instance.id) {
                report.appointment_ids.push(instance.id);
            }
            wrote = true;
        }
        Ok(wrote)
    }
}

/// Cancellations of single meetings that a newer copy of their series (`master`) overrides: imported with a lower
/// SEQUENCE, not in the file or resource that brought the series, and of a meeting the series still holds (no
/// EXDATE drops it). RFC 5546 makes the newer copy of a series the whole of it, and organizers' programs write a
/// meeting they cancelled as an EXDATE of every later copy; a cancellation the series no longer says is gone,
/// and the meeting is the series' again. Each is removed with all of it in the change log. Not a cancellation
/// made here (the rep's), nor one waiting to be sent.
fn superseded_cancellations(
    tx: &Transaction<'_>,
    cx: &Upsert<'_>,
    master: &Event,
    same_uid: &[AppointmentRow],
) -> Result<bool> {
    let mut wrote = false;
    let cancelled = AppointmentStatus::Cancelled.as_str();
    for r in same_uid.iter().filter(|r| r.status == cancelled && !r.sync_pending) {
        let Some(rid) = r.recurrence_id.as_deref() else { continue };
        let Some(ours) = event_of(r) else { continue };
        // Cancelled by what an import or a sync brought (made cancelled, or set so later), not by someone in
        // Rapport.
        let cancelled_by = match changelog::last_change_to(tx, "appointment", r.id, "status", cancelled)? {
            Some(batch) => Some(batch),
            None => changelog::creation_batch(tx, "appointment", r.id)?,
        };
        let imported_cancel = match cancelled_by {
            Some(batch) => changelog::batch_reason(tx, batch)? == Some(ChangeReason::Import),
            None => false,
        };
        if !imported_cancel || ours.sequence >= master.sequence {
            continue;
        }
        let carried = cx.changed_instances.iter().any(|e| e.uid == r.uid && rid_text(e, cx.tz).as_deref() == Some(rid));
        if carried || !visible(tx, cx.grant, r.lead_id)? || !series_holds(master, rid, cx.tz) {
            continue;
        }
        super::booking::log_removal(tx, cx.batch, r)?;
        store::delete(tx, cx.batch, r.id)?;
        wrote = true;
    }
    Ok(wrote)
}

/// Whether series `master` has a meeting at stored RECURRENCE-ID `rid` (as [`rid_text`] writes it).
fn series_holds(master: &Event, rid: &str, tz: Tz) -> bool {
    let floating = Zone::Iana(tz);
    let at = match chrono::NaiveDate::parse_from_str(rid, "%Y-%m-%d") {
        Ok(day) => When::Date(day).to_utc(&floating),
        Err(_) => match DateTime::parse_from_rfc3339(rid) {
            Ok(t) => t.with_timezone(&Utc),
            Err(_) => return false,
        },
    };
    let series = Event { recurrence_id: None, ..master.clone() };
    let window = Duration::days(2);
    rapport_ics::expand(std::slice::from_ref(&series), at - window, at + window, &floating).occurrences.iter().any(
        |o| {
            let named = o.recurrence_id.unwrap_or(o.start);
            match named {
                When::Date(d) => d.format("%Y-%m-%d").to_string() == rid,
                When::Time(t) => utc_text(t) == rid,
            }
        },
    )
}

/// Services whose links are where a meeting is held.
const VIDEO_HOSTS: [&str; 12] = [
    "zoom.us",
    "zoom.com",
    "teams.microsoft.com",
    "teams.live.com",
    "meet.google.com",
    "webex.com",
    "gotomeeting.com",
    "meet.goto.com",
    "whereby.com",
    "meet.jit.si",
    "chime.aws",
    "bluejeans.com",
];

/// The meeting's video link: its URL, else the first link to a video-meeting service in its location or
/// description. Teams, Zoom and Meet invites carry the link only there (or in X- properties beside it), and a
/// rep opening the appointment found no way to join.
fn video_link(event: &Event) -> String {
    if let Some(url) = event.url.as_deref().map(str::trim).filter(|u| u.starts_with("http")) {
        return url.to_owned();
    }
    let texts = [event.location.as_deref(), event.description.as_deref()];
    texts
        .into_iter()
        .flatten()
        .flat_map(|t| t.split(|c: char| c.is_whitespace() || "<>\"'()[]|".contains(c)))
        .filter(|word| word.starts_with("https://"))
        .map(|word| word.trim_end_matches(['.', ',', ';', ':']))
        .find(|word| {
            url::Url::parse(word)
                .ok()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                .is_some_and(|host| VIDEO_HOSTS.iter().any(|h| host == *h || host.ends_with(&format!(".{h}"))))
        })
        .map(str::to_owned)
        .unwrap_or_default()
}

/// Row `old`, changed here, keeps its values over `event`, the server's copy changed there (`cx.conflict`): the
/// server's values go into its history as replaced by Rapport's. An appointment Rapport organises goes out with
/// a SEQUENCE above the server's, or calendar clients would keep the server's copy as the newer one; an invite
/// another organiser numbers keeps their numbering (as an edit here does), at the server's.
fn keep_over_server(tx: &Transaction<'_>, cx: &mut Upsert<'_>, event: &Event, old: &AppointmentRow) -> Result<()> {
    let Some(batch) = cx.conflict else { return Ok(()) };
    let mut server = AppointmentRow {
        title: event.summary.clone().unwrap_or_else(|| "(no title)".into()),
        location: event.location.clone().unwrap_or_default(),
        video_url: video_link(event),
        notes: event.description.clone().unwrap_or_default(),
        status: status_of(event, false).as_str().to_owned(),
        ..old.clone()
    };
    derive(&mut server, event, cx.tz);
    log_changes(tx, batch, &server, old)?;
    let sequence = if old.source == "rapport" { server.sequence + 1 } else { server.sequence };
    if let Some(mut ours) = super::occurrences::event_of(old).filter(|e| e.sequence < sequence) {
        ours.sequence = sequence;
        let mut kept = old.clone();
        derive(&mut kept, &ours, cx.tz);
        // Only the numbering changes: the zone it was booked in stays, as for any edit of its status.
        kept.time_zone.clone_from(&old.time_zone);
        store::update(tx, &kept, &batch.at)?;
    }
    cx.overridden.push(old.id);
    Ok(())
}

fn existing_id_of(existing: &Option<AppointmentRow>) -> Option<i64> {
    existing.as_ref().map(|r| r.id)
}

/// When a copy of an event was written, as it says: LAST-MODIFIED, else DTSTAMP.
/// The oldest version a file holds (its events' lowest SEQUENCE, then stamp): where it goes among files imported
/// together. A file without an event goes first, where it changes nothing.
fn oldest_copy(calendar: &rapport_ics::Calendar) -> Option<(i64, Option<DateTime<Utc>>)> {
    calendar.events.iter().map(|e| (e.sequence, written_at(e))).min()
}

fn written_at(event: &Event) -> Option<DateTime<Utc>> {
    event.last_modified.or(event.stamp)
}

/// Stored event `ours` cancelled by `incoming`: its status and version, and how far it reaches (RANGE=
/// THISANDFUTURE cancels the later meetings too), nothing else of it.
fn cancellation_of(incoming: &Event, ours: &Event) -> Event {
    Event {
        sequence: incoming.sequence,
        status: Some("CANCELLED".to_owned()),
        this_and_future: incoming.this_and_future,
        last_modified: incoming.last_modified,
        stamp: incoming.stamp,
        method: incoming.method.clone(),
        ..ours.clone()
    }
}

/// `ours` at the times, status and busy of `incoming` (with its version): a hidden meeting's invite moved on the
/// server, whose details the reader may not see and the server's copy may not hold.
fn timing_of(incoming: &Event, ours: &Event) -> Event {
    Event {
        sequence: incoming.sequence,
        status: incoming.status.clone(),
        busy: incoming.busy,
        start: incoming.start.clone(),
        length: incoming.length,
        timed_by_series: incoming.timed_by_series,
        recurrence_id: incoming.recurrence_id.clone(),
        this_and_future: incoming.this_and_future,
        rrules: incoming.rrules.clone(),
        exrules: incoming.exrules.clone(),
        rdates: incoming.rdates.clone(),
        exdates: incoming.exdates.clone(),
        last_modified: incoming.last_modified,
        stamp: incoming.stamp,
        ..ours.clone()
    }
}

/// Whether two copies of an event take the same times within `horizon`: what a meeting the agent sees as
/// "Busy" is in their calendar. Compared as instants, not as written (a server or Rapport may write the same
/// time in UTC or in a zone, a length as DTEND or DURATION) nor by stamps (the copy sent is stamped when written).
fn same_time(a: &Event, b: &Event, (from, to): (DateTime<Utc>, DateTime<Utc>), tz: Tz) -> bool {
    let floating = Zone::Iana(tz);
    let spans = |e: &Event| -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        rapport_ics::expand(std::slice::from_ref(e), from, to, &floating)
            .occurrences
            .iter()
            .map(|o| (o.start.to_utc(&floating), o.end.to_utc(&floating)))
            .collect()
    };
    a.status == b.status
        && a.busy == b.busy
        && a.start.to_utc(&floating) == b.start.to_utc(&floating)
        && spans(a) == spans(b)
}

/// Whether `incoming` was written when the stored copy was (both saying when, or neither). Of one LAST-MODIFIED
/// and two DTSTAMPs, it is the same copy sent again only when nothing else in it changed: Thunderbird sends a
/// minor update (a new title, a new place) of the same SEQUENCE with only its DTSTAMP newer.
fn same_stamp(incoming: &Event, stored: &AppointmentRow) -> bool {
    let Ok(ours) = serde_json::from_str::<Event>(&stored.event) else { return false };
    if written_at(incoming) != written_at(&ours) {
        return false;
    }
    // One stamp (or none on either side) is one copy: the stored copy keeps it through the rep's edits, which
    // change its times and status. But a cancel sent under the invite's stamp, or as stampless as the invite,
    // is no copy of it: it was taken for the invite sent again, and the meeting left confirmed without a word.
    let cancel = |e: &Event| e.method.as_deref().is_some_and(|m| m.eq_ignore_ascii_case("CANCEL"));
    let cancels_it = cancel(incoming) && !cancel(&ours);
    let one_copy = incoming.stamp == ours.stamp && !cancels_it;
    one_copy || serde_json::to_string(incoming).is_ok_and(|text| without_stamp(&text) == without_stamp(&stored.event))
}

/// Appointment `id` counted as left as it was, once: a file may hold several copies of it (a mail thread saved as
/// one file), which are one appointment to the report.
fn count_unchanged(report: &mut IcsFileReport, id: i64) {
    if !report.appointment_ids.contains(&id) {
        report.unchanged += 1;
        report.appointment_ids.push(id);
    }
}

/// Whether `incoming` says it was written before the stored copy of the same SEQUENCE (both must say when): by
/// LAST-MODIFIED, then by DTSTAMP (RFC 5546 orders an organizer's copies by SEQUENCE, then DTSTAMP).
fn written_before(incoming: &Event, stored: &AppointmentRow) -> bool {
    let stored = serde_json::from_str::<Event>(&stored.event).ok();
    match (written_at(incoming), stored.as_ref().and_then(written_at)) {
        (Some(a), Some(b)) if a != b => a < b,
        (Some(_), Some(_)) => matches!((incoming.stamp, stored.and_then(|s| s.stamp)), (Some(a), Some(b)) if a < b),
        _ => false,
    }
}

/// An event as stored, less when its copy was stamped: a server sending an unchanged invite again stamps it
/// anew, and that is no change. Nor is a STATUS of CONFIRMED where the copy before had none: Rapport's export
/// writes the appointment's status, and its own file imported again (a backup restored) is the same meeting.
fn without_stamp(event: &str) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(event).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("stamp");
        if o.get("status")
            .is_some_and(|s| s.is_null() || s.as_str().is_some_and(|s| s.eq_ignore_ascii_case("CONFIRMED")))
        {
            o.remove("status");
        }
    }
    v
}

/// Whether an import would leave a row as it is (the clash note and bookkeeping aside).
fn same_content(old: &AppointmentRow, new: &AppointmentRow) -> bool {
    old.title == new.title
        && old.location == new.location
        && old.video_url == new.video_url
        && old.notes == new.notes
        && old.status == new.status
        && (old.event == new.event || without_stamp(&old.event) == without_stamp(&new.event))
        && old.lead_id == new.lead_id
}

/// An attendee the importer cannot link (their lead is of a campaign out of the importer's reach) keeps the link
/// an earlier import, by someone who could see the lead, gave them: an organizer's update brought in by a
/// teammate must not cut another campaign's lead from the meeting (nor make them an "unknown attendee" to be
/// created again as a Draft).
fn keep_hidden_links(tx: &Transaction<'_>, grant: &Grant, appointment: i64, attendees: &mut [Attendee]) -> Result<()> {
    let stored = store::attendees(tx, appointment)?;
    for a in attendees.iter_mut().filter(|a| a.lead_id.is_none()) {
        let linked = stored.iter().find(|s| s.email.eq_ignore_ascii_case(&a.email)).and_then(|s| s.lead_id);
        if let Some(lead) = linked {
            if !visible(tx, grant, Some(lead))? {
                a.lead_id = Some(lead);
            }
        }
    }
    Ok(())
}

/// Marks `old` private as `incoming`, the same copy of its event, says it is: only the class, logged; what was
/// changed here since stands.
fn learn_private(
    tx: &Transaction<'_>,
    batch: &crate::audit::store::BatchId,
    old: &AppointmentRow,
    incoming: &Event,
) -> Result<()> {
    let Some(mut stored) = event_of(old) else { return Ok(()) };
    stored.class.clone_from(&incoming.class);
    let new = AppointmentRow {
        private: true,
        event: serde_json::to_string(&stored).unwrap_or_else(|_| old.event.clone()),
        ..old.clone()
    };
    log_changes(tx, batch, old, &new)?;
    store::update(tx, &new, &batch.at)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::video_link;

    fn event_with(lines: &str) -> rapport_ics::Event {
        let text = format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20261207T100000Z\r\n{lines}END:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        rapport_ics::read(text.as_bytes()).events.remove(0)
    }

    #[test]
    fn the_video_link_is_the_url_else_a_meeting_service_link_in_the_text() {
        assert_eq!(video_link(&event_with("URL:https://example.com/room\r\n")), "https://example.com/room");
        let teams = event_with(
            "LOCATION:Microsoft Teams Meeting\r\nDESCRIPTION:Join the meeting now<https://teams.microsoft.com/l/meetup\r\n \
             -join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d>\\nMeeting ID: 123\r\n",
        );
        assert_eq!(
            video_link(&teams),
            "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d"
        );
        let zoom = event_with("LOCATION:https://us02web.zoom.us/j/81234567890?pwd=abc\r\n");
        assert_eq!(video_link(&zoom), "https://us02web.zoom.us/j/81234567890?pwd=abc");
        let meet = event_with(
            "DESCRIPTION:Agenda: https://docs.example.com/a.\\nJoin: https://meet.google.com/abc-defg-hij.\r\n",
        );
        assert_eq!(video_link(&meet), "https://meet.google.com/abc-defg-hij", "not the agenda's link");
        let lookalike = event_with("DESCRIPTION:https://zoom.us.evil.example/j/1 and https://notzoom.us/j/2\r\n");
        assert_eq!(video_link(&lookalike), "");
        assert_eq!(video_link(&event_with("LOCATION:Room 2\r\n")), "");
    }
}
