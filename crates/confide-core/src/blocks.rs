//! Blocking a sender (issue 24): a team leader or manager blocks an address, or a whole
//! domain, on one service line (an abusive sender, a flood of spam). Their mail is kept out of
//! the inbox, in a Blocked list of its own, and expires by the preset's `blocked` retention
//! class where it sets one, else with the email class (never kept longer than other mail).
//! Blocking is a decision about a person: each block and unblock is audited.
//!
//! A block is a record of the `sender_block` class in the team's library, sealed to the staff
//! of its line like a canned reply: the server holds no readable address. Every desktop
//! resolves the same list (the last entry by a current team leader or manager of the line for
//! each address stands) and keeps it in `sender_blocks`; ingest marks a conversation blocked
//! in the same transaction its mail arrives in, so a blocked sender's next message never
//! reaches the inbox.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::policy::RoleKind;
use crate::record_store::{self as records, classes, RecordStore};
use crate::staff::Session;
use crate::{team, CoreError, Store};

/// The preset's retention class for blocked senders' mail, if it sets one.
pub const RETENTION_CLASS: &str = "blocked";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    line: String,
    /// `sam@example.org`, or `@example.org` for a whole domain: lower case.
    pattern: String,
    blocked: bool,
}

/// A block in force, as the Blocked list shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Block {
    pub line: String,
    pub pattern: String,
    /// Who blocked it: their signing key (the team directory names them).
    pub by: String,
    #[ts(type = "number")]
    pub at: i64,
}

/// The pattern for an address or a domain as a person writes it (`Sam@Example.org`,
/// `example.org`, `@example.org`), or why it is neither.
pub fn pattern(input: &str) -> Result<String, CoreError> {
    let s = input.trim().to_lowercase();
    let (local, domain) = match s.rsplit_once('@') {
        Some((local, domain)) => (local, domain),
        None => ("", s.as_str()),
    };
    let fine = |part: &str, extra: &str| {
        !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || "-.".contains(c) || extra.contains(c))
    };
    if !fine(domain, "") || !domain.contains('.') || (!local.is_empty() && !fine(local, "_+!#$%&'*/=?^`{|}~")) {
        return Err(CoreError::Invalid(
            "write an email address (sam@example.org) or a domain (example.org) to block".into(),
        ));
    }
    Ok(format!("{local}@{domain}"))
}

/// Blocks (or, `blocked` false, unblocks) a sender on `line`: team leaders and managers only.
pub async fn set<S: RecordStore>(
    session: &Session,
    server: &S,
    line: &str,
    sender: &str,
    blocked: bool,
) -> Result<(), S::Error> {
    if session.profile.role == RoleKind::Advisor {
        return Err(CoreError::Invalid("a team leader or manager decides whom to block".into()).into());
    }
    if !session.visible_lines().iter().any(|l| l == line) {
        return Err(CoreError::Invalid("that is not one of your service lines".into()).into());
    }
    let entry = Entry { line: line.to_owned(), pattern: pattern(sender)?, blocked };
    let body = serde_json::to_vec(&entry).expect("entries serialise");
    records::put_for_line(session, server, (classes::SENDER_BLOCK, line), &body, None).await?;
    let event = if blocked { "sender_blocked" } else { "sender_unblocked" };
    crate::audit::append(&session.store, event, &format!("line:{line}")).await?;
    follow(session, server).await?;
    Ok(())
}

/// Blocks the sender of a conversation (their address, or their whole domain).
pub async fn block_sender_of<S: RecordStore>(
    session: &Session,
    server: &S,
    conversation_id: i64,
    whole_domain: bool,
) -> Result<(), S::Error> {
    crate::conversations::check_visible(session, conversation_id).await?;
    let found = sqlx::query!(
        "SELECT c.line_id, m.author FROM conversations c JOIN messages m ON m.conversation_id = c.id
         WHERE c.id = ? AND m.direction = 'in' AND m.author != '' ORDER BY m.sent_at LIMIT 1",
        conversation_id
    )
    .fetch_optional(session.store.pool())
    .await
    .map_err(CoreError::from)?
    .ok_or_else(|| CoreError::Invalid("this conversation has no sender's address to block".into()))?;
    let sender = match found.author.rsplit_once('@') {
        Some((_, domain)) if whole_domain => domain.to_owned(),
        _ => found.author,
    };
    set(session, server, &found.line_id, &sender, true).await
}

