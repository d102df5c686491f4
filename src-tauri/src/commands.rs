//! Tauri commands: parse, call the core on a blocking thread, map the error. No business logic, no SQL.
use std::sync::atomic::Ordering;

use rapport_core::duplicates::{
    BulkMergeReport, DuplicateTiers, FieldChoice, MergeOutcome, MergeRecord, PossibleDuplicate, QueueFacets,
    QueueFilter, QueuePage, ScanProgress, SeenVersion, UnmergeOutcome,
};
use rapport_core::leads::{HistoryPage, Lead, LeadInput, SavedLead, UserRef};
use rapport_core::leads::{LeadCount, LeadFacets, LeadPage, LeadQuery};
use rapport_core::settings::{Settings, Stage};
use rapport_core::users::SessionInfo;
use rapport_core::users::{User, UserHoldings, UserInput};
use rapport_core::Origin;
use rapport_core::{Actor, ErrorCode, Rapport};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

use crate::error::ApiError;
use crate::state::AppState;

pub(crate) type Res<T> = Result<T, ApiError>;

/// Runs core work off the async runtime's threads; the SQLite connection lives and dies inside `f`.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Res<T> + Send + 'static) -> Res<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("the operation stopped unexpectedly: {e}")))?
}

/// Runs `f` as the signed-in user.
pub(crate) async fn as_actor<T: Send + 'static>(
    state: &State<'_, AppState>,
    f: impl FnOnce(&Rapport, &Actor) -> rapport_core::Result<T> + Send + 'static,
) -> Res<T> {
    let core = state.core()?;
    let actor = state.actor()?;
    let used = actor.clone();
    let result = blocking(move || f(&core, &actor).map_err(ApiError::from)).await;
    // A deactivated account keeps no session here either: the UI goes back to the sign-in.
    if result.as_ref().is_err_and(|e| e.code == ErrorCode::SessionEnded) {
        state.end_session(&used);
    }
    result
}

