//! Pipeline commands: parse, call the core on a blocking thread, map the error.
use rapport_core::leads::SavedLead;
use rapport_core::pipeline::{
    Activity, ApprovalRequest, ApprovalRule, Board, BoardQuery, BusinessCalendar, LostReason, NewActivity, NewStage,
    Passing, PipelineConfig, StageConfig, StageSettings, StageStay, StagnationPolicy, SweepReport, Velocity,
};
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

#[tauri::command]
#[specta::specta]
pub async fn pipeline_config(state: State<'_, AppState>) -> Res<PipelineConfig> {
    as_actor(&state, |core, actor| core.pipeline_config(actor)).await
}

/// A stage's settings and its stagnation policy (None: none), saved together or not at all; `seen`, the stage as
/// the dialog read it (another Administrator's save since is a conflict).
#[tauri::command]
#[specta::specta]
pub async fn update_stage(
    state: State<'_, AppState>,
    key: String,
    seen: StageConfig,
    settings: StageSettings,
    policy: Option<StagnationPolicy>,
) -> Res<PipelineConfig> {
    as_actor(&state, move |core, actor| core.save_stage_as_seen(actor, &key, Some(&seen), &settings, policy.as_ref()))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn pipeline_board(state: State<'_, AppState>, query: BoardQuery) -> Res<Board> {
    as_actor(&state, move |core, actor| core.pipeline_board(actor, &query)).await
}

/// The board's drag (and its keyboard twin). `override_reason`: an Administrator moving past unmet criteria.
#[tauri::command]
#[specta::specta]
pub async fn move_lead(
    state: State<'_, AppState>,
    lead_id: Id,
    version: Id,
    stage: String,
    override_reason: Option<String>,
    lost_reason: Option<String>,
) -> Res<SavedLead> {
    as_actor(&state, move |core, actor| {
        let passage = override_reason.as_deref().map_or(Passing::Checked, Passing::Override);
        core.move_lead_losing(actor, lead_id.0, version.0, &stage, lost_reason.as_deref(), passage)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn log_activity(state: State<'_, AppState>, lead_id: Id, activity: NewActivity) -> Res<Activity> {
    as_actor(&state, move |core, actor| core.log_activity(actor, lead_id.0, &activity)).await
}

#[tauri::command]
#[specta::specta]
pub async fn complete_activity(state: State<'_, AppState>, id: Id) -> Res<Activity> {
    as_actor(&state, move |core, actor| core.complete_activity(actor, id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn lead_activities(state: State<'_, AppState>, lead_id: Id) -> Res<Vec<Activity>> {
    as_actor(&state, move |core, actor| core.lead_activities(actor, lead_id.0)).await
}

/// The stagnation sweep; `dry_run`: the preview of what would move (writes nothing).
#[tauri::command]
#[specta::specta]
pub async fn pipeline_sweep(state: State<'_, AppState>, dry_run: bool) -> Res<SweepReport> {
    as_actor(&state, move |core, actor| core.pipeline_sweep(actor, dry_run)).await
}

#[tauri::command]
#[specta::specta]
pub async fn business_calendar(state: State<'_, AppState>) -> Res<BusinessCalendar> {
    as_actor(&state, |core, actor| core.business_calendar(actor)).await
}

/// `seen`: the calendar as the editor read it (another Administrator's save since is a conflict).
#[tauri::command]
#[specta::specta]
pub async fn set_business_calendar(
    state: State<'_, AppState>,
    seen: BusinessCalendar,
    calendar: BusinessCalendar,
) -> Res<BusinessCalendar> {
    as_actor(&state, move |core, actor| core.set_business_calendar_as_seen(actor, Some(&seen), &calendar)).await
}

/// Asks an Administrator to approve a move a rule covers (the board offers it on `approval_required`).
#[tauri::command]
#[specta::specta]
pub async fn request_move(
    state: State<'_, AppState>,
    lead_id: Id,
    version: Id,
    stage: String,
    lost_reason: String,
    note: String,
) -> Res<ApprovalRequest> {
    as_actor(&state, move |core, actor| core.request_move(actor, lead_id.0, version.0, &stage, &lost_reason, &note))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn approval_queue(state: State<'_, AppState>) -> Res<Vec<ApprovalRequest>> {
    as_actor(&state, |core, actor| core.approval_queue(actor)).await
}

#[tauri::command]
#[specta::specta]
pub async fn decide_approval(
    state: State<'_, AppState>,
    id: Id,
    approve: bool,
    comment: String,
) -> Res<ApprovalRequest> {
    as_actor(&state, move |core, actor| core.decide_approval(actor, id.0, approve, &comment)).await
}

/// Removes an activity logged by mistake (its author or an Administrator).
#[tauri::command]
#[specta::specta]
pub async fn remove_activity(state: State<'_, AppState>, id: Id) -> Res<()> {
    as_actor(&state, move |core, actor| core.remove_activity(actor, id.0)).await
}

/// Puts back an activity removed by mistake, as it was (the Undo of a removal).
#[tauri::command]
#[specta::specta]
pub async fn restore_activity(state: State<'_, AppState>, id: Id) -> Res<Activity> {
    as_actor(&state, move |core, actor| core.restore_activity(actor, id.0)).await
}

/// Takes back a request the signed-in user made.
#[tauri::command]
#[specta::specta]
pub async fn withdraw_approval(state: State<'_, AppState>, id: Id) -> Res<ApprovalRequest> {
    as_actor(&state, move |core, actor| core.withdraw_approval(actor, id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn lead_approval_requests(state: State<'_, AppState>, lead_id: Id) -> Res<Vec<ApprovalRequest>> {
    as_actor(&state, move |core, actor| core.lead_approval_requests(actor, lead_id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn approval_rules(state: State<'_, AppState>) -> Res<Vec<ApprovalRule>> {
    as_actor(&state, |core, actor| core.approval_rules(actor)).await
}

/// `seen`: the rules as the editor read them (another Administrator's save since is a conflict).
#[tauri::command]
#[specta::specta]
pub async fn set_approval_rules(
    state: State<'_, AppState>,
    seen: Vec<ApprovalRule>,
    rules: Vec<ApprovalRule>,
) -> Res<Vec<ApprovalRule>> {
    as_actor(&state, move |core, actor| core.set_approval_rules_as_seen(actor, Some(&seen), &rules)).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_pipeline(state: State<'_, AppState>, key: String, label: String) -> Res<PipelineConfig> {
    as_actor(&state, move |core, actor| core.create_pipeline(actor, &key, &label)).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_stage(state: State<'_, AppState>, stage: NewStage) -> Res<PipelineConfig> {
    as_actor(&state, move |core, actor| core.create_stage(actor, &stage)).await
}

#[tauri::command]
#[specta::specta]
pub async fn reorder_stages(
    state: State<'_, AppState>,
    pipeline: String,
    seen: Vec<String>,
    order: Vec<String>,
) -> Res<PipelineConfig> {
    as_actor(&state, move |core, actor| core.reorder_stages(actor, &pipeline, Some(&seen), &order)).await
}

/// `seen`: the reasons as the editor read them (another Administrator's save since is a conflict).
#[tauri::command]
#[specta::specta]
pub async fn set_lost_reasons(
    state: State<'_, AppState>,
    seen: Vec<LostReason>,
    reasons: Vec<LostReason>,
) -> Res<PipelineConfig> {
    as_actor(&state, move |core, actor| core.set_lost_reasons_as_seen(actor, Some(&seen), &reasons)).await
}
