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

/// A call the keyring's service dropped (its daemon died mid-call: "Message recipient
/// disconnected from message bus without replying") is made again, a few times, half a second
/// apart: a desktop restarts its keyring, as the test keyring's watchdog does. Every call here
/// may be repeated safely (a set writes the same value again). A locked or missing entry is an
/// answer, not a failure, and is never retried; nor does anything fall back to another store.
fn retried<T>(pause: std::time::Duration, mut call: impl FnMut() -> keyring::Result<T>) -> keyring::Result<T> {
    const TRIES: u32 = 5;
    let mut tried = 1;
    loop {
        match call() {
            Err(keyring::Error::PlatformFailure(_)) if tried < TRIES => {
                tried += 1;
                std::thread::sleep(pause);
            }
            other => return other,
        }
    }
}

const PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

impl SecretBackend for OsKeyring {
    fn get(&self, name: &str) -> Result<Option<String>, VaultError> {
        let _one = one_at_a_time();
        let entry = self.entry(name)?;
        match retried(PAUSE, || entry.get_password()) {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn set(&self, name: &str, value: &str) -> Result<(), VaultError> {
        let _one = one_at_a_time();
        let entry = self.entry(name)?;
        retried(PAUSE, || entry.set_password(value)).map_err(map_keyring_error)
    }

    fn delete(&self, name: &str) -> Result<(), VaultError> {
        let _one = one_at_a_time();
        let entry = self.entry(name)?;
        match retried(PAUSE, || entry.delete_credential()) {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }
}

#[cfg(test)]
mod retry_tests {
    use super::*;

    fn dropped() -> keyring::Error {
        keyring::Error::PlatformFailure("Message recipient disconnected from message bus without replying".into())
    }

    #[test]
    fn a_dropped_call_is_made_again_until_the_keyring_answers() {
        let mut calls = 0;
        let got = retried(std::time::Duration::ZERO, || {
            calls += 1;
            if calls < 3 {
                Err(dropped())
            } else {
                Ok("key")
            }
        });
        assert_eq!((got.unwrap(), calls), ("key", 3));
    }

    #[test]
    fn a_keyring_that_stays_away_fails_after_five_tries() {
        let mut calls = 0;
        let got: keyring::Result<()> = retried(std::time::Duration::ZERO, || {
            calls += 1;
            Err(dropped())
        });
        assert!(matches!(got, Err(keyring::Error::PlatformFailure(_))));
        assert_eq!(calls, 5);
    }

    #[test]
    fn an_answer_is_not_retried() {
        let mut calls = 0;
        let got: keyring::Result<()> = retried(std::time::Duration::ZERO, || {
            calls += 1;
            Err(keyring::Error::NoEntry)
        });
        assert!(matches!(got, Err(keyring::Error::NoEntry)));
        assert_eq!(calls, 1);
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
