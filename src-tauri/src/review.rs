//! Review before send: a thin command over `confide_mail::review` (the reviewer's side) and
//! `confide_core::review` (the rules).

use confide_core::staff;
use confide_mail::reading::{self, ConversationView};
use tauri::State;

use crate::api::ReviewRequest;
use crate::error::ApiError;
use crate::state::AppState;

/// Approves a waiting reply (then sends it, if this approval is the one that counts) or
/// returns it to its writer with a comment; the conversation as it then stands.
#[tauri::command]
pub async fn review_reply(state: State<'_, AppState>, request: ReviewRequest) -> Result<ConversationView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let id = match request {
        ReviewRequest::Approve { id, draft, edited } => {
            for queued in confide_mail::review::approve(&session, &draft, edited.as_deref()).await? {
                // A failed attempt stays in the outbox with its reason, and is retried there.
                crate::commands::deliver_and_sync(&session, queued).await?;
            }
            id
        }
        ReviewRequest::Return { id, draft, comment } => {
            confide_mail::review::send_back(&session, &draft, &comment).await?;
            id
        }
    };
    Ok(reading::conversation(&session, id).await?)
}
