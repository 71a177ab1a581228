//! Disclosure decisions in the app: record one (any staff member, from a conversation), see the
//! incidents and review one (managers and team leaders not involved). Thin wrappers over
//! `confide_core::disclosure`, kept in the shared mailbox through `ImapRecords`.

use confide_core::disclosure::DisclosuresView;
use confide_core::disclosure::{DisclosureInput, Outcome};
use confide_core::staff;
use confide_mail::records::ImapRecords;
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
    Ok(confide_core::disclosure::record(&session, &ImapRecords::of(&session.store), &request).await?)
}

#[tauri::command]
pub async fn disclosures_view(state: State<'_, AppState>) -> Result<DisclosuresView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(confide_core::disclosure::view(&session, &ImapRecords::of(&session.store)).await?)
}

#[tauri::command]
pub async fn disclosure_review(
    state: State<'_, AppState>,
    request: DisclosureReviewRequest,
) -> Result<DisclosuresView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    confide_core::disclosure::review(
        &session,
        &ImapRecords::of(&session.store),
        &request.id,
        request.outcome,
        &request.comment,
    )
    .await?;
    Ok(confide_core::disclosure::view(&session, &ImapRecords::of(&session.store)).await?)
}

/// The kinds of case record this policy keeps, and those this person may read.
#[derive(Debug, serde::Serialize, TS)]
#[ts(export)]
pub struct CaseRecordsView {
    /// (class id, label)
    pub classes: Vec<(String, String)>,
    pub records: Vec<confide_core::case_records::CaseRecord>,
}

async fn case_view(session: &staff::Session) -> Result<CaseRecordsView, ApiError> {
    let classes = confide_core::case_records::classes(session.preset())
        .into_iter()
        .map(|c| (c.id.clone(), c.label.clone()))
        .collect();
    Ok(CaseRecordsView {
        classes,
        records: confide_core::case_records::list(session, &ImapRecords::of(&session.store)).await?,
    })
}

#[tauri::command]
pub async fn case_records_view(state: State<'_, AppState>) -> Result<CaseRecordsView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    case_view(&session).await
}

#[tauri::command]
pub async fn case_record_create(
    state: State<'_, AppState>,
    request: confide_core::case_records::CaseInput,
) -> Result<CaseRecordsView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    confide_core::case_records::create(&session, &ImapRecords::of(&session.store), &request).await?;
    case_view(&session).await
}
