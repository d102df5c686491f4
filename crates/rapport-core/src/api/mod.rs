//! The operations the app, the CLI and the tests call. Each one: load the actor's current grant, check the
//! permission and the record's scope, validate, write (with its change-log rows) in one transaction.
mod leads;
mod settings;
mod users;

pub use leads::{ImportMode, ImportOutcome, RowError};
pub use settings::{Settings, Stage};
pub use users::SessionInfo;

use rusqlite::Connection;
use std::path::Path;
use std::sync::Arc;

use crate::access::{AccessError, Actor, Grant, Permission};
use crate::clock::{to_db_time, Clock, SystemClock};
use crate::error::{Error, Result};
use crate::store::changelog::{Batch, ChangeReason};
use crate::store::{users as user_store, Database, OpenOptions};

/// Why a change is being made and where it came from; written on every change-log row it causes.
#[derive(Debug, Clone)]
pub struct Origin {
    pub reason: ChangeReason,
    pub source_ref: String,
}

impl Origin {
    pub fn manual() -> Self {
        Self { reason: ChangeReason::ManualEdit, source_ref: String::new() }
    }
    pub fn import(file: impl Into<String>) -> Self {
        Self { reason: ChangeReason::Import, source_ref: file.into() }
    }
}

pub struct Rapport {
    db: Database,
    clock: Arc<dyn Clock>,
}

impl Rapport {
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, &OpenOptions::default(), Arc::new(SystemClock))
    }

    pub fn open_with(path: &Path, opts: &OpenOptions, clock: Arc<dyn Clock>) -> Result<Self> {
        Ok(Self { db: Database::open(path, opts)?, clock })
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    fn now(&self) -> String {
        to_db_time(self.clock.now())
    }

    /// The actor's rights as stored now, with `permission` required.
    fn grant(conn: &Connection, actor: &Actor, permission: Permission) -> Result<Grant> {
        let grant = match actor.user_id {
            None => Grant::system(),
            Some(id) => user_store::grant(conn, id)?.ok_or(Error::Access(AccessError::Deactivated))?,
        };
        grant.require(permission)?;
        Ok(grant)
    }

    fn batch(&self, grant: &Grant, origin: &Origin) -> Batch {
        Batch {
            actor_id: grant.user_id,
            actor_name: grant.username.clone(),
            at: self.now(),
            reason: origin.reason,
            source_ref: origin.source_ref.clone(),
        }
    }
}

impl Rapport {
    /// On an empty database (no users, no leads), writes `n` demo leads so a first look at the app shows a
    /// working CRM. Returns how many were written (0 when the database was not empty).
    pub fn seed_demo_if_empty(&self, n: usize) -> Result<usize> {
        if self.has_users()? || self.lead_count()? > 0 {
            return Ok(0);
        }
        let rows: Vec<(u32, crate::domain::lead::LeadInput)> =
            crate::demo::sample_leads(n, 2026).enumerate().map(|(i, l)| (i as u32 + 1, l)).collect();
        let origin = Origin { reason: ChangeReason::DemoData, source_ref: "first run".into() };
        let out = self.import_leads(&Actor::system(), &rows, &origin, ImportMode::AllOrNothing, &mut |_, _| {})?;
        Ok(out.created.len())
    }
}
