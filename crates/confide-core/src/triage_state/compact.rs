//! Keeping the state folder the size of the live conversations: every claim, release, status
//! and risk flag is an entry of its own, so a busy conversation leaves dozens, and a follow
//! reads them all. A manager's retention run replaces each conversation's such entries with
//! one snapshot of where they leave it (sealed like them, to the line's staff), then removes
//! them; and it removes entries about conversations gone from the shared mailbox, once even
//! the email retention period counted from the entry has passed (by then the conversation must
//! have expired, or it would still be here).
//!
//! Line moves, holds and reply authorship are left as they are: moves are given again to
//! colleagues who join later, holds must never be lost to a desktop that has not synced, and
//! authorship is kept for quality sampling until its reply expires.

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

use super::{covered, fold_conversation, local, trusted_entries, with_me, Author, Change, Entry, Trusted};
use crate::policy::{Period, RoleKind};
use crate::record_store::{self as records, RecordStore};
use crate::staff::Session;
use crate::{team, CoreError};

/// What a compaction did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Compacted {
    /// Snapshots written, one per conversation whose entries they replaced.
    #[ts(type = "number")]
    pub snapshots: usize,
    /// Entries removed from the server.
    #[ts(type = "number")]
    pub removed: usize,
}

/// Whether a snapshot can stand for this entry.
fn replaceable(change: &Change) -> bool {
    matches!(
        change,
        Change::Claim | Change::Release | Change::Status { .. } | Change::Risk { .. } | Change::Snapshot { .. }
    )
}

/// Compacts the state folder (see the module). Only a manager in the team directory does it:
/// only their snapshots count. `period` is the email retention class's, for entries about
/// conversations no longer here; `synced` says whether this desktop holds the shared mailbox
/// as it is now (without that, nothing is taken for gone).
pub async fn compact<S: RecordStore>(
    session: &Session,
    server: &S,
    period: &Period,
    synced: bool,
) -> Result<Compacted, S::Error> {
    let store = &session.store;
    let dir = with_me(session, team::directory(store, server).await?)?;
    let me = store.vault().signing_key().map_err(CoreError::from)?.public_hex();
    let manager = dir.members.iter().any(|m| m.signing_key == me && m.role == RoleKind::Manager);
    if !manager || session.profile.role != RoleKind::Manager {
        return Ok(Compacted::default());
    }
    let trusted = trusted_entries(session, server, &dir).await?;
    let covered = covered(&trusted);
    let now = store.clock().now();
    let mut per: BTreeMap<i64, Vec<&Trusted>> = BTreeMap::new();
    // Left behind by an earlier compaction that could not finish, or about what is gone.
    let mut doomed: Vec<&str> = vec![];
    for t in &trusted {
        if covered.contains(t.id.as_str()) {
            doomed.push(&t.id);
            continue;
        }
        if matches!(t.entry.change, Change::Snapshot { .. }) && t.snapshot_covers().is_none() {
            continue;
        }
        match local::conversation_of(store, &t.entry.thread).await? {
            Some(c) if replaceable(&t.entry.change) => per.entry(c).or_default().push(t),
            Some(_) => {}
            None => {
                let written = time::OffsetDateTime::from_unix_timestamp(t.created_at).unwrap_or(now);
                let gone = synced && period.expiry(written).is_some_and(|e| e <= now);
                if gone && !matches!(t.entry.change, Change::Hold { .. } | Change::Moves { .. }) {
                    doomed.push(&t.id);
                }
            }
        }
    }
    let categories: Vec<&str> = session.preset().exceptions.iter().map(|c| c.id.as_str()).collect();
    let mut done = Compacted::default();
    for (conversation, entries) in per.into_iter().filter(|(_, e)| e.len() > 1) {
        let fingerprints: Vec<String> =
            entries.iter().map(|t| team::age_fingerprint(&t.author.age_recipient)).collect();
        let steps: Vec<(Author<'_>, &Change)> = entries
            .iter()
            .zip(&fingerprints)
            .map(|(t, by)| {
                let manager = t.author.role == RoleKind::Manager && t.current;
                (Author { fingerprint: by, manager, routes: false }, &t.entry.change)
            })
            .collect();
        let triage = fold_conversation(&steps, &categories);
        let (thread, line, _) = local::about(store, conversation).await?;
        let covers: Vec<String> = entries.iter().map(|t| t.id.clone()).collect();
        let change = Change::Snapshot { assignee: triage.assignee, status: triage.status, risks: triage.risks, covers };
        super::write(session, server, &line, Entry { thread, change }).await?;
        done.snapshots += 1;
        doomed.extend(entries.iter().map(|t| t.id.as_str()));
    }
    for id in doomed {
        if records::remove(session, server, super::STATE_CLASS, id).await? {
            done.removed += 1;
        }
    }
    Ok(done)
}
