//! Removing messages from a server for good, the one way every caller does it (retention,
//! erasure, the sent-folder guard, records).
//!
//! On most servers an expunge removes a message. Gmail is different: a folder there is a label,
//! every message also lives in `[Gmail]/All Mail` (LIST marks it `\All`), and expunging from
//! INBOX or Sent only takes the label off: the message stays in All Mail, readable by anyone
//! with the mailbox. Gmail forgets a message only when it is expunged from its Trash. So on a
//! server with an `\All` view Confide copies the messages to Trash, expunges them where they
//! were, then expunges the copies from Trash. The copy comes first: with Gmail's auto-expunge
//! on, marking a message `\Deleted` archives it at once, and the copy by UID would then fail.

use confide_core::accounts::FolderNames;
use confide_core::CoreError;

use crate::connect::ImapSession;
use crate::folders::{self, Folder, Role};
use crate::imap_quote::{quoted, uid_set};
use crate::MailError;

/// How a server forgets a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Removal {
    Expunge,
    /// Copy to Trash, expunge, then expunge the copies there. Trash and Spam (`junk`) forget
    /// what is expunged from them.
    ViaTrash {
        trash: String,
        junk: Option<String>,
    },
}

impl Removal {
    /// How the server whose folders LIST gave forgets a message: through its Trash when it
    /// keeps an `\All` view and has a Trash, else by expunging. `gmail` (the server says
    /// X-GM-EXT-1) with either hidden from IMAP (Gmail's label settings allow it) is refused:
    /// an expunge there would only archive.
    pub(crate) fn decide(listed: &[Folder], gmail: bool) -> Result<Removal, MailError> {
        let keeps_all = listed.iter().any(|f| f.role == Some(Role::All));
        match (keeps_all, folders::find(listed, Role::Trash)) {
            (true, Some(trash)) => Ok(Removal::ViaTrash {
                trash: trash.name.clone(),
                junk: folders::find(listed, Role::Junk).map(|f| f.name.clone()),
            }),
            _ if gmail => Err(CoreError::Invalid(
                "this Gmail mailbox hides All Mail or Trash from IMAP, so Confide cannot delete mail there for \
                 good; in Gmail's settings (Labels), tick \"Show in IMAP\" for both"
                    .into(),
            )
            .into()),
            _ => Ok(Removal::Expunge),
        }
    }

    /// How this session's server forgets a message, given the folders LIST gave.
    pub(crate) fn for_server(s: &mut ImapSession, listed: &[Folder]) -> Result<Removal, MailError> {
        let gmail = s.capabilities()?.has_str("X-GM-EXT-1");
        Removal::decide(listed, gmail)
    }

    /// Lists the account's folders and says how its server forgets a message.
    pub(crate) fn of_server(s: &mut ImapSession, names: &FolderNames) -> Result<Removal, MailError> {
        let listed: Vec<Folder> = s.list(Some(""), Some("*"))?.iter().map(|n| Folder::from_listed(n, names)).collect();
        Removal::for_server(s, &listed)
    }

    /// Removes `uids` from `folder`, which the session has selected read-write, and leaves it
    /// selected. Returns how many the server expunged there.
    pub(crate) fn remove(&self, s: &mut ImapSession, folder: &str, uids: &[u32]) -> Result<usize, MailError> {
        let mut gone = 0;
        // Each set well inside a server's command-line limit (Dovecot's is 64 KiB).
        for chunk in uids.chunks(4000) {
            gone += self.remove_set(s, folder, chunk)?;
        }
        Ok(gone)
    }

    fn remove_set(&self, s: &mut ImapSession, folder: &str, uids: &[u32]) -> Result<usize, MailError> {
        if uids.is_empty() {
            return Ok(0);
        }
        let set = uid_set(uids);
        let trash = match self {
            Removal::ViaTrash { trash, junk } if trash != folder && junk.as_deref() != Some(folder) => trash,
            _ => return expunge(s, &set),
        };
        // Trash's next UID before the copy: the copies are the messages at or above it. A copy
        // the count below cannot vouch for stays in Trash for the next run's sweep.
        let next = s.status(trash, "(UIDNEXT)")?.uid_next.unwrap_or(1);
        let target = quoted(trash).map_err(|e| CoreError::Invalid(e.to_string()))?;
        s.run_command_and_check_ok(format!("UID COPY {set} {target}"))?;
        let gone = expunge(s, &set)?;
        s.select(trash)?;
        let copies: Vec<u32> =
            s.uid_search(format!("UID {next}:*"))?.into_iter().filter(|u| *u >= next).collect::<Vec<_>>();
        if copies.len() == uids.len() {
            expunge(s, &uid_set(&copies))?;
        } else {
            tracing::warn!(
                expected = uids.len(),
                found = copies.len(),
                "Trash changed while Confide removed mail; the copies wait for the next run"
            );
        }
        s.select(folder)?;
        Ok(gone)
    }
}

fn expunge(s: &mut ImapSession, set: &str) -> Result<usize, MailError> {
    s.uid_store(set, "+FLAGS.SILENT (\\Deleted)")?;
    let gone = s.uid_expunge(set)?;
    Ok(gone.uids().count().max(gone.seqs().count()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, role: Option<Role>) -> Folder {
        Folder { name: name.into(), role, delimiter: Some("/".into()), selectable: true, view: role == Some(Role::All) }
    }

    #[test]
    fn only_a_server_with_an_all_mail_view_removes_through_its_trash() {
        let gmail = [
            f("INBOX", None),
            f("[Gmail]/All Mail", Some(Role::All)),
            f("[Gmail]/Trash", Some(Role::Trash)),
            f("[Gmail]/Spam", Some(Role::Junk)),
        ];
        let via = Removal::ViaTrash { trash: "[Gmail]/Trash".into(), junk: Some("[Gmail]/Spam".into()) };
        assert_eq!(Removal::decide(&gmail, true).unwrap(), via);
        let exchange = [f("INBOX", None), f("Deleted Items", None), f("Junk Email", None)];
        assert_eq!(Removal::decide(&exchange, false).unwrap(), Removal::Expunge);
        // Gmail with Trash hidden from IMAP: an expunge would only archive, so nothing is done.
        let err = Removal::decide(&gmail[..2], true).unwrap_err().to_string();
        assert!(err.contains("Show in IMAP"), "{err}");
    }
}
