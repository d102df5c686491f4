//! Reminders: at each of the agent's offsets before an appointment, once. What was shown is stored per
//! occurrence and offset, so a restart neither repeats a reminder nor loses one still ahead.
use chrono::Duration;
use rapport_ics::Zone;

use super::model::Reminder;
use super::occurrences::{agent_zone, declined_by, event_of, expand_rows, visible};
use super::store;
use super::time::utc_text;
use crate::access::{Actor, Permission};
use crate::error::Result;
use crate::rapport::Rapport;

/// How long after its start a reminder "at the start" is still given: the app asks every half minute, but a
/// computer waking from sleep, or the app's other background work, can make it ask minutes late.
const AT_START_GRACE_MINUTES: i64 = 5;

impl Rapport {
    /// The actor's reminders due now, each marked as shown in the same transaction: a reminder is handed
    /// out once, whoever asks and however often. When several offsets of one occurrence have passed (the
    /// app was closed), only the nearest is shown.
    pub fn take_due_reminders(&self, actor: &Actor) -> Result<Vec<Reminder>> {
        let now = self.now_utc();
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ReadLeads)?;
            let Some(agent_id) = grant.user_id else { return Ok(vec![]) };
            let calendar = super::agents::load(tx, agent_id)?;
            let Some(&longest) = calendar.reminder_minutes.iter().max() else { return Ok(vec![]) };
            let tz = agent_zone(tx, agent_id)?;
            let floating = Zone::Iana(tz);
            let to = now + Duration::minutes(i64::from(longest)) + Duration::seconds(1);
            // From the grace back, as the reminder at the start is due that long (below): an event that lasts
            // no time (a start without an end) has ended by the time the app asks.
            let from = now - Duration::minutes(AT_START_GRACE_MINUTES);
            let rows = store::overlapping(tx, agent_id, &utc_text(from), &utc_text(to))?;
            let mut out = Vec::new();
            for e in expand_rows(&rows, from, to, tz) {
                // A day's event (a trade fair, a holiday) has no hour to be late for: "in 15 minutes" at 23:45
                // the night before, or nothing once the laptop is opened the next morning, was no reminder.
                if matches!(e.start, rapport_ics::When::Date(_)) {
                    continue;
                }
                let start = e.start.to_utc(&floating);
                // A reminder "at the start" (0 minutes) is due at the start itself, and still within the grace.
                if start + Duration::minutes(AT_START_GRACE_MINUTES) <= now || e.row.status == "cancelled" {
                    continue;
                }
                // The agent said they will not go (kept in the calendar as Google and Nextcloud keep it).
                if event_of(e.row).is_some_and(|event| declined_by(&event, &calendar.email)) {
                    continue;
                }
                let occurrence = utc_text(start);
                let mut due: Vec<u32> = calendar
                    .reminder_minutes
                    .iter()
                    .copied()
                    .filter(|m| start - Duration::minutes(i64::from(*m)) <= now)
                    .collect();
                due.sort_unstable();
                let mut shown = false;
                // Busy time with a lead outside the agent's campaigns, as the calendar shows it.
                let hidden = !visible(tx, &grant, e.row.lead_id)?;
                for m in due {
                    if store::reminder_sent(tx, e.row.id, &occurrence, m)? {
                        continue;
                    }
                    store::mark_reminder(tx, e.row.id, &occurrence, m, &utc_text(now))?;
                    if !shown {
                        out.push(Reminder {
                            appointment_id: e.row.id,
                            title: if hidden { "Busy".into() } else { e.row.title.clone() },
                            occurrence: occurrence.clone(),
                            minutes: m,
                            location: if hidden {
                                String::new()
                            } else if e.row.location.is_empty() {
                                e.row.video_url.clone()
                            } else {
                                e.row.location.clone()
                            },
                        });
                        shown = true;
                    }
                }
            }
            Ok(out)
        })
    }
}
