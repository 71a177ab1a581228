//! The audit log: an append-only, hash-chained, signed account of who opened, exported,
//! assigned, decided or deleted what. Entries name records by id and actions by a word; no
//! content, no names. Verification walks the chain from the start and compares its end with
//! the head kept in the keyring.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::staff::Session;
use crate::{CoreError, Store};

mod flow;
pub use flow::{check_team_log, publish};

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
    // When it was really done: a rehearsal at a pretended time is logged when it ran.
    let at = store.recorded_ts();
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let last = sqlx::query!(r#"SELECT seq AS "seq!", hash FROM audit_log ORDER BY seq DESC LIMIT 1"#)
        .fetch_optional(&mut *tx)
        .await?;
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

/// An entry whole, as it travels to the server: enough for anyone holding it to check its hash,
/// its link and its author's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedEntry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub record: String,
    pub prev_hash: String,
    pub hash: String,
    pub signature: String,
}

/// Checks one author's entries, in order: sequence, links, hashes and signatures, from entry 1
/// (or, when `from_first` is false, from whichever entry comes first). Returns the problem in
/// words, naming the entry.
fn check_chain(rows: &[SignedEntry], from_first: bool) -> Result<(), String> {
    let (start, mut prev) = match rows.first() {
        Some(r) if !from_first => (r.seq, r.prev_hash.clone()),
        _ => (1, GENESIS.to_owned()),
    };
    for (i, r) in rows.iter().enumerate() {
        let expected_seq = start + i as i64;
        if r.seq != expected_seq {
            return Err(format!("entry {expected_seq} is missing (the next is {})", r.seq));
        }
        if r.prev_hash != prev {
            return Err(format!("entry {} does not follow from entry {}", r.seq, r.seq - 1));
        }
        if entry_hash(&r.prev_hash, r.seq, r.at, &r.actor, &r.action, &r.record) != r.hash {
            return Err(format!("entry {} was changed after it was written", r.seq));
        }
        if !confide_vault::verify_signature(&r.actor, r.hash.as_bytes(), &r.signature) {
            return Err(format!("entry {} does not carry its author's signature", r.seq));
        }
        prev = r.hash.clone();
    }
    Ok(())
}

async fn rows_after(store: &Store, after: i64, limit: i64) -> Result<Vec<SignedEntry>, CoreError> {
    Ok(sqlx::query_as!(
        SignedEntry,
        r#"SELECT seq AS "seq!", at, actor, action, record, prev_hash, hash, signature FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?"#,
        after,
        limit
    )
    .fetch_all(store.pool())
    .await?)
}

/// Walks the whole chain: each entry's hash and signature, its link to the one before, no gap
/// in the sequence, authors this desktop knows, and the end against the keyring's head.
pub async fn verify(store: &Store) -> Result<AuditCheck, CoreError> {
    let known = store.vault().signing_key()?.public_hex();
    let rows = rows_after(store, 0, i64::MAX).await?;
    let entries = rows.len() as i64;
    let fail = |problem: String| Ok(AuditCheck { entries, problem: Some(problem) });
    if let Err(problem) = check_chain(&rows, true) {
        return fail(problem);
    }
    if let Some(r) = rows.iter().find(|r| r.actor != known) {
        return fail(format!("entry {} was written by a key this desktop does not know", r.seq));
    }
    let end = rows.last().map_or((0, GENESIS.to_owned()), |r| (r.seq, r.hash.clone()));
    let head = store.vault().audit_head()?;
    let head = head
        .as_deref()
        .and_then(|h| h.split_once(':'))
        .map_or((0, GENESIS.to_owned()), |(n, h)| (n.parse().unwrap_or(-1), h.to_owned()));
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

/// Entries not yet on the server, oldest first, at most `limit` (one batch).
pub async fn unpublished(store: &Store, limit: i64) -> Result<Vec<SignedEntry>, CoreError> {
    let upto = sqlx::query_scalar!("SELECT upto FROM audit_published WHERE id = 1")
        .fetch_optional(store.pool())
        .await?
        .unwrap_or(0);
    rows_after(store, upto, limit).await
}

/// Records that entries up to `upto` are on the server. Never moves backwards.
pub async fn mark_published(store: &Store, upto: i64) -> Result<(), CoreError> {
    sqlx::query!("INSERT INTO audit_published (id, upto) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET upto = max(upto, excluded.upto)", upto)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// What the team's log on the server shows, for a manager.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TeamAuditCheck {
    #[ts(type = "number")]
    pub entries: i64,
    /// How many people's logs were checked.
    #[ts(type = "number")]
    pub authors: i64,
    /// Batches sealed before this manager joined (their key cannot open them): not a fault.
    #[ts(type = "number")]
    pub unreadable: i64,
    /// What is wrong, in words, naming the author and the entry; empty when all holds.
    pub problems: Vec<String>,
}

/// Checks the team's log as gathered from the server: each author's chain whole from their
/// first entry (a batch deleted from the server leaves a gap), every author a member or former
/// member of the directory, and no entry present twice with different contents. `names` turns
/// a key into a name for the messages.
pub fn verify_team(entries: Vec<SignedEntry>, dir: &crate::team::Directory, unreadable: i64) -> TeamAuditCheck {
    let names = crate::team::names(dir);
    let mut by_author: std::collections::BTreeMap<String, std::collections::BTreeMap<i64, SignedEntry>> =
        Default::default();
    let mut problems = vec![];
    for e in entries {
        let who = names.get(&e.actor).cloned().unwrap_or_else(|| crate::team::fingerprint(&e.actor));
        let chain = by_author.entry(e.actor.clone()).or_default();
        match chain.get(&e.seq) {
            // The same batch published twice (a crash between sending and noting it) is fine.
            Some(seen) if seen == &e => {}
            Some(_) => {
                problems.push(format!("{who}'s entry {} is on the server twice, with different contents", e.seq))
            }
            None => {
                chain.insert(e.seq, e);
            }
        }
    }
    let mut total = 0;
    for (actor, chain) in &by_author {
        let who = names.get(actor).cloned().unwrap_or_else(|| crate::team::fingerprint(actor));
        if !dir.members.iter().chain(&dir.removed).any(|m| &m.signing_key == actor) {
            problems.push(format!("entries were written by a key that is not in the team directory ({who})"));
        }
        let rows: Vec<SignedEntry> = chain.values().cloned().collect();
        total += rows.len() as i64;
        // Batches this manager cannot open (sealed before they joined) leave an honest gap at
        // the start; the chain is then checked from the first entry they can read.
        if let Err(p) = check_chain(&rows, unreadable == 0) {
            problems.push(format!("{who}'s log: {p}"));
        }
    }
    TeamAuditCheck { entries: total, authors: by_author.len() as i64, unreadable, problems }
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
    Ok(sqlx::query_as!(
        AuditEntry,
        r#"SELECT seq AS "seq!", at, actor, action, record FROM audit_log ORDER BY seq DESC LIMIT ?"#,
        limit
    )
    .fetch_all(session.store.pool())
    .await?)
}
