//! The advisor's personal mailbox, set up for the sent-folder guard (which is all Confide ever
//! does with it). Its sign-in is checked with the server before anything is kept, so a typo is
//! caught at once and not at the first guard run. A helpline whose shared mailbox signs in with
//! a provider (Microsoft 365, Google) signs personal mailboxes in there too, with the same app
//! registration: Exchange Online takes no passwords.

use std::time::Duration;

use confide_core::accounts::{self, Account, AccountKind, FolderNames, OAuthSettings, Security, SignIn};
use confide_core::{CoreError, Store};

use crate::MailError;

/// How the personal mailbox signs in.
pub enum PersonalSignIn {
    /// A password; empty keeps the one already in the keyring.
    Password(String),
    /// The shared mailbox's provider, in the person's browser.
    Provider,
}

pub struct PersonalSetup {
    pub address: String,
    /// Defaults to the address.
    pub username: Option<String>,
    pub imap_host: String,
    pub imap_port: u16,
    pub imap_security: Security,
    pub sign_in: PersonalSignIn,
    /// Its Sent and Deleted Items folders' names, where they are not in English.
    pub folder_names: FolderNames,
}

/// The provider the shared mailbox signs in with, if it signs in with one.
pub async fn provider(store: &Store) -> Result<Option<OAuthSettings>, MailError> {
    Ok(accounts::list(store).await?.into_iter().find(|a| a.kind == AccountKind::Shared).and_then(|a| match a.sign_in {
        SignIn::OAuth(settings) => Some(settings),
        SignIn::Password => None,
    }))
}

/// Checks the sign-in with the server, then keeps the settings (store) and the password or
/// refresh token (keyring): [`crate::setup::check_and_keep`]. `open` shows the provider's page
/// for a provider sign-in, which waits up to `wait` for the person.
pub async fn save(
    store: &Store,
    setup: PersonalSetup,
    open: impl Fn(&str) + Send + 'static,
    wait: Duration,
) -> Result<Account, MailError> {
    let all = accounts::list(store).await?;
    let shared = all.iter().find(|a| a.kind == AccountKind::Shared);
    let sign_in = match setup.sign_in {
        PersonalSignIn::Password(_) => SignIn::Password,
        PersonalSignIn::Provider => SignIn::OAuth(provider(store).await?.ok_or_else(|| {
            CoreError::Invalid("the helpline's mailbox does not sign in with a provider: use a password".into())
        })?),
    };
    let account = Account {
        id: "personal".into(),
        kind: AccountKind::Personal,
        username: setup.username.filter(|u| !u.trim().is_empty()).unwrap_or_else(|| setup.address.clone()),
        address: setup.address,
        imap_host: setup.imap_host,
        imap_port: setup.imap_port,
        imap_security: setup.imap_security,
        // Unused: the guard only speaks IMAP.
        smtp_host: String::new(),
        smtp_port: 0,
        smtp_security: Security::Starttls,
        ca_file: shared.and_then(|a| a.ca_file.clone()),
        lines: vec![],
        sign_in,
        folder_names: setup.folder_names,
    };
    let password = match setup.sign_in {
        PersonalSignIn::Password(given) if given.is_empty() => store
            .vault()
            .account_password("personal")
            .map_err(CoreError::from)?
            .ok_or_else(|| CoreError::Invalid("enter the mailbox's password".into()))?,
        PersonalSignIn::Password(given) => zeroize::Zeroizing::new(given),
        PersonalSignIn::Provider => zeroize::Zeroizing::default(),
    };
    crate::setup::check_and_keep(store, account, password, open, wait).await
}