/// A row id or version. JSON numbers are exact up to 2^53, far beyond any row count of a local database.
#[derive(Debug, Clone, Copy, serde::Deserialize, serde::Serialize, specta::Type)]
#[serde(transparent)]
pub struct Id(#[specta(type = specta_typescript::Number)] pub i64);

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppStatus {
    /// Why the database could not be opened, if it could not; the UI shows it instead of the sign-in. Each
    /// call retries the opening first, so the UI's "Try again" works once the cause is gone.
    pub startup_error: Option<ApiError>,
    /// False until the first administrator exists.
    pub initialized: bool,
    pub session: Option<SessionInfo>,
    pub database_path: String,
}

#[tauri::command]
#[specta::specta]
pub async fn app_status(state: State<'_, AppState>) -> Res<AppStatus> {
    let path = state.database_path.display().to_string();
    // No path (the app-data folder could not be found): nothing to open again.
    if state.core().is_err() && !state.database_path.as_os_str().is_empty() {
        let _one = state.reopening.lock().await;
        // Another call may have opened it while this one waited.
        if state.core().is_err() {
            // The file may have been unlocked, fixed or made writable since: try again before reporting.
            let db = state.database_path.clone();
            state.set_core(blocking(move || Ok(crate::open_core(&db))).await?);
            // What launch could not start on a database it could not open: the capture API, if it is on.
            if state.core().is_ok() {
                let s = crate::capture_commands::restart(&state).await;
                if let Some(e) = s.error {
                    tracing::warn!("the capture API could not start: {e}");
                }
            }
        }
    }
    let core = match state.core() {
        Ok(c) => c,
        Err(e) => {
            return Ok(AppStatus { startup_error: Some(e), initialized: false, session: None, database_path: path })
        }
    };
    let actor = state.actor().ok();
    let (initialized, session, ended) = blocking(move || {
        let initialized = core.has_users()?;
        // A session whose user was deactivated or removed is simply not a session any more; any other
        // failure to read it (a busy or unreadable file) is reported, and signs nobody out.
        let session = match actor {
            None => None,
            Some(a) => match core.session(&a) {
                Ok(s) => Some(s),
                Err(e) if e.code() == rapport_core::ErrorCode::SessionEnded => {
                    return Ok((initialized, None, Some(a)));
                }
                Err(e) => return Err(e.into()),
            },
        };
        Ok((initialized, session, None))
    })
    .await?;
    if let Some(ended) = ended {
        state.end_session(&ended);
    }
    Ok(AppStatus { startup_error: None, initialized, session, database_path: path })
}

#[tauri::command]
#[specta::specta]
pub async fn create_first_admin(
    state: State<'_, AppState>,
    username: String,
    display_name: String,
    password: String,
) -> Res<SessionInfo> {
    let core = state.core()?;
    let (actor, session) = blocking(move || {
        let actor = core.create_first_admin(&username, &display_name, &password)?;
        let session = core.session(&actor)?;
        Ok((actor, session))
    })
    .await?;
    state.set_actor(Some(actor));
    Ok(session)
}

#[tauri::command]
#[specta::specta]
pub async fn sign_in(state: State<'_, AppState>, username: String, password: String) -> Res<SessionInfo> {
    let core = state.core()?;
    let (actor, session) = blocking(move || {
        let actor = core.sign_in(&username, &password)?;
        let session = core.session(&actor)?;
        Ok((actor, session))
    })
    .await?;
    state.set_actor(Some(actor));
    Ok(session)
}

#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, AppState>) -> Res<()> {
    state.set_actor(None);
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn list_leads(state: State<'_, AppState>, query: LeadQuery) -> Res<LeadPage> {
    as_actor(&state, move |core, actor| core.list_leads(actor, &query)).await
}

#[tauri::command]
#[specta::specta]
pub async fn count_leads(state: State<'_, AppState>, query: LeadQuery) -> Res<LeadCount> {
    as_actor(&state, move |core, actor| core.count_leads(actor, &query)).await
}

#[tauri::command]
#[specta::specta]
pub async fn lead_facets(state: State<'_, AppState>) -> Res<LeadFacets> {
    as_actor(&state, |core, actor| core.lead_facets(actor)).await
}

#[tauri::command]
#[specta::specta]
pub async fn user_directory(state: State<'_, AppState>) -> Res<Vec<UserRef>> {
    as_actor(&state, |core, actor| core.user_directory(actor)).await
}

#[tauri::command]
#[specta::specta]
pub async fn get_lead(state: State<'_, AppState>, id: Id) -> Res<Lead> {
    as_actor(&state, move |core, actor| core.get_lead(actor, id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_lead(state: State<'_, AppState>, input: LeadInput) -> Res<SavedLead> {
    as_actor(&state, move |core, actor| core.create_lead(actor, &input, &Origin::manual())).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_lead(state: State<'_, AppState>, id: Id, version: Id, input: LeadInput) -> Res<SavedLead> {
    as_actor(&state, move |core, actor| core.update_lead(actor, id.0, version.0, &input, &Origin::manual())).await
}

#[tauri::command]
#[specta::specta]
pub async fn undo_lead_change(state: State<'_, AppState>, id: Id, batch_id: Id) -> Res<SavedLead> {
    as_actor(&state, move |core, actor| core.undo_lead_change(actor, id.0, batch_id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn lead_history(state: State<'_, AppState>, id: Id, limit: u32) -> Res<HistoryPage> {
    as_actor(&state, move |core, actor| core.lead_history_page(actor, id.0, limit)).await
}

#[tauri::command]
#[specta::specta]
pub async fn owners(state: State<'_, AppState>) -> Res<Vec<UserRef>> {
    as_actor(&state, |core, actor| core.owners(actor)).await
}

#[tauri::command]
#[specta::specta]
pub async fn owners_for_campaign(state: State<'_, AppState>, campaign: String) -> Res<Vec<UserRef>> {
    as_actor(&state, move |core, actor| core.owners_for_campaign(actor, &campaign)).await
}

#[tauri::command]
#[specta::specta]
pub async fn stages(state: State<'_, AppState>) -> Res<Vec<Stage>> {
    as_actor(&state, |core, actor| core.stages(actor)).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_users(state: State<'_, AppState>) -> Res<Vec<User>> {
    as_actor(&state, |core, actor| core.list_users(actor)).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_user(state: State<'_, AppState>, input: UserInput, password: String, steward: bool) -> Res<User> {
    as_actor(&state, move |core, actor| core.add_user(actor, &input, &password, steward)).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_user(state: State<'_, AppState>, id: Id, seen: User, input: UserInput, steward: bool) -> Res<User> {
    as_actor(&state, move |core, actor| core.update_user_as_seen(actor, id.0, &seen, &input, steward)).await
}

/// What a user holds (open leads, meetings to come), said before they are deactivated or made a Viewer.
#[tauri::command]
#[specta::specta]
pub async fn user_holdings(state: State<'_, AppState>, id: Id) -> Res<UserHoldings> {
    as_actor(&state, move |core, actor| core.user_holdings(actor, id.0)).await
}

/// What a user holds in the campaigns a change would take from them, said before the save.
#[tauri::command]
#[specta::specta]
pub async fn user_holdings_outside(
    state: State<'_, AppState>,
    id: Id,
    campaigns: Vec<String>,
    all_campaigns: bool,
) -> Res<UserHoldings> {
    as_actor(&state, move |core, actor| core.user_holdings_outside(actor, id.0, &campaigns, all_campaigns)).await
}

#[tauri::command]
#[specta::specta]
pub async fn change_password(
    state: State<'_, AppState>,
    user_id: Id,
    current: Option<String>,
    new_password: String,
) -> Res<()> {
    let used = state.actor()?;
    let renewed =
        as_actor(&state, move |core, actor| core.change_password(actor, user_id.0, current.as_deref(), &new_password))
            .await?;
    // One's own password changed: this window's session goes on with it (others opened with the old one end),
    // unless it signed out while the change ran.
    if let Some(actor) = renewed {
        state.renew_session(&used, actor);
    }
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn get_settings(state: State<'_, AppState>) -> Res<Settings> {
    as_actor(&state, |core, actor| core.settings(actor)).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_settings(state: State<'_, AppState>, settings: Settings) -> Res<Settings> {
    as_actor(&state, move |core, actor| core.update_settings(actor, &settings)).await
}

#[tauri::command]
#[specta::specta]
pub async fn sample_data(state: State<'_, AppState>) -> Res<rapport_core::leads::SampleData> {
    as_actor(&state, |core, actor| core.sample_data(actor)).await
}

#[tauri::command]
#[specta::specta]
pub async fn remove_sample_data(state: State<'_, AppState>) -> Res<rapport_core::leads::SampleDataRemoval> {
    as_actor(&state, |core, actor| core.remove_sample_data(actor)).await
}

/// What the app shows after a scan (the pairs themselves are read from the queue).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DuplicateScanSummary {
    pub leads: u32,
    pub open: u32,
    pub kept_apart: u32,
    /// Same-tier pairs without a conflict, merged automatically (each can be unmerged from its lead's page).
    pub enriched: u32,
    /// Cancel was asked for while those were being merged: the queue is saved, and the merges done stand.
    pub enrichment_stopped: bool,
    /// Why merging them stopped part-way, if it failed: the queue is saved, and the merges done stand.
    pub enrichment_error: Option<String>,
    pub seconds: f64,
}

/// Scans every lead for duplicates in the background, reporting progress over `on_progress`; the queue is
/// saved only if the scan runs to its end.
#[tauri::command]
#[specta::specta]
pub async fn scan_duplicates(
    state: State<'_, AppState>,
    on_progress: Channel<ScanProgress>,
) -> Res<DuplicateScanSummary> {
    let cancel = state.scan_cancel.clone();
    cancel.store(false, Ordering::Relaxed);
    as_actor(&state, move |core, actor| {
        let r = core.scan_duplicates(actor, &cancel, &mut |p| {
            let _ = on_progress.send(p);
        })?;
        // Then enrichment: same-tier pairs without a conflict become one lead each (undoable). The queue is
        // saved by now, so a failure here is told with the scan's summary, not as the scan's failure.
        let mut merged = Vec::new();
        let enrichment = core.enrich_same_pairs(
            actor,
            &cancel,
            &mut |done, total| {
                // Enrichment counts only the pairs the steward may see: counts are no secret here.
                let phase = rapport_core::duplicates::ScanPhase::Enriching;
                let _ = on_progress.send(ScanProgress::of(phase, done as u32, total as u32, false));
            },
            &mut merged,
        );
        let enriched = u32::try_from(merged.len()).unwrap_or(u32::MAX);
        let enrichment_error = enrichment.err().map(|e| ApiError::from(e).message);
        // Counted again: a merge can take more than one pair with it.
        let open = if enriched == 0 { r.open } else { core.open_duplicate_pairs(actor)? };
        Ok(DuplicateScanSummary {
            leads: r.leads,
            open,
            kept_apart: r.kept_apart,
            enriched,
            enrichment_stopped: cancel.load(Ordering::Relaxed),
            enrichment_error,
            seconds: r.seconds,
        })
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_duplicate_scan(state: State<'_, AppState>) -> Res<()> {
    let cancel = state.scan_cancel.clone();
    as_actor(&state, move |core, actor| core.cancel_duplicate_scan(actor, &cancel)).await
}

#[tauri::command]
#[specta::specta]
pub async fn duplicate_queue(state: State<'_, AppState>, filter: QueueFilter, limit: u32) -> Res<QueuePage> {
    as_actor(&state, move |core, actor| core.duplicate_queue_page(actor, &filter, limit as usize)).await
}

/// The campaigns and sources the queue's filters offer: those of the pairs the user may see.
#[tauri::command]
#[specta::specta]
pub async fn duplicate_queue_facets(state: State<'_, AppState>) -> Res<QueueFacets> {
    as_actor(&state, move |core, actor| core.duplicate_queue_facets(actor)).await
}

/// Takes a "not a duplicate" back: the pair is in the queue again.
#[tauri::command]
#[specta::specta]
pub async fn reopen_duplicate_pair(state: State<'_, AppState>, pair_id: Id) -> Res<()> {
    as_actor(&state, move |core, actor| core.reopen_pair(actor, pair_id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn mark_not_duplicate(state: State<'_, AppState>, pair_id: Id, seen: Vec<SeenVersion>) -> Res<()> {
    as_actor(&state, move |core, actor| core.mark_not_duplicate_as_seen(actor, pair_id.0, &seen)).await
}

#[tauri::command]
#[specta::specta]
pub async fn merge_leads(
    state: State<'_, AppState>,
    survivor_id: Id,
    other_ids: Vec<Id>,
    choices: Vec<FieldChoice>,
    seen: Vec<SeenVersion>,
    // The review queue's pair the two leads are, as the page showed it: refused once it is no longer open.
    pair_id: Option<Id>,
) -> Res<MergeOutcome> {
    let others: Vec<i64> = other_ids.into_iter().map(|i| i.0).collect();
    as_actor(&state, move |core, actor| match (pair_id, others.as_slice()) {
        (Some(pair), [other]) => core.merge_pair_as_seen(actor, pair.0, survivor_id.0, *other, &choices, &seen),
        (Some(_), _) => Err(rapport_core::leads::ValidationErrors::one("others", "a pair merges two leads").into()),
        (None, _) => core.merge_leads_as_seen(actor, survivor_id.0, &others, &choices, &seen),
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn unmerge(state: State<'_, AppState>, merge_id: Id, to_queue: bool) -> Res<UnmergeOutcome> {
    as_actor(
        &state,
        move |core, actor| {
            if to_queue {
                core.unmerge_to_queue(actor, merge_id.0)
            } else {
                core.unmerge(actor, merge_id.0)
            }
        },
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn lead_merges(state: State<'_, AppState>, id: Id) -> Res<Vec<MergeRecord>> {
    as_actor(&state, move |core, actor| core.lead_merges(actor, id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn possible_duplicates(state: State<'_, AppState>, input: LeadInput) -> Res<Vec<PossibleDuplicate>> {
    as_actor(&state, move |core, actor| core.possible_duplicates(actor, &input, 5)).await
}

#[tauri::command]
#[specta::specta]
pub async fn duplicate_tiers(state: State<'_, AppState>) -> Res<DuplicateTiers> {
    as_actor(&state, move |core, actor| core.duplicate_tiers(actor)).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_duplicate_tiers(
    state: State<'_, AppState>,
    seen: DuplicateTiers,
    tiers: DuplicateTiers,
) -> Res<DuplicateTiers> {
    as_actor(&state, move |core, actor| core.update_duplicate_tiers_as_seen(actor, Some(seen), tiers)).await
}

/// Merges each pair's second lead into its first (the "accept all" of high-score pairs, after the UI's
/// preview), reporting progress as pairs are done.
#[tauri::command]
#[specta::specta]
pub async fn merge_pairs(
    state: State<'_, AppState>,
    pair_ids: Vec<Id>,
    on_progress: Channel<u32>,
) -> Res<BulkMergeReport> {
    let ids: Vec<i64> = pair_ids.into_iter().map(|i| i.0).collect();
    as_actor(&state, move |core, actor| {
        core.merge_pairs(actor, &ids, &mut |done, _| {
            let _ = on_progress.send(done as u32);
        })
    })
    .await
}
