use std::sync::Arc;

use age::secrecy::ExposeSecret;
use rand::RngCore;
use zeroize::{Zeroize, Zeroizing};

use crate::{SecretBackend, VaultError};

/// Whether a missing key may be made. A store that already exists must find its key: making a
/// new one would silently turn the old store into noise, so that case is an error instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPolicy {
    CreateIfMissing,
    MustExist,
}

/// The keys of one Confide profile (one staff member on one desktop), held in the keyring
/// under names prefixed by the profile so that two stores never share a key by accident.
#[derive(Clone)]
pub struct Vault {
    backend: Arc<dyn SecretBackend>,
    profile: String,
}

impl Vault {
    pub fn new(backend: Arc<dyn SecretBackend>, profile: impl Into<String>) -> Self {
        Self { backend, profile: profile.into() }
    }

    fn name(&self, what: &str) -> String {
        format!("{}/{}", self.profile, what)
    }

    /// The profile the vault's keys are kept under (one store's).
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// Asks the keyring something harmless, so that an unreachable or locked keyring is found
    /// before anything is written to disk.
    pub fn probe(&self) -> Result<(), VaultError> {
        self.backend.get(&self.name("probe")).map(|_| ())
    }

    pub fn staff_identity(&self, policy: KeyPolicy) -> Result<StaffIdentity, VaultError> {
        const WHAT: &str = "staff encryption identity";
        let name = self.name("age-identity");
        if let Some(text) = self.backend.get(&name)? {
            let text = Zeroizing::new(text);
            let inner =
                text.trim().parse::<age::x25519::Identity>().map_err(|_| VaultError::KeyDamaged { what: WHAT })?;
            return Ok(StaffIdentity { inner });
        }
        if policy == KeyPolicy::MustExist {
            return Err(VaultError::KeyMissing { what: WHAT });
        }
        let inner = age::x25519::Identity::generate();
        self.backend.set(&name, inner.to_string().expose_secret())?;
        Ok(StaffIdentity { inner })
    }

    pub fn database_key(&self, policy: KeyPolicy) -> Result<DbKey, VaultError> {
        const WHAT: &str = "database key";
        let name = self.name("db-key");
        if let Some(text) = self.backend.get(&name)? {
            let text = Zeroizing::new(text);
            let mut bytes = [0u8; 32];
            hex::decode_to_slice(text.trim(), &mut bytes).map_err(|_| VaultError::KeyDamaged { what: WHAT })?;
            return Ok(DbKey(bytes));
        }
        if policy == KeyPolicy::MustExist {
            return Err(VaultError::KeyMissing { what: WHAT });
        }
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let text = Zeroizing::new(hex::encode(bytes));
        self.backend.set(&name, &text)?;
        Ok(DbKey(bytes))
    }

    /// The staff member's ed25519 signing key (for the audit log and, later, the team
    /// directory). Made when missing: a store from before signing keys has none, and a key
    /// lost from the keyring shows up as entries `confide audit verify` cannot attribute.
    pub fn signing_key(&self) -> Result<SigningKey, VaultError> {
        const WHAT: &str = "staff signing key";
        let name = self.name("signing-key");
        if let Some(text) = self.backend.get(&name)? {
            let text = Zeroizing::new(text);
            let mut bytes = Zeroizing::new([0u8; 32]);
            hex::decode_to_slice(text.trim(), &mut bytes[..]).map_err(|_| VaultError::KeyDamaged { what: WHAT })?;
            return Ok(SigningKey(ed25519_dalek::SigningKey::from_bytes(&bytes)));
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(&mut bytes[..]);
        self.backend.set(&name, &Zeroizing::new(hex::encode(&bytes[..])))?;
        Ok(SigningKey(ed25519_dalek::SigningKey::from_bytes(&bytes)))
    }

    /// The audit log's head ("sequence:hash") as last written: kept outside the database, so
    /// cutting entries off the end of the log is found.
    pub fn audit_head(&self) -> Result<Option<String>, VaultError> {
        self.backend.get(&self.name("audit-head"))
    }

    pub fn set_audit_head(&self, head: &str) -> Result<(), VaultError> {
        self.backend.set(&self.name("audit-head"), head)
    }

    /// The password of a mail account, if one was stored.
    /// The account's secret: its password, or for an OAuth account its refresh token.
    pub fn account_password(&self, account_id: &str) -> Result<Option<Zeroizing<String>>, VaultError> {
        Ok(self.backend.get(&self.name(&format!("account/{account_id}")))?.map(Zeroizing::new))
    }

    pub fn set_account_password(&self, account_id: &str, password: &str) -> Result<(), VaultError> {
        self.backend.set(&self.name(&format!("account/{account_id}")), password)
    }

    pub fn delete_account_password(&self, account_id: &str) -> Result<(), VaultError> {
        self.backend.delete(&self.name(&format!("account/{account_id}")))
    }
}

/// A staff member's age identity (X25519). Its public half is what colleagues encrypt to.
pub struct StaffIdentity {
    inner: age::x25519::Identity,
}

impl StaffIdentity {
    pub fn recipient(&self) -> age::x25519::Recipient {
        self.inner.to_public()
    }

