//! Finding a mailbox's Sent and Trash, whatever the server calls them: the account's own names
//! where it has them (a tenant in another language), SPECIAL-USE (RFC 6154) where the server
//! offers it, the names Outlook, Apple Mail and others use where it does not.
//! No I/O: callers pass what LIST returned.

use confide_core::accounts::FolderNames;
use imap_proto::NameAttribute;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Sent,
    Trash,
    Junk,
    /// A view of every message (Gmail's All Mail): known only by SPECIAL-USE.
    All,
}

impl Role {
    fn names(self) -> &'static [&'static str] {
        match self {
            Role::Sent => &["sent", "sent items", "sent messages", "sent mail"],
            Role::Trash => &["trash", "deleted items", "deleted messages", "bin"],
            Role::Junk => &["junk", "spam", "junk email", "junk e-mail"],
            Role::All => &[],
        }
    }
}

/// One folder as LIST described it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    pub name: String,
    pub role: Option<Role>,
    pub delimiter: Option<String>,
    pub selectable: bool,
    /// A view of messages that live in other folders (see [`is_view`]).
    pub view: bool,
}

impl Folder {
    /// A folder as LIST described it, playing the role the account's own names give it (see
    /// [`FolderNames`]), else the one SPECIAL-USE gives it.
    pub fn from_listed(n: &imap::types::Name, names: &FolderNames) -> Folder {
        let attrs = n.attributes();
        let own = |given: &Option<String>| given.as_deref().is_some_and(|g| g == n.name());
        let role = match (own(&names.sent), own(&names.trash)) {
            (true, _) => Some(Role::Sent),
            (_, true) => Some(Role::Trash),
            _ => attrs.iter().find_map(|a| match a {
                NameAttribute::Sent => Some(Role::Sent),
                NameAttribute::Trash => Some(Role::Trash),
                NameAttribute::Junk => Some(Role::Junk),
                NameAttribute::All => Some(Role::All),
                _ => None,
            }),
        };
        Folder {
            name: n.name().to_owned(),
            role,
            delimiter: n.delimiter().map(str::to_owned),
            selectable: !attrs.iter().any(|a| matches!(a, NameAttribute::NoSelect)),
            view: is_view(attrs),
        }
    }

    fn named(&self, role: Role) -> bool {
        let lower = self.name.to_lowercase();
        let leaf = match &self.delimiter {
            // Some servers put everything under INBOX ("INBOX.Sent Items").
            Some(d) => lower.strip_prefix(&format!("inbox{d}")).unwrap_or(&lower).to_owned(),
            None => lower,
        };
        role.names().contains(&leaf.as_str())
    }
}

/// Whether LIST marks a folder as a view of messages that live in other folders: Gmail's
/// `[Gmail]/All Mail` (`\All`), `[Gmail]/Starred` (`\Flagged`) and `[Gmail]/Important`. Sync
/// skips views (they would store every message twice) and so does the retention sweep (a view's
/// UIDs are not the ones the store has judged or a hold names).
pub fn is_view(attrs: &[NameAttribute<'_>]) -> bool {
    attrs.iter().any(|a| match a {
        NameAttribute::All | NameAttribute::Flagged => true,
        NameAttribute::Extension(e) => e.eq_ignore_ascii_case("\\Important"),
        _ => false,
    })
}

/// The folder playing `role`: the one the account names or the server marks with SPECIAL-USE,
/// else the first with a usual name.
pub fn find(folders: &[Folder], role: Role) -> Option<&Folder> {
    folders.iter().find(|f| f.role == Some(role)).or_else(|| folders.iter().find(|f| f.named(role)))
}

/// Every folder playing `role` (by SPECIAL-USE or by name: a mailbox used from several clients
/// can have both "Sent" and "Sent Items") and all their subfolders, selectable ones only.
pub fn all_with_subfolders(folders: &[Folder], role: Role) -> Vec<&Folder> {
    let bases: Vec<&Folder> = folders.iter().filter(|f| f.role == Some(role) || f.named(role)).collect();
    folders
        .iter()
        .filter(|f| f.selectable)
        .filter(|f| {
            bases.iter().any(|b| {
                b.name == f.name || b.delimiter.as_ref().is_some_and(|d| f.name.starts_with(&format!("{}{d}", b.name)))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, role: Option<Role>) -> Folder {
        Folder { name: name.into(), role, delimiter: Some("/".into()), selectable: true, view: false }
    }

    #[test]
    fn special_use_first_then_usual_names_with_subfolders() {
        let list = vec![
            f("INBOX", None),
            f("Sent Items", None),
            f("Sent Items/2025", None),
            f("Gesendet", Some(Role::Sent)),
            f("Sentimental", None),
            f("Deleted Items", None),
            f("Deleted Items/Old", None),
        ];
        assert_eq!(find(&list, Role::Sent).unwrap().name, "Gesendet");
        assert_eq!(find(&list, Role::Trash).unwrap().name, "Deleted Items");
        let sent: Vec<&str> = all_with_subfolders(&list, Role::Sent).iter().map(|f| f.name.as_str()).collect();
        assert_eq!(sent, ["Sent Items", "Sent Items/2025", "Gesendet"]);
        let trash: Vec<&str> = all_with_subfolders(&list, Role::Trash).iter().map(|f| f.name.as_str()).collect();
        assert_eq!(trash, ["Deleted Items", "Deleted Items/Old"]);
        let dotted = Folder {
            name: "INBOX.Sent Messages".into(),
            role: None,
            delimiter: Some(".".into()),
            selectable: true,
            view: false,
        };
        assert_eq!(find(&[dotted], Role::Sent).unwrap().name, "INBOX.Sent Messages");
    }
}

/// Confide's own record folders (`Confide/Team`, and later `Confide/Webchat`, `Confide/Letters`):
/// not mail, so sync does not list them in the inbox and email retention leaves them to their
/// own classes.
pub fn is_record_folder(name: &str) -> bool {
    name == "Confide" || name.strip_prefix("Confide").is_some_and(|rest| rest.starts_with(['/', '.']))
}

#[cfg(test)]
mod record_folder_tests {
    #[test]
    fn confides_folders_are_known_by_their_prefix_and_separator() {
        assert!(super::is_record_folder("Confide/Team"));
        assert!(super::is_record_folder("Confide.Letters"));
        assert!(!super::is_record_folder("Confidential"));
        assert!(!super::is_record_folder("INBOX"));
    }
}
