//! Import commands: the wizard's file staging, preview, dry run, run (progress over a channel), cancel,
//! resume, undo, history, rejected rows and templates. Thin: each parses, calls the core on a blocking thread, maps
//! the error.
use rapport_core::imports::{
    ColumnMapping, DryRunReport, FilePreview, ImportBatch, ImportError, ImportPlan, ImportTemplate,
    ImportTemplateInput, RunProgress, UndoReport,
};
use tauri::ipc::{Channel, Request};
use tauri::State;

use crate::commands::{as_actor, Id, Res};
use crate::file_body::file_of;
use crate::state::AppState;

/// Keeps a copy of the file (a run and a resume after a crash read it from disk) and previews it. The file is the
/// request's raw body (see `file_body`), so this command is not in the generated bindings: `api.ts` calls it.
#[tauri::command]
pub async fn import_stage_file(state: State<'_, AppState>, request: Request<'_>) -> Res<FilePreview> {
    let (file_name, bytes) = file_of(&request)?;
    as_actor(&state, move |core, actor| core.stage_import_file(actor, &file_name, &bytes)).await
}

#[tauri::command]
#[specta::specta]
pub async fn import_preview(state: State<'_, AppState>, file_id: String, sheet: Option<String>) -> Res<FilePreview> {
    as_actor(&state, move |core, actor| core.preview_import(actor, &file_id, sheet.as_deref())).await
}

/// The country of the file's national phone numbers, read with the mapping the user chose.
#[tauri::command]
#[specta::specta]
pub async fn import_phone_region(
    state: State<'_, AppState>,
    file_id: String,
    sheet: Option<String>,
    mapping: Vec<ColumnMapping>,
) -> Res<Option<String>> {
    as_actor(&state, move |core, actor| core.import_phone_region(actor, &file_id, sheet.as_deref(), &mapping)).await
}

#[tauri::command]
#[specta::specta]
pub async fn import_dry_run(
    state: State<'_, AppState>,
    file_id: String,
    plan: ImportPlan,
    on_progress: Channel<RunProgress>,
) -> Res<DryRunReport> {
    as_actor(&state, move |core, actor| {
        core.dry_run_staged(actor, &file_id, &plan, &mut |p| {
            let _ = on_progress.send(p);
        })
    })
    .await
}

/// Stops the dry run of a staged file before its next rehearsal; false when none runs.
#[tauri::command]
#[specta::specta]
pub async fn import_dry_run_cancel(state: State<'_, AppState>, file_id: String) -> Res<bool> {
    as_actor(&state, move |core, actor| core.cancel_dry_run(actor, &file_id)).await
}

/// Runs the import to its end, a cancel or a failure, sending progress after every chunk.
#[tauri::command]
#[specta::specta]
pub async fn import_start(
    state: State<'_, AppState>,
    file_id: String,
    plan: ImportPlan,
    on_progress: Channel<RunProgress>,
) -> Res<ImportBatch> {
    as_actor(&state, move |core, actor| {
        let (path, name) = core.staged_import_file(actor, &file_id)?;
        core.start_import(actor, &path, &name, &plan, &mut |p| {
            // A closed window no longer listens; the import goes on regardless.
            let _ = on_progress.send(p);
        })
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn import_cancel(state: State<'_, AppState>, batch_id: Id) -> Res<bool> {
    // False: nothing runs under that batch now (ended, or a resume still checking its file before it runs).
    as_actor(&state, move |core, actor| core.cancel_import(actor, batch_id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn import_resume(
    state: State<'_, AppState>,
    batch_id: Id,
    on_progress: Channel<RunProgress>,
) -> Res<ImportBatch> {
    as_actor(&state, move |core, actor| {
        core.resume_import(actor, batch_id.0, &mut |p| {
            let _ = on_progress.send(p);
        })
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn import_undo(
    state: State<'_, AppState>,
    batch_id: Id,
    on_progress: Channel<RunProgress>,
) -> Res<UndoReport> {
    as_actor(&state, move |core, actor| {
        core.undo_import(actor, batch_id.0, &mut |p| {
            let _ = on_progress.send(p);
        })
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn import_history(state: State<'_, AppState>) -> Res<Vec<ImportBatch>> {
    as_actor(&state, |core, actor| core.import_history(actor, 200)).await
}

/// One import with what its undo kept and why (the history lists imports without them).
#[tauri::command]
#[specta::specta]
pub async fn import_batch(state: State<'_, AppState>, batch_id: Id) -> Res<ImportBatch> {
    as_actor(&state, move |core, actor| core.import_batch(actor, batch_id.0)).await
}

/// Saves the rejected rows of an import as `file_name` in the Downloads folder, written as they are read (a
/// million rejected rows never cross to the page); answers the path it was saved at.
#[tauri::command]
#[specta::specta]
pub async fn import_save_rejects(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    batch_id: Id,
    file_name: String,
) -> Res<String> {
    let dir = crate::download_commands::downloads_dir(&app)?;
    as_actor(&state, move |core, actor| {
        // Said as any download's failure is: the file and the folder, then why.
        let where_to = |e: std::io::Error| {
            let name = crate::download_commands::safe_file_name(&file_name);
            let said = format!("Could not save {name} in {}: {e}", dir.display());
            rapport_core::Error::from(ImportError::WriteRejects(std::io::Error::new(e.kind(), said)))
        };
        let path = crate::download_commands::save_new_with(&dir, &file_name, where_to, |out| {
            match core.write_import_rejects(actor, batch_id.0, out) {
                Err(rapport_core::Error::Import(ImportError::WriteRejects(e))) => Err(where_to(e)),
                other => other.map(|_| ()),
            }
        })?;
        Ok(path.display().to_string())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn import_templates(state: State<'_, AppState>) -> Res<Vec<ImportTemplate>> {
    as_actor(&state, |core, actor| core.import_templates(actor)).await
}

#[tauri::command]
#[specta::specta]
pub async fn save_import_template(state: State<'_, AppState>, template: ImportTemplateInput) -> Res<ImportTemplate> {
    as_actor(&state, move |core, actor| core.save_import_template(actor, &template)).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_import_template(state: State<'_, AppState>, name: String) -> Res<()> {
    as_actor(&state, move |core, actor| core.delete_import_template(actor, &name)).await
}
