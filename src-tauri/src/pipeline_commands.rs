//! Pipeline commands: parse, call the core on a blocking thread, map the error.
use rapport_core::pipeline::{StageStay, Velocity};
use tauri::State;

use crate::commands::{as_actor, Id, Res};
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn stage_history(state: State<'_, AppState>, lead_id: Id) -> Res<Vec<StageStay>> {
    as_actor(&state, move |core, actor| core.stage_history(actor, lead_id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn pipeline_velocity(state: State<'_, AppState>) -> Res<Velocity> {
    as_actor(&state, |core, actor| core.pipeline_velocity(actor)).await
}
