//! A store's health, as support and the crash harness (`confide bench kill`) see it: SQLite's
//! own integrity check, and the invariants sync and retention promise (no message twice, no
//! message without its conversation, blob or key, no conversation miscounted).

use serde::Serialize;

use super::Store;
use crate::CoreError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreCheck {
    /// `PRAGMA integrity_check`: "ok", or SQLite's first complaints.
    pub integrity: String,
    pub messages: i64,
    pub conversations: i64,
    /// Server copies recorded twice: the same folder, UIDVALIDITY and UID, or the same
    /// Message-ID twice in one folder (which a server can legitimately hold, but a mailbox with
    /// unique Message-IDs, like the crash harness's, never does).
    pub duplicates: i64,
    /// Messages whose conversation, blob or blob key is gone: a half-deleted record.
    pub orphans: i64,
    /// Conversations whose message count disagrees with their messages.
    pub miscounted: i64,
}

impl StoreCheck {
    pub fn healthy(&self) -> bool {
        self.integrity == "ok" && self.duplicates == 0 && self.orphans == 0 && self.miscounted == 0
    }
}

pub async fn check(store: &Store) -> Result<StoreCheck, CoreError> {
    let pool = store.pool();
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check(5)").fetch_all(pool).await?;
    let count = |sql: &'static str| async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await };
    Ok(StoreCheck {
        integrity: integrity.join("; "),
        messages: count("SELECT count(*) FROM messages").await?,
        conversations: count("SELECT count(*) FROM conversations").await?,
        duplicates: count(
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM mail_messages GROUP BY account_id, folder, uidvalidity, uid HAVING count(*) > 1))
                  + (SELECT count(*) FROM (SELECT 1 FROM messages m JOIN mail_messages mm ON mm.message_row = m.id
                                           WHERE m.message_id IS NOT NULL GROUP BY mm.account_id, mm.folder, m.message_id HAVING count(*) > 1))",
        )
        .await?,
        orphans: count(
            "SELECT count(*) FROM messages m
             WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = m.conversation_id)
                OR NOT EXISTS (SELECT 1 FROM blobs b WHERE b.id = m.body_blob)
                OR NOT EXISTS (SELECT 1 FROM blob_keys k WHERE k.blob_id = m.body_blob)",
        )
        .await?,
        miscounted: count(
            "SELECT count(*) FROM conversations c WHERE c.message_count <> (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)",
        )
        .await?,
    })
}
