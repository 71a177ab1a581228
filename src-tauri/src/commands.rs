//! Tauri commands: argument plumbing only. The logic lives in confide-core.

use confide_core::inbox::{self, InboxFilter, InboxPage};
use confide_core::staff::{self, SetupState};
use confide_core::accounts::{self, AccountKind};
use confide_mail::reading::{self, ConversationView};
use confide_mail::sync::{sync_account, SyncProgress, SyncReport};
use tauri::{AppHandle, Emitter, State};

use crate::api::{AcceptAgreementRequest, ClaimRequest, ConversationRequest, ReplyRequest, RetryRequest, SaveProfileRequest, SendOutcome};
use confide_mail::reply;
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

/// Syncs the shared mailboxes, emitting `sync_progress` events as batches land.
#[tauri::command]
pub async fn sync_now(app: AppHandle, state: State<'_, AppState>) -> Result<SyncReport, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let mut total = SyncReport::default();
    for account in accounts::list(&session.store).await?.into_iter().filter(|a| a.kind == AccountKind::Shared) {
        let emit = |p: &SyncProgress| {
            let _ = app.emit("sync_progress", p);
        };
        let r = sync_account(&session.store, &account, &emit).await?;
        total.folders += r.folders;
        total.unchanged_folders += r.unchanged_folders;
        total.fetched += r.fetched;
        total.added += r.added;
        total.removed += r.removed;
        total.resets += r.resets;
    }
    Ok(total)
}

#[tauri::command]
pub async fn conversation_view(state: State<'_, AppState>, request: ConversationRequest) -> Result<ConversationView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(reading::conversation(&session, request.id, request.load_images_for).await?)
}

/// Queues, sends and files a reply; on success the shared mailbox is synced so the Sent copy
/// joins the conversation.
#[tauri::command]
pub async fn send_reply(state: State<'_, AppState>, request: ReplyRequest) -> Result<SendOutcome, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let id = reply::queue_reply(&session, request.conversation_id, &request.body).await?;
    deliver_and_sync(&session, id).await
}

#[tauri::command]
pub async fn retry_reply(state: State<'_, AppState>, request: RetryRequest) -> Result<SendOutcome, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    deliver_and_sync(&session, request.id).await
}

async fn deliver_and_sync(session: &staff::Session, id: i64) -> Result<SendOutcome, ApiError> {
    let item = reply::deliver(session, id).await?;
    if item.is_none() {
        for account in accounts::list(&session.store).await?.into_iter().filter(|a| a.kind == AccountKind::Shared) {
            // The reply is already sent and filed; a failed refresh only delays its appearance.
            if let Err(e) = sync_account(&session.store, &account, &|_| {}).await {
                tracing::warn!(error = %e, "sync after sending failed");
            }
        }
    }
    Ok(SendOutcome { item })
}

/// Claims a conversation for this staff member on the server, where colleagues' desktops see it.
#[tauri::command]
pub async fn claim_conversation(state: State<'_, AppState>, request: ClaimRequest) -> Result<ConversationView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    confide_mail::triage::claim(&session, request.id).await?;
    Ok(reading::conversation(&session, request.id, None).await?)
}
