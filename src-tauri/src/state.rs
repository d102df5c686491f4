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
    /// Set by "Cancel" on a running export of the leads list; the export clears it when it starts.
    pub export_cancel: Arc<AtomicBool>,
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
            export_cancel: Arc::default(),
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

    /// Signs out the session `ended` if it is still the one held: not someone who signed in since, nor the
    /// session one's own password change renewed while a command of the old one ran.
    pub fn end_session(&self, ended: &Actor) {
        let mut session = self.session_guard();
        if session.as_ref() == Some(ended) {
            *session = None;
        }
    }

    /// The session `used` goes on as `renewed` (one's own password changed), if it is still the one held: a
    /// sign-out while the change ran is not undone by it, nor is someone who signed in since replaced.
    pub fn renew_session(&self, used: &Actor, renewed: Actor) {
        let mut session = self.session_guard();
        if session.as_ref() == Some(used) {
            *session = Some(renewed);
        }
    }

    fn session_guard(&self) -> std::sync::MutexGuard<'_, Option<Actor>> {
        lock(&self.session)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A command of the session before one's own password change ends with "session ended"; the window's
    /// renewed session stays signed in.
    /// A state over a new database, its administrator's first session, and the one their own password change
    /// renewed it into.
    fn admin_and_renewed() -> (tempfile::TempDir, AppState, Actor, Actor) {
        let dir = tempfile::tempdir().unwrap();
        let core = Rapport::open(&dir.path().join("state.db")).unwrap();
        let admin = core.create_first_admin("admin", "Ada", "a long password 1").unwrap();
        let id = admin.user_id().unwrap();
        let renewed =
            core.change_password(&admin, id, Some("a long password 1"), "a long password 2").unwrap().unwrap();
        let state = AppState::new(Ok(Arc::new(core)), dir.path().join("state.db"));
        (dir, state, admin, renewed)
    }

    #[test]
    fn only_the_session_that_ended_is_signed_out() {
        let (_dir, state, admin, renewed) = admin_and_renewed();
        state.set_actor(Some(renewed.clone()));
        state.end_session(&admin);
        assert_eq!(state.actor().ok(), Some(renewed.clone()), "the renewed session goes on");
        state.end_session(&renewed);
        assert!(state.actor().is_err(), "the session that ended is signed out");
    }

    /// A password change that finishes after its window signed out does not sign it in again; one that finishes
    /// while its session is held renews it.
    #[test]
    fn a_renewal_after_a_sign_out_signs_nobody_in() {
        let (_dir, state, admin, renewed) = admin_and_renewed();
        state.set_actor(Some(admin.clone()));
        state.set_actor(None);
        state.renew_session(&admin, renewed.clone());
        assert!(state.actor().is_err(), "signed out, it stays so");
        state.set_actor(Some(admin.clone()));
        state.renew_session(&admin, renewed.clone());
        assert_eq!(state.actor().ok(), Some(renewed));
    }
}
