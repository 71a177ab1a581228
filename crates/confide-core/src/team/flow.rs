//! The team directory kept in a [`RecordStore`]: reading it (a read that only reads), following
//! it (the explicit step a sync takes: pin the founder on first look, take the role and lines a
//! manager signed, record this person's acceptance of the agreement), and a manager's changes.

use serde::Serialize;
use ts_rs::TS;

use super::{card, fingerprint, first_root, pin_root, pinned_root, resolve, sign, Change, Directory, Entry, Member};
use crate::policy::RoleKind;
use crate::record_store::RecordStore;
use crate::staff::{self, Session};
use crate::{CoreError, Store};

/// The team as this desktop resolves it: the stored entries, trusting the founder pinned on
/// first use (or, before the first look has pinned one, the founder a first look would pin).
/// Changes nothing, here or in the store.
pub async fn directory<S: RecordStore>(store: &Store, server: &S) -> Result<Directory, S::Error> {
    let kept = server.team_entries().await?;
    let root = match pinned_root(store).await? {
        Some(root) => Some(root),
        None => first_root(&kept.entries),
    };
    let mut dir = root.map(|r| resolve(&kept.entries, &r)).unwrap_or_default();
    dir.ignored.extend(kept.unreadable);
    Ok(dir)
}

/// Follows the directory: pins its founder on first look, and once it lists this person, takes
/// the role and lines a manager signed (mail of lines left is forgotten, of lines joined
/// fetched) and records their acceptance of the agreement in force if it is not there yet.
/// A step of its own (sync takes it first), so that reading never changes anything.
pub async fn follow<S: RecordStore>(store: &Store, server: &S) -> Result<Directory, S::Error> {
    let kept = server.team_entries().await?;
    if pinned_root(store).await?.is_none() {
        if let Some(found) = first_root(&kept.entries) {
            pin_root(store, &found).await?;
        }
    }
    let mut dir = directory(store, server).await?;
    let me = store.vault().signing_key().map_err(CoreError::from)?.public_hex();
    let Some(m) = dir.members.iter().find(|m| m.signing_key == me).cloned() else { return Ok(dir) };
    match staff::follow_directory(store, m.role, &m.lines).await {
        Ok(_) | Err(CoreError::NotSetUp) => {}
        Err(e) => return Err(e.into()),
    }
    // Given at first run, perhaps before the directory existed.
    if let Ok(session) = staff::session(store).await {
        let version = session.profile.agreement_version.clone();
        if !dir.acceptances.iter().any(|a| a.signing_key == me && a.version == version) {
            publish(&session, server, Change::Accepted { version }).await?;
            dir = directory(store, server).await?;
        }
    }
    Ok(dir)
}

/// Once the team has a directory, only its members' desktops keep helpline mail: the triage
/// state (claims, holds, line moves) is sealed to members, so a desktop outside it could not
/// know that a thread was moved off its lines, and would store it. A leaver's desktop stops too.
pub fn check_member(store: &Store, dir: &Directory) -> Result<(), CoreError> {
    if dir.members.is_empty() {
        return Ok(());
    }
    let me = store.vault().signing_key()?.public_hex();
    match dir.members.iter().any(|m| m.signing_key == me) {
        true => Ok(()),
        false => Err(CoreError::Refused(crate::Refusal::NotInTeam)),
    }
}

/// [`check_member`], and a desktop outside the team forgets the helpline mail it holds (a
/// leaver's, or one that synced before the directory existed): removing someone from the team
/// takes the mail off their desktop at its next sync, not only new mail. The server keeps it
/// all, and the next sync after being added again fetches it again.
pub async fn require_member(store: &Store, dir: &Directory) -> Result<(), CoreError> {
    let refused = check_member(store, dir);
    if refused.is_err() {
        let forgotten = crate::mailstore::forget_all_mail(store).await?;
        if forgotten > 0 {
            tracing::info!(forgotten, "not in the team directory: this desktop's helpline mail is forgotten");
        }
    }
    refused
}

async fn publish<S: RecordStore>(session: &Session, server: &S, change: Change) -> Result<Entry, S::Error> {
    if !matches!(change, Change::Accepted { .. }) {
        session.require_manager("change the team directory")?;
    }
    let key = session.store.vault().signing_key().map_err(CoreError::from)?;
    let entry = sign(change, &key, session.store.now_ts());
    server.append_team_entry(&entry).await?;
    Ok(entry)
}

