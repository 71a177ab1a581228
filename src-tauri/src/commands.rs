//! Tauri commands: argument plumbing only. The logic lives in confide-core.

use confide_core::inbox::{self, InboxFilter, InboxPage};
use confide_core::staff::{self, SetupState};
use tauri::State;

use crate::api::{AcceptAgreementRequest, SaveProfileRequest};
use crate::error::ApiError;
use crate::state::AppState;

#[tauri::command]
pub async fn setup_state(state: State<'_, AppState>) -> Result<SetupState, ApiError> {
    Ok(staff::setup_state(&state.store().await?).await?)
}

#[tauri::command]
pub async fn save_profile(state: State<'_, AppState>, request: SaveProfileRequest) -> Result<SetupState, ApiError> {
    let store = state.store().await?;
    Ok(staff::save_profile(&store, &request.preset_id, &request.display_name, request.role).await?)
}

#[tauri::command]
pub async fn accept_agreement(state: State<'_, AppState>, request: AcceptAgreementRequest) -> Result<SetupState, ApiError> {
    Ok(staff::accept_agreement(&state.store().await?, &request.version).await?)
}

#[tauri::command]
pub async fn inbox_page(state: State<'_, AppState>, request: InboxFilter) -> Result<InboxPage, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(inbox::page(&session, &request).await?)
}
