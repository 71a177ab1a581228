//! Connecting this desktop to the helpline's shared mailbox, as the helpline's IT described it
//! (`confide_core::connection`): the app's first run and its Settings come here.

use std::time::Duration;

use confide_core::accounts::{self, Account, AccountKind, SignIn};
use confide_core::connection::{self, Connection};
use confide_core::staff::Session;
use confide_core::CoreError;
use zeroize::Zeroizing;

use crate::MailError;

/// The id a desktop's shared mailbox is kept under when it is connected here.
const ID: &str = "shared";

/// Checks the sign-in with the server, then keeps the shared mailbox (see
/// [`crate::setup::check_and_keep`]). A desktop already connected to another shared mailbox is
/// refused: its store would mix two helplines' mail.
pub async fn connect(
    session: &Session,
    c: &Connection,
    password: Zeroizing<String>,
    open: impl Fn(&str) + Send + 'static,
    wait: Duration,
) -> Result<Account, MailError> {
    let existing = accounts::list(&session.store).await?.into_iter().find(|a| a.kind == AccountKind::Shared);
    if let Some(a) = &existing {
        if !a.address.eq_ignore_ascii_case(c.address.trim()) {
            return Err(CoreError::Invalid(format!(
                "this desktop is already connected to the shared mailbox {}: a desktop keeps one helpline's mail",
                a.address
            ))
            .into());
        }
    }
    let id = existing.as_ref().map_or(ID, |a| a.id.as_str());
    let account = connection::account(id, c, Some(session.preset()))?;
    if account.sign_in == SignIn::Password && password.is_empty() {
        return Err(CoreError::Invalid("enter the shared mailbox's password".into()).into());
    }
    crate::setup::check_and_keep(&session.store, account, password, open, wait).await
}
