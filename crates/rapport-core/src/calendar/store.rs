//! The calendar's SQL. Times are UTC text 'YYYY-MM-DDTHH:MM:SSZ' (text order is time order).
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use super::model::{AgentCalendar, Attendee, TimeOff, WorkingHours};
use crate::db::StoreError;

fn json<T: serde::de::DeserializeOwned + Default>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_default()
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

/// An agent's stored settings; `None` when they never saved any.
pub(crate) fn agent(conn: &Connection, user_id: i64) -> Result<Option<AgentCalendar>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT a.user_id, u.display_name, a.email, a.time_zone, a.working_hours, a.buffer_minutes,
                    a.min_notice_minutes, a.expertise, a.territories, a.weight, a.reminder_minutes
             FROM agent_calendars a JOIN users u ON u.id = a.user_id WHERE a.user_id = ?1",
        )?
        .query_row([user_id], agent_row)
        .optional()?)
}

fn agent_row(r: &Row<'_>) -> rusqlite::Result<AgentCalendar> {
    Ok(AgentCalendar {
        user_id: r.get(0)?,
        display_name: r.get(1)?,
        email: r.get(2)?,
        time_zone: r.get(3)?,
        working_hours: json::<Vec<WorkingHours>>(&r.get::<_, String>(4)?),
        buffer_minutes: r.get(5)?,
        min_notice_minutes: r.get(6)?,
        expertise: json(&r.get::<_, String>(7)?),
        territories: json(&r.get::<_, String>(8)?),
        weight: r.get(9)?,
        reminder_minutes: json(&r.get::<_, String>(10)?),
        time_off: Vec::new(),
    })
}

/// Active users who may hold appointments (Editors and Administrators), with their display names.
pub(crate) fn agent_users(conn: &Connection) -> Result<Vec<(i64, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, display_name FROM users WHERE active = 1 AND role IN ('editor', 'administrator') ORDER BY display_name, id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn user_name(conn: &Connection, user_id: i64) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT display_name FROM users WHERE id = ?1")?
        .query_row([user_id], |r| r.get(0))
        .optional()?)
}

pub(crate) fn save_agent(tx: &Transaction<'_>, a: &AgentCalendar, at: &str) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO agent_calendars (user_id, email, time_zone, working_hours, buffer_minutes, min_notice_minutes,
                                      expertise, territories, weight, reminder_minutes, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (user_id) DO UPDATE SET email = ?2, time_zone = ?3, working_hours = ?4, buffer_minutes = ?5,
             min_notice_minutes = ?6, expertise = ?7, territories = ?8, weight = ?9, reminder_minutes = ?10,
             updated_at = ?11",
    )?
    .execute(params![
        a.user_id,
        a.email,
        a.time_zone,
        to_json(&a.working_hours),
        a.buffer_minutes,
        a.min_notice_minutes,
        to_json(&a.expertise),
        to_json(&a.territories),
        a.weight,
        to_json(&a.reminder_minutes),
        at
    ])?;
    Ok(())
}

