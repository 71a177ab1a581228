//! Flags from the server and what they mean here: the triage marks (claim, status, risk flags,
//! hold), read state, and where a conversation's messages are on the server.

use std::collections::HashSet;

use crate::{CoreError, Store};

/// Claims, status and risk flags were once IMAP keywords with these prefixes; they are sealed
/// state entries now (`triage_state`), and keywords left by an older Confide are not read.
/// A legal hold, on the server so that every desktop's retention keeps the conversation (the
/// reason stays with the manager who set it).
pub const HOLD_KEYWORD: &str = "Confide.Hold";

/// Applies the flags seen on the server (what CONDSTORE says changed, or, on a server without
/// it, every held message's) and refreshes the read state and legacy hold of the conversations
/// whose flags really changed. Flags never move a conversation between lines, and never bring
/// in mail this desktop passed over: anyone with access to the mailbox can set a keyword, and
/// only a signed state entry (`triage_state`) moves a line.
pub async fn update_flags(
    store: &Store,
    account: &str,
    folder: &str,
    uidvalidity: u32,
    changes: &[(u32, String)],
) -> Result<(), CoreError> {
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let uv = i64::from(uidvalidity);
    // Only what differs from what is held: without CONDSTORE the server sends every flag.
    let held: std::collections::HashMap<i64, String> = sqlx::query!(
        "SELECT uid, flags FROM mail_messages WHERE account_id = ? AND folder = ? AND uidvalidity = ?",
        account,
        folder,
        uv
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.uid, r.flags))
    .collect();
    let changes = changes.iter().filter(|(uid, flags)| held.get(&i64::from(*uid)) != Some(flags));
    let mut touched = std::collections::BTreeSet::new();
    for (uid, flags) in changes {
        let uid = i64::from(*uid);
        let row = sqlx::query_scalar!(
            "UPDATE mail_messages SET flags = ? WHERE account_id = ? AND folder = ? AND uidvalidity = ? AND uid = ? RETURNING message_row",
            flags,
            account,
            folder,
            uv,
            uid
        )
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = row {
            if let Some(c) = sqlx::query_scalar!("SELECT conversation_id FROM messages WHERE id = ?", row)
                .fetch_optional(&mut *tx)
                .await?
            {
                touched.insert(c);
            }
        }
    }
    for c in touched {
        refresh_triage(&mut tx, c).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Read state from a server that cannot say which flags changed (no CONDSTORE): the UIDs up to
/// `upto` it lists as unseen (`UID SEARCH UNSEEN`, one answer however big the folder), turned
/// into the changes [`update_flags`] applies, for the held messages whose `\Seen` differs.
/// Confide reads no other flag.
pub async fn update_seen(
    store: &Store,
    account: &str,
    folder: &str,
    uidvalidity: u32,
    (unseen, upto): (&HashSet<u32>, u32),
) -> Result<(), CoreError> {
    let uv = i64::from(uidvalidity);
    let held = sqlx::query!(
        "SELECT uid, flags FROM mail_messages WHERE account_id = ? AND folder = ? AND uidvalidity = ? AND uid <= ?",
        account,
        folder,
        uv,
        upto
    )
    .fetch_all(store.pool())
    .await?;
    let changes: Vec<(u32, String)> = held
        .into_iter()
        .filter_map(|r| {
            let uid = r.uid as u32;
            let seen_there = !unseen.contains(&uid);
            (seen_there != is_seen(&r.flags)).then(|| {
                let mut flags: Vec<&str> =
                    r.flags.split_whitespace().filter(|f| !f.eq_ignore_ascii_case("\\Seen")).collect();
                if seen_there {
                    flags.push("\\Seen");
                }
                (uid, flags.join(" "))
            })
        })
        .collect();
    if changes.is_empty() {
        return Ok(());
    }
    update_flags(store, account, folder, uidvalidity, &changes).await
}

/// Recomputes what a conversation's messages' flags say: its read state, and a legal hold an
/// older Confide set as a keyword (kept: a hold errs towards keeping).
/// Email is unread while any message that came in lacks `\Seen`: the shared mailbox's read
/// state, so a colleague's reading shows here too. (Claims, status and risk flags come from
/// the triage state entries, `triage_state::follow`.)
pub(crate) async fn refresh_triage(tx: &mut sqlx::SqliteConnection, conversation_id: i64) -> Result<(), CoreError> {
    let rows = sqlx::query!(
        "SELECT mm.flags, m.direction FROM mail_messages mm JOIN messages m ON m.id = mm.message_row
         WHERE m.conversation_id = ? ORDER BY m.sent_at DESC, m.id DESC",
        conversation_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let unread = rows.iter().any(|r| r.direction == "in" && !is_seen(&r.flags));
    let flags: Vec<String> = rows.into_iter().map(|r| r.flags).collect();
    let held = flags.iter().flat_map(|f| f.split_whitespace()).any(|k| k == HOLD_KEYWORD);
    sqlx::query!("UPDATE conversations SET held_on_server = ?, unread = ? WHERE id = ?", held, unread, conversation_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Whether an IMAP flag list (as stored, space-separated) holds `\Seen`.
pub fn is_seen(flags: &str) -> bool {
    flags.split_whitespace().any(|f| f.eq_ignore_ascii_case("\\Seen"))
}

/// Where a conversation's messages sit on the server: (account, folder, uid, flags).
pub async fn conversation_locations(
    store: &Store,
    conversation_id: i64,
) -> Result<Vec<(String, String, u32, String)>, CoreError> {
    let rows = sqlx::query!(
        "SELECT mm.account_id, mm.folder, mm.uid, mm.flags FROM mail_messages mm JOIN messages m ON m.id = mm.message_row
         JOIN mail_folders f ON f.account_id = mm.account_id AND f.name = mm.folder AND f.uidvalidity = mm.uidvalidity
         WHERE m.conversation_id = ?",
        conversation_id
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(|r| (r.account_id, r.folder, r.uid as u32, r.flags)).collect())
}

/// Where a conversation's messages sit on the server, with the UIDVALIDITY they were seen
/// under, so a destructive step can check the folder is still the one it knew.
pub async fn erasure_locations(
    store: &Store,
    conversation_id: i64,
) -> Result<Vec<crate::record_store::ServerLocation>, CoreError> {
    let rows = sqlx::query!(
        "SELECT mm.account_id, mm.folder, mm.uidvalidity, mm.uid FROM mail_messages mm JOIN messages m ON m.id = mm.message_row WHERE m.conversation_id = ?",
        conversation_id
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| crate::record_store::ServerLocation {
            account: r.account_id,
            folder: r.folder,
            uid_validity: r.uidvalidity as u32,
            uid: r.uid as u32,
        })
        .collect())
}

/// The Message-IDs of the messages an account's mailbox holds (as last synced): how the
/// sent-folder guard recognises a personal copy of a reply to one of them.
pub async fn held_message_ids(store: &Store, account: &str) -> Result<HashSet<String>, CoreError> {
    let rows = sqlx::query_scalar!(
        r#"SELECT DISTINCT m.message_id AS "message_id!" FROM messages m JOIN mail_messages mm ON mm.message_row = m.id
           WHERE mm.account_id = ? AND m.message_id IS NOT NULL"#,
        account
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().collect())
}
