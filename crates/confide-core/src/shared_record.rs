//! Shared records: what the team keeps on the server besides email (letters, transcripts,
//! disclosure reports, QA reviews, the audit log). Each is age-encrypted to exactly the staff
//! the preset lets read its class on its line, as the team directory lists them now, and signed
//! by its author. Role separation is then the keys', not the UI's: an advisor's key cannot open
//! a letter, whatever the screen shows.
//!
//! Pure: choosing recipients, sealing and opening. Where records are kept is `record_store`'s.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::policy::{Preset, RoleKind};
use crate::team::Directory;
use crate::{CoreError, Refusal};

/// The audit log's class: not a retention class (it is kept), read by managers only.
pub const AUDIT_CLASS: &str = crate::record_store::classes::AUDIT;

/// What a record says about itself, signed by its author. Inside the encryption: the line a
/// record belongs to is itself something another line must not learn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Random, hex; names the record in audit entries and on the server.
    pub id: String,
    /// The retention class (or `AUDIT_CLASS`).
    pub class: String,
    pub line: Option<String>,
    /// Unix seconds: when what it records happened (retention counts from here).
    pub created_at: i64,
    /// The author's signing key (hex).
    pub author: String,
    pub body_sha256: String,
}

#[derive(Serialize, Deserialize)]
struct Signed {
    header: Header,
    signature: String,
}

/// An opened record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedRecord {
    pub header: Header,
    pub body: Vec<u8>,
}

/// A new record id: 16 random bytes, hex.
pub fn new_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Who may read records of `class` on `line`: the roles the preset names for the class, as
/// the directory lists them (leavers and forged entries are not in it). Refuses to return
/// nobody: a record no one can read would be a silent way to lose it.
pub fn readers(
    preset: &Preset,
    dir: &Directory,
    class: &str,
    line: Option<&str>,
) -> Result<Vec<confide_vault::Recipient>, CoreError> {
    let roles: Vec<RoleKind> = if class == AUDIT_CLASS {
        vec![RoleKind::Manager]
    } else {
        preset
            .retention_class(class)
            .ok_or_else(|| CoreError::Refused(Refusal::NotInPolicy(format!("has no record class \"{class}\""))))?
            .readers
            .clone()
    };
    let mut keys: Vec<String> = roles.into_iter().flat_map(|r| dir.recipients(Some(r), line)).collect();
    keys.sort();
    keys.dedup();
    let out: Vec<confide_vault::Recipient> = keys.iter().filter_map(|k| k.parse().ok()).collect();
    if out.is_empty() {
        return Err(CoreError::Invalid(format!(
            "nobody in the team directory may read {class} records yet, so nothing was saved; a manager must add the team first"
        )));
    }
    Ok(out)
}

fn header_bytes(h: &Header) -> Vec<u8> {
    serde_json::to_vec(h).expect("headers serialise")
}

/// Signs and encrypts a record. The plaintext is the signed header as one JSON line, then the
/// body's bytes.
pub fn seal(
    class: &str,
    line: Option<&str>,
    created_at: i64,
    body: &[u8],
    key: &confide_vault::SigningKey,
    recipients: &[confide_vault::Recipient],
) -> Result<(Header, Vec<u8>), CoreError> {
    let header = Header {
        id: new_id(),
        class: class.to_owned(),
        line: line.map(str::to_owned),
        created_at,
        author: key.public_hex(),
        body_sha256: hex::encode(Sha256::digest(body)),
    };
    let signature = key.sign(&header_bytes(&header));
    let mut plain = serde_json::to_vec(&Signed { header: header.clone(), signature }).expect("headers serialise");
    plain.push(b'\n');
    plain.extend_from_slice(body);
    let sealed = confide_vault::seal(&plain, recipients)?;
    Ok((header, sealed))
}

/// Opens a record with this desktop's key and checks it: the body is the one signed, and the
/// author is (or was) in the team. Another staff group's record fails with `NotForYou`.
pub fn open(
    ciphertext: &[u8],
    identity: &confide_vault::StaffIdentity,
    dir: &Directory,
) -> Result<SharedRecord, CoreError> {
    let plain = confide_vault::open(ciphertext, identity)?;
    let damaged =
        || CoreError::Invalid("this record is damaged or was not written by Confide, so it was not trusted".into());
    let split = plain.iter().position(|&b| b == b'\n').ok_or_else(damaged)?;
    let signed: Signed = serde_json::from_slice(&plain[..split]).map_err(|_| damaged())?;
    let body = plain[split + 1..].to_vec();
    if hex::encode(Sha256::digest(&body)) != signed.header.body_sha256
        || !confide_vault::verify_signature(&signed.header.author, &header_bytes(&signed.header), &signed.signature)
    {
        return Err(damaged());
    }
    let known = dir.members.iter().chain(&dir.removed).any(|m| m.signing_key == signed.header.author);
    if !known {
        return Err(CoreError::Invalid(
            "this record was signed by someone who is not in the team directory, so it was not trusted".into(),
        ));
    }
    Ok(SharedRecord { header: signed.header, body })
}

#[cfg(test)]
mod tests;
