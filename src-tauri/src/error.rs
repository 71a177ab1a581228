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
                ApiError { code: confide_core::ErrorCode::Other, message: other.to_string() }
            }
        }
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
