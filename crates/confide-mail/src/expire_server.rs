//! The server step of a retention run: the known expired UIDs removed, then a dated sweep of
//! every folder for older mail the store never saw (`expire::run` calls it per account).

use std::collections::{BTreeMap, HashMap, HashSet};

use confide_core::mailstore::HOLD_KEYWORD;
use confide_core::policy::Period;
use confide_core::retention::Expired;
use confide_core::CoreError;
use time::OffsetDateTime;

use crate::connect::imap_login;
use crate::folders::Folder;
use crate::imap_quote::uid_set;
use crate::remove::Removal;
use crate::MailError;

/// The expired UIDs of one account, by folder and UIDVALIDITY.
pub(crate) fn locations_of(expired: &[&Expired], account: &str) -> BTreeMap<String, (u32, Vec<u32>)> {
    let mut by_folder: BTreeMap<String, (u32, Vec<u32>)> = BTreeMap::new();
    for e in expired {
        for (a, folder, uv, uid) in &e.locations {
            if a == account {
                let entry = by_folder.entry(folder.clone()).or_insert((*uv, vec![]));
                if entry.0 == *uv {
                    entry.1.push(*uid);
                }
            }
        }
    }
    by_folder
}

/// Removes the known expired UIDs, then sweeps every folder (as LIST names them; Confide's own
/// record folders excepted, they have classes of their own, and so are views such as Gmail's
/// All Mail, whose UIDs no hold or store decision names) for older mail the store never saw.
/// On Gmail, removal goes through Trash (see [`Removal`]). The sweep's date keeps a margin of a day and a month's slack, and a message must be
/// older than it by both its Date header and its arrival (a message with no Date header counts
/// as 1970 to the server's SENTBEFORE). Messages the store holds (`decided`) are never swept:
/// the store has already judged them by the preset's rule.
#[allow(clippy::too_many_arguments)]
/// The longest UID set put in one command: well inside Dovecot's 64 KiB line.
const MAX_SET_LEN: usize = 16 * 1024;

pub(crate) fn expunge_server(
    account: &confide_core::accounts::Account,
    password: &crate::connect::Secret,
    known: &BTreeMap<String, (u32, Vec<u32>)>,
    held: &HashSet<(String, u32)>,
    decided: &HashMap<String, (u32, HashSet<u32>)>,
    period: &Period,
    now: OffsetDateTime,
) -> Result<Vec<(String, usize)>, MailError> {
    let t = std::time::Instant::now();
    let mut s = imap_login(account, password)?;
    if !s.capabilities()?.has_str("UIDPLUS") {
        return Err(CoreError::Invalid("the mail server cannot remove single messages (no UIDPLUS)".into()).into());
    }
    let folders: Vec<Folder> =
        s.list(Some(""), Some("*"))?.iter().map(|n| Folder::from_listed(n, &account.folder_names)).collect();
    let removal = Removal::for_server(&mut s, &folders)?;
    let sweep_before = sweep_date(period, now);
    let mut removed = Vec::new();
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "logged in and listed");
    for f in folders.iter().filter(|f| f.selectable && !f.view && !crate::folders::is_record_folder(&f.name)) {
        let t = std::time::Instant::now();
        let mbox = s.select(&f.name)?;
        tracing::debug!(folder = %f.name, seconds = t.elapsed().as_secs_f64(), "selected");
        let mut uids: Vec<u32> = match known.get(&f.name) {
            Some((uv, list)) if mbox.uid_validity == Some(*uv) => list.clone(),
            _ => vec![],
        };
        if let (Some(date), true) = (&sweep_before, mbox.exists > 0) {
            let known_here = decided.get(&f.name).filter(|(uv, _)| mbox.uid_validity == Some(*uv)).map(|(_, set)| set);
            // What the store already knows it has decided about: the server need not read
            // those messages' Date headers (on mbox, parsing 50,000 took about 3 s). A set too
            // long for one command line is left out, and the filter below does the same job.
            let known_set = known_here
                .map(|h| uid_set(&h.iter().copied().collect::<Vec<_>>()))
                .filter(|set| !set.is_empty() && set.len() <= MAX_SET_LEN);
            let skip = known_set.map(|set| format!("NOT UID {set} ")).unwrap_or_default();
            let t = std::time::Instant::now();
            uids.extend(
                s.uid_search(format!("{skip}SENTBEFORE {date} BEFORE {date} UNKEYWORD {HOLD_KEYWORD}"))?
                    .into_iter()
                    .filter(|u| !known_here.is_some_and(|h| h.contains(u))),
            );
            tracing::debug!(folder = %f.name, seconds = t.elapsed().as_secs_f64(), "swept");
        }
        // The sweep does not know conversations: held ones are taken out by UID.
        uids.retain(|u| !held.contains(&(f.name.clone(), *u)));
        uids.sort_unstable();
        uids.dedup();
        if uids.is_empty() {
            continue;
        }
        let t = std::time::Instant::now();
        let gone = removal.remove(&mut s, &f.name, &uids)?;
        tracing::debug!(uids = uids.len(), seconds = t.elapsed().as_secs_f64(), "server folder expunged");
        removed.push((f.name.clone(), gone));
    }
    let t = std::time::Instant::now();
    let _ = s.logout();
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "logged out");
    Ok(removed)
}

/// An IMAP date (e.g. `1-Jan-2026`) before which any message has surely expired.
fn sweep_date(period: &Period, now: OffsetDateTime) -> Option<String> {
    let days = match period {
        Period::Days(n) => i64::from(*n) + 1,
        Period::Months(n) => i64::from(*n) * 31 + 1,
        Period::Years(n) => i64::from(*n) * 366 + 1,
        Period::Keep | Period::Until(_) => return None,
    };
    let d = (now - time::Duration::days(days)).date();
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    Some(format!("{}-{}-{}", d.day(), MONTHS[d.month() as usize - 1], d.year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_keeps_a_margin() {
        let now = time::macros::datetime!(2026-07-01 12:00 UTC);
        assert_eq!(sweep_date(&Period::Months(6), now).as_deref(), Some("26-Dec-2025"));
        assert_eq!(sweep_date(&Period::Days(30), now).as_deref(), Some("31-May-2026"));
        assert_eq!(sweep_date(&Period::Keep, now), None);
    }
}
