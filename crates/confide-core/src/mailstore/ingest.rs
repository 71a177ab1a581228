//! Ingesting a batch of fetched messages: threading, conversations, blobs, index.
//!
//! A batch is worked out in memory and written with one multi-row statement per table, so
//! the cost per message is the work itself (the index, the encrypted pages), not a round trip
//! to the database thread for each of a dozen statements: at 100k messages that difference is
//! most of a sync.

use std::collections::{BTreeSet, HashMap, HashSet};

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::{refresh_triage, IncomingMail};
use crate::conversations::Channel;
use crate::store::blobs::split;
use crate::{CoreError, Store};

/// SQLite allows 32766 bound values per statement; rows are split to stay well under it.
const ROWS_PER_STATEMENT: usize = 2000;

/// Stores a batch of fetched messages and advances the folder's synced UID in the same
/// transaction, so a crash leaves either the whole batch or none of it. Messages already held
/// (same folder, UIDVALIDITY and UID) are skipped, so a batch may be offered twice. Returns how
/// many were stored (mail of lines the person does not work on is passed over).
pub async fn ingest(
    store: &Store,
    account: &str,
    folder: &str,
    uidvalidity: u32,
    batch: &[IncomingMail],
    synced_uid: u32,
) -> Result<usize, CoreError> {
    let lines = sqlx::query!("SELECT address, line_id FROM account_lines WHERE account_id = ? ORDER BY rowid", account)
        .fetch_all(store.pool())
        .await?;
    let lines: Vec<(String, String)> = lines.into_iter().map(|l| (l.address, l.line_id)).collect();
    // Mail that came to none of the account's line addresses (to the shared mailbox's own
    // address, say) is not yet on a line: only those who may route it see it, until one of
    // them puts it on a line (issue 29). An account that names no line addresses is one line's
    // mailbox: the policy's first line (a line the preset defines, so the inbox's line filter
    // and the statistics know it); only a store with no policy chosen yet (a bare
    // `confide sync`) has no line at all.
    let unmatched = if !lines.is_empty() {
        crate::policy::NOT_ON_A_LINE.to_owned()
    } else {
        let first = crate::staff::active_preset(store).await.ok().and_then(|p| p.lines.first());
        first.map_or_else(|| "default".to_owned(), |l| l.id.clone())
    };

    // The line firewall at its root: mail of a line this person does not work on is never
    // stored on their desktop (no conversation, no blob, no index entry), so no query, count or
    // timing here can reveal it. The folder's watermark still moves past it.
    let allowed = crate::staff::working_lines(store).await?;

    // IMMEDIATE: the ids below are allocated from max(id), which must not move under us.
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let uv = i64::from(uidvalidity);
    let uids = serde_json::to_string(&batch.iter().map(|m| m.uid).collect::<Vec<_>>()).expect("numbers serialise");
    let known: HashSet<i64> = sqlx::query_scalar!(
        "SELECT uid FROM mail_messages WHERE account_id = ? AND folder = ? AND uidvalidity = ? AND uid IN (SELECT value FROM json_each(?))",
        account,
        folder,
        uv,
        uids
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let mut seen = HashSet::new();
    let fresh: Vec<&IncomingMail> =
        batch.iter().filter(|m| !known.contains(&i64::from(m.uid)) && seen.insert(m.uid)).collect();

    let ids: BTreeSet<&str> = fresh.iter().flat_map(|m| thread_ids(m)).collect();
    let ids_json = serde_json::to_string(&ids).expect("strings serialise");
    let threads: HashMap<String, i64> = sqlx::query!(
        "SELECT message_id, conversation_id FROM message_ids WHERE message_id IN (SELECT value FROM json_each(?))",
        ids_json
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.message_id, r.conversation_id))
    .collect();
    let fresh = super::copies::file_copies(&mut tx, (account, folder, uv), fresh, &threads).await?;
    let next = sqlx::query!(
        r#"SELECT (SELECT ifnull(max(id), 0) FROM conversations) AS "conversation!: i64",
                  (SELECT ifnull(max(id), 0) FROM blobs) AS "blob!: i64",
                  (SELECT ifnull(max(id), 0) FROM messages) AS "message!: i64""#
    )
    .fetch_one(&mut *tx)
    .await?;

    // Replies in a thread a manager moved to another line.
    let batch_ids: Vec<&str> =
        if allowed.is_some() { fresh.iter().flat_map(|m| thread_ids(m)).collect() } else { vec![] };
    let moved = super::lines::moved_away(&mut tx, &batch_ids).await?;
    // Threads a line move (a state entry) put on a line: they start on it, not by address.
    let all_ids: Vec<&str> = fresh.iter().flat_map(|m| thread_ids(m)).collect();
    let moved_to = super::lines::moved_to(&mut tx, &all_ids).await?;
    let plan = Plan::new(
        store,
        (&lines, &unmatched),
        allowed.as_deref(),
        &fresh,
        (threads, &moved_to),
        moved,
        (next.conversation, next.blob, next.message),
    );
    super::lines::remember_moved(&mut tx, &plan.moved_away).await?;
    plan.write(&mut tx, store.now_ts(), account, folder, uv).await?;
    for conversation in &plan.triage {
        refresh_triage(&mut tx, *conversation).await?;
    }
    // In the same transaction: a blocked sender's mail never shows in the inbox, even briefly.
    let touched: Vec<i64> = plan.conversations.iter().map(|c| c.id).collect();
    if !touched.is_empty() {
        crate::blocks::mark(&mut tx, Some(&serde_json::to_string(&touched).expect("numbers serialise"))).await?;
    }
    let synced = i64::from(synced_uid);
    sqlx::query!(
        "UPDATE mail_folders SET synced_uid = max(synced_uid, ?) WHERE account_id = ? AND name = ?",
        synced,
        account,
        folder
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(plan.messages.len())
}

/// The Message-IDs that place a message in a thread, in the order they are tried: its own,
/// its parent, then its references from the nearest ancestor back.
fn thread_ids(m: &IncomingMail) -> impl Iterator<Item = &str> {
    m.headers
        .message_id
        .iter()
        .chain(&m.headers.in_reply_to)
        .chain(m.headers.references.iter().rev())
        .map(String::as_str)
}

/// A conversation's row as this batch leaves it: new, or the change to an existing one.
struct ConversationRow {
    id: i64,
    new: bool,
    line: String,
    subject: String,
    correspondent: String,
    preview: String,
    unread: bool,
    added: i64,
    created_at: i64,
    last_at: i64,
    /// When the newest incoming message of the batch arrived: one that came in after a snooze
    /// wakes the conversation.
    came_in: Option<i64>,
}

struct MessageRow<'a> {
    mail: &'a IncomingMail,
    id: i64,
    blob: i64,
    conversation: i64,
    at: i64,
    correspondent: String,
}

