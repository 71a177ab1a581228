//! Replies waiting to be sent or filed. Knows nothing of SMTP or IMAP; `confide-mail` moves
//! items along.

use serde::Serialize;
use ts_rs::TS;

use crate::{CoreError, Store};

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OutboxItem {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number | null")]
    pub conversation_id: Option<i64>,
    pub account_id: String,
    pub state: String,
    pub smtp_done: bool,
    /// Why the last attempt failed, in words for the advisor.
    pub error: Option<String>,
}

/// Queues a reply (raw RFC 5322 bytes, encrypted here) before any attempt to send it.
pub async fn queue(
    store: &Store,
    conversation_id: Option<i64>,
    account_id: &str,
    message_id: &str,
    raw: &[u8],
) -> Result<i64, CoreError> {
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let id = queue_in(store, &mut tx, conversation_id, account_id, message_id, raw).await?;
    tx.commit().await?;
    Ok(id)
}

/// Queues a reply within a caller's write transaction (one that marks what it queued, so a
/// crash cannot leave it queued and unmarked, to be queued again).
pub(crate) async fn queue_in(
    store: &Store,
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    conversation_id: Option<i64>,
    account_id: &str,
    message_id: &str,
    raw: &[u8],
) -> Result<i64, CoreError> {
    let blob = store.put_blob(&mut *tx, "outgoing", raw, &store.own_recipients()).await?;
    let now = store.now_ts();
    Ok(sqlx::query_scalar!(
        "INSERT INTO outbox (conversation_id, account_id, message_id, raw_blob, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'queued', ?, ?) RETURNING id AS \"id!\"",
        conversation_id,
        account_id,
        message_id,
        blob,
        now,
        now
    )
    .fetch_one(&mut **tx)
    .await?)
}

/// The queued reply itself: content, so only for a signed-in person.
pub async fn raw(session: &crate::staff::Session, id: i64) -> Result<Vec<u8>, CoreError> {
    let store = &session.store;
    let blob = sqlx::query_scalar!("SELECT raw_blob FROM outbox WHERE id = ?", id)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| CoreError::Invalid("this reply is no longer in the outbox".into()))?;
    store.get_blob(blob).await
}

pub async fn get(store: &Store, id: i64) -> Result<Option<OutboxItem>, CoreError> {
    Ok(sqlx::query_as!(
        OutboxItem,
        r#"SELECT id AS "id!", conversation_id, account_id, state, smtp_done AS "smtp_done: bool", error FROM outbox WHERE id = ?"#,
        id
    )
    .fetch_optional(store.pool())
    .await?)
}

pub async fn list(store: &Store) -> Result<Vec<OutboxItem>, CoreError> {
    Ok(sqlx::query_as!(
        OutboxItem,
        r#"SELECT id AS "id!", conversation_id, account_id, state, smtp_done AS "smtp_done: bool", error FROM outbox ORDER BY id"#
    )
    .fetch_all(store.pool())
    .await?)
}

/// SMTP accepted it: from now on only filing may be retried, never sending.
pub async fn mark_sent(store: &Store, id: i64) -> Result<(), CoreError> {
    let now = store.now_ts();
    sqlx::query!("UPDATE outbox SET state = 'sent', smtp_done = 1, error = NULL, updated_at = ? WHERE id = ?", now, id)
        .execute(store.pool())
        .await?;
    Ok(())
}

pub async fn mark_failed(store: &Store, id: i64, error: &str) -> Result<(), CoreError> {
    let now = store.now_ts();
    sqlx::query!("UPDATE outbox SET state = 'failed', error = ?, updated_at = ? WHERE id = ?", error, now, id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Filed in the shared Sent: the outbox copy and its blob go; sync brings the Sent copy back.
pub async fn remove(store: &Store, id: i64) -> Result<(), CoreError> {
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    if let Some(blob) =
        sqlx::query_scalar!("SELECT raw_blob FROM outbox WHERE id = ?", id).fetch_optional(&mut *tx).await?
    {
        sqlx::query!("DELETE FROM outbox WHERE id = ?", id).execute(&mut *tx).await?;
        crate::store::blobs::shred(&mut tx, &format!("[{blob}]")).await?;
    }
    tx.commit().await?;
    Ok(())
}
