//! The sent-folder guard. Replies sent from the shared mailbox in Outlook (or webmail) leave a
//! copy in the advisor's **personal** Sent Items, and shared items deleted there land in the
//! personal Deleted Items: out of the helpline's retention. The guard finds those copies and
//! moves them to the shared mailbox's Sent or Trash.
//!
//! Order makes it safe: a personal copy is deleted only after the shared folder is seen to hold
//! a copy with the same Message-ID (APPENDed if it was missing). A run cut at any point leaves
//! every message in the personal folder, the shared one, or both; the next run finishes the
//! job, and finds the copy it already made instead of making another.

use std::collections::HashSet;

use confide_core::accounts::{self, Account, AccountKind};
use confide_core::retention_record::{self, RecordEntry};
use confide_core::{mailstore, CoreError, Store};
use mail_parser::{Address, HeaderValue, MessageParser};
use serde::Serialize;
use ts_rs::TS;

use crate::connect::{imap_login, ImapSession};
use crate::folders::{self, Folder, Role};
use crate::imap_quote::{quoted, uid_set};
use crate::remove::Removal;
use crate::MailError;

/// What one run did, for the advisor's notice and the retention record.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct GuardReport {
    /// Replies moved from a personal Sent folder to the shared Sent.
    #[ts(type = "number")]
    pub moved_sent: usize,
    /// Shared items moved from a personal Trash / Deleted Items to the shared Trash.
    #[ts(type = "number")]
    pub moved_deleted: usize,
    /// Shared-mailbox messages left where they are because they have no Message-ID, so a copy
    /// could not be matched (moving them could duplicate them).
    #[ts(type = "number")]
    pub left_unmatched: usize,
    /// What could not be done, in words for the advisor; the next run tries again.
    pub problems: Vec<String>,
}

/// One folder's moves, for the retention record.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Moved {
    from: String,
    to: String,
    count: i64,
    oldest: Option<i64>,
    newest: Option<i64>,
}

/// What marks a personal copy as the helpline's: its addresses and the Message-IDs its shared
/// mailbox holds.
pub struct SharedIdentity {
    pub addresses: HashSet<String>,
    pub message_ids: HashSet<String>,
}

/// A message in a personal folder that belongs to the shared mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Belonging {
    pub message_id: Option<String>,
    pub date: Option<i64>,
}

/// Whether a personal message (its header) belongs to the shared mailbox: From or Sender is a
/// shared address, or it answers or is a message the shared mailbox holds. In a Trash folder,
/// mail addressed to the shared mailbox counts too: that is what deleting a shared item in
/// Outlook puts there.
pub fn belongs(header: &[u8], shared: &SharedIdentity, role: Role) -> Option<Belonging> {
    let parsed = MessageParser::default().parse_headers(header)?;
    let addresses = |a: Option<&Address>| -> Vec<String> {
        a.map(|a| a.iter().filter_map(|x| x.address()).map(str::to_lowercase).collect()).unwrap_or_default()
    };
    let mut ours =
        addresses(parsed.from()).iter().chain(&addresses(parsed.sender())).any(|a| shared.addresses.contains(a));
    if role == Role::Trash {
        ours |= addresses(parsed.to()).iter().chain(&addresses(parsed.cc())).any(|a| shared.addresses.contains(a));
    }
    let ids = |v: &HeaderValue| -> Vec<String> {
        match v {
            HeaderValue::Text(t) => vec![t.to_string()],
            HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
            _ => vec![],
        }
    };
    let message_id = parsed.message_id().map(str::to_owned);
    ours |= message_id
        .iter()
        .chain(&ids(parsed.in_reply_to()))
        .chain(&ids(parsed.references()))
        .any(|id| shared.message_ids.contains(id));
    ours.then(|| Belonging { message_id, date: parsed.date().map(|d| d.to_timestamp()) })
}

/// The shared mailbox of this desktop and what marks a message as its own.
pub async fn shared_identity(store: &Store, all: &[Account]) -> Result<(Account, SharedIdentity), MailError> {
    let Some(shared) = all.iter().find(|a| a.kind == AccountKind::Shared) else {
        return Err(CoreError::Invalid(
            "there is no shared mailbox on this desktop, so there is nothing to guard".into(),
        )
        .into());
    };
    let mut addresses: HashSet<String> = shared.lines.iter().map(|l| l.address.to_lowercase()).collect();
    addresses.insert(shared.address.to_lowercase());
    Ok((
        shared.clone(),
        SharedIdentity { addresses, message_ids: mailstore::held_message_ids(store, &shared.id).await? },
    ))
}

