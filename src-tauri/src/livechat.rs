//! Live chat in the app: the connection to the webchat gateway (confide-webchat's client) and
//! the glue to the store (confide-mail's `webchat`): waiting visitors for the inbox, accepted
//! chats kept as conversations, each message stored and shown, and the transcript archived the
//! moment a chat ends. The window hears `webchat_changed` (the waiting list) and
//! `inbox_changed` (a chat's messages).

use confide_mail::records::ImapRecords;
use std::sync::Arc;
use std::time::Duration;

use confide_core::webchat::Said;
use confide_core::{staff, Store};
use confide_webchat::client::AdvisorClient;
use confide_webchat::protocol::{AdvisorIn, Out, Speaker};
use serde::Serialize;
use tauri::AppHandle;
use tokio::sync::Mutex;
use ts_rs::TS;

use crate::api::{AcceptChatRequest, ChatPassRequest, ChatSayRequest, WebchatConnectRequest};
use crate::error::ApiError;
use crate::state::AppState;
use confide_mail::reading::{self, ConversationView};
use tauri::State;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct WaitingChat {
    pub chat: String,
    pub line: String,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub since: i64,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct LiveChatState {
    /// Whether this desktop is set up to take chats at all.
    pub configured: bool,
    pub connected: bool,
    pub waiting: Vec<WaitingChat>,
    /// Colleagues connected now who share a line with this person: who a chat can go to.
    pub colleagues: Vec<String>,
    /// Why the connection is down, in words.
    pub problem: Option<String>,
}

#[derive(Default)]
pub struct LiveChat {
    client: Mutex<Option<AdvisorClient>>,
    state: Mutex<LiveChatState>,
    started: Mutex<bool>,
    /// Each chat's line, as `assigned` said, for the history that follows.
    lines: Mutex<std::collections::HashMap<String, String>>,
    /// Chats already announced, so a reconnect does not announce them again.
    notified: Mutex<std::collections::HashSet<String>>,
}

/// A desktop notification that someone is waiting. It names the line and nothing else: it can
/// show on a locked or shared screen, so never anything the visitor wrote.
fn notify_waiting(app: &AppHandle, session: &staff::Session, line: &str) {
    use tauri_plugin_notification::NotificationExt;
    let name = session.preset().lines.iter().find(|l| l.id == line).map_or(line, |l| l.name.as_str());
    let shown = app
        .notification()
        .builder()
        .title("A visitor is waiting to chat")
        .body(format!("{name}: open Confide to accept."))
        .show();
    if let Err(e) = shown {
        tracing::warn!("the desktop notification could not be shown: {e}");
    }
}

fn speaker(s: Speaker) -> String {
    match s {
        Speaker::Visitor => "visitor".into(),
        Speaker::Advisor => "advisor".into(),
    }
}

impl LiveChat {
    pub async fn state(&self) -> LiveChatState {
        self.state.lock().await.clone()
    }

    pub async fn send(&self, frame: AdvisorIn) -> Result<(), ApiError> {
        let client = self.client.lock().await;
        let client = client.as_ref().ok_or_else(|| {
            confide_core::CoreError::Invalid("this desktop is not connected to the webchat gateway".into())
        })?;
        client.send(frame).map_err(|e| confide_core::CoreError::Invalid(e.to_string()))?;
        Ok(())
    }
}

/// Starts the connection once, if this desktop has a gateway and a credential; it reconnects
/// by itself after a drop.
pub async fn ensure_running(app: &AppHandle, store: &Store, live: &Arc<LiveChat>) -> Result<(), ApiError> {
    let mut started = live.started.lock().await;
    if *started || confide_core::webchat::gateway(store).await?.is_none() {
        return Ok(());
    }
    *started = true;
    live.state.lock().await.configured = true;
    let (app, store, live) = (app.clone(), store.clone(), live.clone());
    tauri::async_runtime::spawn(async move {
        loop {
            if let Err(problem) = connection(&app, &store, &live).await {
                let mut s = live.state.lock().await;
                s.connected = false;
                s.waiting.clear();
                s.problem = Some(problem);
                drop(s);
                crate::events::webchat_changed(&app, ());
            }
            *live.client.lock().await = None;
            tokio::time::sleep(Duration::from_secs(10)).await;
        }
    });
    Ok(())
}

/// One connection, until it ends. Returns why it ended.
async fn connection(app: &AppHandle, store: &Store, live: &Arc<LiveChat>) -> Result<(), String> {
    let Some(access) = confide_core::webchat::gateway(store).await.map_err(|e| e.to_string())? else {
        return Err("this desktop is not set up for webchat".into());
    };
    let (client, mut events) = AdvisorClient::connect(&access.url, &access.credential, access.ca_file.as_deref()).await.map_err(|e| match e {
        // The socket's own words ("IO error: Connection refused (os error 111)") mean nothing to
        // an advisor: they go to the log, the window says what it means for them.
        confide_webchat::client::ClientError::Connect { .. } => {
            tracing::warn!("the webchat gateway cannot be reached: {e}");
            "Confide cannot reach the webchat service just now: it may be down, or this computer may be offline. It tries again every 10 seconds.".to_owned()
        }
        other => other.to_string(),
    })?;
    *live.client.lock().await = Some(client);
    {
        let mut s = live.state.lock().await;
        s.connected = true;
        s.problem = None;
    }
    crate::events::webchat_changed(app, ());
    // Chats that ended while this desktop was away from the server are archived now.
    if let Ok(session) = staff::session(store).await {
        for chat in confide_core::webchat::unarchived(store).await.unwrap_or_default() {
            if confide_core::webchat::archive(&session, &ImapRecords::of(&session.store), &chat).await.is_ok() {
                let _ = live.send(AdvisorIn::Archived { chat }).await;
            }
        }
    }
    while let Some(out) = events.recv().await {
        if let Err(e) = handle(app, store, live, out).await {
            tracing::warn!("a webchat event could not be kept: {}", e.kind());
        }
    }
    Err("the connection to the webchat gateway closed; reconnecting".into())
}

async fn handle(app: &AppHandle, store: &Store, live: &Arc<LiveChat>, out: Out) -> Result<(), confide_mail::MailError> {
    let session = staff::session(store).await?;
    match out {
        Out::Waiting { chat, line, since } => {
            let mut s = live.state.lock().await;
            let new = !s.waiting.iter().any(|w| w.chat == chat);
            if new {
                s.waiting.push(WaitingChat { chat: chat.clone(), line: line.clone(), since });
            }
            drop(s);
            if new && live.notified.lock().await.insert(chat) {
                notify_waiting(app, &session, &line);
            }
            crate::events::webchat_changed(app, ());
        }
        Out::Assigned { chat, line } => {
            live.lines.lock().await.insert(chat.clone(), line);
            live.state.lock().await.waiting.retain(|w| w.chat != chat);
            crate::events::webchat_changed(app, ());
        }
        Out::Taken { chat, .. } => {
            live.state.lock().await.waiting.retain(|w| w.chat != chat);
            // A chat this desktop held, now a colleague's (a transfer): no longer ours.
            if live.lines.lock().await.remove(&chat).is_some() {
                confide_core::webchat::handed_over(store, &chat).await?;
                crate::events::inbox_changed(app, 1);
            }
            crate::events::webchat_changed(app, ());
        }
        Out::Colleagues { names } => {
            live.state.lock().await.colleagues = names;
            crate::events::webchat_changed(app, ());
        }
        Out::Typing { chat, .. } => {
            if let Some(conversation) = confide_core::webchat::conversation_of(store, &chat).await? {
                crate::events::webchat_typing(app, conversation);
            }
        }
        Out::History { chat, sealed } => {
            let Some(line) = live.lines.lock().await.get(&chat).cloned() else { return Ok(()) };
            let conversation = confide_core::webchat::take_history(&session, &chat, &line, &sealed).await?;
            crate::events::webchat_opened(app, conversation);
            crate::events::inbox_changed(app, 1);
        }
        Out::Said { chat, from, text, at } => {
            confide_core::webchat::add(&session.store, &chat, &Said { from: speaker(from), text, at }).await?;
            crate::events::inbox_changed(app, 1);
        }
        Out::Ended { chat, .. } => {
            live.state.lock().await.waiting.retain(|w| w.chat != chat);
            // The gateway hands an ended chat to one advisor, with its history: this desktop
            // archives it, and only then lets the gateway forget it.
            if live.lines.lock().await.remove(&chat).is_some() {
                confide_core::webchat::archive(&session, &ImapRecords::of(&session.store), &chat).await?;
                live.send(AdvisorIn::Archived { chat }).await.map_err(|_| confide_mail::MailError::Worker)?;
            }
            crate::events::webchat_changed(app, ());
            crate::events::inbox_changed(app, 1);
        }
        _ => {}
    }
    Ok(())
}

// The window's commands for live chat.

/// The live chat connection and the visitors waiting on this person's lines; starts the
/// connection the first time, if this desktop has a gateway.
#[tauri::command]
pub async fn webchat_state(app: AppHandle, state: State<'_, AppState>) -> Result<LiveChatState, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    ensure_running(&app, &session.store, &state.livechat).await?;
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
    ensure_running(&app, &session.store, &state.livechat).await?;
    Ok(state.livechat.state().await)
}

/// Accepts a waiting chat; the first advisor to accept gets it (the gateway decides).
#[tauri::command]
pub async fn webchat_accept(state: State<'_, AppState>, request: AcceptChatRequest) -> Result<(), ApiError> {
    staff::session(&state.store().await?).await?;
    state.livechat.send(confide_webchat::protocol::AdvisorIn::Accept { chat: request.chat }).await
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
        Some(to) => state.livechat.send(confide_webchat::protocol::AdvisorIn::Transfer { chat, to }).await,
        None => state.livechat.send(confide_webchat::protocol::AdvisorIn::Typing { chat }).await,
    }
}
