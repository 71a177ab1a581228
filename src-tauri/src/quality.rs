//! Quality monitoring in the app (managers): the commands of the Quality panel, each a thin
//! wrapper over `confide_core::qa`.

use confide_core::qa::{AdvisorMonth, Criterion, Review, ReviewView, Sample, SampleRequest};
use confide_core::staff;
use confide_mail::records::ImapRecords;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::api::SaveOutcome;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct QaKeyRequest {
    pub key: String,
}

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct QaOverview {
    pub rubric: Vec<Criterion>,
    pub reviews: Vec<Review>,
    pub summary: Vec<AdvisorMonth>,
}

#[tauri::command]
pub async fn qa_sample(state: State<'_, AppState>, request: SampleRequest) -> Result<Sample, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(confide_core::qa::sample(&session, &ImapRecords::of(&session.store), &request).await?)
}

#[tauri::command]
pub async fn qa_review_view(state: State<'_, AppState>, request: QaKeyRequest) -> Result<ReviewView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(confide_core::qa::review_view(&session, &ImapRecords::of(&session.store), &request.key).await?)
}

#[tauri::command]
pub async fn qa_save_review(state: State<'_, AppState>, request: Review) -> Result<QaOverview, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    confide_core::qa::save_review(&session, &ImapRecords::of(&session.store), &request).await?;
    overview(&session).await
}

#[tauri::command]
pub async fn qa_overview(state: State<'_, AppState>) -> Result<QaOverview, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    overview(&session).await
}

async fn overview(session: &staff::Session) -> Result<QaOverview, ApiError> {
    let reviews = confide_core::qa::reviews(session, &ImapRecords::of(&session.store)).await?;
    Ok(QaOverview { rubric: session.preset().rubric(), summary: confide_core::qa::summary(&reviews), reviews })
}

/// Saves the per-advisor summary as CSV where the manager chooses, for supervision.
#[tauri::command]
pub async fn qa_export(app: AppHandle, state: State<'_, AppState>) -> Result<SaveOutcome, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let csv = confide_core::qa::export_summary(&session, &ImapRecords::of(&session.store)).await?;
    crate::commands::save_as(&app, "Export", "quality-reviews.csv".to_owned(), csv.into_bytes()).await
}
