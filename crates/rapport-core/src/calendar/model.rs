//! What the calendar hands to the app and the CLI, and what they hand to it.
use serde::{Deserialize, Serialize};

/// One span of working time on a weekday, in the agent's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WorkingHours {
    /// 0 = Monday ... 6 = Sunday.
    pub weekday: u8,
    /// "09:00"
    pub start: String,
    /// "17:30"
    pub end: String,
}

/// An agent's calendar settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AgentCalendar {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub user_id: i64,
    /// Filled on reading; ignored on saving.
    pub display_name: String,
    /// The address invites are sent from (ORGANIZER) and an imported invite is matched to.
    pub email: String,
    /// IANA zone, e.g. "Europe/Berlin".
    pub time_zone: String,
    pub working_hours: Vec<WorkingHours>,
    pub buffer_minutes: u32,
    pub min_notice_minutes: u32,
    pub expertise: Vec<String>,
    /// "DE" (a country), "US-CA" (a region), "DE-80" (postcodes starting 80).
    pub territories: Vec<String>,
    /// Round-robin weight (1..1000, 100 = normal share).
    pub weight: u32,
    /// Minutes before each appointment at which to remind.
    pub reminder_minutes: Vec<u32>,
    /// Read only: time off ahead.
    pub time_off: Vec<TimeOff>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TimeOff {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    /// RFC 3339, UTC.
    pub start: String,
    pub end: String,
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Proposed,
    Confirmed,
    Cancelled,
    NoShow,
    Completed,
}

impl AppointmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
            Self::NoShow => "no_show",
            Self::Completed => "completed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Proposed, Self::Confirmed, Self::Cancelled, Self::NoShow, Self::Completed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
    /// Whether it holds the agent's time.
    pub fn holds_time(self) -> bool {
        !matches!(self, Self::Cancelled)
    }
}

/// The confirmation a later messaging feature sends (email, WhatsApp): its state is kept per appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Confirmation {
    ToSend,
    Sent,
    Confirmed,
}

impl Confirmation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ToSend => "to_send",
            Self::Sent => "sent",
            Self::Confirmed => "confirmed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::ToSend, Self::Sent, Self::Confirmed].into_iter().find(|x| x.as_str() == s)
    }
}

