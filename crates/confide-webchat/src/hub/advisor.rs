//! What the hub does with an advisor's connection, frames and going.

use super::*;

impl Hub {
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
