//! Keeping a mailbox only once its server has accepted the sign-in, so a typo or a refused
//! consent is caught at once and not at the first sync or guard run: a password by logging in
//! with it, a provider by signing in in the person's browser and logging in with the token.
//! Then the settings go to the store and the secret (password or refresh token) to the keyring.

use std::time::Duration;

use confide_core::accounts::{self, Account, SignIn};
use confide_core::Store;
use zeroize::Zeroizing;

use crate::connect::imap_login;
use crate::MailError;

/// Checks `account`'s sign-in with its server and keeps it. `password` is the password of a
/// password account (ignored for a provider's); `open` shows the provider's page, and the
/// sign-in waits up to `wait` for the person.
pub async fn check_and_keep(
    store: &Store,
    account: Account,
    password: Zeroizing<String>,
    open: impl Fn(&str) + Send + 'static,
    wait: Duration,
) -> Result<Account, MailError> {
    let secret = match &account.sign_in {
        SignIn::Password => {
            let check = account.clone();
            tokio::task::spawn_blocking(move || {
                imap_login(&check, &password.as_str().into())
                    .map(|mut s| {
                        let _ = s.logout();
                    })
                    .map(|()| password)
            })
            .await
            .map_err(|_| MailError::Worker)??
        }
        SignIn::OAuth(_) => {
            let (check, vault) = (account.clone(), store.vault().clone());
            tokio::task::spawn_blocking(move || crate::oauth::sign_in_checked(&check, &vault, &open, wait))
                .await
                .map_err(|_| MailError::Worker)??
        }
    };
    accounts::save(store, &account, &secret).await?;
    Ok(account)
}
