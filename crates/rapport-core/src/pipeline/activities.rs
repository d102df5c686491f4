//! Activities on a lead (calls, emails, meetings, notes, proposals sent, tasks): their shapes and SQL. What
//! has happened meets a stage's required activities and resets the lead's inactivity clock.
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::db::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Call,
    Email,
    Meeting,
    Note,
    /// A proposal sent: Engagement's entry criterion by default.
    Proposal,
    Task,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 6] = [
        ActivityKind::Call,
        ActivityKind::Email,
        ActivityKind::Meeting,
        ActivityKind::Note,
        ActivityKind::Proposal,
        ActivityKind::Task,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Call => "call",
            ActivityKind::Email => "email",
            ActivityKind::Meeting => "meeting",
            ActivityKind::Note => "note",
            ActivityKind::Proposal => "proposal",
            ActivityKind::Task => "task",
        }
    }

    /// How a criterion names it to people: "a “Proposal sent” activity".
    pub fn label(self) -> &'static str {
        match self {
            ActivityKind::Call => "Call",
            ActivityKind::Email => "Email",
            ActivityKind::Meeting => "Meeting",
            ActivityKind::Note => "Note",
            ActivityKind::Proposal => "Proposal sent",
            ActivityKind::Task => "Task",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An activity as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Activity {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    pub kind: ActivityKind,
    pub subject: String,
    pub body: String,
    pub outcome: String,
    pub duration_minutes: Option<u32>,
    /// RFC 3339 (UTC): a task's due time and reminder.
    pub due_at: Option<String>,
    pub remind_at: Option<String>,
    /// When it happened or the task was done; None: an open task.
    pub done_at: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub appointment_id: Option<i64>,
    pub created_by: Option<String>,
    /// Who logged it, to offer them to remove it.
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    #[serde(default)]
    pub created_by_id: Option<i64>,
    pub created_at: String,
}

/// What a user logs. A task is open until done (`done_at` None); anything else happened at `done_at`, or now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct NewActivity {
    pub kind: Option<ActivityKind>,
    pub subject: String,
    pub body: String,
    pub outcome: String,
    pub duration_minutes: Option<u32>,
    pub due_at: Option<String>,
    pub remind_at: Option<String>,
    pub done_at: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub appointment_id: Option<i64>,
}

const COLUMNS: &str = "a.id, a.lead_id, a.kind, a.subject, a.body, a.outcome, a.duration_minutes, a.due_at, \
                       a.remind_at, a.done_at, a.appointment_id, u.display_name, a.created_at, a.created_by";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Activity> {
    let kind: String = r.get(2)?;
    Ok(Activity {
        id: r.get(0)?,
        lead_id: r.get(1)?,
        // The table's CHECK admits only the kinds above.
        kind: ActivityKind::parse(&kind).unwrap_or(ActivityKind::Note),
        subject: r.get(3)?,
        body: r.get(4)?,
        outcome: r.get(5)?,
        duration_minutes: r.get::<_, Option<i64>>(6)?.map(|m| m.clamp(0, i64::from(u32::MAX)) as u32),
        due_at: r.get(7)?,
        remind_at: r.get(8)?,
        done_at: r.get(9)?,
        appointment_id: r.get(10)?,
        created_by: r.get(11)?,
        created_at: r.get(12)?,
        created_by_id: r.get(13)?,
    })
}

/// The activity as validated, with its kind.
pub(crate) struct ValidActivity<'a> {
    pub kind: ActivityKind,
    pub input: &'a NewActivity,
}

pub(crate) fn insert(
    tx: &Transaction<'_>,
    lead_id: i64,
    a: &ValidActivity<'_>,
    by: Option<i64>,
    at: &str,
) -> Result<i64, StoreError> {
    let i = a.input;
    tx.prepare_cached(
        // The id is one past the highest ever given: a removed activity's change-log entries (and its Undo,
        // which puts it back under its id) are never taken over by a new one.
        "INSERT INTO activities (id, lead_id, kind, subject, body, outcome, duration_minutes, due_at, remind_at,
                                 done_at, appointment_id, created_by, created_at)
         VALUES (max(ifnull((SELECT max(id) FROM activities), 0),
                     ifnull((SELECT max(entity_id) FROM change_log WHERE entity = 'activity'), 0)) + 1,
                 ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        lead_id,
        a.kind.as_str(),
        i.subject.trim(),
        i.body.trim(),
        i.outcome.trim(),
        i.duration_minutes,
        i.due_at,
        i.remind_at,
        i.done_at,
        i.appointment_id,
        by,
        at
    ])?;
    Ok(tx.last_insert_rowid())
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<Activity>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM activities a LEFT JOIN users u ON u.id = a.created_by WHERE a.id = ?1"
        ))?
        .query_row([id], row)
        .optional()?)
}

/// The activities of these leads (a lead and those merged into it), newest first.
pub(crate) fn of_leads(conn: &Connection, leads: &[i64]) -> Result<Vec<Activity>, StoreError> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM activities a LEFT JOIN users u ON u.id = a.created_by
         WHERE a.lead_id = ?1 ORDER BY a.created_at DESC, a.id DESC LIMIT 1000"
    ))?;
    for id in leads {
        let rows = stmt.query_map([id], row)?;
        for r in rows {
            out.push(r?);
        }
    }
    out.sort_by(|a, b| (&b.created_at, b.id).cmp(&(&a.created_at, a.id)));
    Ok(out)
}

/// Whether any activity (done or to do) was logged on lead `id`.
pub(crate) fn lead_has_activities(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    Ok(conn.prepare_cached("SELECT 1 FROM activities WHERE lead_id = ?1 LIMIT 1")?.exists([id])?)
}

