//! Channel-neutral conversations: an email thread, a webchat, a letter. Each carries its
//! service line; bodies go to age-encrypted blobs, and the full-text index holds only terms.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::staff::Session;
use crate::{CoreError, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Channel {
    Email,
    Webchat,
    Letter,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webchat => "webchat",
            Channel::Letter => "letter",
        }
    }

    /// The channel a stored conversation names. The schema's CHECK admits these three only.
    pub fn stored(s: &str) -> Channel {
        match s {
            "webchat" => Channel::Webchat,
            "letter" => Channel::Letter,
            _ => Channel::Email,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Status {
    New,
    InProgress,
    Waiting,
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::InProgress => "in_progress",
            Status::Waiting => "waiting",
            Status::Closed => "closed",
        }
    }
}

pub struct NewConversation<'a> {
    pub channel: Channel,
    pub line_id: &'a str,
    pub subject: &'a str,
    pub correspondent: &'a str,
    pub preview: &'a str,
    pub first_message: NewMessage<'a>,
}

pub struct NewMessage<'a> {
    pub incoming: bool,
    pub author: &'a str,
    pub sent_at: i64,
    pub body: &'a [u8],
    /// The text the full-text index should know (e.g. the plain-text body).
    pub index_text: &'a str,
}

/// A conversation opened on this desktop is read here at once. A chat's read state is this
/// desktop's alone; an email's is the shared mailbox's `\Seen`, which follows when the server
/// can be reached (`confide_mail::triage::mark_read`), and from then on the server decides.
pub async fn read_here(store: &Store, conversation: i64) -> Result<(), CoreError> {
    sqlx::query!("UPDATE conversations SET unread = 0 WHERE id = ?", conversation).execute(store.pool()).await?;
    Ok(())
}

/// Records a new conversation with its first message, all in one transaction.
pub async fn record(store: &Store, new: NewConversation<'_>) -> Result<i64, CoreError> {
    Ok(record_many(store, vec![new]).await?[0])
}

/// Records several new conversations in one transaction (imports, benchmarks).
pub async fn record_many(store: &Store, items: Vec<NewConversation<'_>>) -> Result<Vec<i64>, CoreError> {
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let mut ids = Vec::with_capacity(items.len());
    for new in items {
        ids.push(record_in(store, &mut tx, new).await?);
    }
    tx.commit().await?;
    Ok(ids)
}

async fn record_in(store: &Store, tx: &mut sqlx::SqliteConnection, new: NewConversation<'_>) -> Result<i64, CoreError> {
    let blob = store.put_blob(&mut *tx, "message", new.first_message.body, &store.own_recipients()).await?;
    let (channel, now, at) = (new.channel.as_str(), store.now_ts(), new.first_message.sent_at);
    let id = sqlx::query!(
        "INSERT INTO conversations
           (channel, line_id, subject, correspondent, preview, message_count, created_at, last_activity_at)
         VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
        channel,
        new.line_id,
        new.subject,
        new.correspondent,
        new.preview,
        now,
        at
    )
    .fetch_one(&mut *tx)
    .await?
    .id;
    let direction = if new.first_message.incoming { "in" } else { "out" };
    let message = sqlx::query_scalar!(
        "INSERT INTO messages (conversation_id, direction, author, sent_at, body_blob) VALUES (?, ?, ?, ?, ?) RETURNING id",
        id,
        direction,
        new.first_message.author,
        at,
        blob
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO message_fts (rowid, subject, correspondent, body) VALUES (?, ?, ?, ?)",
        message,
        new.subject,
        new.correspondent,
        new.first_message.index_text
    )
    .execute(&mut *tx)
    .await?;
    Ok(id)
}

/// The decrypted bodies of a conversation's messages, oldest first, for someone who may see it.
pub async fn bodies(session: &Session, conversation_id: i64) -> Result<Vec<Vec<u8>>, CoreError> {
    check_visible(session, conversation_id).await?;
    let store = &session.store;
    let blobs = sqlx::query_scalar!(
        "SELECT body_blob FROM messages WHERE conversation_id = ? ORDER BY sent_at, id",
        conversation_id
    )
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(blobs.len());
    for id in blobs {
        out.push(store.get_blob(id).await?);
    }
    Ok(out)
}

/// One stored message with its decrypted raw bytes.
pub struct StoredMessage {
    pub id: i64,
    pub incoming: bool,
    pub author: String,
    pub sent_at: i64,
    pub raw: Vec<u8>,
}

/// A conversation's summary and messages, oldest first, for someone allowed to read it.
pub async fn load(
    session: &crate::staff::Session,
    id: i64,
) -> Result<(crate::inbox::ConversationSummary, Vec<StoredMessage>), CoreError> {
    let store = &session.store;
    let summary = crate::inbox::summaries(store.pool(), &[id], store.now_ts())
        .await?
        .pop()
        .filter(|c| session.visible_lines().contains(&c.line_id))
        .ok_or_else(gone)?;
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", direction, author, sent_at, body_blob FROM messages WHERE conversation_id = ? ORDER BY sent_at, id"#,
        id
    )
    .fetch_all(store.pool())
    .await?;
    let mut messages = Vec::with_capacity(rows.len());
    for r in rows {
        messages.push(StoredMessage {
            id: r.id,
            incoming: r.direction == "in",
            author: r.author,
            sent_at: r.sent_at,
            raw: store.get_blob(r.body_blob).await?,
        });
    }
    Ok((summary, messages))
}

