//! The audit log: an append-only, hash-chained, signed account of who opened, exported,
//! assigned, decided or deleted what. Entries name records by id and actions by a word; no
//! content, no names. Verification walks the chain from the start and compares its end with
//! the head kept in the keyring.

use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::staff::Session;
use crate::{CoreError, Store};

/// The hash the first entry chains from.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub seq: i64,
    #[ts(type = "number")]
    pub at: i64,
    /// The author's signing key (hex); the UI shows its first characters.
    pub actor: String,
    pub action: String,
    pub record: String,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AuditCheck {
    #[ts(type = "number")]
    pub entries: i64,
    /// `None` when the whole chain holds; otherwise what is wrong and where, in words.
    pub problem: Option<String>,
}

fn entry_hash(prev: &str, seq: i64, at: i64, actor: &str, action: &str, record: &str) -> String {
    let mut h = Sha256::new();
    // Length-prefixed fields, so no two different entries hash the same bytes.
    for field in [prev, &seq.to_string(), &at.to_string(), actor, action, record] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends an entry by this desktop's staff member. `record` names what was acted on by id.
pub async fn append(store: &Store, action: &str, record: &str) -> Result<(), CoreError> {
    let key = store.vault().signing_key()?;
    let actor = key.public_hex();
    let at = store.now_ts();
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let last = sqlx::query!(r#"SELECT seq AS "seq!", hash FROM audit_log ORDER BY seq DESC LIMIT 1"#).fetch_optional(&mut *tx).await?;
    let (seq, prev) = last.map_or((1, GENESIS.to_owned()), |l| (l.seq + 1, l.hash));
    let hash = entry_hash(&prev, seq, at, &actor, action, record);
    let signature = key.sign(hash.as_bytes());
    sqlx::query!(
        "INSERT INTO audit_log (seq, at, actor, action, record, prev_hash, hash, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        seq,
        at,
        actor,
        action,
        record,
        prev,
        hash,
        signature
    )
    .execute(&mut *tx)
    .await?;
    // The head is written while this transaction holds the write lock, so two appenders (the
    // app and a timer's `confide retention run`) cannot leave it pointing at the older entry.
    // If the commit then fails, the head is one ahead and `verify` says the last entry is missing.
    store.vault().set_audit_head(&format!("{seq}:{hash}"))?;
    tx.commit().await?;
    Ok(())
}

/// Walks the whole chain: each entry's hash and signature, its link to the one before, no gap
/// in the sequence, authors this desktop knows, and the end against the keyring's head.
pub async fn verify(store: &Store) -> Result<AuditCheck, CoreError> {
    let known = store.vault().signing_key()?.public_hex();
    let rows = sqlx::query!(r#"SELECT seq AS "seq!", at, actor, action, record, prev_hash, hash, signature FROM audit_log ORDER BY seq"#)
        .fetch_all(store.pool())
        .await?;
    let entries = rows.len() as i64;
    let fail = |problem: String| Ok(AuditCheck { entries, problem: Some(problem) });
    let mut prev = GENESIS.to_owned();
    for (i, r) in rows.iter().enumerate() {
        let expected_seq = i as i64 + 1;
        if r.seq != expected_seq {
            return fail(format!("entry {expected_seq} is missing (the next is {})", r.seq));
        }
        if r.prev_hash != prev {
            return fail(format!("entry {} does not follow from entry {}", r.seq, r.seq - 1));
        }
        if entry_hash(&r.prev_hash, r.seq, r.at, &r.actor, &r.action, &r.record) != r.hash {
            return fail(format!("entry {} was changed after it was written", r.seq));
        }
        if r.actor != known {
            return fail(format!("entry {} was written by a key this desktop does not know", r.seq));
        }
        if !confide_vault::verify_signature(&r.actor, r.hash.as_bytes(), &r.signature) {
            return fail(format!("entry {} does not carry its author's signature", r.seq));
        }
        prev = r.hash.clone();
    }
    let end = rows.last().map_or((0, GENESIS.to_owned()), |r| (r.seq, r.hash.clone()));
    let head = store.vault().audit_head()?;
    let head = head.as_deref().and_then(|h| h.split_once(':')).map_or((0, GENESIS.to_owned()), |(n, h)| (n.parse().unwrap_or(-1), h.to_owned()));
    if head != end {
        return fail(if head.0 > end.0 {
            format!("the log should end at entry {}, but entries are missing from its end (or the last one was never written)", head.0)
        } else if head.0 < end.0 {
            format!("entries after {} were added without the keyring's record", head.0)
        } else {
            "the log was rewritten: its last entry is not the one the keyring recorded".to_owned()
        });
    }
    Ok(AuditCheck { entries, problem: None })
}

/// A manager's view: the check of the whole chain and the newest entries.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AuditView {
    pub check: AuditCheck,
    pub entries: Vec<AuditEntry>,
}

pub async fn view(session: &Session) -> Result<AuditView, CoreError> {
    let entries = recent(session, 200).await?;
    Ok(AuditView { check: verify(&session.store).await?, entries })
}

/// The newest entries, for a manager.
pub async fn recent(session: &Session, limit: i64) -> Result<Vec<AuditEntry>, CoreError> {
    session.require_manager("read the audit log")?;
    Ok(sqlx::query_as!(AuditEntry, r#"SELECT seq AS "seq!", at, actor, action, record FROM audit_log ORDER BY seq DESC LIMIT ?"#, limit)
        .fetch_all(session.store.pool())
        .await?)
}
