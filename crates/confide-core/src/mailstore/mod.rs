//! The local side of IMAP sync: per-folder state, and ingesting fetched messages into
//! conversations. Knows nothing of IMAP itself; `confide-mail` drives it.

use std::collections::{HashMap, HashSet};

use crate::{CoreError, Store};

mod copies;
mod flags;
mod ingest;
mod lines;
pub(crate) use flags::refresh_triage;
pub use flags::{
    conversation_locations, erasure_locations, held_message_ids, is_seen, update_flags, update_seen, HOLD_KEYWORD,
};
pub use ingest::ingest;
pub use lines::{fetched_places, id_hash, wanted_places};
pub(crate) use lines::{forget_moved_away, learn_moved_away, learn_moved_here};

/// What sync knows about a folder from the last completed batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderState {
    pub uidvalidity: u32,
    pub synced_uid: u32,
    pub highestmodseq: Option<u64>,
    /// EXISTS and UIDNEXT at the end of the last complete pass.
    pub marks: Option<(u32, u32)>,
}

/// What a parsed message says about itself: `confide-mail` fills it, the store threads,
/// indexes and lists by it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MailHeaders {
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub from: Option<String>,
    /// The sender's display name, as their mail gave it (shown with the address; masked for
    /// quality review).
    pub from_name: Option<String>,
    pub to: Vec<String>,
    pub subject: String,
    /// Unix seconds from the Date header, if it could be read.
    pub date: Option<i64>,
    /// The plain text to show and index: the text part, or text taken from HTML.
    pub text: String,
}

/// One fetched message, parsed and already sealed: the raw bytes exist here only as age
/// ciphertext, so a batch can be built on any thread (sealing is the costly part) and no
/// plaintext copy travels further.
#[derive(Debug, Clone)]
pub struct IncomingMail {
    pub uid: u32,
    pub flags: String,
    /// The server's INTERNALDATE, unix seconds; used when the Date header is missing.
    pub internal_date: Option<i64>,
    pub headers: MailHeaders,
    /// True for folders whose messages the helpline sent (Sent, Drafts).
    pub outgoing: bool,
    size: usize,
    sealed: Vec<u8>,
}

impl IncomingMail {
    /// Seals `raw` to `recipients` (the store's [`Store::own_recipients`]).
    pub fn seal(
        uid: u32,
        flags: String,
        internal_date: Option<i64>,
        headers: MailHeaders,
        outgoing: bool,
        raw: &[u8],
        recipients: &[confide_vault::Recipient],
    ) -> Result<IncomingMail, CoreError> {
        let sealed = confide_vault::seal(raw, recipients)?;
        Ok(IncomingMail { uid, flags, internal_date, headers, outgoing, size: raw.len(), sealed })
    }
}

pub async fn folder_state(store: &Store, account: &str, folder: &str) -> Result<Option<FolderState>, CoreError> {
    let row = sqlx::query!(
        "SELECT uidvalidity, synced_uid, highestmodseq, last_exists, last_uidnext FROM mail_folders
         WHERE account_id = ? AND name = ?",
        account,
        folder
    )
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(|r| FolderState {
        uidvalidity: r.uidvalidity as u32,
        synced_uid: r.synced_uid as u32,
        highestmodseq: r.highestmodseq.map(|m| m as u64),
        marks: r.last_exists.zip(r.last_uidnext).map(|(e, u)| (e as u32, u as u32)),
    }))
}

