//! The stagnation policy (seed 4.2): which leads have been inactive in their stage longer than the stage
//! allows, counted in business days of the calendar an Administrator sets. Its rules (pure), its SQL and its
//! shapes; the sweep that applies it is in `operations.rs`, moving each lead through the gate.
use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::db::StoreError;

/// A stage's policy: after how many business days without activity a lead leaves, and for where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StagnationPolicy {
    pub after_days: u16,
    /// The stage it moves to (Nurture, or a lost stage).
    pub target: String,
    /// The lost reason it is given when the target needs one.
    pub lost_reason: Option<String>,
}

/// Working weekdays (1 = Monday ... 7 = Sunday) and holidays, and the time zone the business's days are
/// counted in (IANA).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BusinessCalendar {
    pub working_days: Vec<u8>,
    pub holidays: Vec<Holiday>,
    /// Where a business day begins and ends: a lead last worked at 17:00 in San Francisco was worked that day,
    /// not the next one as UTC has it. "UTC" until an Administrator sets it.
    pub time_zone: String,
}

fn utc_name() -> String {
    "UTC".into()
}

impl BusinessCalendar {
    pub(crate) fn zone(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// The business day instant `at` falls on.
    pub(crate) fn day_of(&self, at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
        at.with_timezone(&self.zone()).date_naive()
    }

    /// The instant business day `day` begins, as the text stored instants are compared with (UTC, to the
    /// second: "2026-11-23T08:00:00" sorts before every stored time of that second or later).
    pub(crate) fn start_of(&self, day: NaiveDate) -> String {
        use chrono::TimeZone;
        let midnight = day.and_time(chrono::NaiveTime::MIN);
        let start = self
            .zone()
            .from_local_datetime(&midnight)
            .earliest()
            // A zone whose clocks skip midnight (a DST change at 00:00) starts that day an hour later.
            .or_else(|| self.zone().from_local_datetime(&(midnight + chrono::Duration::hours(1))).earliest())
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|| midnight.and_utc());
        start.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Holiday {
    /// YYYY-MM-DD.
    pub day: String,
    pub label: String,
}

/// The calendar as the counting needs it.
pub(crate) struct Days {
    working: [bool; 7],
    holidays: BTreeSet<NaiveDate>,
}

impl Days {
    pub(crate) fn of(c: &BusinessCalendar) -> Self {
        let mut working = [false; 7];
        for d in &c.working_days {
            if (1..=7).contains(d) {
                working[usize::from(*d) - 1] = true;
            }
        }
        let holidays = c.holidays.iter().filter_map(|h| NaiveDate::parse_from_str(&h.day, "%Y-%m-%d").ok()).collect();
        Self { working, holidays }
    }

    pub(crate) fn is_business_day(&self, d: NaiveDate) -> bool {
        self.working[d.weekday().number_from_monday() as usize - 1] && !self.holidays.contains(&d)
    }

    /// Business days after `since` up to and including `today`: a lead last active on Friday is one business
    /// day inactive on Monday.
    pub(crate) fn between(&self, since: NaiveDate, today: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = since;
        while d < today {
            d = d.succ_opt().unwrap_or(d);
            if self.is_business_day(d) {
                n += 1;
            }
            if d == NaiveDate::MAX {
                break;
            }
        }
        n
    }

    /// The day before which a lead's last activity makes it stale `today`, that is more than `days` business
    /// days inactive: the (days + 1)-th business day counting back from today, today included. None when the
    /// calendar has no working day at all (nothing ever goes stale).
    pub(crate) fn stale_if_before(&self, days: u32, today: NaiveDate) -> Option<NaiveDate> {
        if !self.working.iter().any(|w| *w) {
            return None;
        }
        let mut d = today;
        let mut counted = 0;
        loop {
            if self.is_business_day(d) {
                counted += 1;
                if counted > days {
                    return Some(d);
                }
            }
            d = d.pred_opt()?;
        }
    }
}

pub(crate) fn calendar(conn: &Connection) -> Result<BusinessCalendar, StoreError> {
    let working_days = crate::settings::store::get(conn, "working_days")?
        .and_then(|s| serde_json::from_str::<Vec<u8>>(&s).ok())
        .unwrap_or_else(|| vec![1, 2, 3, 4, 5]);
    let mut stmt = conn.prepare_cached("SELECT day, label FROM holidays ORDER BY day")?;
    let holidays = stmt.query_map([], |r| Ok(Holiday { day: r.get(0)?, label: r.get(1)? }))?;
    let time_zone = crate::settings::store::get(conn, "business_time_zone")?.unwrap_or_else(utc_name);
    Ok(BusinessCalendar { working_days, holidays: holidays.collect::<Result<_, _>>()?, time_zone })
}

pub(crate) fn save_calendar(tx: &Transaction<'_>, c: &BusinessCalendar) -> Result<(), StoreError> {
    let days = serde_json::to_string(&c.working_days).unwrap_or_else(|_| "[1,2,3,4,5]".into());
    crate::settings::store::set(tx, "working_days", &days)?;
    crate::settings::store::set(tx, "business_time_zone", &c.time_zone)?;
    tx.execute("DELETE FROM holidays", [])?;
    let mut insert = tx.prepare_cached("INSERT OR REPLACE INTO holidays (day, label) VALUES (?1, ?2)")?;
    for h in &c.holidays {
        insert.execute(params![h.day, h.label])?;
    }
    Ok(())
}

pub(crate) fn policy_of(conn: &Connection, stage: &str) -> Result<Option<StagnationPolicy>, StoreError> {
    Ok(super::config::stage(conn, stage)?.and_then(|s| s.stagnation))
}

pub(crate) fn save_policy(tx: &Transaction<'_>, stage: &str, p: Option<&StagnationPolicy>) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE stages SET stale_after_days = ?2, stale_target = ?3, stale_reason = ?4 WHERE key = ?1")?
        .execute(params![
            stage,
            p.map(|p| i64::from(p.after_days)),
            p.map(|p| p.target.clone()),
            p.and_then(|p| p.lost_reason.clone())
        ])?;
    Ok(())
}

/// When lead `l` last had a meeting (a cancelled one or a no-show is no sign of life), `$now` being the SQL
/// parameter that holds the present instant. A meeting held counts at its start; a series still running counts
/// as held now, one ended at its end; a meeting still to come counts at the moment it was booked, so that
/// booking it is a sign of life but a placeholder years ahead does not keep the lead out of the sweep.
macro_rules! meetings {
    ($now:literal) => {
        concat!(
            "coalesce((SELECT max(CASE WHEN a.start_utc > ",
            $now,
            " THEN a.created_at
                                       WHEN a.repeats = 1 THEN min(coalesce(a.end_utc, ",
            $now,
            "), ",
            $now,
            ")
                                       ELSE a.start_utc END)
                       FROM appointments a
                       WHERE a.lead_id = l.id AND a.status IN ('proposed', 'confirmed', 'completed')), '')"
        )
    };
}
pub(crate) use meetings;

/// A lead the policy would move: its id, campaign and when it was last active (entered its stage, or its last
/// activity, whichever is later).
pub(crate) struct Stale {
    pub id: i64,
    pub campaign: String,
    pub inactive_since: String,
}

/// The settings key of when activities began to be recorded, on a database made before they were (version 8 and
/// earlier): no lead's inactivity is counted from before it, since nothing could show a lead as active then.
const RECORDED_SINCE: &str = "activities_recorded_since";

/// Migration 009's upgrade of a database holding leads: activities are recorded from now on, so the inactivity
/// clock of its leads starts now. Counted from their stage entry, the first daily sweep after the upgrade would
/// move every older lead to Nurture or Lost, which nobody decided.
pub(crate) fn clock_starts_at_upgrade(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR IGNORE INTO settings (key, value)
         SELECT ?1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE EXISTS (SELECT 1 FROM leads)",
        [RECORDED_SINCE],
    )?;
    Ok(())
}