pub(crate) fn time_off(conn: &Connection, user_id: i64, after: &str) -> Result<Vec<TimeOff>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, start_utc, end_utc, note FROM time_off WHERE user_id = ?1 AND end_utc > ?2 ORDER BY start_utc",
    )?;
    let rows = stmt.query_map(params![user_id, after], |r| {
        Ok(TimeOff { id: r.get(0)?, start: r.get(1)?, end: r.get(2)?, note: r.get(3)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Time off overlapping [from, to).
pub(crate) fn time_off_between(
    conn: &Connection,
    user_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<TimeOff>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, start_utc, end_utc, note FROM time_off
         WHERE user_id = ?1 AND end_utc > ?2 AND start_utc < ?3 ORDER BY start_utc",
    )?;
    let rows = stmt.query_map(params![user_id, from, to], |r| {
        Ok(TimeOff { id: r.get(0)?, start: r.get(1)?, end: r.get(2)?, note: r.get(3)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn insert_time_off(
    tx: &Transaction<'_>,
    user_id: i64,
    start: &str,
    end: &str,
    note: &str,
) -> Result<i64, StoreError> {
    tx.prepare_cached("INSERT INTO time_off (user_id, start_utc, end_utc, note) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![user_id, start, end, note])?;
    Ok(tx.last_insert_rowid())
}

pub(crate) fn delete_time_off(tx: &Transaction<'_>, user_id: i64, id: i64) -> Result<Option<TimeOff>, StoreError> {
    let found = tx
        .prepare_cached("SELECT id, start_utc, end_utc, note FROM time_off WHERE id = ?1 AND user_id = ?2")?
        .query_row(params![id, user_id], |r| {
            Ok(TimeOff { id: r.get(0)?, start: r.get(1)?, end: r.get(2)?, note: r.get(3)? })
        })
        .optional()?;
    if found.is_some() {
        tx.prepare_cached("DELETE FROM time_off WHERE id = ?1")?.execute([id])?;
    }
    Ok(found)
}

/// One appointments row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row_ {
    pub id: i64,
    pub uid: String,
    pub recurrence_id: Option<String>,
    pub agent_id: i64,
    pub lead_id: Option<i64>,
    pub title: String,
    pub location: String,
    pub video_url: String,
    pub notes: String,
    pub status: String,
    pub event: String,
    pub start_utc: String,
    pub end_utc: Option<String>,
    pub repeats: bool,
    pub busy: bool,
    /// Its agent's alone to read (see `occurrences::row_visible`).
    pub private: bool,
    pub time_zone: Option<String>,
    pub sequence: i64,
    pub source: String,
    pub clash: Option<String>,
    pub confirmation: String,
    pub remote_href: Option<String>,
    pub remote_etag: Option<String>,
    pub sync_pending: bool,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}
pub(crate) use Row_ as AppointmentRow;

const COLUMNS: &str = "id, uid, recurrence_id, agent_id, lead_id, title, location, video_url, notes, status, event,
    start_utc, end_utc, repeats, busy, time_zone, sequence, source, clash, confirmation, remote_href, remote_etag,
    sync_pending, created_at, updated_at, version, private";

fn appointment_row(r: &Row<'_>) -> rusqlite::Result<AppointmentRow> {
    Ok(AppointmentRow {
        id: r.get(0)?,
        uid: r.get(1)?,
        recurrence_id: r.get(2)?,
        agent_id: r.get(3)?,
        lead_id: r.get(4)?,
        title: r.get(5)?,
        location: r.get(6)?,
        video_url: r.get(7)?,
        notes: r.get(8)?,
        status: r.get(9)?,
        event: r.get(10)?,
        start_utc: r.get(11)?,
        end_utc: r.get(12)?,
        repeats: r.get(13)?,
        busy: r.get(14)?,
        time_zone: r.get(15)?,
        sequence: r.get(16)?,
        source: r.get(17)?,
        clash: r.get(18)?,
        confirmation: r.get(19)?,
        remote_href: r.get(20)?,
        remote_etag: r.get(21)?,
        sync_pending: r.get(22)?,
        created_at: r.get(23)?,
        updated_at: r.get(24)?,
        version: r.get(25)?,
        private: r.get(26)?,
    })
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<AppointmentRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM appointments WHERE id = ?1"))?
        .query_row([id], appointment_row)
        .optional()?)
}

/// The rows of one series (master and overrides) of an agent.
pub(crate) fn by_uid(conn: &Connection, agent_id: i64, uid: &str) -> Result<Vec<AppointmentRow>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM appointments WHERE agent_id = ?1 AND uid = ?2"))?;
    let rows = stmt.query_map(params![agent_id, uid], appointment_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every row of an agent whose occurrences may overlap [from, to), with the other rows of their series (an
/// override outside the window can still remove an occurrence inside it). A series changed "from this date on"
/// is kept whenever the change starts before the window ends: the change may move or lengthen the later
/// meetings past the series' stored end and past its own span, which neither row's columns say (the rules'
/// expansion then decides). So is a series with extra dates (RDATE): one may fall before its first start
/// (Google's birthdays list past years so), where `start_utc` (DTSTART, as logged) would leave it out.
pub(crate) fn overlapping(
    conn: &Connection,
    agent_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<AppointmentRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM appointments WHERE agent_id = ?1 AND uid IN (
             SELECT uid FROM appointments WHERE agent_id = ?1 AND end_utc > ?2 AND start_utc < ?3
             UNION
             SELECT uid FROM appointments WHERE agent_id = ?1 AND repeats = 1 AND end_utc IS NULL AND start_utc < ?3
             UNION
             SELECT uid FROM appointments WHERE agent_id = ?1 AND recurrence_id IS NOT NULL AND start_utc < ?3
                 AND json_extract(event, '$.this_and_future') = 1
             UNION
             SELECT uid FROM appointments WHERE agent_id = ?1 AND repeats = 1 AND (end_utc IS NULL OR end_utc > ?2)
                 AND json_type(event, '$.rdates') IS NOT NULL)
         ORDER BY uid, recurrence_id IS NOT NULL, id"
    ))?;
    let rows = stmt.query_map(params![agent_id, from, to], appointment_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many of `agent_id`'s appointments that hold time (not cancelled) end after `now` (UTC text), or repeat
/// without end: meetings still to come.
pub(crate) fn upcoming_of(conn: &Connection, agent_id: i64, now: &str) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM appointments WHERE agent_id = ?1 AND recurrence_id IS NULL AND status != 'cancelled'
               AND (end_utc IS NULL OR end_utc > ?2)",
        )?
        .query_row(params![agent_id, now], |r| r.get(0))?)
}

/// The leads of agent `agent_id`'s meetings still to come (as [`upcoming_of`] counts them), one per meeting.
pub(crate) fn upcoming_leads_of(conn: &Connection, agent_id: i64, now: &str) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT lead_id FROM appointments WHERE agent_id = ?1 AND recurrence_id IS NULL AND status != 'cancelled'
           AND (end_utc IS NULL OR end_utc > ?2) AND lead_id IS NOT NULL",
    )?;
    let rows = stmt.query_map(params![agent_id, now], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn by_lead(conn: &Connection, lead_id: i64) -> Result<Vec<AppointmentRow>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM appointments WHERE lead_id = ?1 ORDER BY start_utc DESC"))?;
    let rows = stmt.query_map([lead_id], appointment_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn of_agent(conn: &Connection, agent_id: i64) -> Result<Vec<AppointmentRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM appointments WHERE agent_id = ?1 ORDER BY uid, recurrence_id IS NOT NULL, id"
    ))?;
    let rows = stmt.query_map([agent_id], appointment_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn pending_sync(conn: &Connection, agent_id: i64) -> Result<Vec<AppointmentRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM appointments WHERE agent_id = ?1 AND sync_pending = 1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([agent_id], appointment_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn count_pending(conn: &Connection, agent_id: i64) -> Result<u32, StoreError> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM appointments WHERE agent_id = ?1 AND sync_pending = 1")?
        .query_row([agent_id], |r| r.get(0))?)
}

/// The id is one past the highest ever given, as a lead's is: an appointment removed (deleted on its calendar
/// server, an import undone) leaves its history under its id, which a lead's history reads back, and an unmerge
/// acts on the appointment ids its merge logged; a new appointment must take over neither.
pub(crate) fn insert(tx: &Transaction<'_>, a: &AppointmentRow) -> Result<i64, StoreError> {
    tx.prepare_cached(
        "INSERT INTO appointments (id, uid, recurrence_id, agent_id, lead_id, title, location, video_url, notes, status,
             event, start_utc, end_utc, repeats, busy, time_zone, sequence, source, clash, confirmation, remote_href,
             remote_etag, sync_pending, created_at, updated_at, version, private)
         VALUES (max(ifnull((SELECT max(id) FROM appointments), 0),
                     ifnull((SELECT max(entity_id) FROM change_log WHERE entity = 'appointment'), 0)) + 1,
             ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
             ?23, ?23, 1, ?24)",
    )?
    .execute(params![
        a.uid,
        a.recurrence_id,
        a.agent_id,
        a.lead_id,
        a.title,
        a.location,
        a.video_url,
        a.notes,
        a.status,
        a.event,
        a.start_utc,
        a.end_utc,
        a.repeats,
        a.busy,
        a.time_zone,
        a.sequence,
        a.source,
        a.clash,
        a.confirmation,
        a.remote_href,
        a.remote_etag,
        a.sync_pending,
        a.created_at,
        a.private
    ])?;
    Ok(tx.last_insert_rowid())
}

/// Writes every column of `a` over row `a.id`, bumping its version.
pub(crate) fn update(tx: &Transaction<'_>, a: &AppointmentRow, at: &str) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE appointments SET agent_id = ?2, lead_id = ?3, title = ?4, location = ?5, video_url = ?6, notes = ?7,
             status = ?8, event = ?9, start_utc = ?10, end_utc = ?11, repeats = ?12, busy = ?13, time_zone = ?14,
             sequence = ?15, clash = ?16, confirmation = ?17, remote_href = ?18, remote_etag = ?19,
             sync_pending = ?20, updated_at = ?21, version = version + 1, private = ?22
         WHERE id = ?1",
    )?
    .execute(params![
        a.id,
        a.agent_id,
        a.lead_id,
        a.title,
        a.location,
        a.video_url,
        a.notes,
        a.status,
        a.event,
        a.start_utc,
        a.end_utc,
        a.repeats,
        a.busy,
        a.time_zone,
        a.sequence,
        a.clash,
        a.confirmation,
        a.remote_href,
        a.remote_etag,
        a.sync_pending,
        at,
        a.private
    ])?;
    Ok(())
}

/// Sync bookkeeping (ETag, href, pending flag): not a change of the appointment, so no version bump.
pub(crate) fn set_remote(
    tx: &Transaction<'_>,
    id: i64,
    href: Option<&str>,
    etag: Option<&str>,
    pending: bool,
) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE appointments SET remote_href = ?2, remote_etag = ?3, sync_pending = ?4 WHERE id = ?1")?
        .execute(params![id, href, etag, pending])?;
    Ok(())
}

/// Removes appointment `id`, logged in `batch`: the activities that recorded it stay, no longer linked (see
/// [`crate::pipeline::activities::unlink_appointment`]).
pub(crate) fn delete(tx: &Transaction<'_>, batch: &crate::audit::store::BatchId, id: i64) -> Result<(), StoreError> {
    crate::pipeline::activities::unlink_appointment(tx, batch, id)?;
    tx.prepare_cached("DELETE FROM appointments WHERE id = ?1")?.execute([id])?;
    Ok(())
}

pub(crate) fn attendees(conn: &Connection, id: i64) -> Result<Vec<Attendee>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT t.email, t.name, t.response, t.lead_id, ({COLLEAGUE_OF_T}) FROM appointment_attendees t
         WHERE t.appointment_id = ?1 ORDER BY t.email"
    ))?;
    let rows = stmt.query_map([id], |r| {
        Ok(Attendee {
            email: r.get(0)?,
            name: r.get(1)?,
            response: r.get(2)?,
            lead_id: r.get(3)?,
            colleague: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The name of the user whose calendar address is `t.email` (the first by id, should two give the same).
const COLLEAGUE_OF_T: &str = "SELECT u.display_name FROM agent_calendars a JOIN users u ON u.id = a.user_id
     WHERE a.email = t.email COLLATE NOCASE AND a.email != '' ORDER BY a.user_id LIMIT 1";

/// The name of the user whose calendar address is `email`, if any: a colleague's address in an invite.
pub(crate) fn colleague_named(conn: &Connection, email: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT ({COLLEAGUE_OF_T}) FROM (SELECT ?1 AS email) t"))?
        .query_row([email], |r| r.get(0))?)
}

pub(crate) fn replace_attendees(tx: &Transaction<'_>, id: i64, list: &[Attendee]) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM appointment_attendees WHERE appointment_id = ?1")?.execute([id])?;
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO appointment_attendees (appointment_id, email, name, response, lead_id)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for a in list {
        stmt.execute(params![id, a.email, a.name, a.response, a.lead_id])?;
    }
    Ok(())
}

pub(crate) fn link_attendee(tx: &Transaction<'_>, id: i64, email: &str, lead_id: i64) -> Result<usize, StoreError> {
    Ok(tx
        .prepare_cached("UPDATE appointment_attendees SET lead_id = ?3 WHERE appointment_id = ?1 AND email = ?2")?
        .execute(params![id, email, lead_id])?)
}

/// The most recent time the agent was booked through Rapport (creation time), for ties in the round-robin.
pub(crate) fn last_booked(conn: &Connection, agent_id: i64) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT max(created_at) FROM appointments WHERE agent_id = ?1 AND source = 'rapport'")?
        .query_row([agent_id], |r| r.get(0))?)
}

pub(crate) fn reminder_sent(conn: &Connection, id: i64, occurrence: &str, minutes: u32) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM reminders_sent WHERE appointment_id = ?1 AND occurrence = ?2 AND minutes = ?3")?
        .query_row(params![id, occurrence, minutes], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Forgets which reminders of appointment `id` were sent for occurrences from `from` on: handed to another
/// agent, the appointment reminds its new holder, who was told nothing.
pub(crate) fn forget_reminders_from(tx: &Transaction<'_>, id: i64, from: &str) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM reminders_sent WHERE appointment_id = ?1 AND occurrence >= ?2")?
        .execute(params![id, from])?;
    Ok(())
}

/// The reminders given for appointment `from`'s occurrence at `occurrence`, as given for `to` (the changed
/// instance that now stands for that occurrence).
pub(crate) fn carry_reminders(tx: &Transaction<'_>, from: i64, to: i64, occurrence: &str) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO reminders_sent (appointment_id, occurrence, minutes, sent_at)
         SELECT ?2, occurrence, minutes, sent_at FROM reminders_sent WHERE appointment_id = ?1 AND occurrence = ?3",
    )?
    .execute(params![from, to, occurrence])?;
    Ok(())
}

pub(crate) fn mark_reminder(
    tx: &Transaction<'_>,
    id: i64,
    occurrence: &str,
    minutes: u32,
    at: &str,
) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached(
            "INSERT OR IGNORE INTO reminders_sent (appointment_id, occurrence, minutes, sent_at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, occurrence, minutes, at])?
        == 1)
}

