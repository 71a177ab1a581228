//! Moving a conversation to another service line (a manager's decision, e.g. a caller on the
//! Respect Phoneline who is in fact a victim). The move is a sealed triage state entry
//! (`triage_state`), so every desktop follows it on any server: one whose lines gain the
//! conversation learns its thread (hashed) and where its messages are, and fetches them; one
//! whose lines lose it forgets it, and keeps only hashes of its Message-IDs so later replies in
//! the thread are passed over too. A `Confide.Line.*` keyword (an older Confide's, or anyone's
//! who can write to the mailbox) moves nothing: only a signed entry does.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use crate::CoreError;

/// How a Message-ID is kept where only its thread must be recognised.
pub fn id_hash(message_id: &str) -> String {
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

/// The line each of `ids` was moved to, where a state entry moved its thread to a line.
pub(crate) async fn moved_to(
    tx: &mut sqlx::SqliteConnection,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, String>, CoreError> {
    let mut out = std::collections::HashMap::new();
    for id in ids {
        let h = id_hash(id);
        if let Some(line) = sqlx::query_scalar!("SELECT line_id FROM moved_to_line WHERE id_hash = ?", h)
            .fetch_optional(&mut *tx)
            .await?
        {
            out.insert((*id).to_owned(), line);
        }
    }
    Ok(out)
}

/// Learns that a thread this desktop does not hold now belongs to `line`, one of its own: its
/// messages are fetched from `places` at the next sync, and stored on that line.
pub(crate) async fn learn_moved_here(
    tx: &mut sqlx::SqliteConnection,
    id_hashes: &[String],
    line: &str,
    places: &[(String, u32, u32)],
) -> Result<(), CoreError> {
    for h in id_hashes {
        sqlx::query!("DELETE FROM moved_threads WHERE id_hash = ?", h).execute(&mut *tx).await?;
        sqlx::query!(
            "INSERT INTO moved_to_line (id_hash, line_id) VALUES (?, ?) ON CONFLICT DO UPDATE SET line_id = excluded.line_id",
            h,
            line
        )
        .execute(&mut *tx)
        .await?;
    }
    for (folder, uidvalidity, uid) in places {
        let (uidvalidity, uid) = (i64::from(*uidvalidity), i64::from(*uid));
        sqlx::query!(
            "INSERT INTO wanted_places (folder, uidvalidity, uid) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            folder,
            uidvalidity,
            uid
        )
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Learns that a thread this desktop does not hold was moved to a line not seen here: its
/// messages are passed over when they come.
pub(crate) async fn learn_moved_away(tx: &mut sqlx::SqliteConnection, id_hashes: &[String]) -> Result<(), CoreError> {
    for h in id_hashes {
        sqlx::query!("DELETE FROM moved_to_line WHERE id_hash = ?", h).execute(&mut *tx).await?;
        sqlx::query!("INSERT INTO moved_threads (id_hash) VALUES (?) ON CONFLICT DO NOTHING", h)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
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

/// The places in the shared mailbox of messages a line move put on this desktop's lines and
/// not yet fetched, by folder: (folder, uidvalidity, uids).
pub async fn wanted_places(store: &crate::Store) -> Result<Vec<(String, u32, Vec<u32>)>, CoreError> {
    let rows = sqlx::query!("SELECT folder, uidvalidity, uid FROM wanted_places ORDER BY folder, uidvalidity, uid")
        .fetch_all(store.pool())
        .await?;
    let mut out: Vec<(String, u32, Vec<u32>)> = vec![];
    for r in rows {
        let (uv, uid) = (r.uidvalidity as u32, r.uid as u32);
        match out.last_mut() {
            Some((f, v, uids)) if *f == r.folder && *v == uv => uids.push(uid),
            _ => out.push((r.folder, uv, vec![uid])),
        }
    }
    Ok(out)
}

/// Those places are fetched (or gone from the server): they are not asked for again.
pub async fn fetched_places(store: &crate::Store, folder: &str, uidvalidity: u32) -> Result<(), CoreError> {
    let uv = i64::from(uidvalidity);
    sqlx::query!("DELETE FROM wanted_places WHERE folder = ? AND uidvalidity = ?", folder, uv)
        .execute(store.pool())
        .await?;
    Ok(())
}