/// Fails with [`CoreError::RepliedSinceOpened`] if the conversation has replies newer than the
/// newest message the advisor had in front of them (`seen_message_id`), e.g. a colleague's,
/// synced from the shared Sent folder since.
pub async fn check_no_reply_since(
    store: &crate::Store,
    conversation_id: i64,
    seen_message_id: i64,
) -> Result<(), CoreError> {
    let newer = sqlx::query_scalar!(
        "SELECT count(*) FROM messages WHERE conversation_id = ? AND direction = 'out' AND id > ?",
        conversation_id,
        seen_message_id
    )
    .fetch_one(store.pool())
    .await?;
    if newer > 0 {
        return Err(CoreError::RepliedSinceOpened(newer));
    }
    Ok(())
}

/// One message's stored bytes, decrypted, for someone allowed to read it.
pub async fn message_raw(session: &crate::staff::Session, message_id: i64) -> Result<Vec<u8>, CoreError> {
    let lines = session.lines_json();
    let blob = sqlx::query_scalar!(
        "SELECT m.body_blob FROM messages m JOIN conversations c ON c.id = m.conversation_id
         WHERE m.id = ? AND c.line_id IN (SELECT value FROM json_each(?))",
        message_id,
        lines
    )
    .fetch_optional(session.store.pool())
    .await?
    .ok_or_else(|| CoreError::Invalid("this message is no longer here; it may have been deleted".into()))?;
    session.store.get_blob(blob).await
}

/// Fails, exactly as for a conversation that does not exist, unless the person works on the
/// conversation's line: the line firewall for actions that take a conversation id.
pub async fn check_visible(session: &crate::staff::Session, id: i64) -> Result<(), CoreError> {
    if !on_lines(session, id, &session.lines_json()).await? {
        return Err(gone());
    }
    Ok(())
}

/// The service line of a conversation this person may see, without reading its messages.
pub async fn line_of(session: &crate::staff::Session, id: i64) -> Result<String, CoreError> {
    let lines = session.lines_json();
    sqlx::query_scalar!(
        "SELECT line_id FROM conversations WHERE id = ? AND line_id IN (SELECT value FROM json_each(?))",
        id,
        lines
    )
    .fetch_optional(session.store.pool())
    .await?
    .ok_or_else(gone)
}

/// Whether the conversation is on one of `lines` (a JSON array).
async fn on_lines(session: &crate::staff::Session, id: i64, lines: &str) -> Result<bool, CoreError> {
    let found = sqlx::query_scalar!(
        "SELECT count(*) FROM conversations WHERE id = ? AND line_id IN (SELECT value FROM json_each(?))",
        id,
        lines
    )
    .fetch_one(session.store.pool())
    .await?;
    Ok(found > 0)
}

/// Who may put a conversation on another service line: a manager, any conversation they see;
/// someone the preset lets route mail, a conversation not yet on a line.
pub async fn check_may_move_line(session: &crate::staff::Session, id: i64) -> Result<(), CoreError> {
    check_visible(session, id).await?;
    let not_yet = serde_json::to_string(&[crate::policy::NOT_ON_A_LINE]).expect("strings serialise");
    if session.preset().may_route(session.profile.role) && on_lines(session, id, &not_yet).await? {
        return Ok(());
    }
    session.require_manager("move a conversation to another service line")
}

/// The one answer for a conversation that is not there and for one on another line: the
/// firewall must not tell them apart.
fn gone() -> CoreError {
    CoreError::Invalid("this conversation is no longer here; it may have been deleted".into())
}

/// Whether `address` has ever written to the helpline (an incoming message from it is held
/// here). Under a no-cold-contact policy (acevo), Confide writes only to such addresses.
pub async fn has_written_to_us(store: &Store, address: &str) -> Result<bool, CoreError> {
    let address = address.trim().to_lowercase();
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM messages WHERE direction = 'in' AND lower(author) = ?) AS "written!: bool""#,
        address
    )
    .fetch_one(store.pool())
    .await?)
}

/// Sets (or, empty, clears) the pseudonym a service user is known by on this conversation.
pub async fn set_pseudonym(session: &crate::staff::Session, id: i64, pseudonym: &str) -> Result<(), CoreError> {
    check_visible(session, id).await?;
    let p = pseudonym.trim();
    if p.chars().count() > 60 {
        return Err(CoreError::Invalid("keep the pseudonym short".into()));
    }
    let value = (!p.is_empty()).then_some(p);
    sqlx::query!("UPDATE conversations SET pseudonym = ? WHERE id = ?", value, id)
        .execute(session.store.pool())
        .await?;
    crate::audit::append(&session.store, "pseudonym_set", &format!("conversation:{id}")).await?;
    Ok(())
}

/// The conversations, on the person's lines, whose pseudonym is `name` (any case).
pub async fn with_pseudonym(session: &crate::staff::Session, name: &str) -> Result<Vec<i64>, CoreError> {
    let (name, lines) = (name.trim().to_lowercase(), session.lines_json());
    Ok(sqlx::query_scalar!(
        r#"SELECT id AS "id!" FROM conversations WHERE lower(pseudonym) = ? AND line_id IN (SELECT value FROM json_each(?))"#,
        name,
        lines
    )
    .fetch_all(session.store.pool())
    .await?)
}

/// A conversation's pseudonym, if it has one (the caller has loaded the conversation, so may see it).
pub async fn pseudonym(session: &Session, id: i64) -> Result<Option<String>, CoreError> {
    Ok(sqlx::query_scalar!("SELECT pseudonym FROM conversations WHERE id = ?", id)
        .fetch_optional(session.store.pool())
        .await?
        .flatten())
}
