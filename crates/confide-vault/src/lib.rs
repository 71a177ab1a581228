//! The vault: who holds which key, and the age encryption every stored blob goes through.
//!
//! Keys live in the OS keyring (Secret Service, Keychain, Credential Manager) and nowhere
//! else. When the keyring cannot be reached the vault says so and stops: there is no file
//! fallback, because a key beside the data it protects protects nothing.
#![forbid(unsafe_code)]

mod error;
mod keys;
mod seal;
mod secrets;

pub use error::VaultError;
pub use keys::{verify_signature, DbKey, KeyPolicy, SigningKey, StaffIdentity, Vault};
pub use seal::{header_len, open, seal, Recipient};
pub use secrets::{MemorySecrets, OsKeyring, SecretBackend};
