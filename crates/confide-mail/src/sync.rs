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

use std::collections::{HashMap, HashSet};

use confide_core::accounts::Account;
use confide_core::mailstore::{self, FolderState, IncomingMail};
use confide_core::Store;
use imap_proto::NameAttribute;
use serde::Serialize;
use tokio::sync::mpsc;
use ts_rs::TS;

use crate::connect::{imap_login, ImapSession};
use crate::imap_quote::uid_set;
use crate::{mime, MailError};

/// Messages per UID FETCH and per committed transaction.
const BATCH: usize = 250;

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
}

enum Event {
    Folder { name: String, special_use: Option<String>, uidvalidity: u32, reset: bool },
    Batch { folder: String, uidvalidity: u32, mails: Vec<IncomingMail>, synced_uid: u32, done: usize, total: usize },
    ServerUids { folder: String, uids: HashSet<u32> },
    Flags { folder: String, uidvalidity: u32, changes: Vec<(u32, String)> },
    FolderDone { folder: String, highestmodseq: Option<u64>, unchanged: bool },
}

/// Brings the local store in step with the account's server, all folders.
pub async fn sync_account(store: &Store, account: &Account, progress: &(dyn Fn(&SyncProgress) + Send + Sync)) -> Result<SyncReport, MailError> {
    let password = store.vault().account_password(&account.id).map_err(confide_core::CoreError::from)?.ok_or_else(|| MailError::NoPassword(account.id.clone()))?;
    let states = mailstore::folder_states(store, &account.id).await?;
    let (tx, mut rx) = mpsc::channel::<Event>(4);
    let worker_account = account.clone();
    let worker = std::thread::Builder::new()
        .name("confide-imap-sync".into())
        .spawn(move || -> Result<(), MailError> {
            let mut session = imap_login(&worker_account, &password)?;
            drop(password);
            let result = fetch_all(&mut session, &states, &tx);
            let _ = session.logout();
            result
        })
        .map_err(|_| MailError::Worker)?;

    let mut report = SyncReport::default();
    let id = account.id.as_str();
    let mut outcome = Ok(());
    while let Some(event) = rx.recv().await {
        let step = async {
            match event {
                Event::Folder { name, special_use, uidvalidity, reset } => {
                    report.folders += 1;
                    if reset {
                        report.resets += 1;
                        mailstore::reset_folder(store, id, &name, uidvalidity, special_use.as_deref()).await?;
                    }
                }
                Event::Batch { folder, uidvalidity, mails, synced_uid, done, total } => {
                    report.fetched += mails.len();
                    report.added += mailstore::ingest(store, id, &folder, uidvalidity, &mails, synced_uid).await?;
                    progress(&SyncProgress { folder, done, total });
                }
                Event::Flags { folder, uidvalidity, changes } => {
                    mailstore::update_flags(store, id, &folder, uidvalidity, &changes).await?;
                }
                Event::ServerUids { folder, uids } => {
                    let gone: Vec<u32> = mailstore::local_uids(store, id, &folder).await?.difference(&uids).copied().collect();
                    if !gone.is_empty() {
                        report.removed += mailstore::remove_uids(store, id, &folder, &gone).await?;
                    }
                }
                Event::FolderDone { folder, highestmodseq, unchanged } => {
                    if unchanged {
                        report.unchanged_folders += 1;
                    } else {
                        mailstore::set_highestmodseq(store, id, &folder, highestmodseq).await?;
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
    let worker_result = tokio::task::spawn_blocking(move || worker.join()).await.map_err(|_| MailError::Worker)?.map_err(|_| MailError::Worker)?;
    outcome?;
    worker_result?;
    Ok(report)
}

/// The worker's side: everything that talks IMAP. Returns early (quietly) if the async side
/// has gone away.
fn fetch_all(session: &mut ImapSession, states: &HashMap<String, FolderState>, tx: &mpsc::Sender<Event>) -> Result<(), MailError> {
    let qresync = session.capabilities()?.has_str("QRESYNC");
    if qresync {
        // Makes EXAMINE report HIGHESTMODSEQ, and makes expunges move it (RFC 7162 §3.2.10).
        session.run_command_and_check_ok("ENABLE QRESYNC")?;
    }
    let names = session.list(Some(""), Some("*"))?;
    let folders: Vec<(String, Option<String>)> = names
        .iter()
        .filter(|n| !n.attributes().iter().any(|a| matches!(a, NameAttribute::NoSelect)))
        .map(|n| (n.name().to_owned(), special_use(n.attributes())))
        .collect();
    drop(names);
    let send = |e: Event| tx.blocking_send(e).is_ok();

    for (name, special) in folders {
        let mbox = session.examine(&name)?;
        let uidvalidity = mbox.uid_validity.unwrap_or(0);
        let state = states.get(&name);
        let reset = state.is_none_or(|s| s.uidvalidity != uidvalidity);
        let outgoing = is_outgoing(&name, special.as_deref());
        if !send(Event::Folder { name: name.clone(), special_use: special.clone(), uidvalidity, reset }) {
            return Ok(());
        }
        let unchanged = !reset && qresync && mbox.highest_mod_seq.is_some() && mbox.highest_mod_seq == state.and_then(|s| s.highestmodseq);
        if unchanged {
            if !send(Event::FolderDone { folder: name, highestmodseq: mbox.highest_mod_seq, unchanged: true }) {
                return Ok(());
            }
            continue;
        }
        let synced = if reset { 0 } else { state.map_or(0, |s| s.synced_uid) };
        let mut new: Vec<u32> = if mbox.exists == 0 {
            vec![]
        } else {
            // "N:*" always matches the highest UID, even below N; hence the filter.
            session.uid_search(format!("UID {}:*", synced + 1))?.into_iter().filter(|u| *u > synced).collect()
        };
        new.sort_unstable();
        let total = new.len();
        for (i, chunk) in new.chunks(BATCH).enumerate() {
            let fetches = session.uid_fetch(uid_set(chunk), "(UID FLAGS INTERNALDATE BODY.PEEK[])")?;
            let mails: Vec<IncomingMail> = fetches.iter().filter_map(|f| to_incoming(f, outgoing)).collect();
            let synced_uid = *chunk.last().expect("chunks are not empty");
            let done = (i * BATCH + chunk.len()).min(total);
            if !send(Event::Batch { folder: name.clone(), uidvalidity, mails, synced_uid, done, total }) {
                return Ok(());
            }
        }
        // Flags changed on messages we already hold (a colleague's claim, a status): with
        // CONDSTORE, only what changed since the last complete pass (RFC 7162 §3.1.4).
        if let (false, Some(since), true) = (reset, state.and_then(|s| s.highestmodseq), synced > 0) {
            let fetches = session.uid_fetch(format!("1:{synced}"), format!("(UID FLAGS) (CHANGEDSINCE {since})"))?;
            let changes: Vec<(u32, String)> = fetches.iter().filter_map(|f| Some((f.uid?, flags_text(f)))).collect();
            drop(fetches);
            if !changes.is_empty() && !send(Event::Flags { folder: name.clone(), uidvalidity, changes }) {
                return Ok(());
            }
        }
        let uids = if mbox.exists == 0 { HashSet::new() } else { session.uid_search("ALL")? };
        if !send(Event::ServerUids { folder: name.clone(), uids }) {
            return Ok(());
        }
        // Re-read: mail may have arrived during the fetch; its modseq must not be claimed.
        let highestmodseq = if qresync { mbox.highest_mod_seq } else { None };
        if !send(Event::FolderDone { folder: name, highestmodseq, unchanged: false }) {
            return Ok(());
        }
    }
    Ok(())
}

fn to_incoming(f: &imap::types::Fetch<'_>, outgoing: bool) -> Option<IncomingMail> {
    let uid = f.uid?;
    let raw = f.body()?.to_vec();
    let s = mime::summarize(&raw);
    Some(IncomingMail {
        uid,
        flags: flags_text(f),
        internal_date: f.internal_date().map(|d| d.timestamp()),
        headers: s.headers,
        outgoing,
        raw,
    })
}

fn flags_text(f: &imap::types::Fetch<'_>) -> String {
    f.flags().iter().map(|fl| fl.to_string()).collect::<Vec<_>>().join(" ")
}

fn special_use(attrs: &[NameAttribute<'_>]) -> Option<String> {
    attrs.iter().find_map(|a| match a {
        NameAttribute::Sent => Some("\\Sent".to_owned()),
        NameAttribute::Drafts => Some("\\Drafts".to_owned()),
        NameAttribute::Trash => Some("\\Trash".to_owned()),
        NameAttribute::Junk => Some("\\Junk".to_owned()),
        NameAttribute::Archive => Some("\\Archive".to_owned()),
        NameAttribute::All => Some("\\All".to_owned()),
        _ => None,
    })
}

/// Folders whose messages were sent by the helpline. SPECIAL-USE first; common names where
/// the server does not say.
fn is_outgoing(name: &str, special: Option<&str>) -> bool {
    match special {
        Some("\\Sent") | Some("\\Drafts") => true,
        Some(_) => false,
        None => {
            let leaf = name.rsplit(['/', '.']).next().unwrap_or(name).to_ascii_lowercase();
            matches!(leaf.as_str(), "sent" | "sent items" | "sent messages" | "sent mail" | "drafts")
        }
    }
}