/// Runs the guard for every personal mailbox configured on this desktop, and writes what it
/// moved to the retention record. Problems with one mailbox do not stop the others.
pub async fn run(store: &Store) -> Result<GuardReport, MailError> {
    let all = accounts::list(store).await?;
    let (shared, identity) = shared_identity(store, &all).await?;
    run_with(store, &all, &shared, std::sync::Arc::new(identity)).await
}

/// [`run`] with the accounts and the shared identity already at hand (a retention run uses
/// them again for the personal folders).
pub async fn run_with(
    store: &Store,
    all: &[Account],
    shared: &Account,
    identity: std::sync::Arc<SharedIdentity>,
) -> Result<GuardReport, MailError> {
    let shared_password = crate::connect::account_secret(store, shared)?;
    let mut report = GuardReport::default();
    for personal in all.iter().filter(|a| a.kind == AccountKind::Personal) {
        let (personal, shared, ppw, spw, id) = (
            personal.clone(),
            shared.clone(),
            crate::connect::account_secret(store, personal)?,
            shared_password.clone(),
            identity.clone(),
        );
        let outcome = tokio::task::spawn_blocking(move || guard_mailbox(&personal, &ppw, &shared, &spw, &id))
            .await
            .map_err(|_| MailError::Worker)?;
        let (moved, part) = match outcome {
            Ok(done) => done,
            Err(e) => {
                // The kind only: reports are kept and logged, and the full message names the mailbox.
                report.problems.push(format!(
                    "Your personal mailbox could not be checked: {}.",
                    match &e {
                        MailError::Core(CoreError::Invalid(why)) => why.as_str(),
                        other => other.kind(),
                    }
                ));
                continue;
            }
        };
        for m in moved {
            retention_record::append(
                store,
                &RecordEntry {
                    at: store.now_ts(),
                    action: "guard_moved".into(),
                    record_class: None,
                    from_place: format!("personal {}", m.from),
                    to_place: format!("shared {}", m.to),
                    count: m.count,
                    oldest: m.oldest,
                    newest: m.newest,
                },
            )
            .await?;
        }
        report.moved_sent += part.moved_sent;
        report.moved_deleted += part.moved_deleted;
        report.left_unmatched += part.left_unmatched;
        report.problems.extend(part.problems);
    }
    Ok(report)
}

/// The personal mailbox's Sent folder, to watch with IDLE (blocking).
pub fn personal_sent_folder(
    personal: &Account,
    password: &crate::connect::Secret,
) -> Result<Option<String>, MailError> {
    let mut p = imap_login(personal, password)?;
    let listed: Vec<Folder> =
        p.list(Some(""), Some("*"))?.iter().map(|n| Folder::from_listed(n, &personal.folder_names)).collect();
    let _ = p.logout();
    Ok(folders::find(&listed, Role::Sent).map(|f| f.name.clone()))
}

/// The IMAP side, for one personal mailbox (blocking; runs on a worker thread).
fn guard_mailbox(
    personal: &Account,
    ppw: &crate::connect::Secret,
    shared: &Account,
    spw: &crate::connect::Secret,
    identity: &SharedIdentity,
) -> Result<(Vec<Moved>, GuardReport), MailError> {
    let mut p = imap_login(personal, ppw)?;
    if !p.capabilities()?.has_str("UIDPLUS") {
        // Without UID EXPUNGE, removing our copies would also expunge anything else the
        // advisor had marked deleted.
        return Err(CoreError::Invalid("the personal mail server cannot remove single messages (no UIDPLUS), so Confide leaves them where they are".into()).into());
    }
    let mut s = imap_login(shared, spw)?;
    let listed = |session: &mut ImapSession, account: &Account| -> Result<Vec<Folder>, MailError> {
        Ok(session.list(Some(""), Some("*"))?.iter().map(|n| Folder::from_listed(n, &account.folder_names)).collect())
    };
    let (personal_folders, shared_folders) = (listed(&mut p, personal)?, listed(&mut s, shared)?);
    let removal = Removal::for_server(&mut p, &personal_folders)?;
    let mut moved = Vec::new();
    let mut report = GuardReport::default();
    for role in [Role::Sent, Role::Trash] {
        let Some(target) = folders::find(&shared_folders, role).map(|f| f.name.clone()) else {
            report.problems.push(format!(
                "The helpline's mailbox has no {} folder to move copies into.",
                if role == Role::Sent { "Sent" } else { "Trash" }
            ));
            continue;
        };
        for folder in folders::all_with_subfolders(&personal_folders, role) {
            let (m, confirmed) = guard_folder(&mut p, &mut s, &folder.name, &target, role, identity, &mut report)?;
            removal.remove(&mut p, &folder.name, &confirmed)?;
            if m.count > 0 {
                match role {
                    Role::Sent => report.moved_sent += m.count as usize,
                    Role::Trash => report.moved_deleted += m.count as usize,
                    Role::Junk | Role::All => {}
                }
                moved.push(m);
            }
        }
    }
    let _ = p.logout();
    let _ = s.logout();
    Ok((moved, report))
}

