//! The capture API in the app: its listener started at launch when enabled and restarted when its settings
//! change, and the Administrator's commands for sources, tokens (through the OS keychain), submissions and
//! the website form.
use rapport_core::capture::{
    CaptureSettings, CaptureSource, CaptureSourceInput, CaptureStatus, CaptureSubmission, NewCaptureSource,
};
use rapport_core::secrets::OsKeychain;
use tauri::{AppHandle, Manager, State};

use crate::commands::{as_actor, Id, Res};
use crate::state::AppState;

#[derive(Default)]
pub struct Listener {
    running: Option<rapport_capture::Running>,
    error: Option<String>,
    /// Kept across restarts: saving the settings does not give a source its quota back.
    limits: rapport_capture::RateLimits,
}

/// Stops the listener and starts it again as the stored settings say.
pub(crate) async fn restart(state: &AppState) -> CaptureStatus {
    let mut l = state.capture.lock().await;
    if let Some(r) = l.running.take() {
        r.stop().await;
    }
    l.error = None;
    let Ok(core) = state.core() else { return status(&l, CaptureSettings::default()) };
    // A database read waits for a reader connection (a scan may hold one a while): off the async workers. A
    // failed read is said, not taken for "off".
    let reader = core.clone();
    let settings = match tauri::async_runtime::spawn_blocking(move || reader.capture_settings_at_start()).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            l.error = Some(format!("the capture settings could not be read: {e}"));
            return status(&l, CaptureSettings::default());
        }
        Err(e) => {
            l.error = Some(format!("the capture settings could not be read: {e}"));
            return status(&l, CaptureSettings::default());
        }
    };
    if settings.enabled {
        match rapport_capture::start_with(core, &settings, l.limits.clone()).await {
            Ok(r) => l.running = Some(r),
            Err(e) => l.error = Some(e.to_string()),
        }
    }
    status(&l, settings)
}

fn status(l: &Listener, settings: CaptureSettings) -> CaptureStatus {
    CaptureStatus {
        settings,
        running: l.running.is_some(),
        address: l
            .running
            .as_ref()
            .map(|r| format!("http://{}/api/v1/leads", rapport_capture::shown_address(r.address))),
        error: l.error.clone(),
    }
}

/// At launch, once the database is open: the listener runs if an Administrator turned it on.
pub(crate) async fn start_at_launch(app: AppHandle) {
    let state = app.state::<AppState>();
    let s = restart(&state).await;
    if let Some(e) = s.error {
        tracing::warn!("the capture API could not start: {e}");
    }
}

#[tauri::command]
#[specta::specta]
pub async fn capture_status(state: State<'_, AppState>) -> Res<CaptureStatus> {
    let settings = as_actor(&state, |core, actor| core.capture_settings(actor)).await?;
    let l = state.capture.lock().await;
    Ok(status(&l, settings))
}

#[tauri::command]
#[specta::specta]
pub async fn update_capture_settings(
    state: State<'_, AppState>,
    seen: CaptureSettings,
    settings: CaptureSettings,
) -> Res<CaptureStatus> {
    // The Administrator's right first: a refused change learns nothing of this computer's ports.
    as_actor(&state, |core, actor| core.capture_settings(actor)).await?;
    {
        let l = state.capture.lock().await;
        if let Some(r) = l.running.as_ref().filter(|r| settings.enabled && !listens_as(r.address, &settings)) {
            port_is_free(&settings, r.address)?;
        }
    }
    as_actor(&state, move |core, actor| core.update_capture_settings_as_seen(actor, Some(&seen), &settings)).await?;
    Ok(restart(&state).await)
}

/// Whether a listener bound to `bound` is the one `settings` ask for (a save that keeps the address restarts it
/// on the port it frees itself).
fn listens_as(bound: std::net::SocketAddr, settings: &CaptureSettings) -> bool {
    bound == rapport_capture::bind_address(settings)
}

