//! The unified inbox: one list of conversations across channels and service lines.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::conversations::{Channel, Status};
use crate::staff::Session;
use crate::CoreError;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InboxFilter {
    pub line_id: Option<String>,
    pub channel: Option<Channel>,
    pub status: Option<Status>,
    /// Words to find in subjects, correspondents and bodies.
    pub search: Option<String>,
    /// Page size; at most 500.
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConversationSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub channel: String,
    pub line_id: String,
    pub status: String,
    pub subject: String,
    pub correspondent: String,
    pub preview: String,
    pub assignee: Option<String>,
    pub unread: bool,
    #[ts(type = "number")]
    pub message_count: i64,
    /// Unix seconds.
    #[ts(type = "number")]
    pub last_activity_at: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct InboxPage {
    pub conversations: Vec<ConversationSummary>,
    #[ts(type = "number")]
    pub total: i64,
}

/// The first page of the inbox for `filter`, newest activity first.
pub async fn page(session: &Session, filter: &InboxFilter) -> Result<InboxPage, CoreError> {
    let limit = i64::from(filter.limit.unwrap_or(100).clamp(1, 500));
    let line = filter.line_id.as_deref();
    let channel = filter.channel.map(Channel::as_str);
    let status = filter.status.map(Status::as_str);
    let fts = filter.search.as_deref().map(fts_query).filter(|q| !q.is_empty());
    let pool = session.store.pool();
    let conversations = sqlx::query_as!(
        ConversationSummary,
        r#"SELECT id AS "id!", channel, line_id, status, subject, correspondent, preview, assignee,
                  unread AS "unread: bool", message_count, last_activity_at
           FROM conversations
           WHERE (?1 IS NULL OR line_id = ?1) AND (?2 IS NULL OR channel = ?2)
             AND (?3 IS NULL OR status = ?3)
             AND (?4 IS NULL OR id IN (SELECT conversation_id FROM messages WHERE id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?4)))
           ORDER BY last_activity_at DESC, id DESC
           LIMIT ?5"#,
        line,
        channel,
        status,
        fts,
        limit
    )
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar!(
        "SELECT count(*) FROM conversations
         WHERE (?1 IS NULL OR line_id = ?1) AND (?2 IS NULL OR channel = ?2) AND (?3 IS NULL OR status = ?3)
           AND (?4 IS NULL OR id IN (SELECT conversation_id FROM messages WHERE id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?4)))",
        line,
        channel,
        status,
        fts
    )
    .fetch_one(pool)
    .await?;
    Ok(InboxPage { conversations, total })
}

/// Turns what someone typed into an FTS5 query that matches all the words as prefixes, with
/// every word quoted so that no FTS5 operator or syntax error can come from user input.
fn fts_query(input: &str) -> String {
    input
        .split(|c: char| !c.is_alphanumeric() && c != '@' && c != '.' && c != '-' && c != '_')
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{}\"*", w.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn user_input_cannot_become_fts_syntax() {
        assert_eq!(fts_query("anger OR \"x NEAR(y"), "\"anger\"* \"OR\"* \"x\"* \"NEAR\"* \"y\"*");
        assert_eq!(fts_query("  "), "");
        assert_eq!(fts_query("sam.k@example.org"), "\"sam.k@example.org\"*");
    }
}
