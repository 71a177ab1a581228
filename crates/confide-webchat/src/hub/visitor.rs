//! What the hub does with a visitor's frames and a visitor's going.

use super::*;

impl Hub {
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
}