/// Reads the blocks this desktop can open, keeps those in force on its lines, and marks every
/// conversation blocked or not by them. Returns how many conversations changed.
pub async fn follow<S: RecordStore>(session: &Session, server: &S) -> Result<usize, S::Error> {
    let dir = team::directory(&session.store, server).await?;
    let listed = records::opened_in_order(session, server, classes::SENDER_BLOCK).await?;
    let mut standing: BTreeMap<(String, String), Option<(String, i64)>> = BTreeMap::new();
    for record in listed {
        let Ok(entry) = serde_json::from_slice::<Entry>(&record.body) else { continue };
        if dir.leads(&record.header.author, &entry.line) && record.header.line.as_deref() == Some(entry.line.as_str()) {
            let value = entry.blocked.then(|| (record.header.author.clone(), record.header.created_at));
            standing.insert((entry.line, entry.pattern), value);
        }
    }
    let visible = session.visible_lines();
    let blocks: Vec<Block> = standing
        .into_iter()
        .filter(|((line, _), _)| visible.contains(line))
        .filter_map(|((line, pattern), by)| by.map(|(by, at)| Block { line, pattern, by, at }))
        .collect();
    Ok(keep(&session.store, &blocks).await?)
}

async fn keep(store: &Store, blocks: &[Block]) -> Result<usize, CoreError> {
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query!("DELETE FROM sender_blocks").execute(&mut *tx).await?;
    for b in blocks {
        sqlx::query!(
            "INSERT INTO sender_blocks (line_id, pattern, blocked_by, blocked_at) VALUES (?, ?, ?, ?)",
            b.line,
            b.pattern,
            b.by,
            b.at
        )
        .execute(&mut *tx)
        .await?;
    }
    let changed = mark(&mut tx, None).await?;
    tx.commit().await?;
    Ok(changed)
}

/// Marks conversations blocked where an incoming message's sender matches a block on their
/// line, and unmarks the rest: those in `ids` (JSON array), or all. Returns how many changed.
pub(crate) async fn mark(tx: &mut SqliteConnection, ids: Option<&str>) -> Result<usize, CoreError> {
    // Arriving mail with no block anywhere (the usual case) costs one lookup.
    let any = sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM sender_blocks) AS "any!: bool""#)
        .fetch_one(&mut *tx)
        .await?;
    if !any && ids.is_some() {
        return Ok(0);
    }
    let done = sqlx::query!(
        r#"UPDATE conversations SET blocked = new.blocked
           FROM (SELECT c.id, EXISTS (
                   SELECT 1 FROM messages m JOIN sender_blocks b ON b.line_id = c.line_id
                   WHERE m.conversation_id = c.id AND m.direction = 'in'
                     AND (lower(m.author) = b.pattern
                          OR (substr(b.pattern, 1, 1) = '@'
                              AND substr(lower(m.author), -length(b.pattern)) = b.pattern))) AS blocked
                 FROM conversations c
                 WHERE c.channel = 'email' AND (?1 IS NULL OR c.id IN (SELECT value FROM json_each(?1)))) AS new
           WHERE conversations.id = new.id AND conversations.blocked != new.blocked"#,
        ids
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() as usize)
}

/// The blocks in force on this person's lines, newest first.
pub async fn list(session: &Session) -> Result<Vec<Block>, CoreError> {
    let lines = session.lines_json();
    Ok(sqlx::query_as!(
        Block,
        r#"SELECT line_id AS line, pattern, blocked_by AS by, blocked_at AS at FROM sender_blocks
           WHERE line_id IN (SELECT value FROM json_each(?)) ORDER BY blocked_at DESC, pattern"#,
        lines
    )
    .fetch_all(session.store.pool())
    .await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn issue24_a_block_is_an_address_or_a_whole_domain_in_lower_case() {
        assert_eq!(super::pattern(" Sam@Example.org ").unwrap(), "sam@example.org");
        assert_eq!(super::pattern("example.org").unwrap(), "@example.org");
        assert_eq!(super::pattern("@mail.Example.org").unwrap(), "@mail.example.org");
        for bad in ["", "sam", "@", "sam@", "sam smith@example.org", "sam@exa_mple.org", "sam@localhost"] {
            assert!(super::pattern(bad).is_err(), "{bad:?} accepted");
        }
    }
}
