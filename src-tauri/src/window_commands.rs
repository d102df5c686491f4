//! Closing the window when the page holds work that closing would lose (a form's unsaved changes, a running
//! import). The page has no core plugin to stop a close itself, so the shell asks it over a channel it handed in.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use tauri::ipc::Channel;
use tauri::{State, Window, WindowEvent};

use crate::state::AppState;

/// Whether the page holds the close, and where to ask it.
#[derive(Default)]
pub struct CloseGuard {
    held: AtomicBool,
    ask: Mutex<Option<Channel<()>>>,
}

impl CloseGuard {
    /// Whether a close request must go to the page first; if so, it has been sent there. A page that no longer
    /// takes messages does not keep the window open.
    fn hold(&self) -> bool {
        if !self.held.load(Ordering::SeqCst) {
            return false;
        }
        let ask = match self.ask.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        ask.as_ref().is_some_and(|c| c.send(()).is_ok())
    }
}

/// The window's close button, routed through the page when it holds work.
pub fn on_window_event(window: &Window, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        use tauri::Manager;
        if window.state::<AppState>().close.hold() {
            api.prevent_close();
        }
    }
}

/// Where the page is asked when the user closes the window while it holds work (see `hold_close`).
#[tauri::command]
#[specta::specta]
pub fn watch_close(state: State<'_, AppState>, on_request: Channel<()>) {
    let mut ask = match state.close.ask.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    *ask = Some(on_request);
}

/// True while closing the window would lose work: a close then asks the page instead of closing.
#[tauri::command]
#[specta::specta]
pub fn hold_close(state: State<'_, AppState>, held: bool) {
    state.close.held.store(held, Ordering::SeqCst);
}

/// Closes the window once the page has asked the user (nothing is held any more).
#[tauri::command]
#[specta::specta]
pub fn close_window(state: State<'_, AppState>, window: Window) -> Result<(), crate::ApiError> {
    state.close.held.store(false, Ordering::SeqCst);
    window.close().map_err(|e| crate::ApiError::new(rapport_core::ErrorCode::Internal, e.to_string()))
}
