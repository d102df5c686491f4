//! What the app holds between commands: the core (or the reason it could not open) and who is signed in.
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rapport_core::{Actor, Rapport};

use crate::error::ApiError;

pub struct AppState {
    pub core: Result<Arc<Rapport>, ApiError>,
    pub database_path: PathBuf,
    session: Mutex<Option<Actor>>,
}

impl AppState {
    pub fn new(core: Result<Arc<Rapport>, ApiError>, database_path: PathBuf) -> Self {
        Self { core, database_path, session: Mutex::new(None) }
    }

    pub fn core(&self) -> Result<Arc<Rapport>, ApiError> {
        self.core.clone()
    }

    pub fn actor(&self) -> Result<Actor, ApiError> {
        self.session_guard().clone().ok_or_else(ApiError::not_signed_in)
    }

    pub fn set_actor(&self, actor: Option<Actor>) {
        *self.session_guard() = actor;
    }

    fn session_guard(&self) -> std::sync::MutexGuard<'_, Option<Actor>> {
        match self.session.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
}
