use std::io::{Read, Write};

use crate::{StaffIdentity, VaultError};

pub use age::x25519::Recipient;

/// Encrypts `plaintext` to every recipient given. At least one is required: encrypting to
/// nobody would be a silent way to lose data.
pub fn seal(plaintext: &[u8], recipients: &[Recipient]) -> Result<Vec<u8>, VaultError> {
    if recipients.is_empty() {
        return Err(VaultError::Encrypt("no recipients were given".into()));
    }
    let encryptor = age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
        .map_err(|e| VaultError::Encrypt(e.to_string()))?;
    let mut out = Vec::with_capacity(plaintext.len() + 200 + 100 * recipients.len());
    let mut writer = encryptor.wrap_output(&mut out).map_err(|e| VaultError::Encrypt(e.to_string()))?;
    writer.write_all(plaintext).map_err(|e| VaultError::Encrypt(e.to_string()))?;
    writer.finish().map_err(|e| VaultError::Encrypt(e.to_string()))?;
    Ok(out)
}

/// Where an age ciphertext's header ends: the header holds the file key wrapped to each
/// recipient, the rest is the payload sealed with it. Kept apart and destroyed, the header
/// takes the payload's only key with it (crypto-shredding), so the bulky payload can be freed
/// without overwriting. `None` when this is not age's binary format.
pub fn header_len(sealed: &[u8]) -> Option<usize> {
    // The header is text: stanzas ("-> ..." and base64 bodies, which have no '-') and a final
    // "--- <mac>" line; the payload follows its newline.
    let mac = sealed.windows(5).position(|w| w == b"\n--- ")?;
    let end = sealed[mac + 1..].iter().position(|&b| b == b'\n')?;
    Some(mac + 1 + end + 1)
}

/// Decrypts an age ciphertext with one staff identity.
pub fn open(ciphertext: &[u8], identity: &StaffIdentity) -> Result<Vec<u8>, VaultError> {
    let decryptor = age::Decryptor::new(ciphertext).map_err(|e| VaultError::Decrypt(Box::new(e)))?;
    let mut reader =
        decryptor.decrypt(std::iter::once(identity.age_identity() as &dyn age::Identity)).map_err(|e| match e {
            // Told apart from damage: a record for other staff is the key separation working.
            age::DecryptError::NoMatchingKeys => VaultError::NotForYou,
            e => VaultError::Decrypt(Box::new(e)),
        })?;
    let mut out = Vec::with_capacity(ciphertext.len());
    reader.read_to_end(&mut out).map_err(|e| VaultError::Decrypt(Box::new(e)))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{KeyPolicy, MemorySecrets, Vault};

    fn identity(profile: &str) -> StaffIdentity {
        Vault::new(Arc::new(MemorySecrets::default()), profile).staff_identity(KeyPolicy::CreateIfMissing).unwrap()
    }

    #[test]
    fn round_trip_and_only_recipients_can_open() {
        let (alice, bob) = (identity("a"), identity("b"));
        let ct = seal(b"canary-7f3a", &[alice.recipient()]).unwrap();
        assert!(!ct.windows(11).any(|w| w == b"canary-7f3a"));
        assert_eq!(open(&ct, &alice).unwrap(), b"canary-7f3a");
        assert!(matches!(open(&ct, &bob), Err(VaultError::NotForYou)));
        let mut damaged = ct.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert!(matches!(open(&damaged, &alice), Err(VaultError::Decrypt(_))));
    }

    #[test]
    fn the_payload_without_its_header_opens_for_no_one() {
        let alice = identity("a");
        let ct = seal(b"shred-me", &[alice.recipient(), identity("b").recipient()]).unwrap();
        let n = header_len(&ct).unwrap();
        assert!(ct[..n].starts_with(b"age-encryption.org/v1\n") && ct[..n].ends_with(b"\n"));
        let (header, payload) = ct.split_at(n);
        assert_eq!(open(&[header, payload].concat(), &alice).unwrap(), b"shred-me");
        assert!(open(payload, &alice).is_err(), "the payload alone is not decryptable");
        assert_eq!(header_len(b"not age"), None);
    }

    #[test]
    fn sealing_to_nobody_is_refused() {
        assert!(seal(b"x", &[]).is_err());
    }
}
