//! Legal hold: a manager keeps a conversation beyond its retention period, with a reason.

use serde::Serialize;
use ts_rs::TS;

use crate::policy::RoleKind;
use crate::record_store::ServerLocation;
use crate::staff::Session;
use crate::{CoreError, Store};

/// A hold as a manager sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Hold {
    #[ts(type = "number")]
    pub conversation_id: i64,
    pub reason: String,
    /// The holding manager's key fingerprint.
    pub held_by: String,
    /// Unix seconds.
    #[ts(type = "number")]
    pub held_at: i64,
}

/// Puts a conversation on hold. Managers only: holding is a decision to keep what the policy
/// says must go.
pub async fn hold(session: &Session, conversation_id: i64, reason: &str) -> Result<(), CoreError> {
    session.require_manager("put a conversation on legal hold")?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CoreError::Invalid("give the reason for the hold (for example, the court order)".into()));
    }
    let (by, at) = (session.store.identity().fingerprint(), session.store.now_ts());
    sqlx::query!(
        "INSERT INTO legal_holds (conversation_id, reason, held_by, held_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (conversation_id) DO UPDATE SET reason = excluded.reason, held_by = excluded.held_by, held_at = excluded.held_at",
        conversation_id,
        reason,
        by,
        at
    )
    .execute(session.store.pool())
    .await?;
    Ok(())
}

/// Lifts a hold; the conversation expires on the next run if its period has passed.
pub async fn release(session: &Session, conversation_id: i64) -> Result<(), CoreError> {
    session.require_manager("lift a legal hold")?;
    sqlx::query!("DELETE FROM legal_holds WHERE conversation_id = ?", conversation_id)
        .execute(session.store.pool())
        .await?;
    Ok(())
}

/// How many conversations are on hold, and where the server copies of those held here are (so a sweep of the
/// server never takes them).
pub async fn held(store: &Store) -> Result<(usize, Vec<ServerLocation>), CoreError> {
    // Held here (with a reason) or, by a manager on another desktop, on the server.
    let n = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!: i64" FROM conversations c
           WHERE c.held_on_server = 1 OR c.held_in_state = 1 OR EXISTS (SELECT 1 FROM legal_holds h WHERE h.conversation_id = c.id)"#
    )
    .fetch_one(store.pool())
    .await?;
    let rows = sqlx::query!(
        "SELECT mm.account_id, mm.folder, mm.uidvalidity, mm.uid FROM legal_holds h
         JOIN messages m ON m.conversation_id = h.conversation_id JOIN mail_messages mm ON mm.message_row = m.id"
    )
    .fetch_all(store.pool())
    .await?;
    let place = |account, folder, uid_validity: i64, uid: i64| ServerLocation {
        account,
        folder,
        uid_validity: uid_validity as u32,
        uid: uid as u32,
    };
    let mut out: Vec<_> = rows.into_iter().map(|r| place(r.account_id, r.folder, r.uidvalidity, r.uid)).collect();
    // Another line's conversations the team holds, which this desktop does not hold itself: only
    // their places are known here (`triage_state`), and its sweep leaves them alone.
    let elsewhere = sqlx::query!(
        r#"SELECT a.id AS "account_id!", p.folder, p.uidvalidity, p.uid FROM held_places p
         JOIN accounts a ON a.kind = 'shared'"#
    )
    .fetch_all(store.pool())
    .await?;
    out.extend(elsewhere.into_iter().map(|r| place(r.account_id, r.folder, r.uidvalidity, r.uid)));
    Ok((n as usize, out))
}

/// The hold on one conversation, for a manager; `None` for anyone else (that a court asked for
/// a record is itself confidential).
pub async fn of(session: &Session, conversation_id: i64) -> Result<Option<Hold>, CoreError> {
    if session.profile.role != RoleKind::Manager {
        return Ok(None);
    }
    Ok(sqlx::query_as!(
        Hold,
        "SELECT conversation_id, reason, held_by, held_at FROM legal_holds WHERE conversation_id = ?",
        conversation_id
    )
    .fetch_optional(session.store.pool())
    .await?)
}

/// Every hold, oldest first (managers only, as [`of`]).
pub async fn list(session: &Session) -> Result<Vec<Hold>, CoreError> {
    if session.profile.role != RoleKind::Manager {
        return Ok(vec![]);
    }
    Ok(sqlx::query_as!(
        Hold,
        "SELECT conversation_id, reason, held_by, held_at FROM legal_holds ORDER BY held_at, conversation_id"
    )
    .fetch_all(session.store.pool())
    .await?)
}
