use serde::Serialize;
use thiserror::Error;
use ts_rs::TS;

use crate::policy::PolicyError;

/// What went wrong, in words staff can act on. The source chain carries the detail for logs.
#[derive(Debug, Error)]
pub enum CoreError {
    #[error(transparent)]
    Vault(#[from] confide_vault::VaultError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("cannot create the data folder {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error(
        "cannot open the local store: the key in your keyring does not fit it. \
         Nothing was changed; ask your manager before you try anything else"
    )]
    WrongKey(#[source] sqlx::Error),
    #[error("cannot open the local store: {0}")]
    Open(#[source] sqlx::Error),
    #[error("cannot update the local store to this version of Confide: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot read or write the local store: {0}")]
    Db(#[from] sqlx::Error),
    #[error("you need to accept the confidentiality agreement before you can see any information")]
    AgreementRequired,
    #[error("Confide is not set up on this desktop yet")]
    NotSetUp,
    #[error(
        "a colleague has replied to this conversation since you opened it. Read their reply before you send yours"
    )]
    RepliedSinceOpened(i64),
    /// A rule of the helpline said no: what it was, typed, so callers and tests can tell a
    /// refusal from a failure without reading its words.
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("{0}")]
    Invalid(String),
}

/// Why a rule refused. Each says, in its message, what the person may do instead.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refusal {
    /// The person's role does not allow it (the role is in the words: "only a manager can ...").
    #[error("only {allowed} can {action}")]
    Role { allowed: String, action: String },
    /// It is on a service line this person does not work on.
    #[error("that is not one of your service lines")]
    NotYourLine,
    /// The helpline's policy (its preset) makes no provision for it.
    #[error("this helpline's policy {0}")]
    NotInPolicy(String),
    /// The team has a directory and this person is not in it (not yet added, or removed).
    #[error(
        "you are not in the team directory, so this desktop keeps no helpline mail yet: show your card to a \
         manager (the Team screen); once they add you, sync again"
    )]
    NotInTeam,
}

/// The few errors the UI acts on (e.g. by showing the agreement again); everything else is
/// shown as its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    KeyringUnavailable,
    AgreementRequired,
    NotSetUp,
    /// The UI shows the new reply and asks before sending anyway.
    RepliedSinceOpened,
    Invalid,
    /// The mail server cannot be reached (or the connection dropped): the UI says it is
    /// offline, keeps showing what is stored here, and tries again.
    Offline,
    /// A mailbox's sign-in at its provider is gone (refused, revoked): the UI offers to sign in
    /// again in the browser.
    SignInAgain,
    Other,
}

impl CoreError {
    pub fn code(&self) -> ErrorCode {
        use confide_vault::VaultError as V;
        match self {
            CoreError::Vault(V::KeyringUnavailable { .. } | V::KeyringLocked { .. } | V::KeyMissing { .. }) => {
                ErrorCode::KeyringUnavailable
            }
            CoreError::AgreementRequired => ErrorCode::AgreementRequired,
            CoreError::NotSetUp => ErrorCode::NotSetUp,
            CoreError::RepliedSinceOpened(_) => ErrorCode::RepliedSinceOpened,
            CoreError::Invalid(_) | CoreError::Refused(_) => ErrorCode::Invalid,
            _ => ErrorCode::Other,
        }
    }
}