/// RFC 4549 §4.1: when UIDVALIDITY changes, "the client MUST empty the local cache of that
/// mailbox". The folder starts again from nothing; conversations left with no message go too.
pub async fn reset_folder(
    store: &Store,
    account: &str,
    folder: &str,
    uidvalidity: u32,
    special_use: Option<&str>,
) -> Result<(), CoreError> {
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    forget_places(&mut tx, account, folder, None).await?;
    let uv = i64::from(uidvalidity);
    sqlx::query!(
        "INSERT INTO mail_folders (account_id, name, special_use, uidvalidity, synced_uid, highestmodseq)
         VALUES (?, ?, ?, ?, 0, NULL)
         ON CONFLICT (account_id, name) DO UPDATE SET uidvalidity = excluded.uidvalidity, synced_uid = 0,
           highestmodseq = NULL, last_exists = NULL, last_uidnext = NULL, special_use = excluded.special_use",
        account,
        folder,
        special_use,
        uv
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The UIDs held locally for a folder under its current UIDVALIDITY.
pub async fn local_uids(store: &Store, account: &str, folder: &str) -> Result<HashSet<u32>, CoreError> {
    let rows = sqlx::query_scalar!(
        "SELECT m.uid FROM mail_messages m JOIN mail_folders f ON f.account_id = m.account_id AND f.name = m.folder
         WHERE m.account_id = ? AND m.folder = ? AND m.uidvalidity = f.uidvalidity",
        account,
        folder
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(|u| u as u32).collect())
}

/// Every UID this store holds for an account, by folder, with the folder's UIDVALIDITY. The
/// retention sweep leaves these alone: whether a message the store holds has expired is the
/// store's rule (by its date, with holds), not the server's date search.
pub async fn all_local_uids(store: &Store, account: &str) -> Result<HashMap<String, (u32, HashSet<u32>)>, CoreError> {
    let rows = sqlx::query!(
        "SELECT m.folder, f.uidvalidity, m.uid FROM mail_messages m JOIN mail_folders f ON f.account_id = m.account_id AND f.name = m.folder
         WHERE m.account_id = ? AND m.uidvalidity = f.uidvalidity",
        account
    )
    .fetch_all(store.pool())
    .await?;
    let mut out: HashMap<String, (u32, HashSet<u32>)> = HashMap::new();
    for r in rows {
        out.entry(r.folder).or_insert_with(|| (r.uidvalidity as u32, HashSet::new())).1.insert(r.uid as u32);
    }
    Ok(out)
}

/// Deletes whatever a sync made before the person chose their lines (a `confide sync` before
/// first run) that is on a line they do not work on: the firewall holds for what came before.
pub async fn forget_other_lines(store: &Store) -> Result<usize, CoreError> {
    let Some(lines) = crate::staff::working_lines(store).await? else { return Ok(0) };
    let lines = serde_json::to_string(&lines).expect("strings serialise");
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let rows = sqlx::query_scalar!(
        r#"SELECT m.id AS "id!" FROM messages m JOIN conversations c ON c.id = m.conversation_id
           WHERE c.line_id NOT IN (SELECT value FROM json_each(?))"#,
        lines
    )
    .fetch_all(&mut *tx)
    .await?;
    delete_message_rows(&mut tx, &rows).await?;
    tx.commit().await?;
    Ok(rows.len())
}

/// Deletes every message this desktop holds (with its blobs, index entries and emptied
/// conversations), and makes the next sync look through every folder again.
pub async fn forget_all_mail(store: &Store) -> Result<usize, CoreError> {
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let rows = sqlx::query_scalar!(r#"SELECT id AS "id!" FROM messages"#).fetch_all(&mut *tx).await?;
    delete_message_rows(&mut tx, &rows).await?;
    sqlx::query!(
        "UPDATE mail_folders SET synced_uid = 0, highestmodseq = NULL, last_exists = NULL, last_uidnext = NULL"
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows.len())
}

/// Makes the next sync look through every folder from its first message again (what is held
/// is recognised and skipped): after gaining a service line, whose mail was passed over.
pub async fn look_again(store: &Store) -> Result<(), CoreError> {
    sqlx::query!(
        "UPDATE mail_folders SET synced_uid = 0, highestmodseq = NULL, last_exists = NULL, last_uidnext = NULL"
    )
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Forgets the places the server no longer has in this folder (expunged or moved elsewhere),
/// the messages left with no place, and conversations left empty. Returns how many messages
/// went.
pub async fn remove_uids(store: &Store, account: &str, folder: &str, uids: &[u32]) -> Result<usize, CoreError> {
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let gone = forget_places(&mut tx, account, folder, Some(uids)).await?;
    tx.commit().await?;
    Ok(gone)
}

/// Forgets a folder's places (every one, or those of `uids`) and deletes the messages left
/// with no place on the server: a message Gmail lists under two labels (see `copies`) stays
/// while either has it. Returns how many messages went.
async fn forget_places(
    tx: &mut sqlx::SqliteConnection,
    account: &str,
    folder: &str,
    uids: Option<&[u32]>,
) -> Result<usize, CoreError> {
    let uids = uids.map(|u| serde_json::to_string(u).expect("numbers serialise"));
    let mut rows = sqlx::query_scalar!(
        "DELETE FROM mail_messages WHERE account_id = ?1 AND folder = ?2
           AND (?3 IS NULL OR uid IN (SELECT value FROM json_each(?3)))
         RETURNING message_row",
        account,
        folder,
        uids
    )
    .fetch_all(&mut *tx)
    .await?;
    let doomed = serde_json::to_string(&rows).expect("numbers serialise");
    let elsewhere: HashSet<i64> = sqlx::query_scalar!(
        "SELECT DISTINCT message_row FROM mail_messages WHERE message_row IN (SELECT value FROM json_each(?))",
        doomed
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    rows.retain(|r| !elsewhere.contains(r));
    delete_message_rows(tx, &rows).await?;
    Ok(rows.len())
}

/// Deletes messages with their blobs and index entries, then fixes up the conversations they
/// were in: recounted, or deleted when left empty. One set-based statement per table for the
/// whole set: retention removes tens of thousands at a time, and the same rows deleted in
/// chunks of 5,000 interleaved the tables' page writes, which spilled the page cache into the
/// journal twice over (local destruction of 49,600 took 3.1 s in chunks, 1.55 s like this).
pub(crate) async fn delete_message_rows(tx: &mut sqlx::SqliteConnection, rows: &[i64]) -> Result<usize, CoreError> {
    if rows.is_empty() {
        return Ok(0);
    }
    let t = std::time::Instant::now();
    let ids = serde_json::to_string(rows).expect("numbers serialise");
    let doomed = sqlx::query!(
        "SELECT conversation_id, body_blob FROM messages WHERE id IN (SELECT value FROM json_each(?))",
        ids
    )
    .fetch_all(&mut *tx)
    .await?;
    let blobs =
        serde_json::to_string(&doomed.iter().map(|d| d.body_blob).collect::<Vec<_>>()).expect("numbers serialise");
    let mut touched: Vec<i64> = doomed.iter().map(|d| d.conversation_id).collect();
    touched.sort_unstable();
    touched.dedup();
    let touched = serde_json::to_string(&touched).expect("numbers serialise");
    let found = t.elapsed().as_secs_f64();
    // The index first: a contentless table forgets a row only when told its rowid.
    sqlx::query!("DELETE FROM message_fts WHERE rowid IN (SELECT value FROM json_each(?))", ids)
        .execute(&mut *tx)
        .await?;
    let fts = t.elapsed().as_secs_f64();
    sqlx::query!("DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))", ids).execute(&mut *tx).await?;
    let messages = t.elapsed().as_secs_f64();
    crate::store::blobs::shred(&mut *tx, &blobs).await?;
    let shredded = t.elapsed().as_secs_f64();
    let conversations_gone = sqlx::query!(
        "DELETE FROM conversations WHERE id IN (SELECT value FROM json_each(?))
           AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id)",
        touched
    )
    .execute(&mut *tx)
    .await?
    .rows_affected() as usize;
    let gone = t.elapsed().as_secs_f64();
    sqlx::query!(
        "UPDATE conversations SET message_count = (SELECT count(*) FROM messages m WHERE m.conversation_id = conversations.id)
         WHERE id IN (SELECT value FROM json_each(?))",
        touched
    )
    .execute(&mut *tx)
    .await?;
    tracing::debug!(
        found,
        fts = fts - found,
        messages = messages - fts,
        blobs = shredded - messages,
        conversations = gone - shredded,
        recount = t.elapsed().as_secs_f64() - gone,
        "message rows deleted"
    );
    Ok(conversations_gone)
}

/// Records the server's HIGHESTMODSEQ once a folder is fully in step with it.
/// A folder's complete pass: its HIGHESTMODSEQ (with QRESYNC) and its EXISTS and UIDNEXT as
/// EXAMINE gave them, for the next pass to compare.
pub async fn set_highestmodseq(
    store: &Store,
    account: &str,
    folder: &str,
    modseq: Option<u64>,
    marks: Option<(u32, u32)>,
) -> Result<(), CoreError> {
    let m = modseq.map(|m| m as i64);
    let (exists, uidnext) = (marks.map(|m| i64::from(m.0)), marks.map(|m| i64::from(m.1)));
    sqlx::query!(
        "UPDATE mail_folders SET highestmodseq = ?, last_exists = ?, last_uidnext = ? WHERE account_id = ? AND name = ?",
        m,
        exists,
        uidnext,
        account,
        folder
    )
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Every folder's sync state for an account.
pub async fn folder_states(
    store: &Store,
    account: &str,
) -> Result<std::collections::HashMap<String, FolderState>, CoreError> {
    let rows = sqlx::query!(
        "SELECT name, uidvalidity, synced_uid, highestmodseq, last_exists, last_uidnext FROM mail_folders
         WHERE account_id = ?",
        account
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.name,
                FolderState {
                    uidvalidity: r.uidvalidity as u32,
                    synced_uid: r.synced_uid as u32,
                    highestmodseq: r.highestmodseq.map(|m| m as u64),
                    marks: r.last_exists.zip(r.last_uidnext).map(|(e, u)| (e as u32, u as u32)),
                },
            )
        })
        .collect())
}

/// The account a synced conversation came from, if it came from one.
pub async fn conversation_account(store: &Store, conversation_id: i64) -> Result<Option<String>, CoreError> {
    Ok(sqlx::query_scalar!(
        "SELECT mm.account_id FROM mail_messages mm JOIN messages m ON m.id = mm.message_row WHERE m.conversation_id = ? LIMIT 1",
        conversation_id
    )
    .fetch_optional(store.pool())
    .await?)
}
