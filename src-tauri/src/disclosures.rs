//! Disclosure decisions in the app: record one (any staff member, from a conversation), see the
//! incidents and review one (managers and team leaders not involved). Thin wrappers over
//! `confide_mail::disclosure`.

use confide_core::disclosure::{DisclosureInput, Outcome};
use confide_core::staff;
use confide_mail::disclosure::DisclosuresView;
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct DisclosureReviewRequest {
    pub id: String,
    pub outcome: Outcome,
    pub comment: String,
}

/// Records a decision; returns the incident's id.
#[tauri::command]
pub async fn disclosure_record(state: State<'_, AppState>, request: DisclosureInput) -> Result<String, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(confide_mail::disclosure::record(&session, &request).await?)
}

#[tauri::command]
pub async fn disclosures_view(state: State<'_, AppState>) -> Result<DisclosuresView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(confide_mail::disclosure::view(&session).await?)
}

#[tauri::command]
pub async fn disclosure_review(state: State<'_, AppState>, request: DisclosureReviewRequest) -> Result<DisclosuresView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    confide_mail::disclosure::review(&session, &request.id, request.outcome, &request.comment).await?;
    Ok(confide_mail::disclosure::view(&session).await?)
}
