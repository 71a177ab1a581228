//! Live chats on this desktop. A chat accepted from the gateway becomes a conversation
//! (channel `webchat`) on its line, and its messages are kept like email's (age-encrypted
//! blobs, indexed), so chats sit in the same inbox, search and retention as mail. The
//! transcript for the shared record is built from here when the chat ends.

use serde::{Deserialize, Serialize};

use crate::{CoreError, Store};

mod flow;
pub use flow::{archive, take_history};

/// One line of a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Said {
    /// `visitor` or `advisor`.
    pub from: String,
    pub text: String,
    /// Unix milliseconds, as the gateway stamped it.
    pub at: i64,
}

/// A whole chat, as archived in the shared record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    pub chat: String,
    pub line: String,
    /// Unix seconds.
    pub started_at: i64,
    pub messages: Vec<Said>,
    /// The preset's exception categories the advisor raised on the chat by the time it was
    /// archived (older records have none).
    #[serde(default)]
    pub flags: Vec<String>,
    /// The advisor's notes on the chat, for the line's staff: never part of what was said.
    #[serde(default)]
    pub notes: Vec<TranscriptNote>,
}

/// An internal note kept with a chat's transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptNote {
    /// The writer's key fingerprint (the team directory names them).
    pub by: String,
    /// Unix seconds.
    pub at: i64,
    pub text: String,
}

/// The conversation for `chat`, made on first sight. Visitors are anonymous: the
/// correspondent is "Visitor", never anything the page could tell about them.
pub async fn open(store: &Store, chat: &str, line: &str, started_at: i64) -> Result<i64, CoreError> {
    if let Some(id) = sqlx::query_scalar!("SELECT conversation_id FROM webchats WHERE chat_id = ?", chat)
        .fetch_optional(store.pool())
        .await?
    {
        return Ok(id);
    }
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO conversations (channel, line_id, subject, correspondent, preview, message_count, created_at, last_activity_at, status)
         VALUES ('webchat', ?, 'Webchat', 'Visitor', '', 0, ?, ?, 'in_progress') RETURNING id",
        line,
        started_at,
        started_at
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!("INSERT INTO webchats (chat_id, conversation_id) VALUES (?, ?)", chat, id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(id)
}

/// How many of the chat's messages are held here.
pub async fn stored(store: &Store, chat: &str) -> Result<usize, CoreError> {
    Ok(sqlx::query_scalar!("SELECT stored FROM webchats WHERE chat_id = ?", chat)
        .fetch_optional(store.pool())
        .await?
        .unwrap_or(0) as usize)
}

/// Keeps one message of the chat (the next in the gateway's order).
pub async fn add(store: &Store, chat: &str, said: &Said) -> Result<(), CoreError> {
    let conversation = sqlx::query_scalar!("SELECT conversation_id FROM webchats WHERE chat_id = ?", chat)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| CoreError::Invalid("that chat is not on this desktop".into()))?;
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let blob = store.put_blob(&mut tx, "chat_message", said.text.as_bytes(), &store.own_recipients()).await?;
    let (direction, secs) = (if said.from == "visitor" { "in" } else { "out" }, said.at / 1000);
    let message = sqlx::query_scalar!(
        "INSERT INTO messages (conversation_id, direction, author, sent_at, body_blob) VALUES (?, ?, ?, ?, ?) RETURNING id",
        conversation,
        direction,
        said.from,
        secs,
        blob
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO message_fts (rowid, subject, correspondent, body) VALUES (?, 'Webchat', 'Visitor', ?)",
        message,
        said.text
    )
    .execute(&mut *tx)
    .await?;
    let preview: String = said.text.chars().take(160).collect();
    let unread = said.from == "visitor";
    sqlx::query!(
        "UPDATE conversations SET message_count = message_count + 1, preview = ?, last_activity_at = max(last_activity_at, ?), unread = max(unread, ?) WHERE id = ?",
        preview,
        secs,
        unread,
        conversation
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("UPDATE webchats SET stored = stored + 1 WHERE chat_id = ?", chat).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// What this advisor is about to say, checked: the words as sent, stamped now.
pub fn advisor_says(store: &Store, text: &str) -> Result<Said, CoreError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CoreError::Invalid("write something first".into()));
    }
    if let Some(why) = crate::canned::unfilled(text) {
        return Err(CoreError::Invalid(why));
    }
    Ok(Said { from: "advisor".into(), text: text.to_owned(), at: store.now_ts() * 1000 })
}

