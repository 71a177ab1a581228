//! Expiry in personal mailboxes: helpline copies the guard could not move (no Message-ID to
//! match, a shared folder missing, an APPEND not confirmed) still fall under the helpline's
//! period, so once they have expired they are removed where they are. Only messages that
//! [`guard::belongs`] to the shared mailbox are touched; the advisor's own mail never is.

use confide_core::accounts::Account;
use confide_core::policy::Period;
use confide_core::retention::has_expired;
use confide_core::CoreError;
use time::OffsetDateTime;

use crate::connect::imap_login;
use crate::folders::{self, Folder, Role};
use crate::guard::{belongs, SharedIdentity};
use crate::imap_quote::uid_set;
use crate::remove::Removal;
use crate::MailError;

/// Removes the expired helpline copies from a personal mailbox's Sent and Trash folders (and
/// their subfolders); returns how many went from each folder. Blocking: a worker thread's.
pub(crate) fn expire_personal(
    personal: &Account,
    password: &crate::connect::Secret,
    identity: &SharedIdentity,
    period: &Period,
    now: OffsetDateTime,
) -> Result<Vec<(String, usize)>, MailError> {
    let mut p = imap_login(personal, password)?;
    if !p.capabilities()?.has_str("UIDPLUS") {
        return Err(CoreError::Invalid("the personal mail server cannot remove single messages (no UIDPLUS), so expired helpline copies stay there".into()).into());
    }
    let listed: Vec<Folder> =
        p.list(Some(""), Some("*"))?.iter().map(|n| Folder::from_listed(n, &personal.folder_names)).collect();
    let removal = Removal::for_server(&mut p, &listed)?;
    let mut removed = Vec::new();
    for role in [Role::Sent, Role::Trash] {
        for folder in folders::all_with_subfolders(&listed, role) {
            if p.select(&folder.name)?.exists == 0 {
                continue;
            }
            let mut doomed = Vec::new();
            let all: Vec<u32> = p.uid_search("ALL")?.into_iter().collect();
            for chunk in all.chunks(500) {
                for f in p.uid_fetch(uid_set(chunk), "(UID INTERNALDATE BODY.PEEK[HEADER])")?.iter() {
                    let (Some(uid), Some(header)) = (f.uid, f.header()) else { continue };
                    let Some(b) = belongs(header, identity, role) else { continue };
                    let arrived = f.internal_date().map(|d| d.timestamp());
                    // Gone only when expired by its date and by its arrival: a wrong clock in a
                    // Date header must not shorten the period.
                    let dated = b.date.or(arrived);
                    if dated.is_some_and(|d| has_expired(period, d, now))
                        && arrived.is_none_or(|a| has_expired(period, a, now))
                    {
                        doomed.push(uid);
                    }
                }
            }
            if doomed.is_empty() {
                continue;
            }
            removal.remove(&mut p, &folder.name, &doomed)?;
            removed.push((folder.name.clone(), doomed.len()));
        }
    }
    let _ = p.logout();
    Ok(removed)
}
