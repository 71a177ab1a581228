//! Moving a conversation to another service line (a manager's decision, e.g. a caller on the
//! Respect Phoneline who is in fact a victim). The line travels as an IMAP keyword on every
//! message of the conversation, so every desktop follows it: one whose lines gain the
//! conversation fetches the messages it passed over; one whose lines lose it forgets it, and
//! keeps only hashes of its Message-IDs so later replies in the thread are passed over too.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use crate::CoreError;

/// The keyword naming the line a manager moved a conversation to.
pub const LINE_PREFIX: &str = "Confide.Line.";

/// The line a message's keywords put it on, if a manager moved it.
pub fn line_keyword(flags: &str) -> Option<&str> {
    flags.split_whitespace().find_map(|k| k.strip_prefix(LINE_PREFIX)).filter(|l| !l.is_empty())
}

fn id_hash(message_id: &str) -> String {
    hex::encode(Sha256::digest(message_id.as_bytes()))
}

/// Which of `ids` belong to threads moved away from this desktop's lines.
pub(crate) async fn moved_away(tx: &mut sqlx::SqliteConnection, ids: &[&str]) -> Result<HashSet<String>, CoreError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let hashes: Vec<(String, &str)> = ids.iter().map(|id| (id_hash(id), *id)).collect();
    let json = serde_json::to_string(&hashes.iter().map(|(h, _)| h).collect::<Vec<_>>()).expect("strings serialise");
    let found: HashSet<String> = sqlx::query_scalar!(
        "SELECT id_hash FROM moved_threads WHERE id_hash IN (SELECT value FROM json_each(?))",
        json
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    Ok(hashes.into_iter().filter(|(h, _)| found.contains(h)).map(|(_, id)| id.to_owned()).collect())
}

/// Remembers (hashed) the thread ids of messages passed over because their thread moved away.
pub(crate) async fn remember_moved(tx: &mut sqlx::SqliteConnection, ids: &[&str]) -> Result<(), CoreError> {
    for id in ids {
        let h = id_hash(id);
        sqlx::query!("INSERT INTO moved_threads (id_hash) VALUES (?) ON CONFLICT DO NOTHING", h)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Forgets those of `conversations` now on a line this person does not work on, remembering
/// their threads as moved away. Returns how many conversations were forgotten.
pub(crate) async fn forget_moved_away(
    tx: &mut sqlx::SqliteConnection,
    conversations: &[i64],
    allowed: &[String],
) -> Result<usize, CoreError> {
    let mut forgotten = 0;
    for &c in conversations {
        let line =
            sqlx::query_scalar!("SELECT line_id FROM conversations WHERE id = ?", c).fetch_optional(&mut *tx).await?;
        if line.is_none_or(|l| allowed.contains(&l)) {
            continue;
        }
        let ids = sqlx::query_scalar!("SELECT message_id FROM message_ids WHERE conversation_id = ?", c)
            .fetch_all(&mut *tx)
            .await?;
        remember_moved(tx, &ids.iter().map(String::as_str).collect::<Vec<_>>()).await?;
        let rows = sqlx::query_scalar!(r#"SELECT id AS "id!" FROM messages WHERE conversation_id = ?"#, c)
            .fetch_all(&mut *tx)
            .await?;
        super::delete_message_rows(tx, &rows).await?;
        forgotten += 1;
    }
    Ok(forgotten)
}
