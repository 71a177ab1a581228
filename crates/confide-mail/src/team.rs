//! The team directory on the server: each signed entry is one message in the shared mailbox's
//! `Confide/Team` folder (JSON body), appended and never changed, so every desktop reads the
//! same list and resolves it with `confide_core::team`.

use confide_core::accounts::{self, Account};
use confide_core::policy::RoleKind;
use confide_core::staff::{self, Session};
use confide_core::team::{self, Change, Directory, Entry, Member};
use confide_core::{CoreError, Store};
use serde::Serialize;
use ts_rs::TS;

use crate::connect::{imap_login, ImapSession};
use crate::MailError;

fn folder_name(s: &mut ImapSession) -> Result<String, MailError> {
    crate::records::server_folder(s, "Confide/Team")
}

/// Reads every entry (blocking). Messages that are not entries are reported, not trusted.
fn fetch(account: &Account, password: &crate::connect::Secret) -> Result<(Vec<Entry>, Vec<String>), MailError> {
    let mut s = imap_login(account, password)?;
    let name = folder_name(&mut s)?;
    if s.list(Some(""), Some(&name))?.is_empty() {
        let _ = s.logout();
        return Ok((vec![], vec![]));
    }
    let mbox = s.examine(&name)?;
    let (mut entries, mut unreadable) = (vec![], vec![]);
    if mbox.exists > 0 {
        for f in s.uid_fetch("1:*", "(UID BODY.PEEK[TEXT])")?.iter() {
            match f.text().and_then(|t| serde_json::from_slice::<Entry>(t.trim_ascii()).ok()) {
                Some(e) => entries.push(e),
                None => unreadable
                    .push("A message in the team folder is not a directory entry, so it was ignored.".to_owned()),
            }
        }
    }
    let _ = s.logout();
    Ok((entries, unreadable))
}

/// Appends one entry (blocking), creating the folder the first time.
fn append(account: &Account, password: &crate::connect::Secret, entry: &Entry) -> Result<(), MailError> {
    let mut s = imap_login(account, password)?;
    let name = folder_name(&mut s)?;
    if s.list(Some(""), Some(&name))?.is_empty() {
        s.create(&name)?;
    }
    let body = serde_json::to_string(entry).expect("entries serialise");
    let raw = format!(
        "From: <{from}>\r\nSubject: Confide team directory entry\r\nMessage-ID: <team-{sig}@confide.invalid>\r\nContent-Type: application/json\r\n\r\n{body}\r\n",
        from = account.address,
        sig = entry.signature.get(..32).unwrap_or(&entry.signature)
    );
    s.append(&name, raw.as_bytes()).finish()?;
    let _ = s.logout();
    Ok(())
}

/// The team as this desktop resolves it: the server's entries, trusting the founder pinned on
/// first use (pinned now if this is the first look).
pub async fn directory(store: &Store) -> Result<Directory, MailError> {
    let account = crate::records::shared_account(&accounts::list(store).await?)?;
    let password = crate::connect::account_secret(store, &account)?;
    let (entries, unreadable) =
        tokio::task::spawn_blocking(move || fetch(&account, &password)).await.map_err(|_| MailError::Worker)??;
    let root = match team::pinned_root(store).await? {
        Some(root) => Some(root),
        None => match team::first_root(&entries) {
            Some(found) => Some(team::pin_root(store, &found).await?),
            None => None,
        },
    };
    let mut dir = root.map(|r| team::resolve(&entries, &r)).unwrap_or_default();
    dir.ignored.extend(unreadable);
    // Once the directory lists this person, their role and lines are the ones a manager signed.
    let me = store.vault().signing_key().map_err(CoreError::from)?.public_hex();
    if let Some(m) = dir.members.iter().find(|m| m.signing_key == me) {
        match staff::follow_directory(store, m.role, &m.lines).await {
            Ok(_) | Err(CoreError::NotSetUp) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(dir)
}

async fn publish(session: &Session, change: Change) -> Result<Entry, MailError> {
    if !matches!(change, Change::Accepted { .. }) {
        session.require_manager("change the team directory")?;
    }
    let key = session.store.vault().signing_key().map_err(CoreError::from)?;
    let entry = team::sign(change, &key, session.store.now_ts());
    let account = crate::records::shared_account(&accounts::list(&session.store).await?)?;
    let password = crate::connect::account_secret(&session.store, &account)?;
    let to_send = entry.clone();
    tokio::task::spawn_blocking(move || append(&account, &password, &to_send))
        .await
        .map_err(|_| MailError::Worker)??;
    Ok(entry)
}

/// A manager starts the directory with their own entry (signed by themselves), and this
/// desktop pins them as its founder. Refused once the team has a founder.
pub async fn found(session: &Session) -> Result<Directory, MailError> {
    if directory(&session.store).await?.members.iter().any(|m| m.role == RoleKind::Manager) {
        return Err(CoreError::Invalid("the team directory already has its founding manager".into()).into());
    }
    let me = team::card(session)?;
    let key = me.signing_key.clone();
    // Pinned only once the entry is on the server (publish refuses anyone but a manager).
    publish(session, Change::Add { member: me }).await?;
    team::pin_root(&session.store, &key).await?;
    confide_core::audit::append(&session.store, "team_founded", &format!("staff:{}", team::fingerprint(&key))).await?;
    directory(&session.store).await
}

/// A manager adds a colleague from the card their desktop shows.
pub async fn add(session: &Session, member: Member) -> Result<Directory, MailError> {
    let record = format!("staff:{}", team::fingerprint(&member.signing_key));
    publish(session, Change::Add { member }).await?;
    confide_core::audit::append(&session.store, "team_added", &record).await?;
    directory(&session.store).await
}

/// A leaver: nothing new is encrypted to them from now on.
pub async fn remove(session: &Session, signing_key: &str) -> Result<Directory, MailError> {
    publish(session, Change::Remove { signing_key: signing_key.to_owned() }).await?;
    confide_core::audit::append(&session.store, "team_removed", &format!("staff:{}", team::fingerprint(signing_key)))
        .await?;
    directory(&session.store).await
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

pub async fn view(session: &Session) -> Result<TeamView, MailError> {
    let mut directory = directory(&session.store).await?;
    let card = team::card(session)?;
    // A member whose acceptance of the agreement in force is not in the directory yet records
    // it now (it was given at first run, perhaps before the directory existed).
    let version = session.profile.agreement_version.clone();
    let member = directory.members.iter().any(|m| m.signing_key == card.signing_key);
    if member && !directory.acceptances.iter().any(|a| a.signing_key == card.signing_key && a.version == version) {
        publish(session, Change::Accepted { version }).await?;
        directory = self::directory(&session.store).await?;
    }
    let fingerprints = directory
        .members
        .iter()
        .chain(&directory.removed)
        .map(|m| (m.signing_key.clone(), team::fingerprint(&m.signing_key)))
        .collect();
    Ok(TeamView {
        fingerprints,
        directory,
        my_fingerprint: team::fingerprint(&card.signing_key),
        my_card: serde_json::to_string_pretty(&card).expect("cards serialise"),
        founder_fingerprint: team::pinned_root(&session.store).await?.map(|r| team::fingerprint(&r)),
        can_manage: session.profile.role == RoleKind::Manager,
    })
}

/// Names by key (see `confide_core::team::names`), read from the directory without changing it.
pub async fn names(store: &Store) -> Result<std::collections::BTreeMap<String, String>, MailError> {
    Ok(team::names(&directory(store).await?))
}
