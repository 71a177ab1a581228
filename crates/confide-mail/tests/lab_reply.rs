//! Issue 3: replying from the shared mailbox, against the real lab.

use std::sync::Arc;
use std::time::{Duration, Instant};

use confide_core::accounts::{self, AccountKind, LineAddress};
use confide_core::inbox::{self, InboxFilter};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::store::StoreConfig;
use confide_core::{outbox, paths, staff, Store, SystemClock};
use confide_mail::lab::Lab;
use confide_mail::reply::{deliver, queue_reply};
use confide_mail::sync::sync_account;
use confide_vault::{OsKeyring, Vault};

#[tokio::test]
async fn issue3_reply_goes_as_the_shared_mailbox_into_its_sent_and_no_personal_sent() {
    let Some(lab) = Lab::get("issue3_reply_goes_as_the_shared_mailbox_into_its_sent_and_no_personal_sent") else { return };
    let token = format!("rt{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros());
    let user = lab.fresh_user("reply");
    let user = user.as_str();
    lab.import_raw(
        user,
        &[format!(
            "From: Advisor Two <advisor2@lab.test>\r\nTo: {user}@lab.test\r\nSubject: Please help {token}\r\nMessage-ID: <ask-{token}@lab.test>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nCan someone call me back? {token}\r\n"
        )],
    );
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(&dir));
    let store = Store::open(StoreConfig { data_dir: dir, vault, clock: Arc::new(SystemClock), catalog: Catalog::builtin() }).await.unwrap();
    staff::save_profile(&store, "respect-mal-current", "Ash", RoleKind::Advisor).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    let session = staff::session(&store).await.unwrap();
    let mut account = lab.account("shared", user, AccountKind::Shared);
    account.lines = vec![LineAddress { address: format!("{user}@lab.test"), line_id: "mens_advice".into() }];
    accounts::save(&store, &account, &lab.password(user)).await.unwrap();
    sync_account(&store, &account, &|_| {}).await.unwrap();
    let page = inbox::page(&session, &InboxFilter { search: Some(token.clone()), ..Default::default() }).await.unwrap();
    let conversation = page.conversations.first().expect("the enquiry was synced").id;

    // The submission server is unreachable: the reply stays in the outbox, with the reason.
    let mut broken = account.clone();
    broken.smtp_port = 1;
    accounts::save(&store, &broken, &lab.password(user)).await.unwrap();
    let reply = format!("We can call you tomorrow. {token}-reply");
    let id = queue_reply(&session, conversation, &reply).await.unwrap();
    let item = deliver(&session, id).await.unwrap().expect("still in the outbox");
    assert_eq!((item.state.as_str(), item.smtp_done), ("failed", false));
    assert!(item.error.as_deref().unwrap_or("").contains("could not be sent"), "{item:?}");
    assert_eq!(lab.count_body(user, "Sent", &format!("{token}-reply")), 0);

    // Fixed: the retry sends it once and files it in the shared Sent.
    accounts::save(&store, &account, &lab.password(user)).await.unwrap();
    assert!(deliver(&session, id).await.unwrap().is_none(), "the reply should have left the outbox");
    assert!(outbox::list(&store).await.unwrap().is_empty());
    assert_eq!(lab.count_body(user, "Sent", &format!("{token}-reply")), 1, "the shared Sent must hold exactly one copy");
    let deadline = Instant::now() + Duration::from_secs(20);
    while lab.count_body("advisor2", "INBOX", &format!("{token}-reply")) == 0 {
        assert!(Instant::now() < deadline, "the reply never arrived");
        std::thread::sleep(Duration::from_millis(200));
    }
    for user in ["advisor1", "advisor2", "manager1"] {
        assert_eq!(lab.count_body(user, "Sent", &format!("{token}-reply")), 0, "a copy is in {user}'s personal Sent");
    }

    // The Sent copy comes back through sync into the same conversation.
    let r = sync_account(&store, &account, &|_| {}).await.unwrap();
    eprintln!("resync after reply: {r:?}");
    let page = inbox::page(&session, &InboxFilter { search: Some(token.clone()), ..Default::default() }).await.unwrap();
    assert_eq!((page.total, page.conversations[0].message_count), (Some(1), 2));
}
