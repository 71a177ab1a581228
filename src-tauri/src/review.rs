//! Review before send and blocked senders: thin commands over `confide_mail::review` (the
//! reviewer's side), `confide_core::review` and `confide_core::blocks` (the rules).

use confide_core::blocks::{self, Block};
use confide_core::staff;
use confide_mail::reading::{self, ConversationView};
use confide_mail::records::ImapRecords;
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use crate::error::ApiError;
use crate::state::AppState;

/// Blocks the sender of conversation `id` on its line: their address, or their whole domain.
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct BlockRequest {
    #[ts(type = "number")]
    pub id: i64,
    pub whole_domain: bool,
}

/// Unblocks a sender (as the Blocked list names them) on a line.
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct UnblockRequest {
    pub line: String,
    pub pattern: String,
}

/// A reviewer's decision on a reply waiting for review in conversation `id`: approve it (as
/// written, or as `edited`), or return it with `comment`.
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ReviewRequest {
    Approve {
        #[ts(type = "number")]
        id: i64,
        draft: String,
        edited: Option<String>,
    },
    Return {
        #[ts(type = "number")]
        id: i64,
        draft: String,
        comment: String,
    },
}

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

/// Blocks a conversation's sender (or their domain) on its line; the blocks now in force.
#[tauri::command]
pub async fn block_sender(state: State<'_, AppState>, request: BlockRequest) -> Result<Vec<Block>, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    blocks::block_sender_of(&session, &ImapRecords::of(&session.store), request.id, request.whole_domain).await?;
    Ok(blocks::list(&session).await?)
}

#[tauri::command]
pub async fn unblock_sender(state: State<'_, AppState>, request: UnblockRequest) -> Result<Vec<Block>, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    blocks::set(&session, &ImapRecords::of(&session.store), &request.line, &request.pattern, false).await?;
    Ok(blocks::list(&session).await?)
}

/// The senders blocked on this person's lines.
#[tauri::command]
pub async fn sender_blocks(state: State<'_, AppState>) -> Result<Vec<Block>, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(blocks::list(&session).await?)
}
