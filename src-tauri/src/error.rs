use confide_core::{CoreError, ErrorCode};
use serde::Serialize;
use ts_rs::TS;

/// What the UI receives when a command fails: a code it may act on and a message to show.
/// The message is the top-level sentence only; the technical chain goes to the log.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        tracing::warn!(error = %error_chain(&e), "command failed");
        ApiError { code: e.code(), message: e.to_string() }
    }
}

impl From<confide_mail::MailError> for ApiError {
    fn from(e: confide_mail::MailError) -> Self {
        match e {
            confide_mail::MailError::Core(core) => core.into(),
            other => {
                tracing::warn!(error = %error_chain(&other), "mail command failed");
                ApiError { code: mail_code(&other), message: other.to_string() }
            }
        }
    }
}

/// The code the UI acts on: a server that cannot be reached, or a connection that dropped, is
/// "offline" (the window says so and tries again); anything else is shown as it is.
fn mail_code(e: &confide_mail::MailError) -> confide_core::ErrorCode {
    match e {
        confide_mail::MailError::Connect { .. } | confide_mail::MailError::Protocol(_) => {
            confide_core::ErrorCode::Offline
        }
        confide_mail::MailError::SignInAgain { .. } => confide_core::ErrorCode::SignInAgain,
        _ => confide_core::ErrorCode::Other,
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_server_is_offline_and_a_refused_login_is_not() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let down: ApiError =
            confide_mail::MailError::Connect { server: "imap.example.org".into(), source: refused }.into();
        assert_eq!(down.code, confide_core::ErrorCode::Offline);
        let login: ApiError =
            confide_mail::MailError::Login { server: "imap.example.org".into(), user: "a".into() }.into();
        assert_eq!(login.code, confide_core::ErrorCode::Other);
    }
}