/// Everything one batch will write, worked out before anything is written.
struct Plan<'a> {
    conversations: Vec<ConversationRow>,
    messages: Vec<MessageRow<'a>>,
    /// Message-IDs newly placed in a conversation: a message's own, and those it refers to,
    /// so a parent that arrives later (folders sync in any order) still finds its thread.
    thread_ids: Vec<(&'a str, i64)>,
    /// Conversations whose messages carry Confide's triage keywords.
    triage: BTreeSet<i64>,
    /// Thread ids of messages passed over as part of a thread moved away from these lines.
    moved_away: Vec<&'a str>,
}

impl<'a> Plan<'a> {
    fn new(
        store: &Store,
        lines: (&[(String, String)], &str),
        allowed: Option<&[String]>,
        fresh: &[&'a IncomingMail],
        (mut threads, moved_to): (HashMap<String, i64>, &'a HashMap<String, String>),
        mut moved: HashSet<String>,
        next: (i64, i64, i64),
    ) -> Plan<'a> {
        let (mut next_conversation, mut next_blob, mut next_message) = next;
        let mut conversations: Vec<ConversationRow> = Vec::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
        let mut plan = Plan {
            conversations: vec![],
            messages: vec![],
            thread_ids: vec![],
            triage: BTreeSet::new(),
            moved_away: vec![],
        };
        for &mail in fresh {
            let at = mail.headers.date.or(mail.internal_date).unwrap_or_else(|| store.now_ts());
            let correspondent =
                if mail.outgoing { mail.headers.to.first().cloned() } else { mail.headers.from.clone() }
                    .unwrap_or_default();
            let preview: String =
                mail.headers.text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(160).collect();
            let unread = !mail.outgoing && !mail.flags.contains("\\Seen");
            let found = thread_ids(mail).find_map(|id| threads.get(id).copied());
            // A message joining a stored conversation is on an allowed line already; a new
            // conversation's line is the one a manager moved it to, or comes from the addresses.
            // Only a signed move (a state entry) says so; a keyword on the server never does.
            let moved_line = thread_ids(mail).find_map(|id| moved_to.get(id).map(String::as_str));
            let line = if found.is_none() {
                moved_line.map_or_else(|| line_for(lines.0, mail).unwrap_or(lines.1).to_owned(), str::to_owned)
            } else {
                String::new()
            };
            // Passed over: a conversation a manager moved to a line not worked here (its thread
            // is remembered, so replies in it follow), or a reply in such a thread.
            let moved_here = found.is_none() && moved_line.is_none() && thread_ids(mail).any(|id| moved.contains(id));
            let moved_off = found.is_none() && moved_line.is_some() && allowed.is_some_and(|a| !a.contains(&line));
            if moved_here || moved_off {
                for id in thread_ids(mail) {
                    if moved.insert(id.to_owned()) {
                        plan.moved_away.push(id);
                    }
                }
                continue;
            }
            if found.is_none() && allowed.is_some_and(|a| !a.contains(&line)) {
                continue;
            }
            let conversation = found.unwrap_or_else(|| {
                next_conversation += 1;
                next_conversation
            });
            let slot = *index.entry(conversation).or_insert_with(|| {
                conversations.push(ConversationRow {
                    id: conversation,
                    new: found.is_none(),
                    line,
                    subject: mail.headers.subject.clone(),
                    correspondent: correspondent.clone(),
                    preview: String::new(),
                    unread: false,
                    added: 0,
                    created_at: at,
                    last_at: i64::MIN,
                    came_in: None,
                });
                conversations.len() - 1
            });
            let row = &mut conversations[slot];
            row.added += 1;
            row.unread |= unread;
            if !mail.outgoing {
                row.came_in = row.came_in.max(Some(mail.internal_date.unwrap_or(at)));
            }
            if at >= row.last_at {
                row.last_at = at;
                row.preview = preview;
            }
            for id in thread_ids(mail) {
                if !threads.contains_key(id) {
                    threads.insert(id.to_owned(), conversation);
                    plan.thread_ids.push((id, conversation));
                }
            }
            if mail.flags.contains("Confide.") {
                plan.triage.insert(conversation);
            }
            next_blob += 1;
            next_message += 1;
            plan.messages.push(MessageRow { mail, id: next_message, blob: next_blob, conversation, at, correspondent });
        }
        plan.conversations = conversations;
        plan
    }

    async fn write(
        &self,
        tx: &mut SqliteConnection,
        now: i64,
        account: &str,
        folder: &str,
        uv: i64,
    ) -> Result<(), CoreError> {
        let channel = Channel::Email.as_str();
        for rows in self.conversations.iter().filter(|c| c.new).collect::<Vec<_>>().chunks(ROWS_PER_STATEMENT / 10) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO conversations (id, channel, line_id, subject, correspondent, preview, unread, message_count, created_at, last_activity_at) ",
            );
            q.push_values(rows, |mut b, c| {
                b.push_bind(c.id)
                    .push_bind(channel)
                    .push_bind(&c.line)
                    .push_bind(&c.subject)
                    .push_bind(&c.correspondent);
                b.push_bind(&c.preview)
                    .push_bind(c.unread)
                    .push_bind(c.added)
                    .push_bind(c.created_at)
                    .push_bind(c.last_at);
            });
            q.build().execute(&mut *tx).await?;
        }
        for c in self.conversations.iter().filter(|c| !c.new) {
            sqlx::query!(
                "UPDATE conversations SET message_count = message_count + ?1,
                   preview = CASE WHEN ?2 >= last_activity_at OR ?6 > snoozed_at THEN ?3 ELSE preview END,
                   last_activity_at = CASE WHEN ?6 > snoozed_at THEN ?2 ELSE max(last_activity_at, ?2) END,
                   unread = max(unread, ?4),
                   snoozed_until = CASE WHEN ?6 > snoozed_at THEN NULL ELSE snoozed_until END
                 WHERE id = ?5",
                c.added,
                c.last_at,
                c.preview,
                c.unread,
                c.id,
                c.came_in
            )
            .execute(&mut *tx)
            .await?;
        }
        for rows in self.messages.chunks(ROWS_PER_STATEMENT / 6) {
            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO blobs (id, kind, size, data, created_at) ");
            q.push_values(rows, |mut b, m| {
                b.push_bind(m.blob)
                    .push_bind("raw_mail")
                    .push_bind(m.mail.size as i64)
                    .push_bind(split(&m.mail.sealed).1)
                    .push_bind(now);
            });
            q.build().execute(&mut *tx).await?;
            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO blob_keys (blob_id, header) ");
            q.push_values(rows, |mut b, m| {
                b.push_bind(m.blob).push_bind(split(&m.mail.sealed).0);
            });
            q.build().execute(&mut *tx).await?;

            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO messages (id, conversation_id, direction, author, sent_at, body_blob, message_id, received_at) ");
            q.push_values(rows, |mut b, m| {
                let direction = if m.mail.outgoing { "out" } else { "in" };
                b.push_bind(m.id).push_bind(m.conversation).push_bind(direction);
                b.push_bind(m.mail.headers.from.clone().unwrap_or_default())
                    .push_bind(m.at)
                    .push_bind(m.blob)
                    .push_bind(&m.mail.headers.message_id);
                b.push_bind(m.mail.internal_date);
            });
            q.build().execute(&mut *tx).await?;

            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO mail_messages (account_id, folder, uidvalidity, uid, message_row, flags) ",
            );
            q.push_values(rows, |mut b, m| {
                b.push_bind(account)
                    .push_bind(folder)
                    .push_bind(uv)
                    .push_bind(i64::from(m.mail.uid))
                    .push_bind(m.id)
                    .push_bind(&m.mail.flags);
            });
            q.build().execute(&mut *tx).await?;

            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO message_fts (rowid, subject, correspondent, body) ");
            q.push_values(rows, |mut b, m| {
                b.push_bind(m.id)
                    .push_bind(&m.mail.headers.subject)
                    .push_bind(&m.correspondent)
                    .push_bind(&m.mail.headers.text);
            });
            q.build().execute(&mut *tx).await?;
        }
        for rows in self.thread_ids.chunks(ROWS_PER_STATEMENT / 2) {
            let mut q = QueryBuilder::<Sqlite>::new("INSERT OR IGNORE INTO message_ids (message_id, conversation_id) ");
            q.push_values(rows, |mut b, (id, conversation)| {
                b.push_bind(*id).push_bind(*conversation);
            });
            q.build().execute(&mut *tx).await?;
        }
        Ok(())
    }
}

/// The service line a new conversation belongs to, by the line address it was sent to (or,
/// for the helpline's own messages, sent from), if it names one.
fn line_for<'l>(lines: &'l [(String, String)], mail: &IncomingMail) -> Option<&'l str> {
    let addrs: Vec<&String> =
        if mail.outgoing { mail.headers.from.iter().collect() } else { mail.headers.to.iter().collect() };
    lines
        .iter()
        .find(|(address, _)| addrs.iter().any(|a| a.eq_ignore_ascii_case(address)))
        .map(|(_, line)| line.as_str())
}
