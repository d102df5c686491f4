//! Work the app does on its own while someone is signed in: reminders as desktop notifications (each handed
//! out once by the core, so a restart neither repeats nor loses one) and the CalDAV sync every few minutes
//! (its state — last sync, last error, changes waiting — is stored by the core and shown in the calendar
//! settings), and the upkeep of the duplicate keys. Once a day, the stagnation policy's sweep (as the system: the policy is the actor) and, for the
//! signed-in user, what it did to their leads, as notifications.
use std::time::Duration;

use rapport_core::secrets::OsKeychain;
use rapport_core::ErrorCode;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::state::AppState;

const REMINDER_EVERY: Duration = Duration::from_secs(30);
/// Sync every this many reminder ticks (5 minutes).
const SYNC_EVERY_TICKS: u32 = 10;

pub fn start(app: AppHandle) {
    // Reminders and notifications have a loop of their own: a slow CalDAV server or a long fold of the duplicate
    // keys in the upkeep below must not hold a reminder past its time.
    let upkeep = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio_sleep(REMINDER_EVERY).await;
            let state = app.state::<AppState>();
            let (Ok(core), Ok(actor)) = (state.core(), state.actor()) else { continue };
            let handle = app.clone();
            let _ = tauri::async_runtime::spawn_blocking(move || {
                // An account deactivated since it signed in gets nothing more, and is signed out.
                if core.session(&actor).is_err_and(|e| e.code() == ErrorCode::SessionEnded) {
                    handle.state::<AppState>().end_session(&actor);
                    return;
                }
                // The lists are taken as the user who was signed in when the tick began, and only while they still
                // are (a take marks what it takes as shown); shown only if they still are once it is taken (a take
                // can wait behind a long write, and someone else may have signed in meanwhile).
                let still_signed_in = || handle.state::<AppState>().actor().ok().as_ref() == Some(&actor);
                if !still_signed_in() {
                    return;
                }
                match core.take_due_reminders(&actor) {
                    Ok(due) if !still_signed_in() => drop(due),
                    Ok(due) => {
                        for r in due {
                            let place =
                                if r.location.is_empty() { String::new() } else { format!(" · {}", r.location) };
                            let shown = handle
                                .notification()
                                .builder()
                                .title(&r.title)
                                .body(format!("{}{place}", r.starts_in(chrono::Utc::now())))
                                .show();
                            if let Err(e) = shown {
                                tracing::warn!("could not show a reminder: {e}");
                            }
                        }
                    }
                    Err(e) => tracing::warn!("reminders: {e}"),
                }
                // Each list is marked shown as it is taken: one failing must not drop the other once taken.
                let takes: [Take; 2] = [|c, a| c.take_notifications(a), |c, a| c.take_due_task_reminders(a)];
                for take in takes {
                    if !still_signed_in() {
                        return;
                    }
                    match take(&core, &actor) {
                        Ok(_) if !still_signed_in() => {}
                        Ok(messages) => {
                            for m in messages {
                                if let Err(e) = handle.notification().builder().title("Rapport").body(&m).show() {
                                    tracing::warn!("could not show a notification: {e}");
                                }
                            }
                        }
                        Err(e) => tracing::warn!("notifications: {e}"),
                    }
                }
            })
            .await;
        }
    });
    tauri::async_runtime::spawn(async move {
        let mut tick: u32 = 0;
        loop {
            tokio_sleep(REMINDER_EVERY).await;
            tick = tick.wrapping_add(1);
            let state = upkeep.state::<AppState>();
            let (Ok(core), Ok(actor)) = (state.core(), state.actor()) else { continue };
            let sync = tick.is_multiple_of(SYNC_EVERY_TICKS);
            let _ = tauri::async_runtime::spawn_blocking(move || {
                match core.sweep_if_due() {
                    Ok(Some(r)) => {
                        tracing::info!("stagnation sweep: {} moved, {} refused by the gate", r.moved, r.refused)
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!("stagnation sweep: {e}"),
                }
                // Saves add their duplicate keys to a small table; once many, they are folded into the large one.
                if sync {
                    if let Err(e) = core.fold_match_keys_if_due() {
                        tracing::warn!("folding the duplicate keys: {e}");
                    }
                    if let Err(e) = core.sweep_staged_files() {
                        tracing::warn!("removing old staged import files: {e}");
                    }
                }
                if sync && matches!(core.caldav_account(&actor), Ok(Some(_))) {
                    // The outcome (and any error) is recorded on the account by the core.
                    if let Err(e) = core.sync_caldav(&actor, &OsKeychain) {
                        tracing::info!("CalDAV sync did not complete: {e}");
                    }
                }
            })
            .await;
        }
    });
}

/// One list of notices to show, taken (and marked shown) for a user.
type Take = fn(&rapport_core::Rapport, &rapport_core::Actor) -> rapport_core::Result<Vec<String>>;

async fn tokio_sleep(d: Duration) {
    tokio::time::sleep(d).await;
}