/// The chat ended (by either side): it waits to be archived.
pub async fn ended(store: &Store, chat: &str) -> Result<(), CoreError> {
    let now = store.now_ts();
    sqlx::query!("UPDATE webchats SET ended_at = coalesce(ended_at, ?) WHERE chat_id = ?", now, chat)
        .execute(store.pool())
        .await?;
    sqlx::query!("UPDATE conversations SET status = 'closed' WHERE id = (SELECT conversation_id FROM webchats WHERE chat_id = ?)", chat)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// The whole chat, oldest first, for its shared record. Content: only for a signed-in person.
pub async fn transcript(session: &crate::staff::Session, chat: &str) -> Result<Transcript, CoreError> {
    let store = &session.store;
    let row = sqlx::query!(
        r#"SELECT c.id AS "id!", c.line_id, c.created_at, c.risk_flags FROM webchats w
           JOIN conversations c ON c.id = w.conversation_id WHERE w.chat_id = ?"#,
        chat
    )
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| CoreError::Invalid("that chat is not on this desktop".into()))?;
    let rows =
        sqlx::query!("SELECT author, sent_at, body_blob FROM messages WHERE conversation_id = ? ORDER BY id", row.id)
            .fetch_all(store.pool())
            .await?;
    let mut messages = Vec::with_capacity(rows.len());
    for r in rows {
        let text = String::from_utf8_lossy(&store.get_blob(r.body_blob).await?).into_owned();
        messages.push(Said { from: r.author, text, at: r.sent_at * 1000 });
    }
    let flags = serde_json::from_str(&row.risk_flags).unwrap_or_default();
    let notes = crate::notes::of_conversation(store, row.id)
        .await?
        .into_iter()
        .map(|n| TranscriptNote { by: n.author, at: n.created_at, text: n.text })
        .collect();
    Ok(Transcript { chat: chat.to_owned(), line: row.line_id, started_at: row.created_at, messages, flags, notes })
}

/// The transcript is confirmed on the server.
pub async fn archived(store: &Store, chat: &str) -> Result<(), CoreError> {
    let now = store.now_ts();
    sqlx::query!("UPDATE webchats SET archived_at = ? WHERE chat_id = ?", now, chat).execute(store.pool()).await?;
    Ok(())
}

/// Where the advisor's credential for the gateway is kept in the keyring.
pub const CREDENTIAL_KEY: &str = "webchat-gateway";

