//! Issue 23, Gmail: the lab's gmail-like server shows every message twice (in its folder and in
//! the `\All` view, as `[Gmail]/All Mail` does), and a message under two labels is in two
//! folders. Sync stores one copy of each message, and a message goes from the store only when
//! no label has it; the retention tests (`lab_retention`) show that what expires leaves nothing
//! in All Mail.

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

const ALL_MAIL: &str = "Virtual/All Mail";

async fn advisor(dir: &std::path::Path) -> staff::Session {
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(dir));
    let config = StoreConfig { data_dir: dir.into(), vault, clock: Arc::new(SystemClock), catalog: Catalog::builtin() };
    let store = Store::open(config).await.unwrap();
    staff::save_profile(&store, "respect-mal-current", "Ash", RoleKind::Advisor).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    staff::session(&store).await.unwrap()
}

#[tokio::test]
async fn issue23_on_gmail_sync_stores_one_copy_of_each_message() {
    let Some(standard) = Lab::get("issue23_on_gmail_sync_stores_one_copy_of_each_message") else { return };
    let lab = standard.gmail_like();
    let user = lab.fresh_user("gm");
    let user = user.as_str();
    let address = format!("{user}@lab.test");
    let ask = format!(
        "From: Caller <caller@example.org>\r\nTo: {address}\r\nSubject: Help gm\r\nMessage-ID: <gm1-{user}@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nPlease call GmailWords\r\n"
    );
    let reply = format!(
        "From: Helpline <{address}>\r\nTo: caller@example.org\r\nSubject: Re: Help gm\r\nMessage-ID: <gm2-{user}@lab.test>\r\nIn-Reply-To: <gm1-{user}@example.org>\r\nDate: Mon, 2 Nov 2026 11:00:00 +0000\r\n\r\nWe will call GmReplyWords.\r\n"
    );
    lab.import_raw(user, &[ask]);
    lab.save_into(user, lab.sent_folder(), &reply);
    lab.bulk_import(user, 20, "gm");
    // The enquiry is also labelled "Legal": on Gmail, the same message in a second folder.
    lab.doveadm(&["mailbox", "create", "-u", &address, "Legal"]);
    let the_ask = ["header", "Message-ID", &format!("gm1-{user}")];
    lab.doveadm(&[&["copy", "-u", &address, "Legal", "mailbox", "INBOX"][..], &the_ask[..]].concat());
    assert_eq!(lab.server_uids(user, ALL_MAIL).len(), 23, "the server shows every message again in All Mail");

    let tmp = tempfile::tempdir().unwrap();
    let session = advisor(&tmp.path().join("data")).await;
    let store = &session.store;
    let account = lab.account("shared", user, AccountKind::Shared);
    accounts::save(store, &account, &lab.password(user)).await.unwrap();
    let first = sync_account(store, &account, &|_| {}).await.unwrap();
    assert_eq!(first.added, 22, "one copy of each message, not two: {first:?}");
    for folder in ["INBOX", lab.sent_folder(), "Legal"] {
        assert_eq!(mailstore::local_uids(store, "shared", folder).await.unwrap(), lab.server_uids(user, folder));
    }
    assert!(mailstore::local_uids(store, "shared", ALL_MAIL).await.unwrap().is_empty());
    let page =
        inbox::page(&session, &InboxFilter { search: Some("GmailWords".into()), ..Default::default() }).await.unwrap();
    assert_eq!(page.conversations.len(), 1);
    assert_eq!(page.conversations[0].message_count, 2, "the enquiry and its reply, once each");

    // A resync with nothing new adds nothing either.
    let again = sync_account(store, &account, &|_| {}).await.unwrap();
    assert_eq!(again.added, 0, "{again:?}");

    // Someone who reuses the enquiry's Message-ID with another date sends a message of their
    // own: it is stored (in the same thread, by its Message-ID), not taken for a copy.
    let reuse = format!(
        "From: Other <other@example.org>\r\nTo: {address}\r\nSubject: Another\r\nMessage-ID: <gm1-{user}@example.org>\r\nDate: Tue, 3 Nov 2026 10:00:00 +0000\r\n\r\nGmReuseWords\r\n"
    );
    lab.doveadm(&["mailbox", "create", "-u", &address, "Other"]);
    lab.save_into(user, "Other", &reuse);
    assert_eq!(sync_account(store, &account, &|_| {}).await.unwrap().added, 1, "taken for a copy");

    // The label taken off: the message stays, since INBOX still has it.
    lab.doveadm(&[&["expunge", "-u", &address, "mailbox", "Legal"][..], &the_ask[..]].concat());
    let unlabelled = sync_account(store, &account, &|_| {}).await.unwrap();
    assert_eq!(unlabelled.removed, 0, "{unlabelled:?}");
    let count = |search: &'static str| {
        let session = &session;
        async move {
            let filter = InboxFilter { search: Some(search.into()), ..Default::default() };
            inbox::page(session, &filter).await.unwrap().conversations.first().map(|c| c.message_count)
        }
    };
    assert_eq!(count("GmailWords").await, Some(3), "the enquiry, its reply and the other message");
    assert!(mailstore::local_uids(store, "shared", "Legal").await.unwrap().is_empty());

    // Gone from INBOX too (archived in Gmail's terms): now it leaves the store.
    lab.doveadm(&[&["expunge", "-u", &address, "mailbox", "INBOX"][..], &the_ask[..]].concat());
    let archived = sync_account(store, &account, &|_| {}).await.unwrap();
    assert_eq!(archived.removed, 1, "{archived:?}");
    assert_eq!(count("GmReplyWords").await, Some(2), "the reply and the other message are left");
}
