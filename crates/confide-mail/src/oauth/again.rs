//! The life of a stored sign-in after the first: signing an account in again in the browser
//! (once the provider refused its refresh token, Confide removed it, and nothing works until
//! the person signs in), and signing an account out (the refresh token removed from the
//! keyring at once, then revoked at the provider if it can be reached).

use std::time::Duration;

use confide_core::accounts::{self, Account, SignIn};
use confide_core::{CoreError, Store};
use zeroize::Zeroizing;

use super::{agent, discover, BrowserSignIn, TokenSource};
use crate::connect::{imap_login, Secret};
use crate::MailError;

/// How long a browser sign-in may take: time to type a password and approve a second factor.
pub const BROWSER_WAIT: Duration = Duration::from_secs(10 * 60);

fn oauth_settings(account: &Account) -> Result<&confide_core::accounts::OAuthSettings, MailError> {
    match &account.sign_in {
        SignIn::OAuth(settings) => Ok(settings),
        SignIn::Password => Err(CoreError::Invalid(format!(
            "the mailbox {} signs in with a password, not with a provider",
            account.address
        ))
        .into()),
    }
}

/// The accounts that sign in with a provider and have no sign-in kept on this desktop: what
/// "Sign in again" signs in.
pub async fn waiting(store: &Store) -> Result<Vec<Account>, MailError> {
    let mut out = vec![];
    for account in accounts::list(store).await? {
        if matches!(account.sign_in, SignIn::OAuth(_))
            && store.vault().account_password(&account.id).map_err(CoreError::from)?.is_none()
        {
            out.push(account);
        }
    }
    Ok(out)
}

/// Signs `account` in in the browser (blocking): `open` is given the provider's page to show,
/// and this waits up to `wait` for the answer; then the mail server must accept the new
/// sign-in. Returns the refresh token, for the caller to keep; nothing is kept here.
pub fn sign_in_checked(
    account: &Account,
    vault: &confide_vault::Vault,
    open: &dyn Fn(&str),
    wait: Duration,
) -> Result<Zeroizing<String>, MailError> {
    let settings = oauth_settings(account)?;
    let sign_in = BrowserSignIn::start(settings)?;
    open(sign_in.url());
    let tokens = sign_in.finish(wait)?;
    let source = TokenSource::of(vault, account, settings);
    source.prime(tokens.access.clone(), tokens.expires_in);
    match imap_login(account, &Secret::OAuth(source.clone())) {
        Ok(mut s) => {
            let _ = s.logout();
            Ok(tokens.refresh)
        }
        Err(e) => {
            source.forget();
            Err(e)
        }
    }
}

/// Signs `account` in again (see [`sign_in_checked`]) and keeps the new sign-in.
pub fn sign_in_again(store: &Store, account: &Account, open: &dyn Fn(&str), wait: Duration) -> Result<(), MailError> {
    let refresh = sign_in_checked(account, store.vault(), open, wait)?;
    store.vault().set_account_password(&account.id, &refresh).map_err(CoreError::from)?;
    Ok(())
}

/// Signs `account` out (blocking): its refresh token leaves the keyring first, so nothing is
/// left here even when the provider cannot be reached; then the provider is asked to revoke it
/// (RFC 7009). Returns `None` once revoked, or why it was not: the sign-in is gone from this
/// desktop either way.
pub fn sign_out(store: &Store, account: &Account) -> Result<Option<String>, MailError> {
    let settings = oauth_settings(account)?;
    let Some(refresh) = store.vault().account_password(&account.id).map_err(CoreError::from)? else {
        return Ok(Some("this desktop held no sign-in for it".into()));
    };
    store.vault().delete_account_password(&account.id).map_err(CoreError::from)?;
    TokenSource::of(store.vault(), account, settings).forget();
    let url = match discover(&settings.issuer) {
        Ok(found) => match found.revocation_endpoint {
            Some(url) => url,
            None => return Ok(Some("the provider offers no way to revoke a sign-in".into())),
        },
        Err(e) => return Ok(Some(e.to_string())),
    };
    // A direct POST: the `oauth2` crate refuses a revocation endpoint that is not HTTPS, and a
    // helpline's own provider on a loopback or lab address is not.
    let sent = agent().post(&url).send_form(&[
        ("token", refresh.as_str()),
        ("token_type_hint", "refresh_token"),
        ("client_id", settings.client_id.as_str()),
    ]);
    Ok(match sent {
        Ok(_) => None,
        Err(ureq::Error::Status(code, _)) => Some(format!("the provider answered {code}")),
        Err(e) => Some(format!("the provider could not be reached: {e}")),
    })
}

/// Opens `url` in the person's browser: `$BROWSER` if set, else the desktop's default
/// (`xdg-open`; a Windows or macOS build would use `start` or `open`). Returns false when none
/// could be started, so the caller shows the address instead.
pub fn open_in_browser(url: &str) -> bool {
    let program = std::env::var("BROWSER").ok().filter(|b| !b.trim().is_empty()).unwrap_or_else(|| "xdg-open".into());
    std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}
