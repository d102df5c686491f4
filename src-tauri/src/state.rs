//! What the app holds between commands: the core (or the reason it could not open) and who is signed in.
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use rapport_core::{Actor, Rapport};

use crate::error::ApiError;

pub struct AppState {
    /// The open core, or why the database could not be opened (shown by the UI, which can ask to retry).
    core: Mutex<Result<Arc<Rapport>, ApiError>>,
    pub database_path: PathBuf,
    session: Mutex<Option<Actor>>,
    /// Set by "Cancel" on a running duplicate scan; the scan clears it when it starts.
    pub scan_cancel: Arc<AtomicBool>,
    /// The capture API's listener, when it runs, or why it could not start.
    pub capture: tokio::sync::Mutex<crate::capture_commands::Listener>,
    /// Held while the database is opened again ("Try again"): two at once would open two cores.
    pub reopening: Arc<tokio::sync::Mutex<()>>,
    /// Whether a close of the window asks the page first.
    pub close: crate::window_commands::CloseGuard,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

impl AppState {
    pub fn new(core: Result<Arc<Rapport>, ApiError>, database_path: PathBuf) -> Self {
        Self {
            core: Mutex::new(core),
            database_path,
            session: Mutex::new(None),
            scan_cancel: Arc::default(),
            capture: Default::default(),
            reopening: Default::default(),
            close: Default::default(),
        }
    }

    pub fn core(&self) -> Result<Arc<Rapport>, ApiError> {
        lock(&self.core).clone()
    }

    pub fn set_core(&self, core: Result<Arc<Rapport>, ApiError>) {
        *lock(&self.core) = core;
    }

    pub fn actor(&self) -> Result<Actor, ApiError> {
        self.session_guard().clone().ok_or_else(ApiError::not_signed_in)
    }

    pub fn set_actor(&self, actor: Option<Actor>) {
        *self.session_guard() = actor;
    }

    /// Signs out user `user` if still signed in (not someone who signed in since).
    pub fn end_session_of(&self, user: Option<i64>) {
        let mut session = self.session_guard();
        if session.as_ref().is_some_and(|a| a.user_id() == user) {
            *session = None;
        }
    }

    fn session_guard(&self) -> std::sync::MutexGuard<'_, Option<Actor>> {
        lock(&self.session)
    }
}
