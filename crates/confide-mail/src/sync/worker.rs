//! The IMAP side of sync: everything that talks to the server, on threads of its own.
//!
//! One control connection walks the folders (LIST, EXAMINE, SEARCH, flags). A folder with
//! more new mail than one batch is fetched over several connections at once; each connection
//! fetches a batch, parses it and seals it (the per-message age work is the costly part) on
//! its own thread, so parsing and encryption spread over the machine's cores while the store
//! writes the previous batch.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use confide_core::accounts::Account;
use confide_core::mailstore::{FolderState, IncomingMail};
use confide_vault::Recipient;
use imap_proto::NameAttribute;
use tokio::sync::mpsc;

use super::Event;
use crate::connect::{imap_login, ImapSession};
use crate::imap_quote::uid_set;
use crate::{mime, MailError};

/// Messages per UID FETCH, per parse-and-seal unit and per committed transaction.
pub(super) const BATCH: usize = 500;

pub(super) struct Worker {
    pub account: Account,
    pub password: crate::connect::Secret,
    pub recipients: Vec<Recipient>,
    pub states: HashMap<String, FolderState>,
    pub tx: mpsc::Sender<Event>,
    /// Extra connections for fetching in parallel, beyond the control connection.
    pub helpers: usize,
}

impl Worker {
    pub fn run(self) -> Result<(), MailError> {
        let mut control = imap_login(&self.account, &self.password)?;
        let result = self.walk(&mut control);
        let _ = control.logout();
        match result {
            Ok(()) | Err(Stop::Gone) => Ok(()),
            Err(Stop::Failed(e)) => Err(e),
        }
    }

    fn send(&self, event: Event) -> Result<(), Stop> {
        self.tx.blocking_send(event).map_err(|_| Stop::Gone)
    }

    fn walk(&self, session: &mut ImapSession) -> Result<(), Stop> {
        let qresync = session.capabilities()?.has_str("QRESYNC");
        if qresync {
            // Makes EXAMINE report HIGHESTMODSEQ, and makes expunges move it (RFC 7162 §3.2.10).
            session.run_command_and_check_ok("ENABLE QRESYNC")?;
        }
        let names = session.list(Some(""), Some("*"))?;
        let folders: Vec<(String, Option<String>)> = names
            .iter()
            .filter(|n| !n.attributes().iter().any(|a| matches!(a, NameAttribute::NoSelect)))
            .filter(|n| !crate::folders::is_record_folder(n.name()))
            .filter(|n| !crate::folders::is_view(n.attributes()))
            .map(|n| (n.name().to_owned(), special_use(n.attributes())))
            .collect();
        drop(names);
        let mut helpers = Vec::new();

        for (name, special) in folders {
            let mbox = session.examine(&name)?;
            let uidvalidity = mbox.uid_validity.unwrap_or(0);
            let state = self.states.get(&name);
            let reset = state.is_none_or(|s| s.uidvalidity != uidvalidity);
            let outgoing = is_outgoing(&name, special.as_deref(), &self.account);
            self.send(Event::Folder { name: name.clone(), special_use: special.clone(), uidvalidity, reset })?;
            let unchanged = !reset
                && qresync
                && mbox.highest_mod_seq.is_some()
                && mbox.highest_mod_seq == state.and_then(|s| s.highestmodseq);
            if unchanged {
                let done = Event::FolderDone {
                    folder: name,
                    highestmodseq: mbox.highest_mod_seq,
                    marks: None,
                    unchanged: true,
                };
                self.send(done)?;
                continue;
            }
            let synced = if reset { 0 } else { state.map_or(0, |s| s.synced_uid) };
            // Without QRESYNC: the same EXISTS and UIDNEXT as at the end of the last complete
            // pass mean no message came or went (UIDs only grow), so no UID need be listed.
            let marks = mbox.uid_next.map(|next| (mbox.exists, next));
            let same = !reset && marks.is_some() && state.and_then(|s| s.marks) == marks;
            let mut new: Vec<u32> = if mbox.exists == 0 || same {
                vec![]
            } else {
                // "N:*" always matches the highest UID, even below N; hence the filter.
                session.uid_search(format!("UID {}:*", synced + 1))?.into_iter().filter(|u| *u > synced).collect()
            };
            new.sort_unstable();
            if new.len() > BATCH && helpers.len() < self.helpers {
                helpers.extend(self.open_helpers(self.helpers - helpers.len()));
            }
            let fetching = if new.len() > BATCH { helpers.len() } else { 0 };
            self.fetch_new(session, &mut helpers[..fetching], &name, uidvalidity, outgoing, &new)?;

            // Flags changed on messages we already hold (read state, a colleague's claim): with
            // CONDSTORE, only what changed since the last complete pass (RFC 7162 §3.1.4);
            // without it (Exchange Online), every held message's flags, and the store keeps
            // only those that differ from what it has.
            if !reset && synced > 0 {
                match state.and_then(|s| s.highestmodseq) {
                    Some(since) => {
                        let query = format!("(UID FLAGS) (CHANGEDSINCE {since})");
                        let fetches = session.uid_fetch(format!("1:{synced}"), query)?;
                        let changes: Vec<(u32, String)> =
                            fetches.iter().filter_map(|f| Some((f.uid?, flags_text(f)))).collect();
                        drop(fetches);
                        if !changes.is_empty() {
                            self.send(Event::Flags { folder: name.clone(), uidvalidity, changes })?;
                        }
                    }
                    // Confide reads only `\Seen`: one search names the unseen, where fetching
                    // every message's flags would list them all.
                    None => {
                        let unseen = session.uid_search(format!("UID 1:{synced} UNSEEN"))?;
                        self.send(Event::Unseen { folder: name.clone(), uidvalidity, unseen, upto: synced })?;
                    }
                }
            }
            if !same {
                let uids = if mbox.exists == 0 { HashSet::new() } else { session.uid_search("ALL")? };
                self.send(Event::ServerUids { folder: name.clone(), uids })?;
            }
            // The modseq read at EXAMINE: mail that arrived during the fetch is above it, so
            // the next sync still looks.
            let highestmodseq = if qresync { mbox.highest_mod_seq } else { None };
            self.send(Event::FolderDone { folder: name, highestmodseq, marks, unchanged: false })?;
        }
        for mut h in helpers {
            let _ = h.logout();
        }
        Ok(())
    }

