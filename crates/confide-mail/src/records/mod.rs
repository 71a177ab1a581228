//! The record store over IMAP: `confide_core::record_store::RecordStore` kept in the shared
//! mailbox's `Confide/...` folders. Each call signs in with the shared mailbox's stored secret
//! and runs the blocking `imap` crate on a worker thread.

mod content;
mod messages;
mod team;

use confide_core::accounts::{self, Account, AccountKind};
use confide_core::record_store::{Fetched, Outgoing, RecordStore, TeamEntries, Which};
use confide_core::team::Entry;
use confide_core::{CoreError, Store};

use crate::connect::{account_secret, ImapSession, Secret};
use crate::MailError;

pub(crate) use self::messages::header_class;
pub use self::messages::{CLASS_HEADER, PART_HEADER};

/// The shared mailbox of the desktop whose store this is, as a record store.
#[derive(Clone)]
pub struct ImapRecords {
    store: Store,
}

impl ImapRecords {
    pub fn of(store: &Store) -> Self {
        ImapRecords { store: store.clone() }
    }

    /// The shared mailbox and its secret, read again at each call: a sign-in renewed since
    /// (or a mailbox set up since) is used at once.
    async fn mailbox(&self) -> Result<(Account, Secret), MailError> {
        let account = shared_account(&accounts::list(&self.store).await?)?;
        let secret = account_secret(&self.store, &account)?;
        Ok((account, secret))
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Account, &Secret) -> Result<T, MailError> + Send + 'static,
    ) -> Result<T, MailError> {
        let (account, secret) = self.mailbox().await?;
        tokio::task::spawn_blocking(move || work(&account, &secret)).await.map_err(|_| MailError::Worker)?
    }
}

impl RecordStore for ImapRecords {
    type Error = MailError;

    async fn append(&self, folder: &str, record: Outgoing<'_>) -> Result<(), MailError> {
        let (folder, header, sealed) = (folder.to_owned(), record.header.clone(), record.sealed.to_vec());
        let part = record.part.map(str::to_owned);
        self.run(move |a, s| messages::append(a, s, &folder, &header, &sealed, part.as_deref())).await
    }

    async fn fetch(&self, folder: &str, class: &str, which: Which) -> Result<Vec<Fetched>, MailError> {
        let (folder, class) = (folder.to_owned(), class.to_owned());
        let found = self.run(move |a, s| messages::fetch(a, s, &folder, &class, &which)).await?;
        Ok(found.into_iter().map(|(uid, sealed)| Fetched { uid, sealed }).collect())
    }

    async fn remove(&self, folder: &str, class: &str, id: &str) -> Result<bool, MailError> {
        let (folder, class, id) = (folder.to_owned(), class.to_owned(), id.to_owned());
        self.run(move |a, s| messages::remove_one(a, s, &folder, &class, &id)).await
    }

    async fn team_entries(&self) -> Result<TeamEntries, MailError> {
        self.run(team::fetch).await
    }

    async fn append_team_entry(&self, entry: &Entry) -> Result<(), MailError> {
        let entry = entry.clone();
        self.run(move |a, s| team::append(a, s, &entry)).await
    }
}

pub(crate) fn shared_account(all: &[Account]) -> Result<Account, MailError> {
    all.iter().find(|a| a.kind == AccountKind::Shared).cloned().ok_or_else(|| {
        CoreError::Invalid("there is no shared mailbox on this desktop, so there are no shared records to read".into())
            .into()
    })
}

/// `rel` (`Confide/Letters`) spelled with the server's hierarchy separator.
pub(crate) fn server_folder(s: &mut ImapSession, rel: &str) -> Result<String, MailError> {
    // (LIST "" "" would be the textbook way; the imap crate sends the empty pattern unquoted.)
    let listed = s.list(Some(""), Some("INBOX"))?;
    let delimiter = listed.iter().next().and_then(|n| n.delimiter()).unwrap_or("/").to_owned();
    Ok(rel.replace('/', &delimiter))
}
