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
    let tls = tls_parameters(account)?;
    let mode = match account.smtp_security {
        Security::Tls => Tls::Wrapper(tls),
        Security::Starttls => Tls::Required(tls),
    };
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
    let send = |credentials: Credentials, mechanisms: Vec<Mechanism>| {
        SmtpTransport::builder_dangerous(account.smtp_host.clone())
            .port(account.smtp_port)
            .tls(mode.clone())
            .credentials(credentials)
            .authentication(mechanisms)
            .timeout(Some(Duration::from_secs(60)))
            .build()
            .send_raw(&envelope, raw)
            .map(|_| ())
    };
    // A password by PLAIN or LOGIN; a token by XOAUTH2, the one lettre speaks (Microsoft 365
    // and Google both take it for submission).
    let source = match password {
        Secret::Password(p) => {
            let credentials = Credentials::new(account.username.clone(), p.to_string());
            return send(credentials, vec![Mechanism::Plain, Mechanism::Login]).map_err(smtp_error);
        }
        Secret::OAuth(source) => source,
    };
    let with_token = || -> Result<Result<(), lettre::transport::smtp::Error>, SendError> {
        let token = source.bearer().map_err(|e| SendError::TryAgain(e.to_string()))?;
        Ok(send(Credentials::new(account.username.clone(), token.to_string()), vec![Mechanism::Xoauth2]))
    };
    match with_token()? {
        // A token refused before its time (expired early, revoked alone) is a failed sign-in,
        // not a refused reply: one new token, at once, as IMAP does (`connect::sign_in`).
        Err(e) if token_refused(&e) => {
            source.forget();
            with_token()?.map_err(|e| match token_refused(&e) {
                true => {
                    source.forget();
                    SendError::TryAgain(format!("the mail server did not accept the sign-in token ({e})"))
                }
                false => smtp_error(e),
            })
        }
        sent => sent.map_err(smtp_error),
    }
}

/// TLS to the submission server, trusting the account's CA file where it names one.
fn tls_parameters(account: &Account) -> Result<TlsParameters, SendError> {
    let unsendable = SendError::Unsendable;
    let mut tls = TlsParameters::builder(account.smtp_host.clone());
    if let Some(ca) = &account.ca_file {
        let pem = std::fs::read(ca).map_err(|e| unsendable(format!("cannot read the mail server's CA file: {e}")))?;
        let ca = Certificate::from_pem(&pem).map_err(|e| unsendable(format!("the CA file is not usable: {e}")))?;
        tls = tls.add_root_certificate(ca);
    }
    tls.build_rustls().map_err(|e| unsendable(format!("cannot set up TLS for sending: {e}")))
}

/// The largest message the submission server takes, as its EHLO's `SIZE` says (RFC 1870):
/// `None` where it names none. Asked before a reply with attachments is queued, so a
/// too-large one is refused in words before it is sent, not bounced after. No sign-in needed.
pub fn size_limit(account: &Account) -> Result<Option<u64>, SendError> {
    use lettre::transport::smtp::client::SmtpConnection;
    use lettre::transport::smtp::commands::Ehlo;
    use lettre::transport::smtp::extension::ClientId;
    let tls = tls_parameters(account)?;
    let hello = ClientId::default();
    let server = (account.smtp_host.as_str(), account.smtp_port);
    let timeout = Some(Duration::from_secs(20));
    let wrapped = matches!(account.smtp_security, Security::Tls);
    let mut conn = SmtpConnection::connect(server, timeout, &hello, wrapped.then_some(&tls), None)
        .map_err(|e| SendError::TryAgain(format!("the mail server could not be asked its size limit ({e})")))?;
    if !wrapped {
        conn.starttls(&tls, &hello).map_err(|e| SendError::TryAgain(format!("cannot secure the connection ({e})")))?;
    }
    let response = conn.command(Ehlo::new(hello)).map_err(smtp_error)?;
    let limit = size_in(response.message());
    let _ = conn.quit();
    Ok(limit)
}

