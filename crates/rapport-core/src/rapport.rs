//! [`Rapport`]: the one handle the app, the CLI and the tests hold. Each feature adds its operations to it in
//! its own `api.rs`; this file holds what they share: the database, the clock, and loading the actor's grant.
use rusqlite::Connection;
use std::path::Path;
use std::sync::Arc;

use crate::access::{AccessError, Actor, Grant, Permission};
use crate::audit::store::{self as changelog, Batch, BatchId};
use crate::audit::Origin;
use crate::clock::{to_db_time, Clock, SystemClock};
use crate::db::{Database, OpenOptions};
use crate::error::{Error, Result};
use crate::users::store as user_store;

pub struct Rapport {
    /// Shared with a handle of another clock (the first run's demo story, told in the past).
    pub(crate) db: Arc<Database>,
    clock: Arc<dyn Clock>,
    /// Imports running in this process, and how to stop them.
    pub(crate) imports: crate::imports::Runtime,
    /// The next range of duplicate keys a fold done in passing takes, while one is under way.
    pub(crate) fold_next: std::sync::Mutex<Option<usize>>,
    /// Held by a CalDAV sync while it runs in this process.
    pub(crate) caldav_sync: std::sync::Mutex<()>,
}

impl Rapport {
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, &OpenOptions::default(), Arc::new(SystemClock))
    }

    pub fn open_with(path: &Path, opts: &OpenOptions, clock: Arc<dyn Clock>) -> Result<Self> {
        Ok(Self::on(Arc::new(Database::open(path, opts)?), clock))
    }

    /// A handle on the same database whose operations read `clock`: the first run's demo story, told in the past.
    pub(crate) fn with_clock(&self, clock: Arc<dyn Clock>) -> Self {
        Self::on(Arc::clone(&self.db), clock)
    }

    fn on(db: Arc<Database>, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock, imports: Default::default(), fold_next: Default::default(), caldav_sync: Default::default() }
    }

    pub fn path(&self) -> &Path {
        self.db.path()
    }

    /// Folds the write-ahead log into the main file, so the file's size is the database's size.
    pub fn checkpoint(&self) -> Result<()> {
        Ok(self.db.checkpoint()?)
    }

    /// Bytes on disk: the main file and its write-ahead log.
    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk()
    }

    /// One clock reading: an operation takes it once and uses it for the log and the record alike.
    pub(crate) fn now(&self) -> String {
        to_db_time(self.clock.now())
    }

    /// The same clock, as an instant (calendar arithmetic).
    pub(crate) fn now_utc(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The actor's rights as stored now, with `permission` required.
    pub(crate) fn grant(conn: &Connection, actor: &Actor, permission: Permission) -> Result<Grant> {
        Self::grant_checking(conn, actor, permission, true)
    }

    /// [`Self::grant`], a refusal naming `action`: what the actor asked ("decide approval requests"), not the
    /// permission it takes ("change settings"), which would mislead when nothing is configured.
    pub(crate) fn grant_to(
        conn: &Connection,
        actor: &Actor,
        permission: Permission,
        action: &'static str,
    ) -> Result<Grant> {
        Self::grant(conn, actor, permission).map_err(|e| match e {
            Error::Access(AccessError::Denied { role, .. }) => Error::Access(AccessError::Denied { role, action }),
            e => e,
        })
    }

    /// The grant of a later step of one long run (an import's next chunk, a scan's save), whose first step
    /// took `grant`. As `grant`, except that the user's own change of their password since the run began does
    /// not stop it: changed in the same window while an import ran, it must not fail the import (and then sign
    /// the window out). A password someone else reset (an Administrator, because it leaked) stops it at its
    /// next step, as a deactivation or a role that lost the permission does; a changed password stops every new
    /// operation of the old session.
    pub(crate) fn grant_going_on(conn: &Connection, actor: &Actor, permission: Permission) -> Result<Grant> {
        let reset_by_another = match actor.user_id {
            Some(id) => {
                crate::audit::store::changed_by_another_after(conn, "user", id, "password", actor.password_mark, id)?
            }
            None => false,
        };
        Self::grant_checking(conn, actor, permission, reset_by_another)
    }

    fn grant_checking(conn: &Connection, actor: &Actor, permission: Permission, credential: bool) -> Result<Grant> {
        let grant = match actor.user_id {
            None => Grant::system(),
            Some(id) => user_store::grant(conn, id)?.ok_or(Error::Access(AccessError::Deactivated))?,
        };
        // A password changed or reset since the session began ends it (a reset because it leaked must lock out
        // whoever holds it), as a deactivation does.
        if let (true, Some(id), Some(credential)) = (credential, actor.user_id, &actor.credential) {
            let now = user_store::password_hash(conn, id)?.map(|h| crate::access::credential_of(&h));
            if now.as_ref() != Some(credential) {
                return Err(Error::Access(AccessError::PasswordChanged));
            }
        }
        grant.require(permission)?;
        Ok(grant)
    }

    /// Opens the change batch of one operation, stamped with one fresh clock reading.
    pub(crate) fn begin_batch(
        &self,
        tx: &rusqlite::Transaction<'_>,
        grant: &Grant,
        origin: &Origin,
    ) -> Result<BatchId> {
        let batch = Batch {
            actor_id: grant.user_id,
            actor_name: grant.username.clone(),
            at: self.now(),
            reason: origin.reason,
            source_ref: origin.source_ref.clone(),
        };
        Ok(changelog::begin(tx, &batch)?)
    }
}
