//! Rapport's core: the domain rules (validation, completeness, roles, change log) and their SQLite storage.
//!
//! Architecture invariants:
//! - No Tauri, no async: callers on an async runtime run these synchronous calls on a blocking thread, so a
//!   SQLite connection can never be held across an `.await`.
//! - Every operation that reads or writes business data takes the acting [`Actor`], and the permission and
//!   record-scope checks happen here, inside the same transaction as the work.
//! - All SQL lives under [`store`]; the rest of the crate speaks in domain types.
//! - Every mutation writes the change log in the same transaction as the change.

pub mod access;
pub mod api;
pub mod auth;
pub mod clock;
pub mod csv_io;
pub mod demo;
pub mod domain;
pub mod error;
pub mod store;

pub use access::{Actor, Permission};
pub use api::Rapport;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Error, ErrorCode, FieldError, Result};
