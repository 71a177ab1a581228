//! Live chat: the connection to the webchat gateway (confide-webchat's client) and the glue to
//! the store (core's `webchat`): waiting visitors for the inbox, accepted chats kept as
//! conversations, each message stored and shown, and the transcript archived the moment a chat
//! ends, before the gateway is told it may forget it.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use confide_core::record_store::RecordStore;
use confide_core::webchat::Said;
use confide_core::{staff, CoreError, Store};
use confide_mail::records::ImapRecords;
use confide_mail::MailError;
use confide_webchat::client::{AdvisorClient, ClientError};
use confide_webchat::protocol::{AdvisorIn, Out, Speaker};
use serde::Serialize;
use tokio::sync::Mutex;
use ts_rs::TS;

use crate::EventSink;

/// How long after a dropped connection the next try comes.
const RECONNECT: Duration = Duration::from_secs(10);

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
    lines: Mutex<HashMap<String, String>>,
    /// Chats already announced, so a reconnect does not announce them again.
    notified: Mutex<HashSet<String>>,
}

impl LiveChat {
    pub async fn state(&self) -> LiveChatState {
        self.state.lock().await.clone()
    }
}

/// Where this desktop's frames go: the gateway (or, in a test, a recorder).
pub trait Gateway: Sync {
    fn send(&self, frame: AdvisorIn) -> impl Future<Output = Result<(), CoreError>> + Send;
}

impl Gateway for LiveChat {
    async fn send(&self, frame: AdvisorIn) -> Result<(), CoreError> {
        let client = self.client.lock().await;
        let client = client
            .as_ref()
            .ok_or_else(|| CoreError::Invalid("this desktop is not connected to the webchat gateway".into()))?;
        client.send(frame).map_err(|e| CoreError::Invalid(e.to_string()))
    }
}

/// A chat that ended on this desktop: its transcript archived to the record store, and only
/// then the gateway told it may forget the chat. If the archive fails the gateway keeps the
/// chat, and the next connection tries again: no transcript is lost between the two.
pub async fn archive_then_release<S: RecordStore, G: Gateway>(
    session: &staff::Session,
    server: &S,
    gateway: &G,
    chat: &str,
) -> Result<(), S::Error> {
    confide_core::webchat::archive(session, server, chat).await?;
    gateway.send(AdvisorIn::Archived { chat: chat.to_owned() }).await?;
    Ok(())
}

/// Starts the connection once, if this desktop has a gateway and a credential; it reconnects
/// by itself after a drop.
pub async fn ensure_running(events: &EventSink, store: &Store, live: &Arc<LiveChat>) -> Result<(), CoreError> {
    let mut started = live.started.lock().await;
    if *started || confide_core::webchat::gateway(store).await?.is_none() {
        return Ok(());
    }
    *started = true;
    live.state.lock().await.configured = true;
    let (events, store, live) = (events.clone(), store.clone(), live.clone());
    tokio::spawn(async move {
        loop {
            if let Err(problem) = connection(&events, &store, &live).await {
                let mut s = live.state.lock().await;
                s.connected = false;
                s.waiting.clear();
                s.problem = Some(problem);
                drop(s);
                events.webchat_changed();
            }
            *live.client.lock().await = None;
            tokio::time::sleep(RECONNECT).await;
        }
    });
    Ok(())
}

/// One connection, until it ends. Returns why it ended, in words.
async fn connection(events: &EventSink, store: &Store, live: &Arc<LiveChat>) -> Result<(), String> {
    let Some(access) = confide_core::webchat::gateway(store).await.map_err(|e| e.to_string())? else {
        return Err("this desktop is not set up for webchat".into());
    };
    let connected = AdvisorClient::connect(&access.url, &access.credential, access.ca_file.as_deref()).await;
    let (client, mut incoming) = connected.map_err(|e| match e {
        // The socket's own words ("IO error: Connection refused (os error 111)") mean nothing to
        // an advisor: they go to the log, the window says what it means for them.
        ClientError::Connect { .. } => {
            tracing::warn!("the webchat gateway cannot be reached: {e}");
            "Confide cannot reach the webchat service just now: it may be down, or this computer may be offline. \
             It tries again every 10 seconds."
                .to_owned()
        }
        other => other.to_string(),
    })?;
    *live.client.lock().await = Some(client);
    {
        let mut s = live.state.lock().await;
        s.connected = true;
        s.problem = None;
    }
    events.webchat_changed();
    // Chats that ended while this desktop was away from the server are archived now.
    if let Ok(session) = staff::session(store).await {
        for chat in confide_core::webchat::unarchived(store).await.unwrap_or_default() {
            let released = archive_then_release(&session, &ImapRecords::of(store), live.as_ref(), &chat).await;
            if let Err(e) = released {
                tracing::warn!("a chat that ended could not be archived yet: {}", e.kind());
            }
        }
    }
    while let Some(out) = incoming.recv().await {
        if let Err(e) = handle(events, store, live, out).await {
            tracing::warn!("a webchat event could not be kept: {}", e.kind());
        }
    }
    Err("the connection to the webchat gateway closed; reconnecting".into())
}

fn speaker(s: Speaker) -> String {
    match s {
        Speaker::Visitor => "visitor".into(),
        Speaker::Advisor => "advisor".into(),
    }
}

async fn handle(events: &EventSink, store: &Store, live: &Arc<LiveChat>, out: Out) -> Result<(), MailError> {
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
                // It names the line and nothing else: never anything the visitor wrote.
                let lines = &session.preset().lines;
                let name = lines.iter().find(|l| l.id == line).map_or(line.as_str(), |l| l.name.as_str());
                events.notify("A visitor is waiting to chat", &format!("{name}: open Confide to accept."));
            }
            events.webchat_changed();
        }
        Out::Assigned { chat, line } => {
            live.lines.lock().await.insert(chat.clone(), line);
            live.state.lock().await.waiting.retain(|w| w.chat != chat);
            events.webchat_changed();
        }
        Out::Taken { chat, .. } => {
            live.state.lock().await.waiting.retain(|w| w.chat != chat);
            // A chat this desktop held, now a colleague's (a transfer): no longer ours.
            if live.lines.lock().await.remove(&chat).is_some() {
                confide_core::webchat::handed_over(store, &chat).await?;
                events.inbox_changed(1);
            }
            events.webchat_changed();
        }
        Out::Colleagues { names } => {
            live.state.lock().await.colleagues = names;
            events.webchat_changed();
        }
        Out::Typing { chat, .. } => {
            if let Some(conversation) = confide_core::webchat::conversation_of(store, &chat).await? {
                events.webchat_typing(conversation);
            }
        }
        Out::History { chat, sealed } => {
            let Some(line) = live.lines.lock().await.get(&chat).cloned() else { return Ok(()) };
            let conversation = confide_core::webchat::take_history(&session, &chat, &line, &sealed).await?;
            events.webchat_opened(conversation);
            events.inbox_changed(1);
        }
        Out::Said { chat, from, text, at } => {
            confide_core::webchat::add(&session.store, &chat, &Said { from: speaker(from), text, at }).await?;
            events.inbox_changed(1);
        }
        Out::Ended { chat, .. } => {
            live.state.lock().await.waiting.retain(|w| w.chat != chat);
            // The gateway hands an ended chat to one advisor, with its history: this desktop
            // archives it, and only then lets the gateway forget it.
            if live.lines.lock().await.remove(&chat).is_some() {
                archive_then_release(&session, &ImapRecords::of(store), live.as_ref(), &chat).await?;
            }
            events.webchat_changed();
            events.inbox_changed(1);
        }
        _ => {}
    }
    Ok(())
}