/// Connects this desktop to a gateway: the address here, the credential in the keyring.
pub async fn set_gateway(store: &Store, url: &str, credential: &str) -> Result<(), CoreError> {
    let url = url.trim();
    // The address's finer rule (plain ws:// only to this computer) is the gateway client's.
    if !(url.starts_with("wss://") || url.starts_with("ws://")) || credential.trim().len() < 32 {
        return Err(CoreError::Invalid(
            "give the gateway's address (wss://host) and the credential your manager issued".into(),
        ));
    }
    store.vault().set_account_password(CREDENTIAL_KEY, credential.trim())?;
    sqlx::query!(
        "INSERT INTO webchat_gateway (id, url) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET url = excluded.url",
        url
    )
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Where and how this desktop reaches the gateway.
pub struct GatewayAccess {
    pub url: String,
    pub credential: zeroize::Zeroizing<String>,
    /// The helpline's own certificate authority (PEM), as set for its shared mailbox: a gateway
    /// on the helpline's network is likely to have a certificate from it.
    pub ca_file: Option<std::path::PathBuf>,
}

/// The gateway's address and this advisor's credential, if this desktop takes chats.
pub async fn gateway(store: &Store) -> Result<Option<GatewayAccess>, CoreError> {
    let Some(url) =
        sqlx::query_scalar!("SELECT url FROM webchat_gateway WHERE id = 1").fetch_optional(store.pool()).await?
    else {
        return Ok(None);
    };
    let Some(credential) = store.vault().account_password(CREDENTIAL_KEY)? else { return Ok(None) };
    let ca_file = crate::accounts::list(store)
        .await?
        .into_iter()
        .find(|a| a.kind == crate::accounts::AccountKind::Shared)
        .and_then(|a| a.ca_file)
        .map(std::path::PathBuf::from);
    Ok(Some(GatewayAccess { url, credential, ca_file }))
}

/// The chat a conversation is, for someone allowed to see the conversation, and whether it is
/// still this person's to answer (not ended, not handed to a colleague).
pub async fn chat_of(session: &crate::staff::Session, conversation_id: i64) -> Result<(String, bool), CoreError> {
    crate::conversations::check_visible(session, conversation_id).await?;
    let row = sqlx::query!(
        r#"SELECT chat_id, (ended_at IS NOT NULL OR handed_over_at IS NOT NULL) AS "over!: bool" FROM webchats WHERE conversation_id = ?"#,
        conversation_id
    )
    .fetch_optional(session.store.pool())
    .await?
    .ok_or_else(|| CoreError::Invalid("that conversation is not a chat".into()))?;
    Ok((row.chat_id, row.over))
}

/// The conversation a chat is on this desktop, if it is here.
pub async fn conversation_of(store: &Store, chat: &str) -> Result<Option<i64>, CoreError> {
    Ok(sqlx::query_scalar!("SELECT conversation_id FROM webchats WHERE chat_id = ?", chat)
        .fetch_optional(store.pool())
        .await?)
}

/// This advisor handed the chat to a colleague: no longer theirs to answer or to archive.
pub async fn handed_over(store: &Store, chat: &str) -> Result<(), CoreError> {
    let now = store.now_ts();
    sqlx::query!("UPDATE webchats SET handed_over_at = coalesce(handed_over_at, ?) WHERE chat_id = ?", now, chat)
        .execute(store.pool())
        .await?;
    sqlx::query!("UPDATE conversations SET status = 'closed' WHERE id = (SELECT conversation_id FROM webchats WHERE chat_id = ?)", chat)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Chats that ended here but whose transcript is not on the server yet (the archive failed, or
/// the app closed first): archived on the next chance. Not those handed to a colleague.
pub async fn unarchived(store: &Store) -> Result<Vec<String>, CoreError> {
    Ok(sqlx::query_scalar!(
        "SELECT chat_id FROM webchats WHERE ended_at IS NOT NULL AND archived_at IS NULL AND handed_over_at IS NULL"
    )
    .fetch_all(store.pool())
    .await?)
}

/// Whether a conversation is a live chat. A chat is kept on the desktop of the advisor who took
/// it, not on the shared mailbox, so its triage is kept here too.
pub async fn is_chat(store: &Store, conversation_id: i64) -> Result<bool, CoreError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM webchats WHERE conversation_id = ?) AS "chat!: bool""#,
        conversation_id
    )
    .fetch_one(store.pool())
    .await?)
}

/// Raises or lowers one of the preset's exception categories on a chat (the caller has checked
/// the category against the preset). The flag goes into the transcript when it is archived and
/// into the anonymous statistics when the chat expires.
pub async fn set_risk(store: &Store, conversation_id: i64, category: &str, raised: bool) -> Result<(), CoreError> {
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let current = sqlx::query_scalar!("SELECT risk_flags FROM conversations WHERE id = ?", conversation_id)
        .fetch_one(&mut *tx)
        .await?;
    let mut flags: Vec<String> = serde_json::from_str(&current).unwrap_or_default();
    flags.retain(|f| f != category);
    if raised {
        flags.push(category.to_owned());
        flags.sort();
    }
    let flags = serde_json::to_string(&flags).expect("strings serialise");
    sqlx::query!("UPDATE conversations SET risk_flags = ? WHERE id = ?", flags, conversation_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a chat's status (the outcome the statistics count).
pub async fn set_status(
    store: &Store,
    conversation_id: i64,
    status: crate::conversations::Status,
) -> Result<(), CoreError> {
    let status = status.as_str();
    sqlx::query!("UPDATE conversations SET status = ? WHERE id = ?", status, conversation_id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Chats on this desktop with words from the visitor not yet opened here: what the tray
/// indicator counts, with the visitors waiting to be accepted.
pub async fn unread_chats(store: &Store) -> Result<i64, CoreError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!: i64" FROM conversations WHERE channel = 'webchat' AND unread = 1"#
    )
    .fetch_one(store.pool())
    .await?)
}