    /// Extra connections; a server that refuses more (a per-user connection limit) just
    /// means fewer helpers, not a failed sync.
    fn open_helpers(&self, n: usize) -> Vec<ImapSession> {
        let opened: Vec<Result<ImapSession, MailError>> = std::thread::scope(|s| {
            (0..n)
                .map(|_| s.spawn(|| imap_login(&self.account, &self.password)))
                .collect::<Vec<_>>()
                .into_iter()
                .map(|h| h.join().unwrap_or(Err(MailError::Worker)))
                .collect()
        });
        opened
            .into_iter()
            .filter_map(|r| r.map_err(|e| tracing::warn!("an extra sync connection was refused: {e}")).ok())
            .collect()
    }

    /// Fetches `uids` in batches, spread over the control connection and the helpers: each
    /// takes the next batch as it finishes one.
    fn fetch_new(
        &self,
        control: &mut ImapSession,
        helpers: &mut [ImapSession],
        folder: &str,
        uidvalidity: u32,
        outgoing: bool,
        uids: &[u32],
    ) -> Result<(), Stop> {
        let chunks: Vec<&[u32]> = uids.chunks(BATCH).collect();
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let failure: Mutex<Option<Stop>> = Mutex::new(None);
        let fetcher = |session: &mut ImapSession, examine: bool| {
            let mut run = || -> Result<(), Stop> {
                if examine {
                    session.examine(folder)?;
                }
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= chunks.len() || stop.load(Ordering::SeqCst) {
                        return Ok(());
                    }
                    let chunk = chunks[i];
                    let fetches = session.uid_fetch(uid_set(chunk), "(UID FLAGS INTERNALDATE BODY.PEEK[])")?;
                    let mails = fetches
                        .iter()
                        .filter_map(|f| self.to_incoming(f, outgoing).transpose())
                        .collect::<Result<Vec<_>, _>>()?;
                    drop(fetches);
                    let last_uid = *chunk.last().expect("chunks are not empty");
                    self.send(Event::Batch {
                        folder: folder.to_owned(),
                        uidvalidity,
                        chunk: i,
                        last_uid,
                        requested: chunk.len(),
                        total: uids.len(),
                        mails,
                    })?;
                }
            };
            if let Err(e) = run() {
                stop.store(true, Ordering::SeqCst);
                failure.lock().expect("not poisoned").get_or_insert(e);
            }
        };
        let fetcher = &fetcher;
        std::thread::scope(|s| {
            for h in helpers.iter_mut() {
                s.spawn(move || fetcher(h, true));
            }
            fetcher(control, false);
        });
        match failure.into_inner().expect("not poisoned") {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn to_incoming(&self, f: &imap::types::Fetch<'_>, outgoing: bool) -> Result<Option<IncomingMail>, MailError> {
        to_incoming(f, outgoing, &self.recipients)
    }
}

fn to_incoming(
    f: &imap::types::Fetch<'_>,
    outgoing: bool,
    recipients: &[Recipient],
) -> Result<Option<IncomingMail>, MailError> {
    let (Some(uid), Some(raw)) = (f.uid, f.body()) else { return Ok(None) };
    let s = mime::summarize(raw);
    let internal_date = f.internal_date().map(|d| d.timestamp());
    Ok(Some(IncomingMail::seal(uid, flags_text(f), internal_date, s.headers, outgoing, raw, recipients)?))
}

/// Fetches particular messages of a folder (blocking): those a manager's move put on this
/// desktop's lines after it had passed them over.
pub(super) fn fetch_uids(
    account: &Account,
    password: &crate::connect::Secret,
    recipients: &[Recipient],
    folder: &str,
    outgoing: bool,
    uids: &[u32],
) -> Result<Vec<IncomingMail>, MailError> {
    let mut session = imap_login(account, password)?;
    session.examine(folder)?;
    let mut out = vec![];
    for chunk in uids.chunks(BATCH) {
        let fetches = session.uid_fetch(uid_set(chunk), "(UID FLAGS INTERNALDATE BODY.PEEK[])")?;
        for f in fetches.iter() {
            out.extend(to_incoming(f, outgoing, recipients)?);
        }
    }
    let _ = session.logout();
    Ok(out)
}

/// Why the walk stopped early.
enum Stop {
    /// The receiving side went away (the sync was cancelled or failed there): stop quietly.
    Gone,
    Failed(MailError),
}

impl From<MailError> for Stop {
    fn from(e: MailError) -> Self {
        Stop::Failed(e)
    }
}

impl From<imap::Error> for Stop {
    fn from(e: imap::Error) -> Self {
        Stop::Failed(e.into())
    }
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
pub(super) fn is_outgoing(name: &str, special: Option<&str>, account: &Account) -> bool {
    if account.folder_names.sent.as_deref() == Some(name) {
        return true;
    }
    match special {
        Some("\\Sent") | Some("\\Drafts") => true,
        Some(_) => false,
        None => {
            let leaf = name.rsplit(['/', '.']).next().unwrap_or(name).to_ascii_lowercase();
            matches!(leaf.as_str(), "sent" | "sent items" | "sent messages" | "sent mail" | "drafts")
        }
    }
}