/// A manager starts the directory with their own entry (signed by themselves), and this
/// desktop pins them as its founder. Refused once the team has a founder.
pub async fn found<S: RecordStore>(session: &Session, server: &S) -> Result<Directory, S::Error> {
    if directory(&session.store, server).await?.members.iter().any(|m| m.role == RoleKind::Manager) {
        return Err(CoreError::Invalid("the team directory already has its founding manager".into()).into());
    }
    let me = card(session)?;
    let key = me.signing_key.clone();
    // Pinned only once the entry is kept (publish refuses anyone but a manager).
    publish(session, server, Change::Add { member: me }).await?;
    pin_root(&session.store, &key).await?;
    crate::audit::append(&session.store, "team_founded", &format!("staff:{}", fingerprint(&key))).await?;
    follow(&session.store, server).await
}

/// A manager adds a colleague from the card their desktop shows.
pub async fn add<S: RecordStore>(session: &Session, server: &S, member: Member) -> Result<Directory, S::Error> {
    let record = format!("staff:{}", fingerprint(&member.signing_key));
    publish(session, server, Change::Add { member: member.clone() }).await?;
    crate::triage_state::share_standing(session, server, &member).await?;
    crate::audit::append(&session.store, "team_added", &record).await?;
    directory(&session.store, server).await
}

/// A manager marks a member's replies as reviewed (each waits for a team leader's or manager's
/// approval before it goes), or ends that. The member is listed again with the mark: the
/// directory's last entry for a person stands.
pub async fn set_reviewed<S: RecordStore>(
    session: &Session,
    server: &S,
    signing_key: &str,
    reviewed: bool,
) -> Result<Directory, S::Error> {
    session.require_manager("decide whose replies are reviewed")?;
    let dir = directory(&session.store, server).await?;
    let mut member = dir
        .members
        .into_iter()
        .find(|m| m.signing_key == signing_key)
        .ok_or_else(|| CoreError::Invalid("that person is not in the team".into()))?;
    if member.role != RoleKind::Advisor {
        return Err(
            CoreError::Invalid("only an advisor's replies are reviewed; team leaders review them".into()).into()
        );
    }
    member.reviewed = reviewed;
    publish(session, server, Change::Add { member }).await?;
    let what = if reviewed { "team_replies_reviewed" } else { "team_replies_unreviewed" };
    crate::audit::append(&session.store, what, &format!("staff:{}", fingerprint(signing_key))).await?;
    directory(&session.store, server).await
}

/// A leaver: nothing new is encrypted to them from now on. Their line moves and holds that
/// still stand are signed again by the manager removing them first (`adopt_standing`).
pub async fn remove<S: RecordStore>(session: &Session, server: &S, signing_key: &str) -> Result<Directory, S::Error> {
    session.require_manager("change the team directory")?;
    crate::triage_state::adopt_standing(session, server, signing_key).await?;
    publish(session, server, Change::Remove { signing_key: signing_key.to_owned() }).await?;
    crate::audit::append(&session.store, "team_removed", &format!("staff:{}", fingerprint(signing_key))).await?;
    directory(&session.store, server).await
}

/// The Team screen: the directory as this desktop resolves it, this person's card to hand to a
/// manager, and the fingerprints to compare aloud.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TeamView {
    pub directory: Directory,
    /// This person's card (JSON), for a manager to paste.
    pub my_card: String,
    pub my_fingerprint: String,
    /// The founding manager this desktop trusts, by fingerprint; null before the team exists.
    pub founder_fingerprint: Option<String>,
    pub can_manage: bool,
    /// Each listed signing key's fingerprint, as people compare them.
    pub fingerprints: std::collections::BTreeMap<String, String>,
}

pub async fn view<S: RecordStore>(session: &Session, server: &S) -> Result<TeamView, S::Error> {
    let directory = directory(&session.store, server).await?;
    let card = card(session)?;
    let fingerprints = directory
        .members
        .iter()
        .chain(&directory.removed)
        .map(|m| (m.signing_key.clone(), fingerprint(&m.signing_key)))
        .collect();
    Ok(TeamView {
        fingerprints,
        directory,
        my_fingerprint: fingerprint(&card.signing_key),
        my_card: serde_json::to_string_pretty(&card).expect("cards serialise"),
        founder_fingerprint: pinned_root(&session.store).await?.map(|r| fingerprint(&r)),
        can_manage: session.profile.role == RoleKind::Manager,
    })
}

/// Names by key (see [`super::names`]), read from the directory without changing it.
pub async fn known_names<S: RecordStore>(
    store: &Store,
    server: &S,
) -> Result<std::collections::BTreeMap<String, String>, S::Error> {
    Ok(super::names(&directory(store, server).await?))
}
