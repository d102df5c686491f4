//! The Tauri shell: opens the core on the chosen database, registers the commands, exports their types.
mod background;
mod calendar_commands;
mod capture_commands;
mod commands;
mod download_commands;
mod error;
mod file_body;
mod import_commands;
mod link_commands;
mod pipeline_commands;
mod state;
mod window_commands;

use std::path::PathBuf;
use std::sync::Arc;

use rapport_core::Rapport;
use tauri::Manager;
use tauri_specta::{collect_commands, Builder};

pub use error::ApiError;
use state::AppState;

/// Demo leads written on an empty first run.
const DEMO_LEADS: usize = 300;

pub fn specta_builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            commands::app_status,
            commands::create_first_admin,
            commands::sign_in,
            commands::sign_out,
            commands::list_leads,
            commands::count_leads,
            commands::lead_facets,
            commands::user_directory,
            commands::get_lead,
            commands::create_lead,
            commands::update_lead,
            commands::undo_lead_change,
            commands::lead_history,
            commands::owners,
            commands::owners_for_campaign,
            commands::stages,
            commands::list_users,
            commands::create_user,
            commands::update_user,
            commands::user_holdings,
            commands::user_holdings_outside,
            commands::change_password,
            commands::get_settings,
            commands::update_settings,
            commands::sample_data,
            commands::remove_sample_data,
            commands::scan_duplicates,
            commands::cancel_duplicate_scan,
            commands::duplicate_queue,
            commands::duplicate_queue_facets,
            commands::mark_not_duplicate,
            commands::reopen_duplicate_pair,
            commands::merge_leads,
            commands::unmerge,
            commands::lead_merges,
            commands::possible_duplicates,
            commands::duplicate_tiers,
            commands::update_duplicate_tiers,
            commands::merge_pairs,
            calendar_commands::agent_calendars,
            calendar_commands::agent_calendar,
            calendar_commands::update_agent_calendar,
            calendar_commands::add_time_off,
            calendar_commands::remove_time_off,
            calendar_commands::occurrences,
            calendar_commands::appointment,
            calendar_commands::lead_appointments,
            pipeline_commands::stage_history,
            pipeline_commands::pipeline_velocity,
            pipeline_commands::pipeline_config,
            pipeline_commands::update_stage,
            pipeline_commands::pipeline_board,
            pipeline_commands::move_lead,
            pipeline_commands::log_activity,
            pipeline_commands::complete_activity,
            pipeline_commands::lead_activities,
            pipeline_commands::pipeline_sweep,
            pipeline_commands::business_calendar,
            pipeline_commands::set_business_calendar,
            pipeline_commands::request_move,
            pipeline_commands::approval_queue,
            pipeline_commands::decide_approval,
            pipeline_commands::withdraw_approval,
            pipeline_commands::remove_activity,
            pipeline_commands::restore_activity,
            pipeline_commands::lead_approval_requests,
            pipeline_commands::approval_rules,
            pipeline_commands::set_approval_rules,
            pipeline_commands::create_pipeline,
            pipeline_commands::create_stage,
            pipeline_commands::reorder_stages,
            pipeline_commands::set_lost_reasons,
            calendar_commands::book_appointment,
            calendar_commands::update_appointment,
            calendar_commands::move_appointment,
            calendar_commands::set_appointment_status,
            calendar_commands::set_confirmation,
            calendar_commands::find_slots,
            calendar_commands::create_lead_from_attendee,
            calendar_commands::export_invite,
            calendar_commands::export_agent_calendar,
            calendar_commands::caldav_account,
            calendar_commands::caldav_calendars,
            calendar_commands::connect_caldav,
            calendar_commands::disconnect_caldav,
            calendar_commands::sync_caldav,
            import_commands::import_preview,
            import_commands::import_dry_run,
            import_commands::import_dry_run_cancel,
            import_commands::import_phone_region,
            import_commands::import_start,
            import_commands::import_cancel,
            import_commands::import_resume,
            import_commands::import_undo,
            import_commands::import_history,
            import_commands::import_batch,
            import_commands::import_save_rejects,
            import_commands::import_templates,
            import_commands::save_import_template,
            import_commands::delete_import_template,
            capture_commands::capture_status,
            capture_commands::update_capture_settings,
            capture_commands::capture_sources,
            capture_commands::add_capture_source,
            capture_commands::update_capture_source,
            capture_commands::revoke_capture_source,
            capture_commands::capture_token,
            capture_commands::capture_submissions,
            capture_commands::capture_form_html,
            window_commands::watch_close,
            window_commands::hold_close,
            window_commands::close_window,
            link_commands::open_link,
            download_commands::export_leads,
            download_commands::cancel_lead_export,
            download_commands::save_download,
        ])
        // The one table of lead fields, so the UI's labels and form read the list the core uses.
        .typ::<rapport_core::leads::LeadFieldInfo>()
        // What the commands sent a file's raw bytes answer (not generated from a command: see `file_body`).
        .typ::<rapport_core::calendar::IcsFileReport>()
        .constant("LEAD_FIELDS", rapport_core::leads::lead_fields())
}

