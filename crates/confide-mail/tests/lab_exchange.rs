//! Issue 23, first step: sync against the lab's exchange-like server, which offers what Exchange
//! Online offers and no more (no CONDSTORE, QRESYNC, SPECIAL-USE or keywords; `Sent Items`,
//! `Deleted Items`). The shared mailbox is mirrored; replies in `Sent Items` join their threads;
//! a colleague's reading (`\Seen`), new mail and an expunge are followed without CONDSTORE; a
//! claim (a sealed state entry) is kept; and a line move, which still needs keywords, is refused
//! in words.

use std::sync::Arc;

use confide_core::accounts::{self, AccountKind};
use confide_core::inbox::{self, InboxFilter};
use confide_core::mailstore;
use confide_core::policy::{Catalog, RoleKind};
use confide_core::store::StoreConfig;
use confide_core::{paths, staff, Store, SystemClock};
use confide_mail::lab::Lab;
use confide_mail::sync::sync_account;
use confide_vault::{OsKeyring, Vault};

async fn manager(dir: &std::path::Path) -> staff::Session {
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(dir));
    let config = StoreConfig { data_dir: dir.into(), vault, clock: Arc::new(SystemClock), catalog: Catalog::builtin() };
    let store = Store::open(config).await.unwrap();
    staff::save_profile(&store, "respect-mal-current", "Ash", RoleKind::Manager).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    staff::session(&store).await.unwrap()
}

#[tokio::test]
async fn issue23_the_exchange_like_server_is_synced_without_condstore_qresync_or_special_use() {
    let Some(standard) =
        Lab::get("issue23_the_exchange_like_server_is_synced_without_condstore_qresync_or_special_use")
    else {
        return;
    };
    let lab = standard.exchange_like();
    let user = lab.fresh_user("exch");
    let user = user.as_str();
    let address = format!("{user}@lab.test");
    let ask = format!(
        "From: Caller <caller@example.org>\r\nTo: {address}\r\nSubject: Help exch\r\nMessage-ID: <ex1-{user}@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nPlease call ExchWords\r\n"
    );
    let reply = format!(
        "From: Helpline <{address}>\r\nTo: caller@example.org\r\nSubject: Re: Help exch\r\nMessage-ID: <ex2-{user}@lab.test>\r\nIn-Reply-To: <ex1-{user}@example.org>\r\nDate: Mon, 2 Nov 2026 11:00:00 +0000\r\n\r\nWe will call.\r\n"
    );
    lab.import_raw(user, &[ask]);
    lab.import_into(user, "Sent Items", &[reply], None);
    lab.bulk_import(user, 20, "exch");

    let tmp = tempfile::tempdir().unwrap();
    let session = manager(&tmp.path().join("data")).await;
    let store = &session.store;
    let account = lab.account("shared", user, AccountKind::Shared);
    assert_eq!(account.imap_port.to_string(), lab.var("LAB_EXCHANGE_IMAPS_PORT"));
    accounts::save(store, &account, &lab.password(user)).await.unwrap();
    let first = sync_account(store, &account, &|_| {}).await.unwrap();
    for folder in ["INBOX", "Sent Items"] {
        assert_eq!(
            mailstore::local_uids(store, "shared", folder).await.unwrap(),
            lab.server_uids(user, folder),
            "{folder}"
        );
    }
    assert_eq!(first.added, 22);
    // The reply in `Sent Items` (no SPECIAL-USE there) is known as the helpline's own.
    let page =
        inbox::page(&session, &InboxFilter { search: Some("ExchWords".into()), ..Default::default() }).await.unwrap();
    let conversation = page.conversations.first().expect("the enquiry was synced");
    assert_eq!(conversation.message_count, 2, "the reply in Sent Items joined its thread");
    assert!(conversation.unread);

    // A colleague reads it in Outlook (\Seen), new mail comes, one message is expunged: all
    // followed without CONDSTORE (a flags pass over what is held, UID SEARCH for the rest).
    lab.doveadm(&[
        "flags",
        "add",
        "-u",
        &address,
        "\\Seen",
        "mailbox",
        "INBOX",
        "header",
        "Message-ID",
        &format!("ex1-{user}"),
    ]);
    lab.bulk_import(user, 3, "later");
    lab.doveadm(&["expunge", "-u", &address, "mailbox", "INBOX", "header", "Subject", "exch message 7"]);
    let again = sync_account(store, &account, &|_| {}).await.unwrap();
    assert_eq!((again.added, again.removed, again.resets), (3, 1, 0));
    assert_eq!(mailstore::local_uids(store, "shared", "INBOX").await.unwrap(), lab.server_uids(user, "INBOX"));
    let page =
        inbox::page(&session, &InboxFilter { search: Some("ExchWords".into()), ..Default::default() }).await.unwrap();
    assert!(!page.conversations[0].unread, "a colleague's reading was not followed without CONDSTORE");

    // Nothing changed: a resync changes nothing (and, without QRESYNC, cannot skip a folder).
    let quiet = sync_account(store, &account, &|_| {}).await.unwrap();
    assert_eq!((quiet.added, quiet.removed, quiet.resets, quiet.unchanged_folders), (0, 0, 0, 0));

    // Only a reading, nothing added or expunged (the same EXISTS and UIDNEXT: no UID listing,
    // one UNSEEN search): still followed. Then one expunged and one added, which leaves EXISTS
    // as it was but moves UIDNEXT on: both followed.
    let unread = |word: &'static str| {
        let session = session.clone();
        async move {
            let filter = InboxFilter { search: Some(word.into()), ..Default::default() };
            inbox::page(&session, &filter).await.unwrap().conversations.iter().any(|c| c.unread)
        }
    };
    assert!(unread("later").await);
    lab.doveadm(&["flags", "add", "-u", &address, "\\Seen", "mailbox", "INBOX", "subject", "later"]);
    let read = sync_account(store, &account, &|_| {}).await.unwrap();
    assert_eq!((read.added, read.removed), (0, 0));
    assert!(!unread("later").await, "a reading alone was not followed");
    lab.doveadm(&["expunge", "-u", &address, "mailbox", "INBOX", "header", "Subject", "exch message 8"]);
    lab.bulk_import(user, 1, "swapped");
    let swapped = sync_account(store, &account, &|_| {}).await.unwrap();
    assert_eq!((swapped.added, swapped.removed), (1, 1));
    assert_eq!(mailstore::local_uids(store, "shared", "INBOX").await.unwrap(), lab.server_uids(user, "INBOX"));

    // A claim needs no keyword: it is a state entry, kept (issue 23).
    let id = page.conversations[0].id;
    confide_mail::triage::mark(&session, id, &confide_mail::triage::Mark::Claim).await.unwrap();
    let words = InboxFilter { search: Some("ExchWords".into()), ..Default::default() };
    let claimed = inbox::page(&session, &words).await.unwrap();
    assert_eq!(claimed.conversations[0].assignee, Some(store.identity().fingerprint()));
    // Keywords are not kept on this server, and a line move needs none either: a state entry.
    let to_mal = confide_mail::triage::Mark::Line { line: "mens_advice".into() };
    confide_mail::triage::mark(&session, id, &to_mal).await.unwrap();
    let moved = inbox::page(&session, &words).await.unwrap();
    assert_eq!(moved.conversations[0].line_id, "mens_advice");
}

