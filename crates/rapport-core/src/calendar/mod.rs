//! Appointments and agents' calendars (seed section 7): working hours, time off, buffers and minimum
//! notice per agent; appointments with leads, checked against double booking inside the writing
//! transaction; allocation by expertise, territory, free time and a weighted round-robin; .ics in and out
//! (through `rapport-ics`); reminders; CalDAV calendars whose passwords stay in the OS keychain.
//!
//! Every appointment is stored with its full definition (`rapport_ics::Event` as JSON: start in its zone,
//! length, repetition, attendees) and a few columns derived from it for the indexes; occurrences are
//! expanded from the definition when read, so a window years ahead is as right as this week.
mod agents;
mod allocation;
mod booking;
mod caldav;
mod caldav_client;
mod caldav_digest;
mod caldav_discovery;
mod error;
mod ics_export;
mod ics_import;
pub(crate) mod merges;
pub(crate) mod model;
mod occurrences;
mod reminders;
pub(crate) mod store;
pub(crate) mod time;

pub use error::CalendarError;
pub use ics_import::IcsFile;
pub use model::*;
pub(crate) use occurrences::history_seen as appointment_history_seen;
pub(crate) use store::lead_has_appointments;
