//! Rapport's core: the domain rules (validation, completeness, roles, change log) and their SQLite storage.
//!
//! Architecture invariants:
//! - No Tauri, no async: callers on an async runtime run these synchronous calls on a blocking thread, so a
//!   SQLite connection can never be held across an `.await`.
//! - A feature is one folder (`leads/`, `users/`, `settings/`, `audit/`, ...) holding its rules, its SQL and
//!   its operations. Each feature's SQL module (`store`) is private to the crate: callers reach the database
//!   only through [`Rapport`]'s operations, which take a signed-in [`Actor`] and write the change log.
//! - Every operation that reads or writes business data checks the permission and the record's scope inside
//!   the same transaction as the work, and every mutation writes the change log in that transaction.
//!
//! What is public is the operations and their types; storage is not:
//! ```
//! use rapport_core::leads::{Lead, LeadInput, LeadQuery};
//! use rapport_core::{Actor, OpenOptions, Rapport};
//! ```
//! ```compile_fail
//! use rapport_core::leads::store; // SQL is private to its feature
//! ```
//! ```compile_fail
//! use rapport_core::db::Database; // no caller writes without an actor and a log entry
//! ```
//! ```compile_fail
//! fn raw(core: &rapport_core::Rapport) { let _ = core.database(); }
//! ```

pub mod access;
pub mod audit;
pub mod calendar;
pub mod capture;
pub mod clock;
pub mod db;
pub mod demo;
pub mod duplicates;
pub mod error;
pub mod imports;
pub mod leads;
pub mod pipeline;
mod rapport;
pub mod secrets;
pub mod settings;
#[cfg(test)]
mod test_support;
pub mod users;

pub use access::{Actor, Permission};
pub use audit::Origin;
pub use clock::{Clock, FixedClock, SystemClock};
pub use db::OpenOptions;
pub use error::{Error, ErrorCode, FieldError, Result};
pub use rapport::Rapport;
