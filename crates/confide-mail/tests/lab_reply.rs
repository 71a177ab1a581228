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

/// A store for an advisor on respect-mal-current, agreement accepted, and its session.
async fn advisor_store(dir: &std::path::Path) -> (Store, staff::Session) {
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(dir));
    let config = StoreConfig { data_dir: dir.into(), vault, clock: Arc::new(SystemClock), catalog: Catalog::builtin() };
    let store = Store::open(config).await.unwrap();
    staff::save_profile(&store, "respect-mal-current", "Ash", RoleKind::Advisor).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    let session = staff::session(&store).await.unwrap();
    (store, session)
}

/// Issue 23: on the exchange-like server too, whose Sent is `Sent Items` (found by name).
#[tokio::test]
async fn issue3_reply_goes_as_the_shared_mailbox_into_its_sent_and_no_personal_sent() {
    let Some(lab) = Lab::get("issue3_reply_goes_as_the_shared_mailbox_into_its_sent_and_no_personal_sent") else {
        return;
    };
    reply_on(lab.exchange_like()).await;
    reply_on(lab).await;
}

async fn reply_on(lab: Lab) {
    let sent = lab.sent_folder();
    let token =
        format!("rt{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros());
    let user = lab.fresh_user("reply");
    let user = user.as_str();
    lab.import_raw(
        user,
        &[format!(
            "From: Advisor Two <advisor2@lab.test>\r\nTo: {user}@lab.test\r\nSubject: Please help {token}\r\nMessage-ID: <ask-{token}@lab.test>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nCan someone call me back? {token}\r\n"
        )],
    );
    let tmp = tempfile::tempdir().unwrap();
    let (store, session) = advisor_store(&tmp.path().join("data")).await;
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
    let id = queue_reply(&session, conversation, &reply).await.unwrap().outbox().unwrap();
    let item = deliver(&session, id).await.unwrap().expect("still in the outbox");
    assert_eq!((item.state.as_str(), item.smtp_done), ("failed", false));
    assert!(item.error.as_deref().unwrap_or("").contains("could not be sent"), "{item:?}");
    assert_eq!(lab.count_body(user, sent, &format!("{token}-reply")), 0);

    // Fixed: the retry sends it once and files it in the shared Sent.
    accounts::save(&store, &account, &lab.password(user)).await.unwrap();
    let left = deliver(&session, id).await.unwrap();
    assert!(left.is_none(), "the reply should have left the outbox: {left:?}");
    assert!(outbox::list(&store).await.unwrap().is_empty());
    assert_eq!(lab.count_body(user, sent, &format!("{token}-reply")), 1, "the shared Sent must hold exactly one copy");
    let deadline = Instant::now() + Duration::from_secs(20);
    let delivered = lab.standard();
    while delivered.count_body("advisor2", "INBOX", &format!("{token}-reply")) == 0 {
        assert!(Instant::now() < deadline, "the reply never arrived");
        std::thread::sleep(Duration::from_millis(200));
    }
    for user in ["advisor1", "advisor2", "manager1"] {
        assert_eq!(lab.count_body(user, sent, &format!("{token}-reply")), 0, "a copy is in {user}'s personal Sent");
    }

    // The Sent copy comes back through sync into the same conversation.
    let r = sync_account(&store, &account, &|_| {}).await.unwrap();
    eprintln!("resync after reply: {r:?}");
    let page = inbox::page(&session, &InboxFilter { search: Some(token.clone()), ..Default::default() }).await.unwrap();
    assert_eq!((page.total, page.conversations[0].message_count), (Some(1), 2));

    // Exchange Online files a copy of what is submitted over SMTP in the signed-in mailbox's
    // Sent Items itself: a copy already there with the reply's Message-ID is the copy, and
    // the folder holds the reply once, not twice.
    let id =
        queue_reply(&session, conversation, &format!("One more thing. {token}-own")).await.unwrap().outbox().unwrap();
    let raw = outbox::raw(&session, id).await.unwrap();
    lab.save_into(user, sent, &String::from_utf8_lossy(&raw));
    assert!(deliver(&session, id).await.unwrap().is_none());
    assert_eq!(lab.count_body(user, sent, &format!("{token}-own")), 1, "the reply was filed twice");
}

/// Two advisors open the same enquiry; B replies first. A's send is stopped (after A's desktop
/// syncs the shared Sent), and goes once A has seen B's reply.
#[tokio::test]
async fn issue3_a_second_reply_is_stopped_when_a_colleague_replied_since_it_was_opened() {
    let Some(lab) = Lab::get("issue3_a_second_reply_is_stopped_when_a_colleague_replied_since_it_was_opened") else {
        return;
    };
    let token =
        format!("tw{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros());
    let user = lab.fresh_user("twice");
    lab.import_raw(
        &user,
        &[format!(
            "From: Advisor Two <advisor2@lab.test>\r\nTo: {user}@lab.test\r\nSubject: Twice {token}\r\nMessage-ID: <twice-{token}@lab.test>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nHello {token}\r\n"
        )],
    );
    let tmp = tempfile::tempdir().unwrap();
    let mut desks = Vec::new();
    for name in ["Ash", "Bea"] {
        let dir = tmp.path().join(name);
        let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(&dir));
        let store = Store::open(StoreConfig {
            data_dir: dir,
            vault,
            clock: Arc::new(SystemClock),
            catalog: Catalog::builtin(),
        })
        .await
        .unwrap();
        staff::save_profile(&store, "respect-mal-current", name, RoleKind::Advisor).await.unwrap();
        staff::accept_agreement(&store, "current-1").await.unwrap();
        let account = lab.account("shared", &user, AccountKind::Shared);
        accounts::save(&store, &account, &lab.password(&user)).await.unwrap();
        sync_account(&store, &account, &|_| {}).await.unwrap();
        let session = staff::session(&store).await.unwrap();
        let page =
            inbox::page(&session, &InboxFilter { search: Some(token.clone()), ..Default::default() }).await.unwrap();
        let conversation = page.conversations[0].id;
        let (_, messages) = confide_core::conversations::load(&session, conversation).await.unwrap();
        let seen = messages.iter().map(|m| m.id).max().unwrap();
        desks.push((session, account, conversation, seen));
    }
    let (b, _, b_conv, b_seen) = &desks[1];
    confide_core::conversations::check_no_reply_since(&b.store, *b_conv, *b_seen).await.unwrap();
    let id = queue_reply(b, *b_conv, "Bea here, I will call you.").await.unwrap().outbox().unwrap();
    assert!(deliver(b, id).await.unwrap().is_none());

    let (a, a_account, a_conv, a_seen) = &desks[0];
    sync_account(&a.store, a_account, &|_| {}).await.unwrap();
    let stopped = confide_core::conversations::check_no_reply_since(&a.store, *a_conv, *a_seen).await.unwrap_err();
    assert_eq!(stopped.code(), confide_core::ErrorCode::RepliedSinceOpened);
    assert!(stopped.to_string().contains("a colleague has replied"), "{stopped}");
    // Having seen it (the view reloaded), A may reply.
    let (_, messages) = confide_core::conversations::load(a, *a_conv).await.unwrap();
    assert_eq!(messages.len(), 2, "B's reply joined A's conversation");
    let now_seen = messages.iter().map(|m| m.id).max().unwrap();
    confide_core::conversations::check_no_reply_since(&a.store, *a_conv, now_seen).await.unwrap();
}

/// Issue 22: a mailbox signed in with OAuth 2.0 (the device flow at the lab's provider) syncs
/// over OAUTHBEARER and replies over SMTP with XOAUTH2, with no password anywhere in the store
/// or the keyring.
#[tokio::test]
async fn issue22_a_mailbox_signed_in_with_oauth_syncs_and_replies_with_no_password() {
    let Some(lab) = Lab::get("issue22_a_mailbox_signed_in_with_oauth_syncs_and_replies_with_no_password") else {
        return;
    };
    let token =
        format!("oa{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros());
    // The lab's provider knows the standing accounts: `tester@` is the one tests may change.
    lab.import_raw(
        "tester",
        &[format!(
            "From: Advisor Two <advisor2@lab.test>\r\nTo: tester@lab.test\r\nSubject: OAuth {token}\r\nMessage-ID: <ask-{token}@lab.test>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nPlease ring {token}\r\n"
        )],
    );
    let settings = confide_core::accounts::OAuthSettings {
        issuer: lab.var("LAB_OIDC_ISSUER").to_owned(),
        client_id: lab.var("LAB_OIDC_CLIENT").to_owned(),
        scopes: vec!["openid".into(), "offline_access".into(), "mail".into()],
    };
    let (me, s) = (lab.standard(), settings.clone());
    let tokens = tokio::task::spawn_blocking(move || me.device_sign_in(&s, "tester")).await.unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let (store, session) = advisor_store(&tmp.path().join("data")).await;
    let mut account = lab.account("shared", "tester", AccountKind::Shared);
    account.lines = vec![LineAddress { address: "tester@lab.test".into(), line_id: "mens_advice".into() }];
    account.sign_in = confide_core::accounts::SignIn::OAuth(settings);
    accounts::save(&store, &account, &tokens.refresh).await.unwrap();
    assert_ne!(store.vault().account_password("shared").unwrap().unwrap().as_str(), lab.password("tester"));

    sync_account(&store, &account, &|_| {}).await.unwrap();
    let page = inbox::page(&session, &InboxFilter { search: Some(token.clone()), ..Default::default() }).await.unwrap();
    let conversation = page.conversations.first().expect("the enquiry was synced over OAuth").id;
    let id =
        queue_reply(&session, conversation, &format!("We will ring. {token}-reply")).await.unwrap().outbox().unwrap();
    let left = deliver(&session, id).await.unwrap();
    assert!(left.is_none(), "the reply did not go: {left:?}");
    assert_eq!(lab.count_body("tester", "Sent", &format!("{token}-reply")), 1);
    let deadline = Instant::now() + Duration::from_secs(20);
    while lab.count_body("advisor2", "INBOX", &format!("{token}-reply")) == 0 {
        assert!(Instant::now() < deadline, "the reply never arrived");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let log = std::fs::read_to_string(lab.dir.join("log/dovecot.log")).unwrap_or_default();
    assert!(
        log.lines().any(|l| l.contains("user=<tester@lab.test>") && l.contains("method=OAUTHBEARER")),
        "no OAUTHBEARER login"
    );

    // An access token the server stops taking before the client expected (expired early, or
    // revoked alone) is replaced at once: the sync carries on, with one refresh.
    lab.stale_token(&store, &account);
    lab.import_raw(
        "tester",
        &[format!(
            "From: Advisor Two <advisor2@lab.test>\r\nTo: tester@lab.test\r\nSubject: Again {token}\r\nMessage-ID: <again-{token}@lab.test>\r\nDate: Mon, 2 Nov 2026 11:00:00 +0000\r\n\r\nStill there {token}\r\n"
        )],
    );
    sync_account(&store, &account, &|_| {}).await.expect("the sync carried on with a new token");
    // (The mailbox is a standing one: earlier runs left their own "Still there".)
    let words = InboxFilter { search: Some(format!("Still {token}")), ..Default::default() };
    assert_eq!(inbox::page(&session, &words).await.unwrap().conversations.len(), 1);

    // The same at submission: SMTP AUTH turns the stale token away (535), and the reply goes
    // with a new one at once instead of being marked refused for good.
    lab.stale_token(&store, &account);
    let id =
        queue_reply(&session, conversation, &format!("Ringing now. {token}-again")).await.unwrap().outbox().unwrap();
    let left = deliver(&session, id).await.unwrap();
    assert!(left.is_none(), "the reply did not go on a new token: {left:?}");
    assert_eq!(lab.count_body("tester", "Sent", &format!("{token}-again")), 1);
}