/// The leads in `stage` last active before `before` (an RFC 3339 prefix: the instant a business day begins,
/// [`BusinessCalendar::start_of`]) as of `now`, oldest first.
pub(crate) fn stale_in(conn: &Connection, stage: &str, before: &str, now: &str) -> Result<Vec<Stale>, StoreError> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT id, campaign, since FROM (
             SELECT l.id, l.campaign,
                    max(coalesce((SELECT m.at FROM stage_moves m WHERE m.lead_id = l.id ORDER BY m.id DESC LIMIT 1), l.created_at),
                        coalesce(l.last_activity_at, ''),
                        coalesce((SELECT value FROM settings WHERE key = 'activities_recorded_since'), ''), ",
        meetings!("?3"),
        ") AS since
             FROM leads l
             WHERE l.stage = ?1 AND coalesce(l.last_activity_at, '') < ?2)
         WHERE since < ?2
         ORDER BY since, id"
    ))?;
    let rows = stmt.query_map(params![stage, before, now], |r| {
        Ok(Stale { id: r.get(0)?, campaign: r.get(1)?, inactive_since: r.get(2)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// When lead `id` was last active as of `now`: it entered its stage, or its last activity, whichever is later.
pub(crate) fn inactive_since(conn: &Connection, id: i64, now: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(concat!(
            "SELECT max(coalesce((SELECT m.at FROM stage_moves m WHERE m.lead_id = l.id ORDER BY m.id DESC LIMIT 1), l.created_at),
                        coalesce(l.last_activity_at, ''),
                        coalesce((SELECT value FROM settings WHERE key = 'activities_recorded_since'), ''), ",
            meetings!("?2"),
            ")
             FROM leads l WHERE l.id = ?1"
        ))?
        .query_row(params![id, now], |r| r.get(0))
        .optional()?)
}

/// User `user`'s notices not shown yet, marked shown at `now`: (the lead it is about, if any; the message).
pub(crate) fn take_unshown(
    tx: &Transaction<'_>,
    user: i64,
    now: &str,
) -> Result<Vec<(Option<i64>, String)>, StoreError> {
    let messages: Vec<(i64, Option<i64>, String)> = tx
        .prepare_cached(
            "SELECT id, lead_id, message FROM notifications WHERE user_id = ?1 AND shown_at IS NULL ORDER BY id",
        )?
        .query_map([user], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut mark = tx.prepare_cached("UPDATE notifications SET shown_at = ?2 WHERE id = ?1")?;
    for (id, _, _) in &messages {
        mark.execute(params![id, now])?;
    }
    Ok(messages.into_iter().map(|(_, lead, m)| (lead, m)).collect())
}

/// The bench's fixture: the stage entries of `n` never-worked leads in `stage` moved back to `at`.
pub(crate) fn backdate_entries(tx: &Transaction<'_>, stage: &str, n: i64, at: &str) -> Result<usize, StoreError> {
    Ok(tx.execute(
        "UPDATE stage_moves SET at = ?3
         WHERE lead_id IN (SELECT id FROM leads WHERE stage = ?1 AND last_activity_at IS NULL ORDER BY id LIMIT ?2)",
        params![stage, n, at],
    )?)
}

pub(crate) fn notify(tx: &Transaction<'_>, user: i64, lead: i64, message: &str, at: &str) -> Result<(), StoreError> {
    notify_about(tx, user, Some(lead), message, at)
}

/// A notice about the user's own things (their calendar), no lead's.
pub(crate) fn notify_user(tx: &Transaction<'_>, user: i64, message: &str, at: &str) -> Result<(), StoreError> {
    notify_about(tx, user, None, message, at)
}

/// Drops the notices about lead `lead` not shown yet: the lead is being removed (an import undone, sample data
/// taken out), and they would name a lead no longer there.
pub(crate) fn forget_unshown(tx: &Transaction<'_>, lead: i64) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM notifications WHERE lead_id = ?1 AND shown_at IS NULL")?.execute([lead])?;
    Ok(())
}

fn notify_about(tx: &Transaction<'_>, user: i64, lead: Option<i64>, message: &str, at: &str) -> Result<(), StoreError> {
    tx.prepare_cached("INSERT INTO notifications (user_id, lead_id, message, created_at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![user, lead, message, at])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn weekdays(holidays: &[&str]) -> Days {
        Days::of(&BusinessCalendar {
            working_days: vec![1, 2, 3, 4, 5],
            holidays: holidays.iter().map(|h| Holiday { day: h.to_string(), label: String::new() }).collect(),
            time_zone: utc_name(),
        })
    }

    #[test]
    fn business_days_skip_weekends_and_holidays() {
        let cal = weekdays(&["2026-12-25"]);
        // Friday 2026-11-27 to Monday 2026-11-30: one business day.
        assert_eq!(cal.between(d("2026-11-27"), d("2026-11-30")), 1);
        // Monday 21 Dec to Monday 28 Dec with Christmas (Friday) off: 4.
        assert_eq!(cal.between(d("2026-12-21"), d("2026-12-28")), 4);
        assert_eq!(cal.between(d("2026-11-30"), d("2026-11-30")), 0);
        // Ten business days before Monday 2026-11-30: a lead last active on Monday 16 Nov has been
        // inactive exactly ten days (not stale), one active on Friday 13 Nov eleven (stale).
        let edge = cal.stale_if_before(10, d("2026-11-30"));
        assert_eq!(edge, Some(d("2026-11-16")));
        assert_eq!(cal.between(d("2026-11-16"), d("2026-11-30")), 10);
        assert_eq!(cal.between(d("2026-11-13"), d("2026-11-30")), 11);
        let never = Days::of(&BusinessCalendar { working_days: vec![], holidays: vec![], time_zone: utc_name() });
        assert_eq!(never.stale_if_before(3, d("2026-11-30")), None);
    }

    proptest! {
        /// A lead is stale exactly when its last active day falls before the edge, whatever the calendar.
        #[test]
        fn stale_exactly_when_last_active_before_the_edge(
            days in 1u32..40,
            offset in 0i64..800,
            since_back in 0i64..120,
            working in proptest::collection::vec(1u8..=7, 1..7),
            holiday_offsets in proptest::collection::vec(0i64..60, 0..6),
        ) {
            let today = d("2026-01-01") + chrono::Duration::days(offset);
            let holidays: Vec<Holiday> = holiday_offsets
                .iter()
                .map(|o| Holiday {
                    day: (today - chrono::Duration::days(*o)).format("%Y-%m-%d").to_string(),
                    label: String::new(),
                })
                .collect();
            let cal = Days::of(&BusinessCalendar { working_days: working, holidays, time_zone: utc_name() });
            let since = today - chrono::Duration::days(since_back);
            let edge = cal.stale_if_before(days, today);
            prop_assert!(edge.is_some(), "a calendar with a working day has an edge");
            let edge = edge.unwrap_or(today);
            prop_assert_eq!(since < edge, cal.between(since, today) > days);
            prop_assert_eq!(cal.between(edge, today), days);
        }
    }
}