#[derive(Debug, Clone)]
pub(crate) struct CaldavRow {
    pub id: i64,
    pub calendar_url: String,
    pub username: String,
    pub last_sync_at: Option<String>,
    pub last_error: Option<String>,
}

/// Whether a user other than `user_id` connects calendar `url` as `username` (a keychain entry of theirs may
/// be the one an earlier version shared).
pub(crate) fn others_connect(conn: &Connection, user_id: i64, url: &str, username: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM caldav_accounts WHERE user_id <> ?1 AND calendar_url = ?2 AND username = ?3 LIMIT 1",
        )?
        .query_row(params![user_id, url, username], |_| Ok(()))
        .optional()?
        .is_some())
}

pub(crate) fn caldav_account(conn: &Connection, user_id: i64) -> Result<Option<CaldavRow>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, calendar_url, username, last_sync_at, last_error FROM caldav_accounts WHERE user_id = ?1",
        )?
        .query_row([user_id], |r| {
            Ok(CaldavRow {
                id: r.get(0)?,
                calendar_url: r.get(1)?,
                username: r.get(2)?,
                last_sync_at: r.get(3)?,
                last_error: r.get(4)?,
            })
        })
        .optional()?)
}

pub(crate) fn save_caldav_account(
    tx: &Transaction<'_>,
    user_id: i64,
    url: &str,
    username: &str,
    at: &str,
) -> Result<i64, StoreError> {
    tx.prepare_cached(
        "INSERT INTO caldav_accounts (user_id, calendar_url, username, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (user_id) DO UPDATE SET calendar_url = ?2, username = ?3, last_error = NULL",
    )?
    .execute(params![user_id, url, username, at])?;
    Ok(tx.prepare_cached("SELECT id FROM caldav_accounts WHERE user_id = ?1")?.query_row([user_id], |r| r.get(0))?)
}

