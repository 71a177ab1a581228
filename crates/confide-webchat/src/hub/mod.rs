//! The live side: the queue per line, who holds which chat, and relaying. Plain text exists
//! only here, in memory, on its way from one side to the other; what is kept is sealed first.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use base64::Engine;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, Mutex};

use crate::config::Config;
use crate::protocol::{AdvisorIn, Out, Speaker, VisitorIn};
use crate::state::{ChatRow, ChatState, State};

mod advisor;
mod visitor;

pub type Tx = mpsc::UnboundedSender<Out>;

struct Chat {
    row: ChatRow,
    visitor: Option<(u64, Tx)>,
    /// Queue order: chats started in the same millisecond still queue in arrival order.
    arrival: u64,
}

struct AdvisorConn {
    name: String,
    lines: Vec<String>,
    tx: Tx,
}

#[derive(Default)]
struct Inner {
    chats: HashMap<String, Chat>,
    advisors: HashMap<u64, AdvisorConn>,
}

pub struct Hub {
    pub config: Arc<Config>,
    state: State,
    inner: Mutex<Inner>,
    /// Numbers connections and queue arrivals alike: increasing is all either needs.
    next_number: AtomicU64,
}

/// Unix milliseconds.
fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn random_hex(bytes: usize) -> String {
    let v: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    hex::encode(v)
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn error(code: &str, message: &str) -> Out {
    Out::Error { code: code.into(), message: message.into() }
}

impl Hub {
    /// Starts from the chats kept on disk: a restart loses no chat in the queue or in progress.
    pub async fn new(config: Arc<Config>, state: State) -> Result<Arc<Hub>, sqlx::Error> {
        let mut inner = Inner::default();
        let kept = state.chats().await?;
        let next = kept.len() as u64 + 1;
        for (arrival, row) in kept.into_iter().enumerate() {
            inner.chats.insert(row.id.clone(), Chat { row, visitor: None, arrival: arrival as u64 });
        }
        Ok(Arc::new(Hub { config, state, inner: Mutex::new(inner), next_number: AtomicU64::new(next) }))
    }

    pub fn connection_id(&self) -> u64 {
        self.next_number()
    }

    fn next_number(&self) -> u64 {
        self.next_number.fetch_add(1, Ordering::Relaxed)
    }

    /// Encrypts a message to the line's staff; the gateway itself cannot read it back.
    fn seal(&self, line: &str, from: Speaker, text: &str, at: i64) -> Result<Vec<u8>, String> {
        let recipients: Vec<age::x25519::Recipient> =
            self.config.line(line).ok_or("no such line")?.recipients.iter().filter_map(|r| r.parse().ok()).collect();
        let plain = serde_json::json!({ "from": from, "text": text, "at": at }).to_string();
        let enc = age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| e.to_string())?;
        let mut out = vec![];
        let mut w = enc.wrap_output(&mut out).map_err(|e| e.to_string())?;
        std::io::Write::write_all(&mut w, plain.as_bytes()).map_err(|e| e.to_string())?;
        w.finish().map_err(|e| e.to_string())?;
        Ok(out)
    }

    async fn keep(&self, line: &str, chat: &str, from: Speaker, text: &str, at: i64) -> Result<(), Out> {
        let sealed = self
            .seal(line, from, text, at)
            .map_err(|_| error("unavailable", "the message could not be kept safely; please try again"))?;
        self.state
            .append(chat, &sealed)
            .await
            .map_err(|_| error("unavailable", "the message could not be kept; please try again"))
    }

    async fn history(&self, chat: &str) -> Out {
        let sealed = self.state.history(chat).await.unwrap_or_default();
        Out::History {
            chat: chat.into(),
            sealed: sealed.iter().map(|s| base64::engine::general_purpose::STANDARD.encode(s)).collect(),
        }
    }

    fn position(inner: &Inner, chat: &Chat) -> usize {
        let mut waiting: Vec<&Chat> =
            inner.chats.values().filter(|c| c.row.state == ChatState::Waiting && c.row.line == chat.row.line).collect();
        waiting.sort_by_key(|c| c.arrival);
        waiting.iter().position(|c| c.row.id == chat.row.id).map_or(0, |p| p + 1)
    }

    fn tell_queue(inner: &Inner, line: &str) {
        for c in inner.chats.values().filter(|c| c.row.state == ChatState::Waiting && c.row.line == line) {
            if let Some((_, tx)) = &c.visitor {
                let _ = tx.send(Out::Queue { position: Self::position(inner, c) });
            }
        }
    }

    /// Tells every advisor which colleagues sharing a line with them are connected.
    fn tell_colleagues(inner: &Inner) {
        for a in inner.advisors.values() {
            let mut names: Vec<String> = inner
                .advisors
                .values()
                .filter(|b| b.name != a.name && b.lines.iter().any(|l| a.lines.contains(l)))
                .map(|b| b.name.clone())
                .collect();
            names.sort();
            names.dedup();
            let _ = a.tx.send(Out::Colleagues { names });
        }
    }

    fn advisors_on<'a>(inner: &'a Inner, line: &'a str) -> impl Iterator<Item = &'a AdvisorConn> {
        inner.advisors.values().filter(move |a| a.lines.iter().any(|l| l == line))
    }

    fn advisor_named<'a>(inner: &'a Inner, name: &'a str) -> impl Iterator<Item = &'a AdvisorConn> {
        inner.advisors.values().filter(move |a| a.name == name)
    }

    async fn end(&self, id: &str, by: Speaker) {
        let _ = self.state.set_state(id, ChatState::Ended, None).await;
        let mut inner = self.inner.lock().await;
        let Some(c) = inner.chats.get_mut(id) else { return };
        let was_waiting = c.row.state == ChatState::Waiting;
        c.row.state = ChatState::Ended;
        let line = c.row.line.clone();
        if let Some((_, tx)) = c.visitor.take() {
            let _ = tx.send(Out::Ended { chat: id.into(), by });
        }
        if was_waiting {
            // Everyone on the line saw it waiting; now it is gone from their queue.
            for a in Self::advisors_on(&inner, &line) {
                let _ = a.tx.send(Out::Taken { chat: id.into(), by: String::new() });
            }
            Self::tell_queue(&inner, &line);
        }
        drop(inner);
        self.hand_over_ended(id).await;
    }

    /// An ended chat goes to exactly one advisor to archive (so there is one transcript): the
    /// one who held it, or, for a visitor who left the queue after writing, the first advisor
    /// of the line who is connected (now or later). A chat in which nothing was said is simply
    /// forgotten.
    async fn hand_over_ended(&self, id: &str) {
        let history = self.history(id).await;
        let mut inner = self.inner.lock().await;
        let Some(c) = inner.chats.get(id) else { return };
        let (line, holder) = (c.row.line.clone(), c.row.advisor.clone());
        if matches!(&history, Out::History { sealed, .. } if sealed.is_empty()) && holder.is_none() {
            inner.chats.remove(id);
            drop(inner);
            let _ = self.state.forget(id).await;
            return;
        }
        let archiver = match &holder {
            Some(name) => Self::advisor_named(&inner, name).next().map(|a| (a.name.clone(), a.tx.clone())),
            None => Self::advisors_on(&inner, &line).next().map(|a| (a.name.clone(), a.tx.clone())),
        };
        let Some((name, tx)) = archiver else { return };
        if holder.is_none() {
            if let Some(c) = inner.chats.get_mut(id) {
                c.row.advisor = Some(name.clone());
            }
        }
        drop(inner);
        let _ = self.state.set_state(id, ChatState::Ended, Some(&name)).await;
        let _ = tx.send(Out::Assigned { chat: id.into(), line });
        let _ = tx.send(history);
        let _ = tx.send(Out::Ended { chat: id.into(), by: Speaker::Visitor });
    }
}
