//! Issue 6: the team directory on the server. A manager founds it and adds an advisor from the
//! card the advisor's desktop shows; both desktops resolve the same team from `Confide/Team`;
//! an entry planted in the folder with a valid key but no manager's signature is ignored and
//! reported on both, and receives nothing; a leaver is shown as removed and receives nothing.

use std::sync::Arc;

use confide_core::accounts::{self, AccountKind};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::store::StoreConfig;
use confide_core::team::{self, Change, Member};
use confide_core::{paths, staff, Store, SystemClock};
use confide_mail::lab::Lab;
use confide_vault::{OsKeyring, Vault};

async fn desktop(lab: &Lab, shared: &str, dir: &std::path::Path, name: &str, role: RoleKind) -> staff::Session {
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(dir));
    let store = Store::open(StoreConfig { data_dir: dir.to_path_buf(), vault, clock: Arc::new(SystemClock), catalog: Catalog::builtin() }).await.unwrap();
    staff::save_profile_on_lines(&store, "respect-mal-current", name, role, &["phoneline".into()]).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    accounts::save(&store, &lab.account("shared", shared, AccountKind::Shared), &lab.password(shared)).await.unwrap();
    staff::session(&store).await.unwrap()
}

fn names(members: &[Member]) -> Vec<&str> {
    members.iter().map(|m| m.name.as_str()).collect()
}

#[tokio::test]
async fn issue6_the_team_directory_is_shared_signed_and_a_forged_entry_gets_nothing() {
    let Some(lab) = Lab::get("issue6_the_team_directory_is_shared_signed_and_a_forged_entry_gets_nothing") else { return };
    let shared = lab.fresh_user("team");
    let tmp = tempfile::tempdir().unwrap();
    let ann = desktop(&lab, &shared, &tmp.path().join("ann"), "Ann", RoleKind::Manager).await;
    let bob = desktop(&lab, &shared, &tmp.path().join("bob"), "Bob", RoleKind::Advisor).await;
    assert!(confide_mail::team::found(&bob).await.is_err(), "an advisor cannot found the team");

    let dir = confide_mail::team::found(&ann).await.unwrap();
    assert_eq!(names(&dir.members), ["Ann"]);
    assert!(confide_mail::team::found(&ann).await.is_err(), "the team is founded once");
    let dir = confide_mail::team::add(&ann, team::card(&bob).unwrap()).await.unwrap();
    assert_eq!(names(&dir.members), ["Ann", "Bob"]);
    // Bob's desktop reads the same team, pinning Ann as the founder on this first look.
    let seen_by_bob = confide_mail::team::directory(&bob.store).await.unwrap();
    assert_eq!(seen_by_bob, dir);
    assert_eq!(team::pinned_root(&bob.store).await.unwrap(), Some(team::card(&ann).unwrap().signing_key));
    // Opening the Team screen records Bob's acceptance of the agreement in the directory.
    confide_mail::team::view(&bob).await.unwrap();
    let accepted = confide_mail::team::directory(&ann.store).await.unwrap().acceptances;
    assert!(accepted.iter().any(|a| a.signing_key == team::card(&bob).unwrap().signing_key && a.version == "current-1"), "{accepted:?}");

    // Bob, with a valid key, plants an entry making a stranger a manager.
    let eve_dir = tmp.path().join("eve");
    let eve_vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(&eve_dir));
    let eve = Member {
        name: "Eve".into(),
        role: RoleKind::Manager,
        lines: vec![],
        age_recipient: eve_vault.staff_identity(confide_vault::KeyPolicy::CreateIfMissing).unwrap().recipient().to_string(),
        signing_key: eve_vault.signing_key().unwrap().public_hex(),
    };
    let forged = team::sign(Change::Add { member: eve.clone() }, &bob.store.vault().signing_key().unwrap(), 4_000_000_000);
    let raw = format!("Subject: Confide team directory entry\r\n\r\n{}\r\n", serde_json::to_string(&forged).unwrap());
    let save = std::process::Command::new("doveadm")
        .arg("-c")
        .arg(lab.dir.join("dovecot/dovecot.conf"))
        .args(["save", "-u", &format!("{shared}@lab.test"), "-m", "Confide/Team"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    save.stdin.as_ref().unwrap().write_all(raw.as_bytes()).unwrap();
    assert!(save.wait_with_output().unwrap().status.success());
    for session in [&ann, &bob] {
        let dir = confide_mail::team::directory(&session.store).await.unwrap();
        assert_eq!(names(&dir.members), ["Ann", "Bob"], "{}", session.profile.display_name);
        assert!(dir.ignored.iter().any(|i| i.contains("adding Eve") && i.contains("not signed by a manager")), "{:?}", dir.ignored);
        assert!(!dir.recipients(None, None).contains(&eve.age_recipient), "a forged member receives nothing");
    }

    // Bob leaves: shown as removed, and a phoneline record is for Ann alone.
    let dir = confide_mail::team::remove(&ann, &team::card(&bob).unwrap().signing_key).await.unwrap();
    assert_eq!((names(&dir.members), names(&dir.removed)), (vec!["Ann"], vec!["Bob"]));
    assert_eq!(dir.recipients(None, Some("phoneline")), [team::card(&ann).unwrap().age_recipient]);
    assert!(confide_core::audit::verify(&ann.store).await.unwrap().problem.is_none());

    // The directory's folder is not mail: a sync lists nothing from it in the inbox.
    let account = accounts::list(&ann.store).await.unwrap().remove(0);
    confide_mail::sync::sync_account(&ann.store, &account, &|_| {}).await.unwrap();
    let inbox = confide_core::inbox::page(&ann, &Default::default()).await.unwrap();
    assert_eq!(inbox.total, Some(0), "{inbox:?}");
}