pub(crate) fn delete_caldav_account(tx: &Transaction<'_>, user_id: i64) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM caldav_accounts WHERE user_id = ?1")?.execute([user_id])?;
    Ok(())
}

pub(crate) fn caldav_result(
    tx: &Transaction<'_>,
    user_id: i64,
    at: Option<&str>,
    error: Option<&str>,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE caldav_accounts SET last_sync_at = COALESCE(?2, last_sync_at), last_error = ?3,
             classes_read = CASE WHEN ?2 IS NULL THEN classes_read ELSE 1 END
         WHERE user_id = ?1",
    )?
    .execute(params![user_id, at, error])?;
    Ok(())
}

/// Whether a sync of `user_id`'s account has read every event since classes were kept (migration 026).
pub(crate) fn classes_read(conn: &Connection, user_id: i64) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT classes_read FROM caldav_accounts WHERE user_id = ?1")?
        .query_row([user_id], |r| r.get(0))
        .optional()?
        .unwrap_or(true))
}

/// What a merge moved from one lead to another: the appointments it was the lead of, and the invites it was
/// an attendee of (appointment, address).
#[derive(Debug, Default)]
pub(crate) struct MovedLinks {
    pub appointments: Vec<i64>,
    pub attendees: Vec<(i64, String)>,
}

