//! Contact details kept with consent, and subject access, in the app: thin wrappers over
//! `confide_core::consent` and `confide_core::subject_access`.

use confide_core::consent::KeptContact;
use confide_core::consent::{ContactInput, Feedback};
use confide_core::staff;
use confide_core::subject_access::{Erased, Found};
use confide_mail::records::ImapRecords;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::api::SaveOutcome;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct ContactsView {
    /// The purposes this policy keeps contact details for (none: pseudonyms only).
    pub purposes: Vec<confide_core::consent::Purpose>,
    pub contacts: Vec<KeptContact>,
    pub feedback: Vec<Feedback>,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct ContactDoneRequest {
    pub id: String,
    /// What the person said on a feedback call (kept anonymised).
    pub feedback: Option<String>,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct SubjectRequest {
    pub query: String,
}

async fn contacts(session: &staff::Session) -> Result<ContactsView, ApiError> {
    let purposes = confide_core::consent::purposes(session.preset());
    Ok(ContactsView {
        purposes,
        contacts: confide_core::consent::list(session, &ImapRecords::of(&session.store)).await?,
        feedback: confide_core::consent::feedback(session, &ImapRecords::of(&session.store)).await?,
    })
}

#[tauri::command]
pub async fn contact_record(state: State<'_, AppState>, request: ContactInput) -> Result<ContactsView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    confide_core::consent::record(&session, &ImapRecords::of(&session.store), &request).await?;
    contacts(&session).await
}

#[tauri::command]
pub async fn contacts_view(state: State<'_, AppState>) -> Result<ContactsView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    contacts(&session).await
}

#[tauri::command]
pub async fn contact_done(state: State<'_, AppState>, request: ContactDoneRequest) -> Result<ContactsView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    confide_core::consent::done(&session, &ImapRecords::of(&session.store), &request.id, request.feedback.as_deref())
        .await?;
    contacts(&session).await
}

#[tauri::command]
pub async fn subject_search(state: State<'_, AppState>, request: SubjectRequest) -> Result<Found, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(confide_core::subject_access::search(&session, &ImapRecords::of(&session.store), &request.query).await?)
}

/// Saves the subject access document where the manager chooses.
#[tauri::command]
pub async fn subject_export(
    app: AppHandle,
    state: State<'_, AppState>,
    request: SubjectRequest,
) -> Result<SaveOutcome, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let doc = confide_core::subject_access::export(&session, &ImapRecords::of(&session.store), &request.query).await?;
    crate::commands::save_as(&app, "Export", "subject-access.txt".to_owned(), doc.into_bytes()).await
}

#[tauri::command]
pub async fn subject_erase(state: State<'_, AppState>, request: SubjectRequest) -> Result<Erased, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(confide_core::subject_access::erase(&session, &ImapRecords::of(&session.store), &request.query).await?)
}
