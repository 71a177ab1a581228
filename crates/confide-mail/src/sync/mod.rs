//! Initial sync and resync of one account, following RFC 4549 as explicit steps:
//!
//! 1. LIST the folders; for each selectable folder, EXAMINE it (read-only: sync never changes
//!    flags, and never marks anything read).
//! 2. If its UIDVALIDITY differs from what we hold, empty the local cache of that folder
//!    (RFC 4549 §4.1: "the client MUST empty the local cache of that mailbox").
//! 3. With QRESYNC enabled (RFC 7162), an unchanged HIGHESTMODSEQ means nothing was added,
//!    changed or expunged: the folder costs one round trip and is done.
//! 4. Otherwise fetch every UID above the last one committed, in batches; each batch is
//!    committed with the new high-water mark in one transaction, so a killed process resumes
//!    at the first uncommitted batch and can never store a message twice.
//! 5. Compare the server's UID set with ours and drop what the server no longer has.
//!
//! The blocking `imap` crate runs on a thread of its own; batches cross to the async side,
//! which owns the store, over a bounded channel (so a slow disk slows the fetch, not memory).

use std::collections::{BTreeMap, HashMap, HashSet};

use confide_core::accounts::{Account, AccountKind};
use confide_core::mailstore::{self, IncomingMail};
use confide_core::Store;
use serde::Serialize;
use tokio::sync::mpsc;
use ts_rs::TS;

use crate::MailError;

mod worker;

#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct SyncReport {
    #[ts(type = "number")]
    pub folders: usize,
    #[ts(type = "number")]
    pub unchanged_folders: usize,
    #[ts(type = "number")]
    pub fetched: usize,
    #[ts(type = "number")]
    pub added: usize,
    #[ts(type = "number")]
    pub removed: usize,
    #[ts(type = "number")]
    pub resets: usize,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncProgress {
    pub folder: String,
    #[ts(type = "number")]
    pub done: usize,
    #[ts(type = "number")]
    pub total: usize,
    /// Seconds the server asked Confide to wait before reading on (Exchange's throttling);
    /// the sync carries on by itself after them.
    #[ts(type = "number | null")]
    pub waiting: Option<u64>,
}

enum Event {
    Folder {
        name: String,
        special_use: Option<String>,
        uidvalidity: u32,
        reset: bool,
    },
    /// Batch number `chunk` of a folder's new mail, whose UIDs end at `last_uid`. Batches
    /// fetched in parallel can arrive in any order.
    Batch {
        folder: String,
        uidvalidity: u32,
        chunk: usize,
        last_uid: u32,
        requested: usize,
        total: usize,
        mails: Vec<IncomingMail>,
    },
    ServerUids {
        folder: String,
        uids: HashSet<u32>,
    },
    Flags {
        folder: String,
        uidvalidity: u32,
        changes: Vec<(u32, String)>,
    },
    /// The held UIDs (up to `upto`) a server without CONDSTORE lists as unseen.
    Unseen {
        folder: String,
        uidvalidity: u32,
        unseen: HashSet<u32>,
        upto: u32,
    },
    FolderDone {
        folder: String,
        highestmodseq: Option<u64>,
        /// EXISTS and UIDNEXT as EXAMINE gave them.
        marks: Option<(u32, u32)>,
        unchanged: bool,
    },
}

/// Brings the local store in step with the account's server, all folders. Only a shared
/// mailbox is synced: the refusal of a personal one is here, not at each caller, so no caller
/// can pull an advisor's private mail into the inbox and the statistics (issue 29). A server
/// that asks Confide to slow down (`throttle`) is waited for, the wait shown as progress, and
/// the sync carries on from what it already committed.
pub async fn sync_account(
    store: &Store,
    account: &Account,
    progress: &(dyn Fn(&SyncProgress) + Send + Sync),
) -> Result<SyncReport, MailError> {
    let mut backoff = crate::throttle::Backoff::default();
    let mut total = SyncReport::default();
    loop {
        let mut pass = SyncReport::default();
        let outcome = sync_pass(store, account, progress, &mut pass).await;
        total.fetched += pass.fetched;
        total.added += pass.added;
        total.removed += pass.removed;
        total.resets += pass.resets;
        (total.folders, total.unchanged_folders) = (pass.folders, pass.unchanged_folders);
        let Err(e) = outcome else { return Ok(total) };
        let Some(wait) = backoff.next(crate::throttle::throttled(&e)) else { return Err(e) };
        tracing::info!(seconds = wait.as_secs(), "the mail server asked to wait; the sync carries on after");
        progress(&SyncProgress { folder: String::new(), done: 0, total: 0, waiting: Some(wait.as_secs().max(1)) });
        tokio::time::sleep(wait).await;
    }
}

