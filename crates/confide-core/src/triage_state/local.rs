//! The triage state on this desktop: which local conversation an entry is about, and setting
//! what the entries resolved to.

use std::collections::BTreeMap;

use super::{ThreadRef, Triage};
use crate::{CoreError, Store};

/// Enough of a conversation's references for any desktop to find it (a long thread is known by
/// its newest messages).
const REFERENCES: i64 = 50;

/// A conversation's references, line and current claim holder.
pub(super) async fn about(
    store: &Store,
    conversation_id: i64,
) -> Result<(ThreadRef, String, Option<String>), CoreError> {
    let row = sqlx::query!("SELECT line_id, assignee FROM conversations WHERE id = ?", conversation_id)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| CoreError::Invalid("that conversation is not here".into()))?;
    let message_ids = sqlx::query_scalar!(
        r#"SELECT message_id AS "message_id!" FROM messages WHERE conversation_id = ? AND message_id IS NOT NULL
           ORDER BY sent_at DESC, id DESC LIMIT ?"#,
        conversation_id,
        REFERENCES
    )
    .fetch_all(store.pool())
    .await?;
    let places = sqlx::query!(
        "SELECT mm.folder, mm.uidvalidity, mm.uid FROM mail_messages mm JOIN messages m ON m.id = mm.message_row
         JOIN accounts a ON a.id = mm.account_id
         WHERE m.conversation_id = ? AND a.kind = 'shared' ORDER BY m.sent_at DESC, m.id DESC LIMIT ?",
        conversation_id,
        REFERENCES
    )
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(|r| (r.folder, r.uidvalidity as u32, r.uid as u32))
    .collect();
    Ok((ThreadRef { message_ids, places, id_hashes: vec![] }, row.line_id, row.assignee))
}