/// Issue 23: Exchange Online throttles a mailbox read too fast (`BAD Request is throttled.
/// Suggested Backoff Time: N milliseconds`). The sync waits the time asked, says so as
/// progress, and carries on from what it had committed: every message once, none twice.
/// The exchange-like Dovecot sits behind the lab's throttling proxy, which injects that answer
/// to the first whole-message fetch.
#[tokio::test]
async fn issue23_a_throttled_sync_waits_as_asked_says_so_and_finishes() {
    let Some(standard) = Lab::get("issue23_a_throttled_sync_waits_as_asked_says_so_and_finishes") else { return };
    let lab = standard.exchange_like();
    let user = lab.fresh_user("throttled");
    lab.bulk_import(&user, 40, "thr");
    let proxy = lab.throttler(lab.var("LAB_EXCHANGE_IMAPS_PORT").parse().unwrap(), 1500);

    let tmp = tempfile::tempdir().unwrap();
    let session = manager(&tmp.path().join("data")).await;
    let store = &session.store;
    let mut account = lab.account("shared", &user, AccountKind::Shared);
    account.imap_port = proxy.port;
    accounts::save(store, &account, &lab.password(&user)).await.unwrap();
    let waits = std::sync::Mutex::new(vec![]);
    let started = std::time::Instant::now();
    let report = sync_account(store, &account, &|p| {
        if let Some(w) = p.waiting {
            waits.lock().unwrap().push(w);
        }
    })
    .await
    .expect("the sync waited and finished");
    assert_eq!(proxy.turned_away.load(std::sync::atomic::Ordering::SeqCst), 1, "the proxy throttled nothing");
    assert_eq!(*waits.lock().unwrap(), [1], "the wait was not shown");
    assert!(started.elapsed() >= std::time::Duration::from_millis(1500), "it did not wait as asked");
    assert_eq!(report.added, 40);
    assert_eq!(mailstore::local_uids(store, "shared", "INBOX").await.unwrap(), lab.server_uids(&user, "INBOX"));
    assert_eq!(sync_account(store, &account, &|_| {}).await.unwrap().added, 0, "a message came twice");
}
