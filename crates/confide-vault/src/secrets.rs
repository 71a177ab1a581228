use std::collections::HashMap;
use std::sync::Mutex;

use crate::VaultError;

/// Where secrets are kept. The product only ever uses [`OsKeyring`]; [`MemorySecrets`] exists
/// for unit tests of code that needs a vault but is not testing the keyring itself.
pub trait SecretBackend: Send + Sync {
    fn get(&self, name: &str) -> Result<Option<String>, VaultError>;
    fn set(&self, name: &str, value: &str) -> Result<(), VaultError>;
    fn delete(&self, name: &str) -> Result<(), VaultError>;
}

/// The operating system's keyring through the `keyring` crate.
pub struct OsKeyring {
    service: String,
}

impl OsKeyring {
    pub fn new(service: impl Into<String>) -> Self {
        Self { service: service.into() }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, VaultError> {
        keyring::Entry::new(&self.service, name).map_err(map_keyring_error)
    }
}

fn map_keyring_error(e: keyring::Error) -> VaultError {
    match e {
        keyring::Error::NoStorageAccess(inner) => VaultError::KeyringLocked { source: inner },
        other => VaultError::KeyringUnavailable { source: Box::new(other) },
    }
}

/// One keyring call at a time from this process. gnome-keyring-daemon has been seen to drop
/// off the bus ("Message recipient disconnected") when several threads created items at once;
/// the calls are short, so serialising them costs nothing a person would notice.
static KEYRING_CALLS: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    KEYRING_CALLS.lock().unwrap_or_else(|e| e.into_inner())
}

impl SecretBackend for OsKeyring {
    fn get(&self, name: &str) -> Result<Option<String>, VaultError> {
        let _one = one_at_a_time();
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn set(&self, name: &str, value: &str) -> Result<(), VaultError> {
        let _one = one_at_a_time();
        self.entry(name)?.set_password(value).map_err(map_keyring_error)
    }

    fn delete(&self, name: &str) -> Result<(), VaultError> {
        let _one = one_at_a_time();
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }
}

/// In-memory secrets for unit tests only. Never wired into the app or the CLI.
#[derive(Default)]
pub struct MemorySecrets {
    map: Mutex<HashMap<String, String>>,
    unavailable: bool,
}

impl MemorySecrets {
    /// A backend that behaves like a keyring with no service behind it.
    pub fn unavailable() -> Self {
        Self { map: Mutex::default(), unavailable: true }
    }

    fn check(&self) -> Result<(), VaultError> {
        if self.unavailable {
            return Err(VaultError::KeyringUnavailable { source: "no secret service".into() });
        }
        Ok(())
    }
}

impl SecretBackend for MemorySecrets {
    fn get(&self, name: &str) -> Result<Option<String>, VaultError> {
        self.check()?;
        Ok(self.map.lock().expect("poisoned").get(name).cloned())
    }
    fn set(&self, name: &str, value: &str) -> Result<(), VaultError> {
        self.check()?;
        self.map.lock().expect("poisoned").insert(name.to_owned(), value.to_owned());
        Ok(())
    }
    fn delete(&self, name: &str) -> Result<(), VaultError> {
        self.check()?;
        self.map.lock().expect("poisoned").remove(name);
        Ok(())
    }
}