/// Renders the TypeScript bindings of every command and type the UI uses.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    let ts = specta_typescript::Typescript::default().header(
        "// Generated from the Rust command API by `cargo test -p rapport-app` (UPDATE_BINDINGS=1). Do not edit.\n",
    );
    specta_builder().export(ts, path).map_err(|e| e.to_string())
}

/// `--db FILE` on the command line (`args`, without the program's name), else `RAPPORT_DB` (`env`), else none
/// (the app-data default). A `--db` without its file is an error: opening the default database instead would
/// put demo leads in it.
fn db_override(
    mut args: impl Iterator<Item = String>,
    env: Option<std::ffi::OsString>,
) -> Result<Option<PathBuf>, String> {
    while let Some(a) = args.next() {
        let value = if a == "--db" {
            Some(args.next().unwrap_or_default())
        } else {
            a.strip_prefix("--db=").map(str::to_owned)
        };
        if let Some(v) = value {
            if v.is_empty() || v.starts_with("--") {
                return Err("--db needs the database file after it: --db FILE".into());
            }
            return in_a_folder(PathBuf::from(v), "--db").map(Some);
        }
    }
    env.filter(|v| !v.is_empty()).map(|v| in_a_folder(PathBuf::from(v), "RAPPORT_DB")).transpose()
}

/// `path`, if its folder is there: a mistyped one is not made, with a new database of demo leads in it, opened
/// as if it were the real one (the CLI refuses it alike). The default folder is made on first use.
fn in_a_folder(path: PathBuf, named_by: &str) -> Result<PathBuf, String> {
    match path.parent().filter(|d| !d.as_os_str().is_empty() && !d.is_dir()) {
        Some(missing) => {
            Err(format!("no folder {}: check the {named_by} path (nothing was created)", missing.display()))
        }
        None => Ok(path),
    }
}

/// Opens the database and, on an empty first run, writes the demo leads (unless RAPPORT_DEMO=0).
pub(crate) fn open_core(path: &std::path::Path) -> Result<Arc<Rapport>, ApiError> {
    let core = Rapport::open(path).map(Arc::new).map_err(ApiError::from)?;
    // Imports a killed process left running are marked interrupted, to be resumed or undone.
    if let Err(e) = core.mark_interrupted_imports() {
        tracing::warn!("could not check for interrupted imports: {e}");
    }
    let demo = std::env::var("RAPPORT_DEMO").map(|v| v != "0").unwrap_or(true);
    if demo {
        match core.seed_demo_if_empty(DEMO_LEADS) {
            Ok(0) => {}
            Ok(n) => tracing::info!(n, "wrote demo leads on an empty first run"),
            Err(e) => tracing::warn!("could not write demo data: {e}"),
        }
    }
    Ok(core)
}

fn raw_file_commands(invoke: tauri::ipc::Invoke<tauri::Wry>) -> bool {
    let handler: fn(tauri::ipc::Invoke<tauri::Wry>) -> bool =
        tauri::generate_handler![import_commands::import_stage_file, calendar_commands::import_ics_file];
    handler(invoke)
}