/// What a person types to book or change an appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AppointmentInput {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub agent_id: i64,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub lead_id: Option<i64>,
    pub title: String,
    /// RFC 3339 (any offset); stored in UTC.
    pub start: String,
    pub end: String,
    /// The organizer's zone; empty = the agent's.
    pub time_zone: String,
    pub location: String,
    pub video_url: String,
    pub notes: String,
    pub status: AppointmentStatus,
    /// Its agent's alone to read: colleagues see its time as "Busy". Only the agent marks their own appointment
    /// private, and never a meeting with a lead, which is the lead's team's to see.
    #[serde(default)]
    pub private: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Attendee {
    pub email: String,
    pub name: String,
    /// ACCEPTED, DECLINED, TENTATIVE, NEEDS-ACTION, or empty.
    pub response: String,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub lead_id: Option<i64>,
    /// The Rapport user whose calendar has this address (their name): a colleague invited along, no one to
    /// make a lead of. Filled on reading; ignored on saving.
    #[serde(default)]
    pub colleague: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AppointmentSource {
    Rapport,
    Ics,
    Caldav,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Appointment {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub uid: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub agent_id: i64,
    pub agent_name: String,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub lead_id: Option<i64>,
    pub lead_name: Option<String>,
    pub title: String,
    pub location: String,
    pub video_url: String,
    pub notes: String,
    pub status: AppointmentStatus,
    pub confirmation: Confirmation,
    /// First (or only) occurrence: RFC 3339 UTC ending in Z, or YYYY-MM-DD when all-day.
    pub start: String,
    pub end: String,
    pub all_day: bool,
    /// The organizer's zone.
    pub time_zone: Option<String>,
    pub repeats: bool,
    /// The repetition in words ("every week on Monday"), when it repeats.
    pub repetition: Option<String>,
    /// When a repeating meeting's last meeting ends (RFC 3339 UTC): None while it goes on for ever, and for
    /// one that does not repeat (`end` says it).
    pub last_end: Option<String>,
    pub source: AppointmentSource,
    /// Imported although it overlaps: with what.
    pub clash: Option<String>,
    pub attendees: Vec<Attendee>,
    /// A local change waits to be sent to the CalDAV server.
    pub sync_pending: bool,
    pub created_at: String,
    pub updated_at: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub version: i64,
    /// Whether the reader may change it: their own calendar's, an Administrator, or a colleague's meeting with
    /// a lead booked in Rapport (a colleague's own events are theirs).
    pub may_change: bool,
    /// Its agent's alone to read (only they are shown it).
    pub private: bool,
}

/// One occurrence in a window, as calendar views and `rapport appointments list` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Occurrence {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub appointment_id: i64,
    pub uid: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub agent_id: i64,
    /// "Busy" when the appointment's lead is outside what the reader may see.
    pub summary: String,
    /// RFC 3339 UTC ending in Z for timed occurrences, YYYY-MM-DD for all-day ones.
    pub start: String,
    pub end: String,
    pub all_day: bool,
    pub status: AppointmentStatus,
    pub busy: bool,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub lead_id: Option<i64>,
    pub clash: Option<String>,
    pub repeats: bool,
    /// The details are hidden (campaign isolation, or the agent's private event): only that the agent is busy
    /// shows.
    pub hidden: bool,
    /// Whether the reader may change (move) it: see [`Appointment::may_change`].
    pub may_change: bool,
    /// The reader's own private event (a colleague's shows as hidden).
    pub private: bool,
}

/// Ask for free times for a meeting with a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SlotRequest {
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub lead_id: Option<i64>,
    /// Every tag is required of the agent.
    pub expertise: Vec<String>,
    /// Where the lead is: a country, optionally with region and postcode. Empty: the lead's address.
    pub country: String,
    pub region: String,
    pub postcode: String,
    pub duration_minutes: u32,
    /// RFC 3339; empty = now.
    pub from: String,
    /// RFC 3339; empty = two weeks after `from`.
    pub to: String,
    /// Only these agents (a manual choice); empty = every agent who matches.
    #[cfg_attr(feature = "specta", specta(type = Vec<specta_typescript::Number>))]
    pub agents: Vec<i64>,
    /// Suggestions per agent.
    pub per_agent: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SlotSuggestion {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub agent_id: i64,
    pub agent_name: String,
    /// RFC 3339 UTC.
    pub start: String,
    pub end: String,
    /// Rank, 1 = the best.
    pub rank: u32,
    /// "Dana: speaks German, territory DE, 3 meetings this week".
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IcsProblem {
    pub line: u32,
    pub message: String,
    /// An event that was not imported; otherwise a line of the file skipped (the events around it were read).
    #[serde(default)]
    pub event: bool,
}

/// What importing one .ics file did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IcsFileReport {
    pub file: String,
    pub created: u32,
    pub updated: u32,
    pub cancelled: u32,
    pub unchanged: u32,
    /// Imported and flagged: each overlaps an existing appointment, named.
    pub clashes: Vec<String>,
    /// Events that could not be read, by line; the file's other events were imported.
    pub problems: Vec<IcsProblem>,
    pub warnings: Vec<String>,
    /// Attendee addresses that match no lead: each can become a Draft lead.
    pub unknown_attendees: Vec<UnknownAttendee>,
    #[cfg_attr(feature = "specta", specta(type = Vec<specta_typescript::Number>))]
    pub appointment_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UnknownAttendee {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub appointment_id: i64,
    pub email: String,
    pub name: String,
}

/// A reminder due now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Reminder {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub appointment_id: i64,
    pub title: String,
    /// The occurrence's start, RFC 3339 UTC.
    pub occurrence: String,
    /// The agent's reminder offset that came due (the time left may be less: the app was closed).
    pub minutes: u32,
    pub location: String,
}

impl Reminder {
    /// When the occurrence starts, seen from `now`, as a reminder says it: "starts now", "in 1 minute",
    /// "in 20 minutes", "in 1 h 05 min". From the start itself, not the offset: an app opened 20 minutes before
    /// a meeting whose 60-minute reminder was missed says 20.
    pub fn starts_in(&self, now: chrono::DateTime<chrono::Utc>) -> String {
        let Ok(start) = chrono::DateTime::parse_from_rfc3339(&self.occurrence) else {
            return format!("in {} minutes", self.minutes);
        };
        // Rounded up: 14 minutes 10 seconds away is "in 15 minutes", as calendars say it.
        let seconds = (start.with_timezone(&chrono::Utc) - now).num_seconds();
        let minutes = (seconds + 59).div_euclid(60);
        // Given late (the app asked minutes after the start): how long ago, not "now".
        let ago = (-seconds).div_euclid(60);
        match minutes {
            _ if ago == 1 => "started 1 minute ago".into(),
            _ if ago > 1 => format!("started {ago} minutes ago"),
            m if m <= 0 => "starts now".into(),
            1 => "in 1 minute".into(),
            m if m < 60 => format!("in {m} minutes"),
            m => format!("in {} h {:02} min", m / 60, m % 60),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaldavAccount {
    pub calendar_url: String,
    pub username: String,
    pub last_sync_at: Option<String>,
    pub last_error: Option<String>,
    /// Appointments whose change waits to be sent.
    pub pending: u32,
}

/// A calendar of events found on the user's CalDAV server, which they may write to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaldavCalendar {
    /// Its whole address, to connect.
    pub url: String,
    pub name: String,
}

/// What connecting takes; the password goes to the OS keychain only (and never into a debug print).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaldavConnect {
    pub calendar_url: String,
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for CaldavConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaldavConnect")
            .field("calendar_url", &self.calendar_url)
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncReport {
    pub pulled: u32,
    pub pushed: u32,
    pub removed: u32,
    pub clashes: Vec<String>,
    /// Appointments changed both here and on the server since the last sync, each saying what was kept.
    pub conflicts: Vec<String>,
    /// Appointments the server refused to take, each with its reason: kept here and sent again next time.
    pub refused: Vec<String>,
    /// What the server holds that could not be taken here, or was taken with an assumption, each naming the
    /// server's resource: an event that cannot be read is left as it is on both sides, and said so each sync
    /// until it is fixed.
    pub problems: Vec<String>,
}

#[cfg(test)]
mod reminder_tests {
    use chrono::TimeZone;

    use super::Reminder;

    fn at_nine(occurrence: &str) -> String {
        let r = Reminder {
            appointment_id: 1,
            title: "Demo".into(),
            occurrence: occurrence.into(),
            minutes: 60,
            location: String::new(),
        };
        r.starts_in(chrono::Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap())
    }

    #[test]
    fn a_reminder_says_the_time_left_not_its_offset() {
        assert_eq!(at_nine("2026-11-23T09:20:00Z"), "in 20 minutes");
        assert_eq!(at_nine("2026-11-23T09:14:10Z"), "in 15 minutes");
        assert_eq!(at_nine("2026-11-23T09:01:00Z"), "in 1 minute");
        assert_eq!(at_nine("2026-11-23T09:00:00Z"), "starts now");
        assert_eq!(at_nine("2026-11-23T08:59:40Z"), "starts now");
        assert_eq!(at_nine("2026-11-23T08:58:30Z"), "started 1 minute ago");
        assert_eq!(at_nine("2026-11-23T08:56:00Z"), "started 4 minutes ago");
        assert_eq!(at_nine("2026-11-23T10:05:00Z"), "in 1 h 05 min");
    }
}