/// A move to another address is tried before anything is saved or stopped: a port another program holds is
/// refused with the settings as they were, and the API goes on answering where it was, instead of the move
/// stopping it and every later start failing on the saved port.
fn port_is_free(settings: &CaptureSettings, running_at: std::net::SocketAddr) -> Res<()> {
    // The same port, from this computer only to the network or back: the running listener holds it, and frees it.
    if settings.port == running_at.port() {
        return Ok(());
    }
    match std::net::TcpListener::bind(rapport_capture::bind_address(settings)) {
        Ok(probe) => {
            drop(probe);
            Ok(())
        }
        Err(e) => Err(rapport_core::Error::from(rapport_core::leads::ValidationErrors::one(
            "port",
            format!(
                "port {} cannot be used ({e}); another program may hold it. Nothing was saved: the API goes on at port {}",
                settings.port,
                running_at.port()
            ),
        ))
        .into()),
    }
}

#[tauri::command]
#[specta::specta]
pub async fn capture_sources(state: State<'_, AppState>) -> Res<Vec<CaptureSource>> {
    as_actor(&state, |core, actor| core.capture_sources(actor)).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_capture_source(state: State<'_, AppState>, input: CaptureSourceInput) -> Res<NewCaptureSource> {
    as_actor(&state, move |core, actor| core.add_capture_source(actor, &OsKeychain, &input)).await
}

/// Changes a source's name, field map, rate and campaign, from a form opened on `seen`.
#[tauri::command]
#[specta::specta]
pub async fn update_capture_source(
    state: State<'_, AppState>,
    id: Id,
    seen: CaptureSource,
    input: CaptureSourceInput,
) -> Res<CaptureSource> {
    as_actor(&state, move |core, actor| core.update_capture_source(actor, id.0, &seen, &input)).await
}

#[tauri::command]
#[specta::specta]
pub async fn revoke_capture_source(state: State<'_, AppState>, id: Id) -> Res<CaptureSource> {
    as_actor(&state, move |core, actor| core.revoke_capture_source(actor, &OsKeychain, id.0)).await
}

/// The token again, from the keychain, for pasting into a form.
#[tauri::command]
#[specta::specta]
pub async fn capture_token(state: State<'_, AppState>, id: Id) -> Res<String> {
    as_actor(&state, move |core, actor| core.capture_token(actor, &OsKeychain, id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn capture_submissions(
    state: State<'_, AppState>,
    source_id: Option<Id>,
    limit: u32,
) -> Res<Vec<CaptureSubmission>> {
    as_actor(&state, move |core, actor| core.capture_submissions(actor, source_id.map(|s| s.0), limit)).await
}

#[tauri::command]
#[specta::specta]
pub async fn capture_form_html(state: State<'_, AppState>, source_id: Id) -> Res<String> {
    as_actor(&state, move |core, actor| {
        core.capture_form_html(actor, &OsKeychain, source_id.0, rapport_capture::network_address())
    })
    .await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
    use std::sync::Arc;

    use super::*;

    /// Settings that cannot be read leave the listener stopped and say why: they were taken for "off", and the
    /// Administrator who had turned the API on saw it silently not running.
    #[test]
    fn settings_that_cannot_be_read_are_said_not_taken_for_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rapport.db");
        let core = rapport_core::Rapport::open(&path).unwrap();
        rusqlite::Connection::open(&path).unwrap().execute_batch("DROP TABLE settings").unwrap();
        let state = AppState::new(Ok(Arc::new(core)), path);
        let s = tauri::async_runtime::block_on(restart(&state));
        assert!(!s.running);
        let error = s.error.unwrap_or_default();
        assert!(error.contains("capture settings could not be read"), "{error}");
    }

    /// A move to a port another program holds is refused on the port field, before anything is saved; a free
    /// port, or the running listener's own, passes.
    #[test]
    fn a_move_to_a_port_in_use_is_refused_before_saving() {
        let holder = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let taken = holder.local_addr().unwrap().port();
        let running_at: std::net::SocketAddr = ([127, 0, 0, 1], 1).into();
        let to = |port| CaptureSettings { enabled: true, port, ..CaptureSettings::default() };
        let e = port_is_free(&to(taken), running_at).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("port"), "{e:?}");
        assert!(
            e.message.contains(&format!("port {taken} cannot be used")) && e.message.contains("at port 1"),
            "{e:?}"
        );
        drop(holder);
        assert!(port_is_free(&to(taken), running_at).is_ok(), "free again");
        assert!(port_is_free(&to(1), running_at).is_ok(), "the running listener's own port");
        assert!(listens_as(running_at, &to(1)) && !listens_as(running_at, &to(taken)));
    }
}