pub fn run() {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let builder = specta_builder();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .invoke_handler({
            // The commands sent a file's raw bytes are not the generated bindings' (`file_body` says why).
            let typed = builder.invoke_handler();
            move |invoke| match invoke.message.command() {
                "import_stage_file" | "import_ics_file" => raw_file_commands(invoke),
                _ => typed(invoke),
            }
        })
        .on_window_event(window_commands::on_window_event)
        .setup(move |app| {
            builder.mount_events(app);
            // A path that cannot be had is shown as the startup error, not a panic with no window to say it.
            let path = db_override(std::env::args().skip(1), std::env::var_os("RAPPORT_DB")).and_then(|p| match p {
                Some(p) => Ok(p),
                None => app.path().app_data_dir().map(|d| d.join("rapport.db")).map_err(|e| {
                    format!("the folder for the app's data could not be found ({e}); start it with --db FILE")
                }),
            });
            let (path, core) = match path {
                Ok(p) => (p, Err(ApiError::new(rapport_core::ErrorCode::Internal, "the database is still opening"))),
                Err(e) => (PathBuf::new(), Err(ApiError::new(rapport_core::ErrorCode::Io, e))),
            };
            let open = (!path.as_os_str().is_empty()).then(|| path.clone());
            let state = AppState::new(core, path);
            // Opened off the window's thread (an upgrade of a large file, a first run's demo data take seconds, and
            // the window would not answer meanwhile). The UI's first question waits for it: the lock is taken
            // here, before any command can run.
            let opening = state.reopening.clone().try_lock_owned().ok();
            app.manage(state);
            background::start(app.handle().clone());
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let _opening = opening;
                if let Some(path) = open {
                    let core =
                        tauri::async_runtime::spawn_blocking(move || open_core(&path)).await.unwrap_or_else(|e| {
                            Err(ApiError::new(
                                rapport_core::ErrorCode::Internal,
                                format!("opening the database stopped: {e}"),
                            ))
                        });
                    handle.state::<AppState>().set_core(core);
                }
                capture_commands::start_at_launch(handle).await;
            });
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("Rapport could not start: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::db_override;

    fn args(a: &[&str]) -> impl Iterator<Item = String> {
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>().into_iter()
    }

    #[test]
    fn the_database_is_named_by_db_else_by_rapport_db() {
        let env = || Some(std::ffi::OsString::from("/env.db"));
        assert_eq!(db_override(args(&["--db", "/a.db"]), env()), Ok(Some("/a.db".into())));
        assert_eq!(db_override(args(&["--db=/b.db"]), env()), Ok(Some("/b.db".into())));
        assert_eq!(db_override(args(&[]), env()), Ok(Some("/env.db".into())));
        assert_eq!(db_override(args(&[]), None), Ok(None));
        // Without its file, --db is an error, not the default database.
        for given in [&["--db"][..], &["--db", "--verbose"], &["--db="]] {
            assert!(db_override(args(given), env()).is_err(), "{given:?}");
        }
        // A folder that is not there is not made (a mistyped path would get a new database of demo leads).
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("Documnets").join("crm.db");
        let said = db_override(args(&["--db", missing.to_str().unwrap()]), None).unwrap_err();
        assert!(said.contains("no folder") && said.contains("--db"), "{said}");
        let said = db_override(args(&[]), Some(missing.clone().into_os_string())).unwrap_err();
        assert!(said.contains("RAPPORT_DB"), "{said}");
        assert!(!dir.path().join("Documnets").exists(), "nothing was created");
        let here = dir.path().join("crm.db");
        assert_eq!(db_override(args(&["--db", here.to_str().unwrap()]), None), Ok(Some(here)));
    }

    /// The committed bindings must be what the Rust types say now; `UPDATE_BINDINGS=1` rewrites them.
    #[test]
    fn typescript_bindings_are_current() {
        let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("bindings.ts");
        super::export_bindings(&fresh).unwrap();
        let fresh_text = std::fs::read_to_string(&fresh).unwrap();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&committed, &fresh_text).unwrap();
        }
        let committed_text = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            committed_text == fresh_text,
            "ui/src/lib/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p rapport-app` and commit it"
        );
    }
}