/// How many activities of `kind` have happened (done) on these leads.
pub(crate) fn count_done(conn: &Connection, leads: &[i64], kind: ActivityKind) -> Result<i64, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT count(*) FROM activities WHERE lead_id = ?1 AND kind = ?2 AND done_at IS NOT NULL")?;
    let mut n = 0;
    for id in leads {
        n += stmt.query_row(params![id, kind.as_str()], |r| r.get::<_, i64>(0))?;
    }
    Ok(n)
}

/// The activities that recorded appointment `appointment` no longer name it (it is being removed: the foreign
/// key would refuse the removal, and with it a whole sync), each unlinking logged in `batch`.
pub(crate) fn unlink_appointment(
    tx: &Transaction<'_>,
    batch: &crate::audit::store::BatchId,
    appointment: i64,
) -> Result<(), StoreError> {
    let linked: Vec<i64> = tx
        .prepare_cached("SELECT id FROM activities WHERE appointment_id = ?1 ORDER BY id")?
        .query_map([appointment], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let old = appointment.to_string();
    for id in linked {
        tx.prepare_cached("UPDATE activities SET appointment_id = NULL WHERE id = ?1")?.execute([id])?;
        crate::audit::store::record(tx, batch, "activity", id, "appointment_id", Some(&old), None)?;
    }
    Ok(())
}

/// When activity `id`'s reminder was shown, if it was.
pub(crate) fn reminded_at(conn: &Connection, id: i64) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT reminded_at FROM activities WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// Activity `a` put back as it was removed, under its own id, its reminder shown at `reminded` or still to show.
pub(crate) fn insert_restored(tx: &Transaction<'_>, a: &Activity, reminded: Option<&str>) -> Result<(), StoreError> {
    // The meeting it recorded may be gone since: the activity stays, unlinked, as a removal leaves it.
    let appointment: Option<i64> = match a.appointment_id {
        Some(id) => {
            tx.prepare_cached("SELECT id FROM appointments WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?
        }
        None => None,
    };
    tx.prepare_cached(
        "INSERT INTO activities (id, lead_id, kind, subject, body, outcome, duration_minutes, due_at, remind_at,
                                 done_at, reminded_at, appointment_id, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        a.id,
        a.lead_id,
        a.kind.as_str(),
        a.subject,
        a.body,
        a.outcome,
        a.duration_minutes,
        a.due_at,
        a.remind_at,
        a.done_at,
        reminded,
        appointment,
        a.created_by_id,
        a.created_at
    ])?;
    Ok(())
}

pub(crate) fn delete(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM activities WHERE id = ?1")?.execute([id])?;
    Ok(())
}

pub(crate) fn mark_done(tx: &Transaction<'_>, id: i64, at: &str) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE activities SET done_at = ?2 WHERE id = ?1")?.execute(params![id, at])?;
    Ok(())
}

/// Resets the lead's inactivity clock to `at`, unless a later activity already set it.
/// Lead `to` takes lead `from`'s last activity when it is the later one: a merge brings the merged lead's
/// activities to the survivor, and the stagnation sweep reads only this column.
pub(crate) fn carry_last_activity(tx: &Transaction<'_>, from: i64, to: i64) -> Result<(), StoreError> {
    let at: Option<String> = tx
        .prepare_cached("SELECT last_activity_at FROM leads WHERE id = ?1")?
        .query_row([from], |r| r.get(0))
        .optional()?
        .flatten();
    match at {
        Some(at) => touch_lead(tx, to, &at),
        None => Ok(()),
    }
}

/// Sets lead `lead_id`'s last activity from the activities of `leads` (the lead and those merged into it):
/// what an unmerge leaves, once each lead has its own activities back.
pub(crate) fn recount_last_activity(tx: &Transaction<'_>, lead_id: i64, leads: &[i64]) -> Result<(), StoreError> {
    let mut latest: Option<String> = None;
    let mut stmt = tx.prepare_cached("SELECT max(done_at) FROM activities WHERE lead_id = ?1")?;
    for id in leads {
        let at: Option<String> = stmt.query_row([id], |r| r.get(0))?;
        if at > latest {
            latest = at;
        }
    }
    tx.prepare_cached("UPDATE leads SET last_activity_at = ?2 WHERE id = ?1")?.execute(params![lead_id, latest])?;
    Ok(())
}

pub(crate) fn touch_lead(tx: &Transaction<'_>, lead_id: i64, at: &str) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE leads SET last_activity_at = ?2 WHERE id = ?1 AND (last_activity_at IS NULL OR last_activity_at < ?2)",
    )?
    .execute(params![lead_id, at])?;
    Ok(())
}

/// User `user`'s open tasks whose reminder time has come (`now`, RFC 3339) and was not shown yet, marked
/// shown: (lead id, subject, due time).
pub(crate) fn take_due_reminders(
    tx: &Transaction<'_>,
    user: i64,
    now: &str,
) -> Result<Vec<(i64, String, Option<String>)>, StoreError> {
    let due: Vec<(i64, i64, String, Option<String>)> = tx
        .prepare_cached(
            "SELECT id, lead_id, subject, due_at FROM activities
             WHERE created_by = ?1 AND done_at IS NULL AND reminded_at IS NULL AND remind_at <= ?2
             ORDER BY remind_at, id",
        )?
        .query_map(params![user, now], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut mark = tx.prepare_cached("UPDATE activities SET reminded_at = ?2 WHERE id = ?1")?;
    for (id, ..) in &due {
        mark.execute(params![id, now])?;
    }
    Ok(due.into_iter().map(|(_, lead, subject, due_at)| (lead, subject, due_at)).collect())
}
