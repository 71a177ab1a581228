use thiserror::Error;

/// Mail errors, worded for an advisor; the source carries the detail for the log.
#[derive(Debug, Error)]
pub enum MailError {
    #[error("cannot connect to the mail server {server}: {source}")]
    Connect { server: String, source: std::io::Error },
    #[error(
        "the mail server {server} does not offer an encrypted connection (STARTTLS), so Confide \
         will not send your password or any mail to it. Ask whoever runs it to turn on TLS"
    )]
    NoTls { server: String },
    #[error("cannot set up an encrypted connection to {server}: {message}")]
    Tls { server: String, message: String },
    #[error("the mail server {server} did not accept the login for {user}: check the password")]
    Login { server: String, user: String },
    #[error("the connection to the mail server was lost ({0}); nothing was lost, and the next sync carries on where this one stopped")]
    Protocol(#[source] imap::Error),
    #[error("there is no password for the mail account \"{0}\" in the keyring")]
    NoPassword(String),
    #[error(transparent)]
    Core(#[from] confide_core::CoreError),
    #[error("the mail worker stopped unexpectedly")]
    Worker,
    /// A personal mailbox is only ever looked at by the sent-folder guard and retention, for
    /// copies of the helpline's replies: its mail never enters the helpline inbox.
    #[error(
        "\"{0}\" is a personal mailbox: Confide never brings personal mail into the helpline inbox \
         (the sent-folder guard looks there only for copies of the helpline's replies)"
    )]
    PersonalAccount(String),
    /// The provider refused the stored sign-in (revoked, password changed, conditional access),
    /// or there is none: nothing more is tried until the person signs in again.
    #[error("Sign in to {provider} again: the sign-in this desktop had is no longer accepted (it may have been revoked, or the password changed)")]
    SignInAgain { provider: String },
    #[error("{provider} did not allow the sign-in: {detail}")]
    SignInRefused { provider: String, detail: String },
    #[error("cannot reach the sign-in service {provider}: {detail}")]
    SignInService { provider: String, detail: String },
    /// The provider answered, but does not know the helpline's organisation there: a wrong
    /// tenant, or a wrong address for the sign-in service.
    #[error(
        "{provider} does not know the helpline's organisation at {issuer} (it answered {status}): check the tenant \
         or the sign-in service's address with whoever runs the helpline's IT"
    )]
    SignInUnknown { provider: String, issuer: String, status: u16 },
    /// The person stopped a browser sign-in (closed the browser, changed their mind).
    #[error("the sign-in was stopped before it finished, and nothing was kept: start it again when you are ready")]
    SignInStopped,
    /// The server will not take a password (`LOGINDISABLED`, or no password mechanism), so
    /// none is sent.
    #[error(
        "the mail server {server} does not accept passwords, so Confide did not send one: this account must sign in \
         with the helpline's provider (Microsoft 365, Google or another)"
    )]
    PasswordsRefused { server: String },
    #[error("the mail server {server} offers no way to sign in with a token (XOAUTH2 or OAUTHBEARER)")]
    NoTokenMechanism { server: String },
    #[error("the mail server {server} did not accept the sign-in token for {user}")]
    TokenRefused { server: String, user: String },
}

impl From<imap::Error> for MailError {
    fn from(e: imap::Error) -> Self {
        MailError::Protocol(e)
    }
}

impl MailError {
    /// What went wrong in words that name no server, mailbox or address: for reports that are
    /// kept or logged (the full message, shown to the person at the screen, may name them).
    pub fn kind(&self) -> &'static str {
        match self {
            MailError::Connect { .. } => "the mail server could not be reached",
            MailError::NoTls { .. } | MailError::Tls { .. } => "no secure connection could be made to the mail server",
            MailError::Login { .. } => "the mail server did not accept the login",
            MailError::Protocol(_) => "the connection to the mail server was lost",
            MailError::NoPassword(_) => "a mailbox password is missing from the keyring",
            MailError::Core(_) => "the local store could not be read or written",
            MailError::Worker => "the mail worker stopped unexpectedly",
            MailError::PersonalAccount(_) => "a personal mailbox was asked to sync into the helpline inbox",
            MailError::SignInAgain { .. } => "the sign-in is no longer accepted: sign in again",
            MailError::SignInRefused { .. } => "the sign-in was not allowed",
            MailError::SignInService { .. } => "the sign-in service could not be reached",
            MailError::SignInUnknown { .. } => "the sign-in service does not know the helpline's organisation",
            MailError::SignInStopped => "the sign-in was stopped",
            MailError::PasswordsRefused { .. } => "the mail server does not accept passwords",
            MailError::NoTokenMechanism { .. } => "the mail server offers no token sign-in",
            MailError::TokenRefused { .. } => "the mail server did not accept the sign-in token",
        }
    }
}