async fn sync_pass(
    store: &Store,
    account: &Account,
    progress: &(dyn Fn(&SyncProgress) + Send + Sync),
    report: &mut SyncReport,
) -> Result<(), MailError> {
    if account.kind != AccountKind::Shared {
        return Err(MailError::PersonalAccount(account.id.clone()));
    }
    // Sync's first step: the role and lines a manager signed apply before any mail is stored.
    // Reading the directory elsewhere never changes anything.
    let dir = confide_core::team::follow(store, &crate::records::ImapRecords::of(store)).await?;
    confide_core::team::require_member(store, &dir).await?;
    // Then the triage state, before any mail: a line move this desktop has not followed yet
    // decides whether a thread's mail may be stored here at all (the line firewall).
    // So are the line's blocked senders: their arriving mail is marked as it is stored.
    if let Ok(session) = confide_core::staff::sync_session(store).await {
        let records = crate::records::ImapRecords::of(store);
        confide_core::triage_state::follow(&session, &records).await?;
        confide_core::blocks::follow(&session, &records).await?;
    }
    let password = crate::connect::account_secret(store, account)?;
    let states = mailstore::folder_states(store, &account.id).await?;
    let helpers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 3);
    let (tx, mut rx) = mpsc::channel::<Event>(2 * (helpers + 1));
    let worker =
        worker::Worker { account: account.clone(), password, recipients: store.own_recipients(), states, tx, helpers };
    let worker = std::thread::Builder::new()
        .name("confide-imap-sync".into())
        .spawn(move || worker.run())
        .map_err(|_| MailError::Worker)?;

    // Per folder: how far the batches committed so far reach without a gap.
    let mut marks: HashMap<String, Watermark> = HashMap::new();
    let id = account.id.as_str();
    let mut outcome = Ok(());
    // Folders' SPECIAL-USE and UIDVALIDITY, for what a line move asks to fetch after the walk.
    let mut specials: HashMap<String, Option<String>> = HashMap::new();
    let mut validities: HashMap<String, u32> = HashMap::new();
    while let Some(event) = rx.recv().await {
        let step = async {
            match event {
                Event::Folder { name, special_use, uidvalidity, reset } => {
                    report.folders += 1;
                    marks.remove(&name);
                    specials.insert(name.clone(), special_use.clone());
                    validities.insert(name.clone(), uidvalidity);
                    if reset {
                        report.resets += 1;
                        mailstore::reset_folder(store, id, &name, uidvalidity, special_use.as_deref()).await?;
                    }
                }
                Event::Batch { folder, uidvalidity, chunk, last_uid, requested, total, mails } => {
                    report.fetched += mails.len();
                    let mark = marks.entry(folder.clone()).or_default();
                    let synced_uid = mark.complete(chunk, last_uid, requested);
                    report.added += mailstore::ingest(store, id, &folder, uidvalidity, &mails, synced_uid).await?;
                    progress(&SyncProgress { folder, done: mark.done, total, waiting: None });
                }
                Event::Flags { folder, uidvalidity, changes } => {
                    mailstore::update_flags(store, id, &folder, uidvalidity, &changes).await?;
                }
                Event::Unseen { folder, uidvalidity, unseen, upto } => {
                    mailstore::update_seen(store, id, &folder, uidvalidity, (&unseen, upto)).await?;
                }
                Event::ServerUids { folder, uids } => {
                    let gone: Vec<u32> =
                        mailstore::local_uids(store, id, &folder).await?.difference(&uids).copied().collect();
                    if !gone.is_empty() {
                        report.removed += mailstore::remove_uids(store, id, &folder, &gone).await?;
                    }
                }
                Event::FolderDone { folder, highestmodseq, marks, unchanged } => {
                    if unchanged {
                        report.unchanged_folders += 1;
                    } else {
                        mailstore::set_highestmodseq(store, id, &folder, highestmodseq, marks).await?;
                    }
                }
            }
            Ok::<(), MailError>(())
        };
        if let Err(e) = step.await {
            outcome = Err(e);
            break;
        }
    }
    drop(rx);
    let worker_result = tokio::task::spawn_blocking(move || worker.join())
        .await
        .map_err(|_| MailError::Worker)?
        .map_err(|_| MailError::Worker)?;
    outcome?;
    worker_result?;
    let special = |folder: &str| specials.get(folder).and_then(|s| s.as_deref());
    // The triage state after the mail, so entries about conversations that just arrived apply.
    if let Ok(session) = confide_core::staff::sync_session(store).await {
        confide_core::triage_state::follow(&session, &crate::records::ImapRecords::of(store)).await?;
    }
    // Threads a line move put on this desktop's lines, fetched where the move's entry says they
    // are (in a folder renumbered since, they are not the same messages: the move is stale).
    for (folder, uidvalidity, uids) in mailstore::wanted_places(store).await? {
        if validities.get(&folder) == Some(&uidvalidity) {
            let outgoing = worker::is_outgoing(&folder, special(&folder), account);
            fetch_into(store, account, (&folder, uidvalidity, outgoing), uids, report).await?;
        }
        if validities.contains_key(&folder) {
            mailstore::fetched_places(store, &folder, uidvalidity).await?;
        }
    }
    Ok(())
}

