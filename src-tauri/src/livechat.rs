//! Live chat's commands in the window; the connection and its glue to the store are
//! `confide_services::livechat`, which tells the window `webchat_changed` (the waiting list)
//! and `inbox_changed` (a chat's messages).

use confide_core::staff;
use confide_mail::reading::{self, ConversationView};
use confide_services::livechat::{ensure_running, Gateway, LiveChatState};
use tauri::{AppHandle, State};

use crate::api::{AcceptChatRequest, ChatPassRequest, ChatSayRequest, WebchatConnectRequest};
use crate::error::ApiError;
use crate::state::AppState;

// The window's commands for live chat.

/// The live chat connection and the visitors waiting on this person's lines; starts the
/// connection the first time, if this desktop has a gateway.
#[tauri::command]
pub async fn webchat_state(app: AppHandle, state: State<'_, AppState>) -> Result<LiveChatState, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    ensure_running(&crate::services::events(&app), &session.store, &state.livechat).await?;
    Ok(state.livechat.state().await)
}

/// Sets the gateway's address and this advisor's credential (into the keyring), and connects.
#[tauri::command]
pub async fn webchat_connect(
    app: AppHandle,
    state: State<'_, AppState>,
    request: WebchatConnectRequest,
) -> Result<LiveChatState, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    confide_webchat::client::check_address(request.url.trim())
        .map_err(|e| confide_core::CoreError::Invalid(e.to_string()))?;
    confide_core::webchat::set_gateway(&session.store, &request.url, &request.credential).await?;
    ensure_running(&crate::services::events(&app), &session.store, &state.livechat).await?;
    Ok(state.livechat.state().await)
}

/// Accepts a waiting chat; the first advisor to accept gets it (the gateway decides).
#[tauri::command]
pub async fn webchat_accept(state: State<'_, AppState>, request: AcceptChatRequest) -> Result<(), ApiError> {
    staff::session(&state.store().await?).await?;
    Ok(state.livechat.send(confide_webchat::protocol::AdvisorIn::Accept { chat: request.chat }).await?)
}

/// Says something in a chat (kept here too), or ends it (`text` null).
#[tauri::command]
pub async fn webchat_say(state: State<'_, AppState>, request: ChatSayRequest) -> Result<ConversationView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let (chat, ended) = confide_core::webchat::chat_of(&session, request.conversation_id).await?;
    if ended {
        return Err(confide_core::CoreError::Invalid("this chat has ended, or is a colleague's now".into()).into());
    }
    match request.text {
        Some(text) => {
            let said = confide_core::webchat::advisor_says(&session.store, &text)?;
            state
                .livechat
                .send(confide_webchat::protocol::AdvisorIn::Say { chat: chat.clone(), text: said.text.clone() })
                .await?;
            confide_core::webchat::add(&session.store, &chat, &said).await?;
        }
        None => state.livechat.send(confide_webchat::protocol::AdvisorIn::End { chat }).await?,
    }
    Ok(reading::conversation(&session, request.conversation_id).await?)
}

/// Hands a chat to a colleague (by the name they chat under), or tells the visitor this advisor
/// is typing.
#[tauri::command]
pub async fn webchat_pass(state: State<'_, AppState>, request: ChatPassRequest) -> Result<(), ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let (chat, over) = confide_core::webchat::chat_of(&session, request.conversation_id).await?;
    if over {
        return Ok(());
    }
    match request.to {
        Some(to) => Ok(state.livechat.send(confide_webchat::protocol::AdvisorIn::Transfer { chat, to }).await?),
        None => Ok(state.livechat.send(confide_webchat::protocol::AdvisorIn::Typing { chat }).await?),
    }
}