/// The email conversation here that `thread` names, if this desktop holds it.
pub(super) async fn conversation_of(store: &Store, thread: &ThreadRef) -> Result<Option<i64>, CoreError> {
    let ids = serde_json::to_string(&thread.message_ids).expect("strings serialise");
    let by_id = sqlx::query_scalar!(
        "SELECT mi.conversation_id FROM message_ids mi JOIN conversations c ON c.id = mi.conversation_id
         WHERE mi.message_id IN (SELECT value FROM json_each(?)) AND c.channel = 'email' LIMIT 1",
        ids
    )
    .fetch_optional(store.pool())
    .await?;
    if by_id.is_some() {
        return Ok(by_id);
    }
    for (folder, uidvalidity, uid) in &thread.places {
        let (uidvalidity, uid) = (i64::from(*uidvalidity), i64::from(*uid));
        let found = sqlx::query_scalar!(
            "SELECT m.conversation_id FROM mail_messages mm JOIN messages m ON m.id = mm.message_row
             JOIN accounts a ON a.id = mm.account_id
             WHERE a.kind = 'shared' AND mm.folder = ? AND mm.uidvalidity = ? AND mm.uid = ?",
            folder,
            uidvalidity,
            uid
        )
        .fetch_optional(store.pool())
        .await?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// A thread not held here, and the line a move put it on.
pub(super) type Moved = (ThreadRef, String);

/// Sets each conversation's claim, status, risk flags, hold and line as resolved, where they
/// differ; forgets those a move put on a line not seen here; learns the threads a move put on
/// one of this desktop's lines (`arriving`, fetched by the next sync); and keeps the places of
/// other lines' held conversations. Returns how many conversations changed.
pub(super) async fn apply(
    store: &Store,
    state: &BTreeMap<i64, Triage>,
    held_elsewhere: &[(String, u32, u32)],
    (here, away): (&[Moved], &[Moved]),
    visible: &[String],
) -> Result<usize, CoreError> {
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let mut changed = 0;
    let mut moved = vec![];
    for (id, triage) in state {
        if let Some(line) = &triage.line {
            let done = sqlx::query!(
                "UPDATE conversations SET line_id = ? WHERE id = ? AND channel = 'email' AND line_id != ?",
                line,
                id,
                line
            )
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() > 0 {
                moved.push(*id);
                changed += 1;
            }
        }
        let status = triage.shown_status().as_str();
        let risks = serde_json::to_string(&triage.risks).expect("strings serialise");
        let done = sqlx::query!(
            "UPDATE conversations SET assignee = ?, status = ?, risk_flags = ?, held_in_state = ?
             WHERE id = ? AND channel = 'email'
               AND (assignee IS NOT ? OR status != ? OR risk_flags != ? OR held_in_state != ?)",
            triage.assignee,
            status,
            risks,
            triage.held,
            id,
            triage.assignee,
            status,
            risks,
            triage.held
        )
        .execute(&mut *tx)
        .await?;
        changed += done.rows_affected() as usize;
        changed += snooze(&mut tx, *id, triage.snooze, store.now_ts()).await?;
    }
    // Moved to a line not seen here: forgotten, its thread remembered (hashed) as moved away.
    crate::mailstore::forget_moved_away(&mut tx, &moved, visible).await?;
    for (thread, line) in here {
        crate::mailstore::learn_moved_here(&mut tx, &thread.id_hashes, line, &thread.places).await?;
    }
    for (thread, _) in away {
        crate::mailstore::learn_moved_away(&mut tx, &thread.id_hashes).await?;
    }
    sqlx::query!("DELETE FROM held_places").execute(&mut *tx).await?;
    for (folder, uidvalidity, uid) in held_elsewhere {
        let (uidvalidity, uid) = (i64::from(*uidvalidity), i64::from(*uid));
        sqlx::query!(
            "INSERT INTO held_places (folder, uidvalidity, uid) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            folder,
            uidvalidity,
            uid
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(changed)
}

/// Sets a conversation's snooze as resolved, unless mail came in after it was snoozed (that
/// wakes it). A snoozed conversation's activity is the time it wakes, so it comes back at the
/// top of the list; woken early, it is at the top now.
async fn snooze(
    tx: &mut sqlx::SqliteConnection,
    id: i64,
    snooze: Option<(i64, i64)>,
    now: i64,
) -> Result<usize, CoreError> {
    let (until, at) = snooze.map_or((None, None), |(u, a)| (Some(u), Some(a)));
    let done = sqlx::query!(
        "UPDATE conversations SET snoozed_until = ?1, snoozed_at = ?2,
           last_activity_at = CASE WHEN ?1 IS NULL THEN min(last_activity_at, ?4) ELSE max(last_activity_at, ?1) END
         WHERE id = ?3 AND channel = 'email' AND (snoozed_until IS NOT ?1 OR snoozed_at IS NOT ?2)
           AND (?1 IS NULL OR NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = ?3 AND m.direction = 'in'
                AND coalesce(m.received_at, m.sent_at) > ?2))",
        until,
        at,
        id,
        now
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() as usize)
}

/// Remembers who wrote a reply (first writer kept: an entry cannot rename a reply's author).
pub(super) async fn set_author(store: &Store, message_id: &str, author: &str) -> Result<(), CoreError> {
    sqlx::query!(
        "INSERT INTO reply_authors (message_id, author) VALUES (?, ?) ON CONFLICT (message_id) DO NOTHING",
        message_id,
        author
    )
    .execute(store.pool())
    .await?;
    Ok(())
}

/// A note as the state gave it, about a conversation held here.
pub(super) struct Note {
    pub(super) id: String,
    pub(super) conversation: i64,
    pub(super) author: String,
    pub(super) at: i64,
    pub(super) text: String,
    pub(super) mentions_me: bool,
}

/// Keeps the notes not kept yet, each sealed to this desktop; returns how many conversations
/// have a new one.
pub(super) async fn keep_notes(store: &Store, notes: &[Note]) -> Result<usize, CoreError> {
    if notes.is_empty() {
        return Ok(0);
    }
    let ids = serde_json::to_string(&notes.iter().map(|n| &n.id).collect::<Vec<_>>()).expect("strings serialise");
    let kept: std::collections::HashSet<String> =
        sqlx::query_scalar!("SELECT id FROM conversation_notes WHERE id IN (SELECT value FROM json_each(?))", ids)
            .fetch_all(store.pool())
            .await?
            .into_iter()
            .collect();
    let recipients = store.own_recipients();
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let mut noted = std::collections::BTreeSet::new();
    for n in notes.iter().filter(|n| !kept.contains(&n.id)) {
        noted.insert(n.conversation);
        let body = confide_vault::seal(n.text.as_bytes(), &recipients)?;
        sqlx::query!(
            "INSERT INTO conversation_notes (id, conversation_id, author, created_at, body, mentions_me)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            n.id,
            n.conversation,
            n.author,
            n.at,
            body,
            n.mentions_me
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(noted.len())
}
