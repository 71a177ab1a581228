//! The audit log in the record store: each desktop publishes its entries in batches, sealed to
//! the managers the directory lists, so a manager can check the whole team's log (every
//! author's chain, every author in the directory) from any desktop. The local log stays the
//! first record: a batch is published after the entries are written, and publishing again after
//! a crash only repeats identical entries, which the check accepts.

use super::{mark_published, unpublished, verify_team, SignedEntry, TeamAuditCheck};
use crate::policy::RoleKind;
use crate::record_store::{self as records, RecordStore};
use crate::shared_record::AUDIT_CLASS;
use crate::staff::Session;
use crate::CoreError;

/// Entries per batch: one message each, kept well under any server's message size limit.
const BATCH: i64 = 2000;

/// Publishes what is not in the record store yet. Returns how many entries were sent. With no
/// manager in the directory yet there is no one to encrypt to, so the entries wait (locally,
/// where they were already written) and nothing is lost.
pub async fn publish<S: RecordStore>(session: &Session, server: &S) -> Result<usize, S::Error> {
    let mut sent = 0;
    loop {
        let batch = unpublished(&session.store, BATCH).await?;
        let Some(last) = batch.last().map(|e| e.seq) else { return Ok(sent) };
        if sent == 0
            && !crate::team::directory(&session.store, server)
                .await?
                .members
                .iter()
                .any(|m| m.role == RoleKind::Manager)
        {
            return Ok(0);
        }
        let body = serde_json::to_vec(&batch).expect("entries serialise");
        records::put(session, server, AUDIT_CLASS, None, session.store.now_ts(), &body).await?;
        mark_published(&session.store, last).await?;
        sent += batch.len();
    }
}

/// A manager checks the team's log in the record store.
pub async fn check_team_log<S: RecordStore>(session: &Session, server: &S) -> Result<TeamAuditCheck, S::Error> {
    session.require_manager("check the team's audit log")?;
    let dir = crate::team::directory(&session.store, server).await?;
    if !dir.members.iter().any(|m| m.role == RoleKind::Manager) {
        return Err(CoreError::Invalid("there is no team directory yet, so the log is kept on each desktop only; a manager starts the directory on the Team screen".into()).into());
    }
    let me = session.store.vault().signing_key().map_err(CoreError::from)?.public_hex();
    if !dir.members.iter().any(|m| m.role == RoleKind::Manager && m.signing_key == me) {
        return Err(CoreError::Invalid("you are not a manager in the team directory, so the team's log is not encrypted to your key; ask a manager to add you on the Team screen".into()).into());
    }
    let (mut entries, mut unreadable, mut problems) = (vec![], 0, vec![]);
    for listed in records::list(session, server, AUDIT_CLASS).await? {
        match listed.record {
            Ok(record) => match serde_json::from_slice::<Vec<SignedEntry>>(&record.body) {
                // A desktop publishes only its own entries: a batch carrying another author's
                // is a forgery, whatever its signatures say.
                Ok(batch) if batch.iter().all(|e| e.actor == record.header.author) => entries.extend(batch),
                _ => problems.push(format!(
                    "a batch of the log on the server (message {}) carries entries that are not its author's",
                    listed.uid
                )),
            },
            Err(CoreError::Vault(confide_vault::VaultError::NotForYou)) => unreadable += 1,
            Err(e) => {
                problems.push(format!("a batch of the log on the server (message {}) was not trusted: {e}", listed.uid))
            }
        }
    }
    let mut check = verify_team(entries, &dir, unreadable);
    problems.append(&mut check.problems);
    check.problems = problems;
    Ok(check)
}
