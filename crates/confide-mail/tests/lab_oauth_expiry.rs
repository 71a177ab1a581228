//! Issue 22: an access token that runs out in the middle of a sync. The lab's provider gives
//! the `confide-lab-short` client tokens that live four seconds; the throttling proxy makes the
//! sync wait six (as Exchange asks), so the token the sync began with has expired when its next
//! pass opens connections. The sync replaces it before any login (the server refuses none) and
//! finishes. In a file of its own: it counts the provider's issued tokens over the whole run.

use std::sync::Arc;
use std::time::Duration;

use confide_core::accounts::{self, AccountKind, OAuthSettings, SignIn};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::store::StoreConfig;
use confide_core::{mailstore, paths, staff, Store, SystemClock};
use confide_mail::lab::Lab;
use confide_mail::sync::sync_account;
use confide_vault::{OsKeyring, Vault};

fn count(lab: &Lab, log: &str, matches: impl Fn(&str) -> bool) -> usize {
    std::fs::read_to_string(lab.dir.join("log").join(log)).unwrap_or_default().lines().filter(|l| matches(l)).count()
}

#[tokio::test]
async fn issue22_an_access_token_that_expires_mid_sync_is_replaced_and_the_sync_finishes() {
    let Some(lab) = Lab::get("issue22_an_access_token_that_expires_mid_sync_is_replaced_and_the_sync_finishes") else {
        return;
    };
    let tag = format!("exp{}", std::process::id());
    // `tester@` is the standing account the provider knows that tests may change.
    lab.bulk_import("tester", 30, &tag);
    let settings = OAuthSettings {
        issuer: lab.var("LAB_OIDC_ISSUER").to_owned(),
        client_id: "confide-lab-short".into(),
        scopes: vec!["openid".into(), "offline_access".into(), "mail".into()],
    };
    let (me, s) = (lab.standard(), settings.clone());
    let tokens = tokio::task::spawn_blocking(move || me.device_sign_in(&s, "tester")).await.unwrap();
    assert!(tokens.expires_in <= Duration::from_secs(4), "the provider's short tokens: {:?}", tokens.expires_in);

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(&dir));
    let config = StoreConfig { data_dir: dir, vault, clock: Arc::new(SystemClock), catalog: Catalog::builtin() };
    let store = Store::open(config).await.unwrap();
    staff::save_profile(&store, "respect-mal-current", "Ash", RoleKind::Advisor).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    let proxy = lab.throttler(lab.var("LAB_IMAPS_PORT").parse().unwrap(), 6000);
    let mut account = lab.account("shared", "tester", AccountKind::Shared);
    account.imap_port = proxy.port;
    account.sign_in = SignIn::OAuth(settings);
    accounts::save(&store, &account, &tokens.refresh).await.unwrap();

    let refused = |l: &str| l.contains("user=<tester@lab.test>") && l.contains("auth failed");
    let issued = |l: &str| l.starts_with("access_token.issued ");
    let (refused_before, issued_before) = (count(&lab, "dovecot.log", refused), count(&lab, "oidc.log", issued));
    let started = std::time::Instant::now();
    sync_account(&store, &account, &|_| {}).await.expect("the sync finished on a new token");
    assert!(started.elapsed() >= Duration::from_secs(6), "the proxy did not make the sync wait");
    assert_eq!(proxy.turned_away.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(mailstore::local_uids(&store, "shared", "INBOX").await.unwrap(), lab.server_uids("tester", "INBOX"));
    let issued = count(&lab, "oidc.log", issued) - issued_before;
    eprintln!("a sync of {:.1} s took {issued} access tokens", started.elapsed().as_secs_f64());
    assert!(issued >= 2, "the token that ran out was not replaced ({issued} issued)");
    assert_eq!(count(&lab, "dovecot.log", refused), refused_before, "a login was tried with a token that had run out");
}