/// Moves a merged lead's appointments and invitations to the survivor.
pub(crate) fn move_lead(tx: &Transaction<'_>, from: i64, to: i64) -> Result<MovedLinks, StoreError> {
    let appointments: Vec<i64> = {
        let mut stmt = tx.prepare_cached("SELECT id FROM appointments WHERE lead_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([from], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let attendees = attendees_of_lead(tx, None, from)?;
    // A new version: an edit form opened before the merge, saved after it, would put its lead and attendees
    // back over what the merge moved.
    tx.prepare_cached(
        "UPDATE appointments SET version = version + 1
         WHERE lead_id = ?1 OR id IN (SELECT appointment_id FROM appointment_attendees WHERE lead_id = ?1)",
    )?
    .execute([from])?;
    tx.prepare_cached("UPDATE appointments SET lead_id = ?2 WHERE lead_id = ?1")?.execute(params![from, to])?;
    tx.prepare_cached("UPDATE appointment_attendees SET lead_id = ?2 WHERE lead_id = ?1")?
        .execute(params![from, to])?;
    Ok(MovedLinks { appointments, attendees })
}

/// The (appointment, address) rows naming `lead` as an attendee, of one appointment or of all.
fn attendees_of_lead(conn: &Connection, appointment: Option<i64>, lead: i64) -> Result<Vec<(i64, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT appointment_id, email FROM appointment_attendees
         WHERE lead_id = ?1 AND (?2 IS NULL OR appointment_id = ?2) ORDER BY appointment_id, email",
    )?;
    let rows = stmt.query_map(params![lead, appointment], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The lead attendee `email` of appointment `id` is linked to: `None` when there is no such attendee.
pub(crate) fn attendee_lead(conn: &Connection, id: i64, email: &str) -> Result<Option<Option<i64>>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT lead_id FROM appointment_attendees WHERE appointment_id = ?1 AND email = ?2")?
        .query_row(params![id, email], |r| r.get(0))
        .optional()?)
}

pub(crate) fn agents_with_appointments(conn: &Connection) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT agent_id FROM appointments ORDER BY agent_id")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Gives appointment `id` the lead `lead`. With `attendees`, its attendees linked to the lead it had follow,
/// and are returned (their addresses) so the caller can log them.
pub(crate) fn set_lead(
    tx: &Transaction<'_>,
    id: i64,
    lead: Option<i64>,
    attendees: bool,
) -> Result<Vec<String>, StoreError> {
    let old: Option<i64> = tx
        .prepare_cached("SELECT lead_id FROM appointments WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .flatten();
    // A new version, as in [`move_lead`]: a form opened before an unmerge must not save its lead back.
    tx.prepare_cached("UPDATE appointments SET lead_id = ?2, version = version + 1 WHERE id = ?1")?
        .execute(params![id, lead])?;
    let mut moved = Vec::new();
    if let (true, Some(old), Some(new)) = (attendees, old, lead) {
        moved = attendees_of_lead(tx, Some(id), old)?.into_iter().map(|(_, email)| email).collect();
        tx.prepare_cached("UPDATE appointment_attendees SET lead_id = ?3 WHERE appointment_id = ?1 AND lead_id = ?2")?
            .execute(params![id, old, new])?;
    }
    Ok(moved)
}

/// Whether any appointment is linked to lead `lead_id`, as its lead or as an attendee of an invite (an
/// import's undo keeps such a lead).
pub(crate) fn lead_has_appointments(conn: &Connection, lead_id: i64) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM appointments WHERE lead_id = ?1)
                 OR EXISTS (SELECT 1 FROM appointment_attendees WHERE lead_id = ?1)",
        )?
        .query_row([lead_id], |r| r.get(0))?)
}

/// Migration 029: `caldav_accounts.classes_read` (migration 026's second column), where a file upgraded by an
/// early build of 026 lacks it.
pub(crate) fn add_classes_read_column(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let has =
        tx.prepare("SELECT 1 FROM pragma_table_info('caldav_accounts') WHERE name = 'classes_read'")?.exists([])?;
    if !has {
        tx.execute_batch(
            "ALTER TABLE caldav_accounts ADD COLUMN classes_read INTEGER NOT NULL DEFAULT 0 CHECK (classes_read IN (0, 1))",
        )?;
    }
    Ok(())
}