/// Copies one personal folder's shared-mailbox messages into `target`; returns the personal
/// UIDs whose copy is confirmed there, for the caller to remove (leaving `folder` selected).
fn guard_folder(
    p: &mut ImapSession,
    s: &mut ImapSession,
    folder: &str,
    target: &str,
    role: Role,
    identity: &SharedIdentity,
    report: &mut GuardReport,
) -> Result<(Moved, Vec<u32>), MailError> {
    let mut moved = Moved { from: folder.to_owned(), to: target.to_owned(), count: 0, oldest: None, newest: None };
    let mbox = p.select(folder)?;
    if mbox.exists == 0 {
        return Ok((moved, vec![]));
    }
    let mut uids: Vec<u32> = p.uid_search("ALL")?.into_iter().collect();
    uids.sort_unstable();
    let mut candidates = Vec::new();
    for chunk in uids.chunks(500) {
        let fetches = p.uid_fetch(uid_set(chunk), "(UID BODY.PEEK[HEADER])")?;
        for f in fetches.iter() {
            if let (Some(uid), Some(b)) = (f.uid, f.header().and_then(|h| belongs(h, identity, role))) {
                candidates.push((uid, b));
            }
        }
    }
    if candidates.is_empty() {
        return Ok((moved, vec![]));
    }
    s.select(target)?;
    let mut confirmed = Vec::new();
    for (uid, b) in candidates {
        let Some(search) = b.message_id.as_deref().and_then(|id| quoted(&format!("<{id}>")).ok()) else {
            report.left_unmatched += 1;
            continue;
        };
        let query = format!("HEADER Message-ID {search}");
        if s.uid_search(&query)?.is_empty() {
            let fetched = p.uid_fetch(uid.to_string(), "(UID INTERNALDATE BODY.PEEK[])")?;
            let Some(f) = fetched.iter().find(|f| f.uid == Some(uid)) else { continue };
            let Some(raw) = f.body() else { continue };
            let mut append = s.append(target, raw);
            append.flag(imap::types::Flag::Seen);
            if let Some(date) = f.internal_date() {
                append.internal_date(date);
            }
            append.finish()?;
            if s.uid_search(&query)?.is_empty() {
                report.problems.push(
                    "A copy could not be confirmed in the helpline's mailbox, so the personal one was kept.".into(),
                );
                continue;
            }
        }
        confirmed.push(uid);
        moved.count += 1;
        moved.oldest = match (moved.oldest, b.date) {
            (Some(a), Some(d)) => Some(a.min(d)),
            (a, d) => a.or(d),
        };
        moved.newest = moved.newest.max(b.date);
    }
    Ok((moved, confirmed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared() -> SharedIdentity {
        SharedIdentity {
            addresses: ["helpline@lab.test".to_owned()].into(),
            message_ids: ["ask-1@example.org".to_owned()].into(),
        }
    }

    #[test]
    fn what_belongs_to_the_shared_mailbox() {
        let s = shared();
        let sent_as = b"From: Helpline <Helpline@lab.test>\r\nTo: a@example.org\r\nMessage-ID: <r1@x>\r\n\r\n";
        assert_eq!(belongs(sent_as, &s, Role::Sent).unwrap().message_id.as_deref(), Some("r1@x"));
        let on_behalf = b"From: Ash <ash@lab.test>\r\nSender: helpline@lab.test\r\nMessage-ID: <r2@x>\r\n\r\n";
        assert!(belongs(on_behalf, &s, Role::Sent).is_some());
        let answer = b"From: Ash <ash@lab.test>\r\nIn-Reply-To: <ask-1@example.org>\r\nMessage-ID: <r3@x>\r\n\r\n";
        assert!(belongs(answer, &s, Role::Sent).is_some());
        let private = b"From: Ash <ash@lab.test>\r\nTo: friend@example.com\r\nMessage-ID: <p@x>\r\n\r\n";
        assert!(belongs(private, &s, Role::Sent).is_none());
        let deleted_incoming = b"From: caller@example.org\r\nTo: helpline@lab.test\r\nMessage-ID: <in@x>\r\n\r\n";
        assert!(belongs(deleted_incoming, &s, Role::Trash).is_some());
        assert!(
            belongs(deleted_incoming, &s, Role::Sent).is_none(),
            "mail to the helpline in a personal Sent is the advisor's own"
        );
    }
}