/// The `SIZE` an EHLO answer's lines give; 0 (or none given) means no stated limit.
fn size_in<'a>(mut lines: impl Iterator<Item = &'a str>) -> Option<u64> {
    lines.find_map(|l| {
        let mut words = l.split_ascii_whitespace();
        words.next().filter(|w| w.eq_ignore_ascii_case("SIZE"))?;
        words.next()?.parse().ok().filter(|n| *n > 0)
    })
}

/// Whether the server turned the sign-in away, as opposed to the reply: 535 (credentials
/// invalid) or 530 (sign-in needed), as Exchange answers; or, as Dovecot's SASL and Gmail do,
/// XOAUTH2's error challenge (RFC-less but documented by Google: a 334 carrying the error),
/// which lettre reports as a challenge the mechanism does not expect.
fn token_refused(e: &lettre::transport::smtp::Error) -> bool {
    e.status().is_some_and(|code| matches!(code.to_string().as_str(), "535" | "530"))
        || (e.is_client() && e.to_string().contains("does not expect a challenge"))
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

/// How long to wait for the copy a server files by itself (Exchange Online, for mail submitted
/// over SMTP AUTH) before filing one.
const OWN_COPY_WAIT: Duration = Duration::from_secs(10);

/// Whether the submission server files a copy in the signed-in mailbox's Sent Items itself:
/// Exchange Online does.
fn files_its_own_copy(account: &Account) -> bool {
    let host = account.smtp_host.to_ascii_lowercase();
    host.ends_with(".office365.com") || host.ends_with(".outlook.com")
}

/// APPENDs the sent copy, marked read, to the shared mailbox's Sent folder (found by
/// SPECIAL-USE, else by name). Never to anyone's personal mailbox. Who wrote it is a sealed
/// state entry (`triage_state::record_authored`), not a keyword anyone could read. A copy
/// with the reply's Message-ID already there (Exchange Online's own, or one a run that was cut
/// off had filed) is the copy: the folder never holds the reply twice.
pub fn file_in_sent(account: &Account, password: &Secret, raw: &[u8]) -> Result<String, MailError> {
    let mut session = imap_login(account, password)?;
    let names = session.list(Some(""), Some("*"))?;
    let listed: Vec<Folder> = names.iter().map(|n| Folder::from_listed(n, &account.folder_names)).collect();
    drop(names);
    let folder = folders::find(&listed, Role::Sent).map_or_else(|| "Sent".to_owned(), |f| f.name.clone());
    let query = crate::mime::summarize(raw)
        .headers
        .message_id
        .and_then(|id| crate::imap_quote::quoted(&format!("<{id}>")).ok())
        .map(|id| format!("HEADER Message-ID {id}"));
    if let Some(query) = &query {
        let deadline =
            std::time::Instant::now() + if files_its_own_copy(account) { OWN_COPY_WAIT } else { Duration::ZERO };
        loop {
            session.examine(&folder)?;
            if !session.uid_search(query)?.is_empty() {
                let _ = session.logout();
                return Ok(folder);
            }
            if std::time::Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    let mut cmd = session.append(&folder, raw);
    cmd.flag(imap::types::Flag::Seen);
    cmd.finish()?;
    let _ = session.logout();
    Ok(folder)
}

#[cfg(test)]
mod tests {
    #[test]
    fn issue24_the_size_limit_is_read_from_ehlo_and_none_when_unstated() {
        let lines = ["lab.test", "PIPELINING", "SIZE 10240000", "8BITMIME"];
        assert_eq!(super::size_in(lines.into_iter()), Some(10_240_000));
        assert_eq!(super::size_in(["x", "SIZE"].into_iter()), None);
        assert_eq!(super::size_in(["x", "size 0"].into_iter()), None);
        assert_eq!(super::size_in(["x", "AUTH PLAIN"].into_iter()), None);
    }
}
