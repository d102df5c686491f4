//! Calendar commands: parse, call the core on a blocking thread, map the error. The CalDAV password passes
//! through `connect_caldav` to the OS keychain (through `caldav_calendars` to the server only) and is not kept
//! anywhere in the app.
use rapport_core::calendar::{
    AgentCalendar, Appointment, AppointmentInput, AppointmentStatus, CaldavAccount, CaldavCalendar, CaldavConnect,
    Confirmation, IcsFile, IcsFileReport, Occurrence, SlotRequest, SlotSuggestion, SyncReport,
};
use rapport_core::secrets::OsKeychain;
use rapport_core::ErrorCode;
use tauri::ipc::Request;
use tauri::State;

use crate::commands::{as_actor, Id, Res};
use crate::error::ApiError;
use crate::file_body::{file_of, header};
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn agent_calendars(state: State<'_, AppState>) -> Res<Vec<AgentCalendar>> {
    as_actor(&state, |core, actor| core.agent_calendars(actor)).await
}

#[tauri::command]
#[specta::specta]
pub async fn agent_calendar(state: State<'_, AppState>, user_id: Id) -> Res<AgentCalendar> {
    as_actor(&state, move |core, actor| core.agent_calendar(actor, user_id.0)).await
}

#[tauri::command]
#[specta::specta]
/// `seen`: the settings as the form read them, so only what it changed is written (see the core's
/// `update_agent_calendar_as_seen`).
pub async fn update_agent_calendar(
    state: State<'_, AppState>,
    seen: AgentCalendar,
    calendar: AgentCalendar,
) -> Res<AgentCalendar> {
    as_actor(&state, move |core, actor| core.update_agent_calendar_as_seen(actor, Some(seen), calendar)).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_time_off(
    state: State<'_, AppState>,
    user_id: Id,
    start: String,
    end: String,
    note: String,
) -> Res<AgentCalendar> {
    as_actor(&state, move |core, actor| core.add_time_off(actor, user_id.0, &start, &end, &note)).await
}

#[tauri::command]
#[specta::specta]
pub async fn remove_time_off(state: State<'_, AppState>, user_id: Id, id: Id) -> Res<AgentCalendar> {
    as_actor(&state, move |core, actor| core.remove_time_off(actor, user_id.0, id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn occurrences(
    state: State<'_, AppState>,
    agent_ids: Vec<Id>,
    from: String,
    to: String,
) -> Res<Vec<Occurrence>> {
    let agents: Vec<i64> = agent_ids.into_iter().map(|i| i.0).collect();
    as_actor(&state, move |core, actor| core.occurrences(actor, &agents, &from, &to)).await
}

#[tauri::command]
#[specta::specta]
pub async fn appointment(state: State<'_, AppState>, id: Id) -> Res<Appointment> {
    as_actor(&state, move |core, actor| core.appointment(actor, id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn lead_appointments(state: State<'_, AppState>, lead_id: Id) -> Res<Vec<Appointment>> {
    as_actor(&state, move |core, actor| core.lead_appointments(actor, lead_id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn book_appointment(state: State<'_, AppState>, input: AppointmentInput) -> Res<Appointment> {
    as_actor(&state, move |core, actor| core.book_appointment(actor, &input)).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_appointment(
    state: State<'_, AppState>,
    id: Id,
    version: Id,
    input: AppointmentInput,
) -> Res<Appointment> {
    as_actor(&state, move |core, actor| core.update_appointment(actor, id.0, version.0, &input)).await
}

#[tauri::command]
#[specta::specta]
pub async fn move_appointment(
    state: State<'_, AppState>,
    id: Id,
    version: Id,
    start: String,
    end: String,
) -> Res<Appointment> {
    as_actor(&state, move |core, actor| core.move_appointment(actor, id.0, version.0, &start, &end)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_appointment_status(state: State<'_, AppState>, id: Id, status: AppointmentStatus) -> Res<Appointment> {
    as_actor(&state, move |core, actor| core.set_appointment_status(actor, id.0, status)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_confirmation(state: State<'_, AppState>, id: Id, confirmation: Confirmation) -> Res<Appointment> {
    as_actor(&state, move |core, actor| core.set_confirmation(actor, id.0, confirmation)).await
}

#[tauri::command]
#[specta::specta]
pub async fn find_slots(state: State<'_, AppState>, request: SlotRequest) -> Res<Vec<SlotSuggestion>> {
    as_actor(&state, move |core, actor| core.find_slots(actor, &request)).await
}

/// Imports one calendar file, sent as the request's raw body (see `file_body`), into the calendar of the agent
/// the `x-rapport-agent-id` header names (the actor's own without it). Not in the generated bindings: `api.ts`
/// calls it once per file.
#[tauri::command]
pub async fn import_ics_file(state: State<'_, AppState>, request: Request<'_>) -> Res<IcsFileReport> {
    let (name, bytes) = file_of(&request)?;
    let agent_id = match header(&request, AGENT_HEADER).filter(|a| !a.is_empty()) {
        Some(a) => Some(a.parse::<i64>().map_err(|_| ApiError::new(ErrorCode::Validation, "not an agent's id"))?),
        None => None,
    };
    as_actor(&state, move |core, actor| {
        let mut reports = core.import_ics(actor, &[IcsFile { name, bytes }], agent_id)?;
        reports.pop().ok_or_else(|| rapport_core::Error::NotFound { entity: "calendar file", id: String::new() })
    })
    .await
}

const AGENT_HEADER: &str = "x-rapport-agent-id";

/// The new Draft lead's id.
#[tauri::command]
#[specta::specta]
pub async fn create_lead_from_attendee(
    state: State<'_, AppState>,
    appointment_id: Id,
    email: String,
    campaign: Option<String>,
) -> Res<Id> {
    as_actor(&state, move |core, actor| {
        core.create_lead_from_attendee(actor, appointment_id.0, &email, campaign.as_deref()).map(Id)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn export_invite(state: State<'_, AppState>, id: Id) -> Res<String> {
    as_actor(&state, move |core, actor| core.export_invite(actor, id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn export_agent_calendar(state: State<'_, AppState>, agent_id: Id) -> Res<String> {
    as_actor(&state, move |core, actor| core.export_agent_calendar(actor, agent_id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn caldav_account(state: State<'_, AppState>) -> Res<Option<CaldavAccount>> {
    as_actor(&state, |core, actor| core.caldav_account(actor)).await
}

/// The calendars the address leads to (the server's is enough), to choose the one to connect.
#[tauri::command]
#[specta::specta]
pub async fn caldav_calendars(state: State<'_, AppState>, input: CaldavConnect) -> Res<Vec<CaldavCalendar>> {
    as_actor(&state, move |core, actor| core.caldav_calendars(actor, &input)).await
}

#[tauri::command]
#[specta::specta]
pub async fn connect_caldav(state: State<'_, AppState>, input: CaldavConnect) -> Res<CaldavAccount> {
    as_actor(&state, move |core, actor| core.connect_caldav(actor, &input, &OsKeychain)).await
}

#[tauri::command]
#[specta::specta]
pub async fn disconnect_caldav(state: State<'_, AppState>) -> Res<()> {
    as_actor(&state, |core, actor| core.disconnect_caldav(actor, &OsKeychain)).await
}

#[tauri::command]
#[specta::specta]
pub async fn sync_caldav(state: State<'_, AppState>) -> Res<SyncReport> {
    as_actor(&state, |core, actor| core.sync_caldav(actor, &OsKeychain)).await
}
