//! HTTP and WebSocket: the only place that knows them. Visitors connect from the helpline's
//! pages (their `Origin` must be allowed); advisors from their desktops with a credential a
//! manager issued. Nothing about a visitor's connection (address, user agent, cookie) is
//! kept or logged; the address is used only, while connected, as a keyed hash to cap how many
//! chats one source holds open.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::hub::Hub;
use crate::protocol::{self, Out};

/// Open chats per source, keyed by a hash salted with a secret that lives only in this
/// process: the counts cannot be turned back into addresses, and vanish with the process.
struct Sources {
    salt: [u8; 32],
    open: HashMap<[u8; 32], u32>,
    total: u32,
}

#[derive(Clone)]
pub struct App {
    pub(crate) hub: Arc<Hub>,
    sources: Arc<Mutex<Sources>>,
}

/// Releases a source's slot when its connection ends, however it ends.
struct Slot {
    sources: Arc<Mutex<Sources>>,
    key: [u8; 32],
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut s = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        s.total = s.total.saturating_sub(1);
        if let Some(n) = s.open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                s.open.remove(&self.key);
            }
        }
    }
}

pub fn router(hub: Arc<Hub>) -> Router {
    let sources = Sources { salt: rand::random(), open: HashMap::new(), total: 0 };
    let app = App { hub, sources: Arc::new(Mutex::new(sources)) };
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/", get(crate::assets::page))
        .route("/widget.js", get(crate::assets::script))
        .route("/widget.css", get(crate::assets::style))
        .route("/config.json", get(crate::assets::info))
        .route("/ws/visitor", get(visitor_upgrade))
        .route("/ws/advisor", get(advisor_upgrade))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(axum::middleware::map_response(crate::assets::private_response))
        .with_state(app)
}

fn refuse(status: StatusCode, why: &'static str) -> Response {
    (status, why).into_response()
}

fn origin_allowed(app: &App, headers: &HeaderMap) -> Option<bool> {
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    Some(app.hub.config.allowed_origins.iter().any(|o| o == origin))
}

async fn visitor_upgrade(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    // Browsers always send Origin on a WebSocket upgrade: none, or another site's, is refused.
    if origin_allowed(&app, &headers) != Some(true) {
        return refuse(StatusCode::FORBIDDEN, "this page may not open a chat");
    }
    let limits = app.hub.config.limits.clone();
    let slot = {
        let mut s = app.sources.lock().unwrap_or_else(|e| e.into_inner());
        let key: [u8; 32] = Sha256::new().chain_update(s.salt).chain_update(peer.ip().to_string()).finalize().into();
        let open = s.open.get(&key).copied().unwrap_or(0);
        if open >= limits.sessions_per_source || s.total >= limits.max_sessions {
            return refuse(StatusCode::TOO_MANY_REQUESTS, "too many chats are open; please try again shortly");
        }
        s.open.insert(key, open + 1);
        s.total += 1;
        Slot { sources: app.sources.clone(), key }
    };
    ws.max_message_size(limits.max_frame_bytes)
        .max_frame_size(limits.max_frame_bytes)
        .on_upgrade(move |socket| visitor_session(app, socket, slot))
}

async fn advisor_upgrade(State(app): State<App>, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    if origin_allowed(&app, &headers) == Some(false) {
        return refuse(StatusCode::FORBIDDEN, "this page may not connect as an advisor");
    }
    let credential =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let Some(advisor) = credential.and_then(|c| app.hub.config.advisor(c)).cloned() else {
        return refuse(StatusCode::UNAUTHORIZED, "this credential is not one the helpline issued");
    };
    let limit = app.hub.config.limits.max_frame_bytes;
    ws.max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| advisor_session(app, socket, advisor.name, advisor.lines))
}

/// Forwards frames for this connection to the socket until either side goes.
fn spawn_writer(
    mut sink: futures_util::stream::SplitSink<WebSocket, Message>,
) -> (mpsc::UnboundedSender<Out>, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Out>();
    let task = tokio::spawn(async move {
        while let Some(out) = rx.recv().await {
            if sink.send(Message::Text(protocol::encode(&out).into())).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    (tx, task)
}

async fn visitor_session(app: App, socket: WebSocket, _slot: Slot) {
    let conn = app.hub.connection_id();
    tracing::debug!(conn, "visitor connected");
    let (sink, mut stream) = socket.split();
    let (tx, writer) = spawn_writer(sink);
    let mut chat: Option<String> = None;
    let per_minute = app.hub.config.limits.messages_per_minute as usize;
    let mut recent: VecDeque<Instant> = VecDeque::new();
    // A frame over the size limit ends the stream with an error: the connection closes, the
    // chat is kept for the visitor to resume.
    while let Some(Ok(msg)) = stream.next().await {
        let text = match msg {
            Message::Text(t) => t,
            Message::Close(_) => break,
            Message::Binary(_) => {
                let _ = tx.send(protocol::FrameError::Malformed.to_out());
                continue;
            }
            _ => continue,
        };
        let frame = match protocol::decode_visitor(&text) {
            Ok(f) => f,
            Err(e) => {
                let _ = tx.send(e.to_out());
                continue;
            }
        };
        if matches!(frame, protocol::VisitorIn::Say { .. }) {
            let now = Instant::now();
            while recent.front().is_some_and(|t| now.duration_since(*t) > Duration::from_secs(60)) {
                recent.pop_front();
            }
            if recent.len() >= per_minute {
                let _ = tx.send(Out::Error {
                    code: "slow_down".into(),
                    message: "you are sending messages very quickly; please wait a moment".into(),
                });
                continue;
            }
            recent.push_back(now);
        }
        app.hub.visitor(conn, &tx, &mut chat, frame).await;
    }
    app.hub.visitor_gone(conn, chat.as_deref()).await;
    drop(tx);
    let _ = writer.await;
}

async fn advisor_session(app: App, socket: WebSocket, name: String, lines: Vec<String>) {
    let conn = app.hub.connection_id();
    tracing::debug!(conn, "advisor connected");
    let (sink, mut stream) = socket.split();
    let (tx, writer) = spawn_writer(sink);
    app.hub.advisor_joined(conn, &name, &lines, &tx).await;
    while let Some(Ok(msg)) = stream.next().await {
        let text = match msg {
            Message::Text(t) => t,
            Message::Close(_) => break,
            _ => continue,
        };
        match protocol::decode_advisor(&text) {
            Ok(frame) => app.hub.advisor(conn, &tx, frame).await,
            Err(e) => {
                let _ = tx.send(e.to_out());
            }
        }
    }
    app.hub.advisor_gone(conn).await;
    drop(tx);
    let _ = writer.await;
}
