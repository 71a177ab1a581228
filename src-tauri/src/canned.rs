//! Canned replies: thin commands over `confide_core::canned` (the rules) and
//! `confide_mail::canned` (what fills them in a conversation).

use confide_core::canned::{self, Library};
use confide_core::staff;
use confide_mail::canned::OfferedReply;
use confide_mail::records::ImapRecords;
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use crate::api::ConversationRequest;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct CannedSaveRequest {
    /// The reply being edited; `null` writes a new one.
    pub reply: Option<String>,
    pub line: String,
    /// `null`: for email and chat alike.
    pub channel: Option<confide_core::conversations::Channel>,
    pub title: String,
    pub text: String,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct CannedRemoveRequest {
    pub reply: String,
    pub line: String,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct LineDetailsRequest {
    pub line: String,
    pub hours: String,
    pub phone: String,
    pub signature: String,
}

/// The canned replies of a conversation's line and channel, filled in for it.
#[tauri::command]
pub async fn canned_offered(
    state: State<'_, AppState>,
    request: ConversationRequest,
) -> Result<Vec<OfferedReply>, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(confide_mail::canned::offered(&session, request.id).await?)
}

/// The signature an email reply in this conversation starts with, if its line has one.
#[tauri::command]
pub async fn reply_signature(
    state: State<'_, AppState>,
    request: ConversationRequest,
) -> Result<Option<String>, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(confide_mail::canned::signature(&session, request.id).await?)
}

/// The library on this person's lines, with each reply's history.
#[tauri::command]
pub async fn canned_library(state: State<'_, AppState>) -> Result<Library, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(canned::library(&session, &ImapRecords::of(&session.store)).await?)
}

/// Writes or edits a canned reply (team leaders and managers).
#[tauri::command]
pub async fn save_canned_reply(state: State<'_, AppState>, request: CannedSaveRequest) -> Result<Library, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let server = ImapRecords::of(&session.store);
    let on = (request.line.as_str(), request.channel);
    canned::save(&session, &server, request.reply, on, &request.title, &request.text).await?;
    Ok(canned::library(&session, &server).await?)
}

/// Takes a canned reply out of the library (its history stays).
#[tauri::command]
pub async fn remove_canned_reply(
    state: State<'_, AppState>,
    request: CannedRemoveRequest,
) -> Result<Library, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let server = ImapRecords::of(&session.store);
    canned::remove(&session, &server, &request.reply, &request.line).await?;
    Ok(canned::library(&session, &server).await?)
}

/// Sets what `{hours}` and `{phone}` say on a line (managers).
#[tauri::command]
pub async fn set_line_details(state: State<'_, AppState>, request: LineDetailsRequest) -> Result<Library, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let server = ImapRecords::of(&session.store);
    let details = canned::LineDetails { hours: request.hours, phone: request.phone, signature: request.signature };
    canned::set_line_details(&session, &server, &request.line, &details).await?;
    Ok(canned::library(&session, &server).await?)
}
