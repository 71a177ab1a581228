//! What the lab tests with several desktops share: a desktop set up on the lab's shared
//! mailbox, as a staff member of a role on a line, agreement accepted.
#![allow(dead_code)]

use std::sync::Arc;

use confide_core::accounts::{self, AccountKind};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::store::StoreConfig;
use confide_core::{paths, staff, Clock, Store, SystemClock};
use confide_mail::lab::Lab;
use confide_vault::{OsKeyring, Vault};

pub async fn desktop_on(
    lab: &Lab,
    shared: &str,
    dir: &std::path::Path,
    name: &str,
    role: RoleKind,
    line: &str,
) -> staff::Session {
    desktop_at(lab, shared, dir, name, role, line, Arc::new(SystemClock)).await
}

/// The same, on a clock the test moves.
pub async fn desktop_at(
    lab: &Lab,
    shared: &str,
    dir: &std::path::Path,
    name: &str,
    role: RoleKind,
    line: &str,
    clock: Arc<dyn Clock>,
) -> staff::Session {
    desktop_under(lab, shared, dir, (name, role, line), clock, ("respect-mal-current", "current-1")).await
}

/// The same, under another preset: `(preset id, agreement version)`.
pub async fn desktop_under(
    lab: &Lab,
    shared: &str,
    dir: &std::path::Path,
    who: (&str, RoleKind, &str),
    clock: Arc<dyn Clock>,
    preset: (&str, &str),
) -> staff::Session {
    let (name, role, line) = who;
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(dir));
    let store = Store::open(StoreConfig { data_dir: dir.to_path_buf(), vault, clock, catalog: Catalog::builtin() })
        .await
        .unwrap();
    staff::save_profile_on_lines(&store, preset.0, name, role, &[line.into()]).await.unwrap();
    staff::accept_agreement(&store, preset.1).await.unwrap();
    accounts::save(&store, &lab.account("shared", shared, AccountKind::Shared), &lab.password(shared)).await.unwrap();
    staff::session(&store).await.unwrap()
}

/// A desktop's store on `dir`, under the real keyring, at the test's clock; nobody set up yet.
pub async fn open_store(dir: &std::path::Path, clock: Arc<dyn Clock>) -> Store {
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(dir));
    Store::open(StoreConfig { data_dir: dir.to_path_buf(), vault, clock, catalog: Catalog::builtin() }).await.unwrap()
}

/// Whether any file under `dir` holds `needle` (a canary that must be stored sealed).
pub fn files_contain(dir: &std::path::Path, needle: &str) -> bool {
    std::fs::read_dir(dir).unwrap().any(|e| {
        let path = e.unwrap().path();
        if path.is_dir() {
            files_contain(&path, needle)
        } else {
            std::fs::read(&path).unwrap_or_default().windows(needle.len()).any(|w| w == needle.as_bytes())
        }
    })
}

/// A full sync of the desktop's shared mailbox (its only account).
pub async fn sync(s: &staff::Session) {
    let account = accounts::list(&s.store).await.unwrap().remove(0);
    confide_mail::sync::sync_account(&s.store, &account, &|_| {}).await.unwrap();
}

/// A manager (Mia), an advisor (Ash) and Bea in `bea`'s role on the Respect Phoneline, on one
/// shared mailbox and in one team directory, every desktop on `clock`.
pub async fn team_at(
    lab: &Lab,
    shared: &str,
    tmp: &std::path::Path,
    clock: Arc<confide_core::FixedClock>,
    bea: RoleKind,
) -> [staff::Session; 3] {
    let mut sessions = vec![];
    for (name, role) in [("Mia", RoleKind::Manager), ("Ash", RoleKind::Advisor), ("Bea", bea)] {
        sessions.push(desktop_at(lab, shared, &tmp.join(name), name, role, "phoneline", clock.clone()).await);
    }
    let server = confide_mail::records::ImapRecords::of(&sessions[0].store);
    confide_core::team::found(&sessions[0], &server).await.unwrap();
    for s in &sessions[1..] {
        confide_core::team::add(&sessions[0], &server, confide_core::team::card(s).unwrap()).await.unwrap();
    }
    sessions.try_into().unwrap_or_else(|_| unreachable!())
}

/// The open list (or the snoozed one) as the desktop shows it, newest first.
pub async fn listed(s: &staff::Session, snoozed: bool) -> Vec<confide_core::inbox::ConversationSummary> {
    let filter = confide_core::inbox::InboxFilter { snoozed: Some(snoozed), ..Default::default() };
    confide_core::inbox::page(s, &filter).await.unwrap().conversations
}
