//! SMTP submission as the shared mailbox, and filing the sent copy in the shared mailbox's
//! Sent folder. Blocking; callers run these on a worker thread.

use std::time::Duration;

use confide_core::accounts::{Account, Security};
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, SmtpTransport, Transport};

use crate::connect::{imap_login, Secret};
use crate::folders::{self, Folder, Role};
use crate::MailError;

/// Why a reply did not go, by what trying again can do about it.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The server refused this reply for good (an address it will not deliver to, a message it
    /// rejects): sending it again as it is will not help.
    #[error("the mail server refused the reply: {0}")]
    Refused(String),
    /// The server was busy, could not be reached, or the sign-in failed: it may go later.
    #[error("the reply could not be sent just now and can be tried again: {0}")]
    TryAgain(String),
    /// The reply or this desktop's settings are not sendable (no valid recipient, an unusable
    /// CA file): nothing was sent, and the cause must be put right first.
    #[error("{0}")]
    Unsendable(String),
}

impl SendError {
    /// Whether sending the same reply again can succeed without anything else changing.
    pub fn retry_may_help(&self) -> bool {
        matches!(self, SendError::TryAgain(_))
    }
}

/// Sends raw RFC 5322 bytes through the account's submission server, TLS required.
pub fn smtp_send(
    account: &Account,
    password: &Secret,
    envelope_from: &str,
    envelope_to: &[String],
    raw: &[u8],
) -> Result<(), SendError> {
    let unsendable = SendError::Unsendable;
    let mut tls = TlsParameters::builder(account.smtp_host.clone());
    if let Some(ca) = &account.ca_file {
        let pem = std::fs::read(ca).map_err(|e| unsendable(format!("cannot read the mail server's CA file: {e}")))?;
        let ca = Certificate::from_pem(&pem).map_err(|e| unsendable(format!("the CA file is not usable: {e}")))?;
        tls = tls.add_root_certificate(ca);
    }
    let tls = tls.build_rustls().map_err(|e| unsendable(format!("cannot set up TLS for sending: {e}")))?;
    let mode = match account.smtp_security {
        Security::Tls => Tls::Wrapper(tls),
        Security::Starttls => Tls::Required(tls),
    };
    // A password by PLAIN or LOGIN; a token by XOAUTH2, the one lettre speaks (Microsoft 365
    // and Google both take it for submission).
    let (credentials, mechanisms) = match password {
        Secret::Password(p) => {
            (Credentials::new(account.username.clone(), p.to_string()), vec![Mechanism::Plain, Mechanism::Login])
        }
        Secret::OAuth(source) => {
            let token = source.bearer().map_err(|e| SendError::TryAgain(e.to_string()))?;
            (Credentials::new(account.username.clone(), token.to_string()), vec![Mechanism::Xoauth2])
        }
    };
    let transport = SmtpTransport::builder_dangerous(account.smtp_host.clone())
        .port(account.smtp_port)
        .tls(mode)
        .credentials(credentials)
        .authentication(mechanisms)
        .timeout(Some(Duration::from_secs(60)))
        .build();
    let from: Address = envelope_from
        .parse()
        .map_err(|_| unsendable("the shared mailbox's address is not one the mail server accepts".to_owned()))?;
    let to = envelope_to
        .iter()
        .map(|a| {
            a.parse::<Address>()
                .map_err(|_| unsendable("the address to reply to is not a valid email address".to_owned()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let envelope = Envelope::new(Some(from), to).map_err(|e| unsendable(format!("the reply has no recipient: {e}")))?;
    transport.send_raw(&envelope, raw).map(|_| ()).map_err(smtp_error)
}

/// SMTP's own distinction: a 5xx answer is for good, a 4xx one (or no answer) for now.
fn smtp_error(e: lettre::transport::smtp::Error) -> SendError {
    if e.is_permanent() {
        SendError::Refused(e.to_string())
    } else if e.is_transient() {
        SendError::TryAgain(format!("the mail server asked for it later ({e})"))
    } else {
        SendError::TryAgain(format!("a connection or sign-in problem ({e})"))
    }
}

/// APPENDs the sent copy, marked read, to the shared mailbox's Sent folder (found by
/// SPECIAL-USE, else by name). Never to anyone's personal mailbox. Who wrote it is a sealed
/// state entry (`triage_state::record_authored`), not a keyword anyone could read.
pub fn file_in_sent(account: &Account, password: &Secret, raw: &[u8]) -> Result<String, MailError> {
    let mut session = imap_login(account, password)?;
    let names = session.list(Some(""), Some("*"))?;
    let listed: Vec<Folder> = names.iter().map(Folder::from_name).collect();
    drop(names);
    let folder = folders::find(&listed, Role::Sent).map_or_else(|| "Sent".to_owned(), |f| f.name.clone());
    let mut cmd = session.append(&folder, raw);
    cmd.flag(imap::types::Flag::Seen);
    cmd.finish()?;
    let _ = session.logout();
    Ok(folder)
}
