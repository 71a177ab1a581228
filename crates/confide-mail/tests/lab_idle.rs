//! Issue 3: push. A watch in IMAP IDLE on the lab's Dovecot hears of mail delivered through
//! Postfix within seconds, and the sync it triggers puts the message in the inbox.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use confide_core::accounts::{self, AccountKind};
use confide_core::inbox::{self, InboxFilter};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::store::StoreConfig;
use confide_core::{paths, staff, Store, SystemClock};
use confide_mail::idle::{watch, WatchEvent};
use confide_mail::lab::Lab;
use confide_mail::sync::sync_account;
use confide_vault::{OsKeyring, Vault};
use lettre::{SmtpTransport, Transport};

#[tokio::test]
async fn issue3_idle_hears_new_mail_within_seconds_and_sync_brings_it_in() {
    let Some(lab) = Lab::get("issue3_idle_hears_new_mail_within_seconds_and_sync_brings_it_in") else { return };
    let user = lab.fresh_user("idle");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(&dir));
    let store =
        Store::open(StoreConfig { data_dir: dir, vault, clock: Arc::new(SystemClock), catalog: Catalog::builtin() })
            .await
            .unwrap();
    staff::save_profile(&store, "respect-mal-current", "Tester", RoleKind::Advisor).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    let account = lab.account("idle", &user, AccountKind::Shared);
    accounts::save(&store, &account, &lab.password(&user)).await.unwrap();

    let (tx, rx) = mpsc::channel();
    let w = watch(account.clone(), lab.password(&user).as_str().into(), "INBOX".into(), move |e| {
        let _ = tx.send(e);
    })
    .unwrap();
    // The first report says the watch is connected (and asks for a catch-up sync).
    match rx.recv_timeout(Duration::from_secs(20)).unwrap() {
        WatchEvent::Changed => {}
        other => panic!("the watch could not connect: {other:?}"),
    }

    let word = format!("idleword{}", std::process::id());
    let mail = lettre::Message::builder()
        .from("someone@example.org".parse().unwrap())
        .to(format!("{user}@lab.test").parse().unwrap())
        .subject("pushed")
        .body(format!("Please call me back {word}"))
        .unwrap();
    let smtp = SmtpTransport::builder_dangerous("127.0.0.1").port(lab.var("LAB_SMTP_PORT").parse().unwrap()).build();
    let sent = Instant::now();
    smtp.send(&mail).unwrap();
    match rx.recv_timeout(Duration::from_secs(15)) {
        Ok(WatchEvent::Changed) => {}
        other => panic!("IDLE did not report the new mail: {other:?}"),
    }
    let heard = sent.elapsed();
    eprintln!("IDLE reported delivered mail after {:.2} s", heard.as_secs_f64());
    assert!(heard < Duration::from_secs(10), "new mail should show within seconds, took {heard:?}");

    sync_account(&store, &account, &|_| {}).await.unwrap();
    let session = staff::session(&store).await.unwrap();
    let page = inbox::page(&session, &InboxFilter { search: Some(word), ..Default::default() }).await.unwrap();
    assert_eq!(page.conversations.len(), 1);
    w.stop();
}

/// Issue 23: on a server without IDLE, a colleague's state entry must still show within 2 s,
/// and a quiet folder must not set off a sync every poll.
#[tokio::test]
async fn issue23_without_idle_a_state_entry_is_heard_within_two_seconds_and_quiet_is_quiet() {
    let Some(lab) = Lab::get("issue23_without_idle_a_state_entry_is_heard_within_two_seconds_and_quiet_is_quiet")
    else {
        return;
    };
    let user = lab.fresh_user("noidle");
    lab.without_idle(&user);
    let account = lab.account("noidle", &user, AccountKind::Shared);
    let (tx, rx) = mpsc::channel();
    let w = watch(account, lab.password(&user).as_str().into(), "Confide/State".into(), move |e| {
        let _ = tx.send(e);
    })
    .unwrap();
    match rx.recv_timeout(Duration::from_secs(20)).unwrap() {
        WatchEvent::Changed => {}
        other => panic!("the watch could not connect: {other:?}"),
    }
    assert!(rx.recv_timeout(Duration::from_secs(3)).is_err(), "a quiet folder reported a change");

    let written = Instant::now();
    lab.save_into(&user, "Confide/State", "Subject: sealed entry\r\n\r\nnot readable\r\n");
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(WatchEvent::Changed) => {}
        other => panic!("the poll did not report the new entry: {other:?}"),
    }
    let heard = written.elapsed();
    eprintln!("without IDLE, a new state entry was heard after {:.2} s", heard.as_secs_f64());
    assert!(heard < Duration::from_secs(2), "took {heard:?}");
    w.stop();
}
