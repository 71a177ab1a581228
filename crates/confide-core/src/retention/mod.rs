//! The retention engine, local side: which records of a class have expired by the preset's
//! period (by the store's clock, so tests and `--now` move time), and destroying them here:
//! rows, index entries and blobs, with the journal checkpointed and truncated so nothing
//! lingers in the WAL. Before a conversation goes, its non-identifying facts are added to
//! the anonymous statistics (marked counted in `retention_counted`, so a rerun after a kill
//! does not count them twice).
//!
//! Server folders are `confide-mail`'s part (`expire.rs`); it runs first, so a crash between
//! the two leaves only local copies, which the next run (or the next sync) removes.

pub mod hold;
pub mod records;
pub mod stats;

use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::policy::{Period, Place, RetentionClass};
use crate::retention_record::{self, RecordEntry};
use crate::{CoreError, Store};

/// A message whose class period has run out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    pub message_row: i64,
    pub conversation_id: i64,
    pub sent_at: i64,
    /// Where a synced copy sits on a server: (account, folder, uidvalidity, uid).
    pub locations: Vec<(String, String, u32, u32)>,
}

/// The class a conversation's messages belong to: the preset class named after its channel
/// (`email`, `webchat`, `letter`), so which period applies is the preset's to say.
pub fn class_for_channel<'a>(classes: &'a [RetentionClass], channel: &str) -> Option<&'a RetentionClass> {
    classes.iter().find(|c| c.id == channel)
}

/// Whether something made at `start` has expired at `now` under `period`.
pub fn has_expired(period: &Period, start: i64, now: OffsetDateTime) -> bool {
    OffsetDateTime::from_unix_timestamp(start).ok().and_then(|s| period.expiry(s)).is_some_and(|e| e <= now)
}

/// The messages of `channel` whose class has expired at the store's current time.
pub async fn expired(store: &Store, class: &RetentionClass, channel: &str) -> Result<Vec<Expired>, CoreError> {
    expired_where(store, class, channel, false).await
}

/// The messages of blocked senders' conversations (`crate::blocks`) that `class` (the preset's
/// `blocked` class) has expired: what goes before the email class would take it.
pub async fn expired_blocked(store: &Store, class: &RetentionClass) -> Result<Vec<Expired>, CoreError> {
    expired_where(store, class, "email", true).await
}

/// The email that has expired: by the email class, and blocked senders' mail by the preset's
/// `blocked` class where it sets one (never kept longer than other mail: whichever comes
/// first).
pub async fn expired_email(
    store: &Store,
    preset: &crate::policy::Preset,
    email: &RetentionClass,
) -> Result<Vec<Expired>, CoreError> {
    let mut expired = expired(store, email, "email").await?;
    if let Some(blocked) = preset.retention_class(crate::blocks::RETENTION_CLASS) {
        let known: std::collections::HashSet<i64> = expired.iter().map(|e| e.message_row).collect();
        let more = expired_blocked(store, blocked).await?;
        expired.extend(more.into_iter().filter(|e| !known.contains(&e.message_row)));
    }
    Ok(expired)
}

async fn expired_where(
    store: &Store,
    class: &RetentionClass,
    channel: &str,
    blocked_only: bool,
) -> Result<Vec<Expired>, CoreError> {
    let now = store.clock().now();
    // A generous bound for the query (a month can be 31 days); the exact calendar check is
    // `has_expired`, below.
    let Some(bound) = loose_cutoff(&class.period, now) else { return Ok(vec![]) };
    let rows = sqlx::query!(
        r#"SELECT m.id AS "id!", m.conversation_id, m.sent_at, m.received_at, mm.account_id AS "account?", mm.folder AS "folder?",
                  mm.uidvalidity AS "uidvalidity?", mm.uid AS "uid?"
           FROM messages m JOIN conversations c ON c.id = m.conversation_id
           LEFT JOIN mail_messages mm ON mm.message_row = m.id
           WHERE c.channel = ? AND m.sent_at < ? AND (? = 0 OR c.blocked = 1)
             AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.conversation_id = c.id) AND c.held_on_server = 0 AND c.held_in_state = 0
           ORDER BY m.id"#,
        channel,
        bound,
        blocked_only
    )
    .fetch_all(store.pool())
    .await?;
    let mut by_row: BTreeMap<i64, Expired> = BTreeMap::new();
    // Expired by the date it claims and by its arrival: a sender's clock set years back must
    // not have a plea for help destroyed the day it arrives.
    for r in rows.into_iter().filter(|r| {
        has_expired(&class.period, r.sent_at, now) && r.received_at.is_none_or(|a| has_expired(&class.period, a, now))
    }) {
        let e = by_row.entry(r.id).or_insert_with(|| Expired {
            message_row: r.id,
            conversation_id: r.conversation_id,
            sent_at: r.sent_at,
            locations: vec![],
        });
        if let (Some(a), Some(f), Some(v), Some(u)) = (r.account, r.folder, r.uidvalidity, r.uid) {
            e.locations.push((a, f, v as u32, u as u32));
        }
    }
    Ok(by_row.into_values().collect())
}

fn loose_cutoff(period: &Period, now: OffsetDateTime) -> Option<i64> {
    let days = match period {
        Period::Days(n) => i64::from(*n),
        Period::Months(n) => i64::from(*n) * 28,
        Period::Years(n) => i64::from(*n) * 365,
        Period::Keep | Period::Until(_) => return None,
    };
    Some((now - time::Duration::days(days - 1)).unix_timestamp())
}