    pub fn age_identity(&self) -> &age::x25519::Identity {
        &self.inner
    }

    /// A short fingerprint of the public key for people to compare aloud.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.recipient().to_string().as_bytes());
        hex::encode(&digest[..8])
    }
}

/// A staff member's ed25519 signing key (zeroed when dropped, by ed25519-dalek).
pub struct SigningKey(ed25519_dalek::SigningKey);

impl SigningKey {
    /// The public key, hex: how an audit entry names its author.
    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_bytes())
    }

    pub fn sign(&self, message: &[u8]) -> String {
        use ed25519_dalek::Signer;
        hex::encode(self.0.sign(message).to_bytes())
    }
}

/// Checks a hex signature by a hex public key over `message`.
pub fn verify_signature(public_hex: &str, message: &[u8], signature_hex: &str) -> bool {
    let (mut key, mut sig) = ([0u8; 32], [0u8; 64]);
    if hex::decode_to_slice(public_hex, &mut key).is_err() || hex::decode_to_slice(signature_hex, &mut sig).is_err() {
        return false;
    }
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&key) else { return false };
    key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&sig)).is_ok()
}

/// The SQLCipher key of the local store. Zeroed when dropped.
pub struct DbKey([u8; 32]);

impl DbKey {
    /// The value for `PRAGMA key`, in SQLCipher's raw-key form, so no key derivation runs on
    /// every connection (the key is already 256 random bits).
    pub fn sqlcipher_pragma_value(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("\"x'{}'\"", hex::encode(self.0)))
    }
}

impl Drop for DbKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemorySecrets;

    #[test]
    fn identity_is_created_once_and_then_reused() {
        let vault = Vault::new(Arc::new(MemorySecrets::default()), "p");
        let a = vault.staff_identity(KeyPolicy::CreateIfMissing).unwrap();
        let b = vault.staff_identity(KeyPolicy::MustExist).unwrap();
        assert_eq!(a.recipient().to_string(), b.recipient().to_string());
    }

    #[test]
    fn a_missing_key_for_an_existing_store_is_an_error_not_a_new_key() {
        let vault = Vault::new(Arc::new(MemorySecrets::default()), "p");
        assert!(matches!(vault.database_key(KeyPolicy::MustExist), Err(VaultError::KeyMissing { .. })));
    }

    #[test]
    fn profiles_do_not_share_keys() {
        let backend: Arc<dyn SecretBackend> = Arc::new(MemorySecrets::default());
        let a = Vault::new(backend.clone(), "a").staff_identity(KeyPolicy::CreateIfMissing).unwrap();
        let b = Vault::new(backend, "b").staff_identity(KeyPolicy::CreateIfMissing).unwrap();
        assert_ne!(a.recipient().to_string(), b.recipient().to_string());
    }

    #[test]
    fn an_unavailable_keyring_is_reported_by_probe() {
        let vault = Vault::new(Arc::new(MemorySecrets::unavailable()), "p");
        assert!(matches!(vault.probe(), Err(VaultError::KeyringUnavailable { .. })));
    }
}