/// Fetches these UIDs of one folder and stores them (below the watermark already: ingest leaves
/// it where it is, as it only moves up).
async fn fetch_into(
    store: &Store,
    account: &Account,
    (folder, uidvalidity, outgoing): (&str, u32, bool),
    uids: Vec<u32>,
    report: &mut SyncReport,
) -> Result<(), MailError> {
    let (a, secret, recipients, f) =
        (account.clone(), crate::connect::account_secret(store, account)?, store.own_recipients(), folder.to_owned());
    let mails = tokio::task::spawn_blocking(move || worker::fetch_uids(&a, &secret, &recipients, &f, outgoing, &uids))
        .await
        .map_err(|_| MailError::Worker)??;
    report.fetched += mails.len();
    report.added += mailstore::ingest(store, &account.id, folder, uidvalidity, &mails, 0).await?;
    Ok(())
}

/// The synced-UID high-water mark of one folder while its batches arrive out of order: it
/// moves only over batches committed without a gap, so a sync killed midway resumes below
/// the first missing batch (batches above it that were committed are recognised and skipped).
#[derive(Default)]
struct Watermark {
    next: usize,
    pending: BTreeMap<usize, u32>,
    synced: u32,
    done: usize,
}

impl Watermark {
    fn complete(&mut self, chunk: usize, last_uid: u32, requested: usize) -> u32 {
        self.done += requested;
        self.pending.insert(chunk, last_uid);
        while let Some(uid) = self.pending.remove(&self.next) {
            self.synced = uid;
            self.next += 1;
        }
        self.synced
    }
}

#[cfg(test)]
mod tests {
    use super::Watermark;

    #[test]
    fn watermark_moves_only_over_batches_without_a_gap() {
        let mut m = Watermark::default();
        assert_eq!(m.complete(1, 200, 100), 0);
        assert_eq!(m.complete(2, 300, 100), 0);
        assert_eq!(m.complete(0, 100, 100), 300);
        assert_eq!(m.complete(4, 500, 100), 300);
        assert_eq!(m.complete(3, 400, 100), 500);
        assert_eq!(m.done, 500);
    }
}