/// What a local destruction did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalOutcome {
    pub messages: usize,
    pub conversations: usize,
}

/// Adds the conversations the expired messages end to the anonymous statistics, before anything
/// is destroyed anywhere, so a run killed between the server and the local step (after which a
/// sync removes the local copies without counting) still counts each exactly once.
pub async fn count_expiring(store: &Store, class: &RetentionClass, expired: &[Expired]) -> Result<usize, CoreError> {
    if expired.is_empty() || !class.delete_from.contains(&Place::Local) {
        return Ok(0);
    }
    let doomed: Vec<(i64, i64)> = expired.iter().map(|e| (e.message_row, e.conversation_id)).collect();
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let counted = stats::count_before_destroying(&mut tx, &doomed).await?;
    tx.commit().await?;
    Ok(counted)
}

/// Destroys the expired messages in the local store, records it, and folds the journal back
/// and truncates it. [`count_expiring`] must have counted them first (before the server step,
/// so a crash after it cannot lose them from the statistics); it is not repeated here, where
/// it would cost a second pass over every expiring conversation.
pub async fn destroy_local(
    store: &Store,
    class: &RetentionClass,
    expired: &[Expired],
) -> Result<LocalOutcome, CoreError> {
    if expired.is_empty() || !class.delete_from.contains(&Place::Local) {
        return Ok(LocalOutcome::default());
    }
    let rows: Vec<i64> = expired.iter().map(|e| e.message_row).collect();
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let t = std::time::Instant::now();
    let ending = crate::mailstore::delete_message_rows(&mut tx, &rows).await?;
    let deleted = t.elapsed().as_secs_f64();
    tx.commit().await?;
    tracing::debug!(deleted, commit = t.elapsed().as_secs_f64() - deleted, "local rows destroyed");
    let (oldest, newest) = (expired.iter().map(|e| e.sent_at).min(), expired.iter().map(|e| e.sent_at).max());
    retention_record::append(
        store,
        &RecordEntry {
            at: store.now_ts(),
            action: "expired".into(),
            record_class: Some(class.id.clone()),
            from_place: "local".into(),
            to_place: String::new(),
            count: rows.len() as i64,
            oldest,
            newest,
        },
    )
    .await?;
    // secure_delete has overwritten the freed pages; this makes sure no old frame survives in
    // the write-ahead log either.
    let t = std::time::Instant::now();
    store.checkpoint().await?;
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "checkpointed");
    Ok(LocalOutcome { messages: rows.len(), conversations: ending })
}

/// Erases whole conversations from this desktop (a subject's erasure request), as a retention
/// run destroys expired ones: counted in the anonymous statistics first, then rows, index
/// entries and blob keys, the erasure on the retention record, the journal truncated. The
/// caller has removed the server copies first. Returns how many messages went.
pub async fn erase_local(store: &Store, conversations: &[i64]) -> Result<usize, CoreError> {
    if conversations.is_empty() {
        return Ok(0);
    }
    let ids = serde_json::to_string(conversations).expect("numbers serialise");
    // The messages are read inside the transaction: one that a sync adds to a doomed
    // conversation in between would otherwise leave with the conversation's cascade only, its
    // blob and index terms behind.
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let doomed: Vec<(i64, i64)> = sqlx::query!(r#"SELECT id AS "id!", conversation_id FROM messages WHERE conversation_id IN (SELECT value FROM json_each(?))"#, ids)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| (r.id, r.conversation_id))
        .collect();
    let rows: Vec<i64> = doomed.iter().map(|d| d.0).collect();
    stats::count_before_destroying(&mut tx, &doomed).await?;
    crate::mailstore::delete_message_rows(&mut tx, &rows).await?;
    // A conversation with no messages (a chat that never had one) goes too.
    sqlx::query!("DELETE FROM conversations WHERE id IN (SELECT value FROM json_each(?))", ids)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    retention_record::append(
        store,
        &RecordEntry {
            at: store.now_ts(),
            action: "erased".into(),
            record_class: None,
            from_place: "local".into(),
            to_place: String::new(),
            count: rows.len() as i64,
            oldest: None,
            newest: None,
        },
    )
    .await?;
    store.checkpoint().await?;
    Ok(rows.len())
}

/// Conversations of `channel` that never had a message (a chat whose visitor never wrote),
/// created longer ago than the class's period: removed, so no row outlives its period even with
/// nothing in it. Held ones stay. Returns how many went.
pub async fn expire_empty(store: &Store, class: &RetentionClass, channel: &str) -> Result<usize, CoreError> {
    let now = store.clock().now();
    let Some(bound) = loose_cutoff(&class.period, now) else { return Ok(0) };
    let rows = sqlx::query!(
        r#"SELECT c.id AS "id!", c.created_at FROM conversations c
           WHERE c.channel = ? AND c.created_at < ? AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
             AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.conversation_id = c.id) AND c.held_on_server = 0 AND c.held_in_state = 0"#,
        channel,
        bound
    )
    .fetch_all(store.pool())
    .await?;
    let doomed: Vec<i64> =
        rows.into_iter().filter(|r| has_expired(&class.period, r.created_at, now)).map(|r| r.id).collect();
    if doomed.is_empty() {
        return Ok(0);
    }
    let ids = serde_json::to_string(&doomed).expect("numbers serialise");
    sqlx::query!("DELETE FROM conversations WHERE id IN (SELECT value FROM json_each(?))", ids)
        .execute(store.pool())
        .await?;
    Ok(doomed.len())
}
