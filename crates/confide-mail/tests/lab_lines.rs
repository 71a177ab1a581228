//! Issue 6: the line firewall at its root. A shared mailbox serving two lines is synced by an
//! advisor who works on one of them: nothing of the other line is stored on that desktop (no
//! conversation, message, thread id or blob), the sync does not even count it, and a manager's
//! desktop syncing the same mailbox holds both.

use std::sync::Arc;

use confide_core::accounts::{self, AccountKind, LineAddress};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::store::StoreConfig;
use confide_core::{paths, staff, Store, SystemClock};
use confide_mail::lab::Lab;
use confide_vault::{OsKeyring, Vault};

async fn scalar(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(store.pool()).await.unwrap()
}

async fn desktop(lab: &Lab, shared: &str, dir: &std::path::Path, role: RoleKind, lines: &[&str]) -> (Store, usize) {
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(dir));
    let store = Store::open(StoreConfig { data_dir: dir.to_path_buf(), vault, clock: Arc::new(SystemClock), catalog: Catalog::builtin() }).await.unwrap();
    let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    staff::save_profile_on_lines(&store, "respect-mal-current", "Sam", role, &lines).await.unwrap();
    let mut account = lab.account("shared", shared, AccountKind::Shared);
    account.lines = vec![
        LineAddress { address: format!("phone-{shared}@lab.test"), line_id: "phoneline".into() },
        LineAddress { address: format!("mal-{shared}@lab.test"), line_id: "mens_advice".into() },
    ];
    accounts::save(&store, &account, &lab.password(shared)).await.unwrap();
    let report = confide_mail::sync::sync_account(&store, &account, &|_| {}).await.unwrap();
    (store, report.added)
}

#[tokio::test]
async fn issue6_an_advisor_desktop_never_stores_the_other_lines_mail() {
    let Some(lab) = Lab::get("issue6_an_advisor_desktop_never_stores_the_other_lines_mail") else { return };
    let shared = lab.fresh_user("lines");
    lab.import_raw(&shared, &[
        format!("From: partner@example.org\r\nTo: phone-{shared}@lab.test\r\nSubject: About my anger\r\nMessage-ID: <p1-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nPhonelineText\r\n"),
        format!("From: victim@example.org\r\nTo: mal-{shared}@lab.test\r\nSubject: My partner\r\nMessage-ID: <m1-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 11:00:00 +0000\r\n\r\nVictimText\r\n"),
        format!("From: victim@example.org\r\nTo: mal-{shared}@lab.test\r\nSubject: Re: My partner\r\nMessage-ID: <m2-{shared}@example.org>\r\nIn-Reply-To: <m1-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 12:00:00 +0000\r\n\r\nVictimAgain\r\n"),
    ]);
    let tmp = tempfile::tempdir().unwrap();

    let (advisor, added) = desktop(&lab, &shared, &tmp.path().join("advisor"), RoleKind::Advisor, &["phoneline"]).await;
    assert_eq!(added, 1, "the sync counted the other line's mail");
    assert_eq!(scalar(&advisor, "SELECT count(*) FROM conversations WHERE line_id != 'phoneline'").await, 0);
    assert_eq!(scalar(&advisor, "SELECT count(*) FROM messages").await, 1);
    assert_eq!(scalar(&advisor, "SELECT count(*) FROM blobs").await, 1);
    assert_eq!(scalar(&advisor, &format!("SELECT count(*) FROM message_ids WHERE message_id LIKE 'm_-{shared}@example.org'")).await, 0);
    // A second sync does not fetch it again, and still stores nothing of it.
    let account = accounts::list(&advisor).await.unwrap().remove(0);
    assert_eq!(confide_mail::sync::sync_account(&advisor, &account, &|_| {}).await.unwrap().added, 0);
    assert_eq!(scalar(&advisor, "SELECT count(*) FROM messages").await, 1);
    advisor.close().await;

    let (manager, added) = desktop(&lab, &shared, &tmp.path().join("manager"), RoleKind::Manager, &[]).await;
    assert_eq!(added, 3);
    assert_eq!(scalar(&manager, "SELECT count(*) FROM conversations WHERE line_id = 'mens_advice'").await, 1);
    manager.close().await;

    // A sync made before anyone chose their lines (`confide sync` ahead of first run) keeps
    // everything; choosing the lines then forgets the others.
    let dir = tmp.path().join("early");
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(&dir));
    let early = Store::open(StoreConfig { data_dir: dir, vault, clock: Arc::new(SystemClock), catalog: Catalog::builtin() }).await.unwrap();
    let mut account = lab.account("shared", &shared, AccountKind::Shared);
    account.lines = vec![
        LineAddress { address: format!("phone-{shared}@lab.test"), line_id: "phoneline".into() },
        LineAddress { address: format!("mal-{shared}@lab.test"), line_id: "mens_advice".into() },
    ];
    accounts::save(&early, &account, &lab.password(&shared)).await.unwrap();
    confide_mail::sync::sync_account(&early, &account, &|_| {}).await.unwrap();
    assert_eq!(scalar(&early, "SELECT count(*) FROM conversations WHERE line_id = 'mens_advice'").await, 1);
    staff::save_profile_on_lines(&early, "respect-mal-current", "Sam", RoleKind::Advisor, &["phoneline".into()]).await.unwrap();
    assert_eq!(scalar(&early, "SELECT count(*) FROM conversations WHERE line_id = 'mens_advice'").await, 0);
    assert_eq!(scalar(&early, "SELECT count(*) FROM messages").await, 1, "the advisor's own line stays");
    assert_eq!(scalar(&early, "SELECT count(*) FROM blobs WHERE id NOT IN (SELECT body_blob FROM messages)").await, 0, "blobs left behind");
    early.close().await;
}
