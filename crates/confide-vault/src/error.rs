use thiserror::Error;

/// Errors the vault reports. The messages are shown to staff, so they say what happened and
/// what to do in plain words; the source keeps the technical detail for the log.
#[derive(Debug, Error)]
pub enum VaultError {
    #[error(
        "cannot reach the system keyring, so Confide will not open its store. \
         Unlock your keyring (or start the Secret Service) and try again"
    )]
    KeyringUnavailable {
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("cannot use the system keyring because it is locked. Unlock it and try again")]
    KeyringLocked {
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(
        "cannot find the key for this store ({what}) in the system keyring. The store was made \
         with a keyring this session cannot see; Confide will not replace the key, because that \
         would make the existing store unreadable"
    )]
    KeyMissing { what: &'static str },
    #[error("cannot read the {what} held in the keyring: it is damaged")]
    KeyDamaged { what: &'static str },
    #[error("cannot encrypt: {0}")]
    Encrypt(String),
    #[error("cannot open this record: it is encrypted for other staff, and your key is not one of theirs")]
    NotForYou,
    #[error("cannot decrypt this item with your key; it may be meant for other staff")]
    Decrypt(#[source] Box<dyn std::error::Error + Send + Sync>),
}
