//! One message in two folders is one message to Confide. On Gmail a folder is a label, and a
//! message under two labels (INBOX and "Legal", say) is listed in both; a mail client can also
//! file the same message twice. The second place is kept as another location of the message
//! already held: no second body, index entry, count or conversation. Retention and erasure
//! then remove it from every place, and it leaves the store only when no place has it.
//!
//! A copy is known by its Message-ID together with its date and direction, in a conversation
//! of the same account: a stranger who reuses a Message-ID with another date is a message of
//! its own, and a message with neither Date header nor arrival date is never taken for a copy.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::IncomingMail;
use crate::CoreError;

/// Files the mails of `fresh` that are copies of messages the account already holds as
/// further locations of those messages, and returns the rest. `threads` maps Message-IDs
/// already known to their conversations.
pub(super) async fn file_copies<'m>(
    tx: &mut SqliteConnection,
    (account, folder, uv): (&str, &str, i64),
    fresh: Vec<&'m IncomingMail>,
    threads: &HashMap<String, i64>,
) -> Result<Vec<&'m IncomingMail>, CoreError> {
    let candidates: Vec<(&str, i64)> = fresh
        .iter()
        .filter_map(|m| m.headers.message_id.as_deref())
        .filter_map(|id| threads.get(id).map(|c| (id, *c)))
        .collect();
    if candidates.is_empty() {
        return Ok(fresh);
    }
    let ids = serde_json::to_string(&candidates.iter().map(|(id, _)| id).collect::<Vec<_>>()).expect("strings");
    let conversations = serde_json::to_string(&candidates.iter().map(|(_, c)| c).collect::<Vec<_>>()).expect("ids");
    let held: HashMap<(String, i64, String), i64> = sqlx::query!(
        r#"SELECT m.id AS "id!", m.message_id AS "message_id!", m.sent_at, m.direction FROM messages m
           WHERE m.conversation_id IN (SELECT value FROM json_each(?1))
             AND m.message_id IN (SELECT value FROM json_each(?2))
             AND EXISTS (SELECT 1 FROM mail_messages mm WHERE mm.message_row = m.id AND mm.account_id = ?3)"#,
        conversations,
        ids,
        account
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| ((r.message_id, r.sent_at, r.direction), r.id))
    .collect();
    let (copies, rest): (Vec<_>, Vec<_>) =
        fresh.into_iter().map(|m| (copy_of(&held, m), m)).partition(|(c, _)| c.is_some());
    for rows in copies.chunks(1000) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO mail_messages (account_id, folder, uidvalidity, uid, message_row, flags) ",
        );
        q.push_values(rows, |mut b, (row, m)| {
            b.push_bind(account)
                .push_bind(folder)
                .push_bind(uv)
                .push_bind(i64::from(m.uid))
                .push_bind(*row)
                .push_bind(&m.flags);
        });
        q.build().execute(&mut *tx).await?;
    }
    Ok(rest.into_iter().map(|(_, m)| m).collect())
}

/// The message row `mail` is a copy of, if the account holds one with its Message-ID, date
/// and direction.
fn copy_of(held: &HashMap<(String, i64, String), i64>, mail: &IncomingMail) -> Option<i64> {
    let id = mail.headers.message_id.clone()?;
    let at = mail.headers.date.or(mail.internal_date)?;
    let direction = if mail.outgoing { "out" } else { "in" };
    held.get(&(id, at, direction.to_owned())).copied()
}
