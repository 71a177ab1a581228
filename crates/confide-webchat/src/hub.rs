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

    /// A visitor's frame. `chat` is the chat this connection holds, once it has one.
    pub async fn visitor(&self, conn: u64, tx: &Tx, chat: &mut Option<String>, frame: VisitorIn) {
        match (frame, chat.clone()) {
            (VisitorIn::Start { line }, None) => {
                let Some(l) = self.config.line(&line) else {
                    let _ = tx.send(error("no_such_line", "that helpline is not available here"));
                    return;
                };
                let (id, resume) = (random_hex(16), random_hex(32));
                let row = ChatRow {
                    id: id.clone(),
                    line: line.clone(),
                    resume_hash: hash(&resume),
                    state: ChatState::Waiting,
                    advisor: None,
                    created_at: now(),
                };
                if self.state.create(&row).await.is_err() {
                    let _ = tx.send(error("unavailable", "the chat could not be started; please try again"));
                    return;
                }
                let mut inner = self.inner.lock().await;
                let since = row.created_at;
                let arrival = self.next_number();
                inner.chats.insert(id.clone(), Chat { row, visitor: Some((conn, tx.clone())), arrival });
                let position = inner.chats.get(&id).map_or(0, |c| Self::position(&inner, c));
                let _ = tx.send(Out::Welcome {
                    chat: id.clone(),
                    resume,
                    line: line.clone(),
                    hours: l.hours.clone(),
                    position,
                });
                for a in Self::advisors_on(&inner, &line) {
                    let _ = a.tx.send(Out::Waiting { chat: id.clone(), line: line.clone(), since });
                }
                *chat = Some(id);
            }
            (VisitorIn::Resume { chat: id, resume }, None) => {
                let mut inner = self.inner.lock().await;
                let Some(c) = inner
                    .chats
                    .get_mut(&id)
                    .filter(|c| c.row.resume_hash == hash(&resume) && c.row.state != ChatState::Ended)
                else {
                    let _ = tx.send(error("no_such_chat", "that chat has ended; you can start a new one"));
                    return;
                };
                c.visitor = Some((conn, tx.clone()));
                let (line, state, advisor) = (c.row.line.clone(), c.row.state, c.row.advisor.clone());
                let hours = self.config.line(&line).map(|l| l.hours.clone()).unwrap_or_default();
                let position = inner.chats.get(&id).map_or(0, |c| Self::position(&inner, c));
                let _ = tx.send(Out::Welcome { chat: id.clone(), resume, line, hours, position });
                if let (ChatState::Active, Some(name)) = (state, advisor) {
                    let _ = tx.send(Out::Joined { advisor: name });
                }
                *chat = Some(id);
            }
            (VisitorIn::Say { text }, Some(id)) => {
                let Some((line, advisor)) =
                    self.inner.lock().await.chats.get(&id).map(|c| (c.row.line.clone(), c.row.advisor.clone()))
                else {
                    return;
                };
                let at = now();
                if let Err(e) = self.keep(&line, &id, Speaker::Visitor, &text, at).await {
                    let _ = tx.send(e);
                    return;
                }
                if let Some(name) = advisor {
                    let inner = self.inner.lock().await;
                    for a in Self::advisor_named(&inner, &name) {
                        let _ =
                            a.tx.send(Out::Said { chat: id.clone(), from: Speaker::Visitor, text: text.clone(), at });
                    }
                }
            }
            (VisitorIn::Typing, Some(id)) => {
                let inner = self.inner.lock().await;
                if let Some(name) = inner.chats.get(&id).and_then(|c| c.row.advisor.clone()) {
                    for a in Self::advisor_named(&inner, &name) {
                        let _ = a.tx.send(Out::Typing { chat: id.clone(), from: Speaker::Visitor });
                    }
                }
            }
            (VisitorIn::End, Some(id)) => self.end(&id, Speaker::Visitor).await,
            (_, _) => {
                let _ = tx.send(error("out_of_turn", "start a chat first"));
            }
        }
    }

    /// A visitor's connection closed: the chat stays (they may come back with their token). A
    /// chat still waiting in the queue ends if they have not come back within the grace period.
    pub async fn visitor_gone(self: &Arc<Self>, conn: u64, chat: Option<&str>) {
        let mut inner = self.inner.lock().await;
        let Some(c) = chat.and_then(|id| inner.chats.get_mut(id)) else { return };
        if c.visitor.as_ref().is_none_or(|(v, _)| *v != conn) {
            return;
        }
        c.visitor = None;
        if c.row.state != ChatState::Waiting {
            return;
        }
        let (hub, id) = (self.clone(), c.row.id.clone());
        let grace = std::time::Duration::from_secs(self.config.limits.resume_grace_seconds);
        tokio::spawn(async move {
            tokio::time::sleep(grace).await;
            let gone = hub
                .inner
                .lock()
                .await
                .chats
                .get(&id)
                .is_some_and(|c| c.visitor.is_none() && c.row.state == ChatState::Waiting);
            if gone {
                hub.end(&id, Speaker::Visitor).await;
            }
        });
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

    /// An advisor connects: the queue of their lines, and the chats they hold or that wait to
    /// be archived, with what was kept of them.
    pub async fn advisor_joined(&self, conn: u64, name: &str, lines: &[String], tx: &Tx) {
        let mut inner = self.inner.lock().await;
        inner.advisors.insert(conn, AdvisorConn { name: name.into(), lines: lines.to_vec(), tx: tx.clone() });
        Self::tell_colleagues(&inner);
        let mine: Vec<ChatRow> =
            inner.chats.values().filter(|c| lines.contains(&c.row.line)).map(|c| c.row.clone()).collect();
        drop(inner);
        let mut mine = mine;
        mine.sort_by_key(|r| r.created_at);
        for r in mine {
            match r.state {
                ChatState::Waiting => {
                    let _ = tx.send(Out::Waiting { chat: r.id.clone(), line: r.line.clone(), since: r.created_at });
                }
                ChatState::Active if r.advisor.as_deref() == Some(name) => {
                    let _ = tx.send(Out::Assigned { chat: r.id.clone(), line: r.line.clone() });
                    let _ = tx.send(self.history(&r.id).await);
                }
                ChatState::Ended if r.advisor.as_deref().is_none_or(|n| n == name) => self.hand_over_ended(&r.id).await,
                ChatState::Active | ChatState::Ended => {}
            }
        }
    }

    pub async fn advisor_gone(&self, conn: u64) {
        let mut inner = self.inner.lock().await;
        inner.advisors.remove(&conn);
        Self::tell_colleagues(&inner);
    }

    pub async fn advisor(&self, conn: u64, tx: &Tx, frame: AdvisorIn) {
        let Some((name, lines)) =
            self.inner.lock().await.advisors.get(&conn).map(|a| (a.name.clone(), a.lines.clone()))
        else {
            return;
        };
        let own = |c: &Chat| lines.contains(&c.row.line);
        match frame {
            AdvisorIn::Accept { chat } => {
                let mut inner = self.inner.lock().await;
                let Some(c) = inner.chats.get_mut(&chat).filter(|c| own(c)) else {
                    let _ = tx.send(error("no_such_chat", "that chat is not waiting on your lines"));
                    return;
                };
                if c.row.state != ChatState::Waiting {
                    let by = c.row.advisor.clone().unwrap_or_default();
                    let _ = tx.send(Out::Taken { chat, by });
                    return;
                }
                // Decided here, under the lock: the first advisor to accept gets the chat.
                c.row.state = ChatState::Active;
                c.row.advisor = Some(name.clone());
                let line = c.row.line.clone();
                if let Some((_, v)) = &c.visitor {
                    let _ = v.send(Out::Joined { advisor: name.clone() });
                }
                for a in Self::advisors_on(&inner, &line).filter(|a| a.name != name) {
                    let _ = a.tx.send(Out::Taken { chat: chat.clone(), by: name.clone() });
                }
                Self::tell_queue(&inner, &line);
                drop(inner);
                let _ = self.state.set_state(&chat, ChatState::Active, Some(&name)).await;
                let _ = tx.send(Out::Assigned { chat: chat.clone(), line });
                let _ = tx.send(self.history(&chat).await);
            }
            AdvisorIn::Say { chat, text } => {
                let held = self
                    .inner
                    .lock()
                    .await
                    .chats
                    .get(&chat)
                    .filter(|c| c.row.advisor.as_deref() == Some(name.as_str()) && c.row.state == ChatState::Active)
                    .map(|c| c.row.line.clone());
                let Some(line) = held else {
                    let _ = tx.send(error("not_yours", "that chat is not yours to answer"));
                    return;
                };
                let at = now();
                if let Err(e) = self.keep(&line, &chat, Speaker::Advisor, &text, at).await {
                    let _ = tx.send(e);
                    return;
                }
                if let Some((_, v)) = self.inner.lock().await.chats.get(&chat).and_then(|c| c.visitor.as_ref()) {
                    let _ = v.send(Out::Said { chat: chat.clone(), from: Speaker::Advisor, text, at });
                }
            }
            AdvisorIn::Typing { chat } => {
                let inner = self.inner.lock().await;
                if let Some((_, v)) = inner
                    .chats
                    .get(&chat)
                    .filter(|c| c.row.advisor.as_deref() == Some(name.as_str()))
                    .and_then(|c| c.visitor.as_ref())
                {
                    let _ = v.send(Out::Typing { chat: chat.clone(), from: Speaker::Advisor });
                }
            }
            AdvisorIn::End { chat } => {
                let mine = self
                    .inner
                    .lock()
                    .await
                    .chats
                    .get(&chat)
                    .is_some_and(|c| c.row.advisor.as_deref() == Some(name.as_str()));
                if mine {
                    self.end(&chat, Speaker::Advisor).await;
                } else {
                    let _ = tx.send(error("not_yours", "that chat is not yours to end"));
                }
            }
            AdvisorIn::Transfer { chat, to } => {
                let mut inner = self.inner.lock().await;
                let held = inner
                    .chats
                    .get(&chat)
                    .filter(|c| c.row.advisor.as_deref() == Some(name.as_str()) && c.row.state == ChatState::Active)
                    .map(|c| c.row.line.clone());
                let Some(line) = held else {
                    let _ = tx.send(error("not_yours", "that chat is not yours to transfer"));
                    return;
                };
                let Some(target) =
                    Self::advisor_named(&inner, &to).find(|a| a.lines.contains(&line)).map(|a| a.tx.clone())
                else {
                    let _ = tx.send(error(
                        "no_colleague",
                        "that colleague is not connected, or does not work on this chat's line",
                    ));
                    return;
                };
                if let Some(c) = inner.chats.get_mut(&chat) {
                    c.row.advisor = Some(to.clone());
                    if let Some((_, v)) = &c.visitor {
                        let _ = v.send(Out::Joined { advisor: to.clone() });
                    }
                }
                drop(inner);
                let _ = self.state.set_state(&chat, ChatState::Active, Some(&to)).await;
                let _ = tx.send(Out::Taken { chat: chat.clone(), by: to });
                let _ = target.send(Out::Assigned { chat: chat.clone(), line });
                let _ = target.send(self.history(&chat).await);
            }
            AdvisorIn::Archived { chat } => {
                let ended =
                    self.inner.lock().await.chats.get(&chat).is_some_and(|c| own(c) && c.row.state == ChatState::Ended);
                if !ended {
                    let _ = tx.send(error("not_ended", "only an ended chat on your lines can be archived"));
                    return;
                }
                if self.state.forget(&chat).await.is_ok() {
                    self.inner.lock().await.chats.remove(&chat);
                }
            }
        }
    }
}
