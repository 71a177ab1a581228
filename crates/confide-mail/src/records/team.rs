//! The team directory as IMAP messages (blocking): each signed entry is one message in the
//! shared mailbox's `Confide/Team` folder (JSON body), appended and never changed, so every
//! desktop reads the same list.

use confide_core::accounts::Account;
use confide_core::record_store::TeamEntries;
use confide_core::team::Entry;

use super::server_folder;
use crate::connect::{imap_login, ImapSession, Secret};
use crate::MailError;

fn folder_name(s: &mut ImapSession) -> Result<String, MailError> {
    server_folder(s, "Confide/Team")
}

/// Reads every entry. Messages that are not entries are reported, not trusted.
pub(super) fn fetch(account: &Account, password: &Secret) -> Result<TeamEntries, MailError> {
    let mut s = imap_login(account, password)?;
    let name = folder_name(&mut s)?;
    let mut out = TeamEntries::default();
    if s.list(Some(""), Some(&name))?.is_empty() {
        let _ = s.logout();
        return Ok(out);
    }
    let mbox = s.examine(&name)?;
    if mbox.exists > 0 {
        for f in s.uid_fetch("1:*", "(UID BODY.PEEK[TEXT])")?.iter() {
            match f.text().and_then(|t| serde_json::from_slice::<Entry>(t.trim_ascii()).ok()) {
                Some(e) => out.entries.push(e),
                None => out
                    .unreadable
                    .push("A message in the team folder is not a directory entry, so it was ignored.".to_owned()),
            }
        }
    }
    let _ = s.logout();
    Ok(out)
}

/// Appends one entry, creating the folder the first time.
pub(super) fn append(account: &Account, password: &Secret, entry: &Entry) -> Result<(), MailError> {
    let mut s = imap_login(account, password)?;
    let name = folder_name(&mut s)?;
    if s.list(Some(""), Some(&name))?.is_empty() {
        s.create(&name)?;
    }
    let body = serde_json::to_string(entry).expect("entries serialise");
    let raw = format!(
        "From: <{from}>\r\nSubject: Confide team directory entry\r\nMessage-ID: <team-{sig}@confide.invalid>\r\n\
         Content-Type: application/json\r\n\r\n{body}\r\n",
        from = account.address,
        sig = entry.signature.get(..32).unwrap_or(&entry.signature)
    );
    s.append(&name, raw.as_bytes()).finish()?;
    let _ = s.logout();
    Ok(())
}
