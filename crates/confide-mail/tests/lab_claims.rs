//! The shared mailbox's read state, followed on every desktop (claims, status and risk flags,
//! now sealed state entries, are tested in `lab_triage_state.rs`).

use std::sync::Arc;

use confide_core::accounts::{self, AccountKind};
use confide_core::inbox::{self, InboxFilter};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::staff::Session;
use confide_core::store::StoreConfig;
use confide_core::{paths, staff, Store, SystemClock};
use confide_mail::lab::Lab;
use confide_mail::sync::sync_account;
use confide_vault::{OsKeyring, Vault};

async fn desktop(dir: &std::path::Path, lab: &Lab, user: &str, name: &str) -> Session {
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(dir));
    let store = Store::open(StoreConfig {
        data_dir: dir.into(),
        vault,
        clock: Arc::new(SystemClock),
        catalog: Catalog::builtin(),
    })
    .await
    .unwrap();
    staff::save_profile(&store, "respect-mal-current", name, RoleKind::Advisor).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    accounts::save(&store, &lab.account("shared", user, AccountKind::Shared), &lab.password(user)).await.unwrap();
    staff::session(&store).await.unwrap()
}

/// Syncs the desktop, then finds the conversation by a word of its subject.
async fn synced(s: &Session, subject_word: &str) -> inbox::ConversationSummary {
    let account = accounts::list(&s.store).await.unwrap().remove(0);
    sync_account(&s.store, &account, &|_| {}).await.unwrap();
    let page = inbox::page(s, &InboxFilter { search: Some(subject_word.into()), ..Default::default() }).await.unwrap();
    page.conversations.into_iter().next().expect("conversation synced")
}

async fn unread_of(s: &Session, subject_word: &str) -> bool {
    synced(s, subject_word).await.unread
}

/// Noticed in session 7: an email conversation stayed unread for ever, because sync only ever
/// added the unread state. Reading it on one desktop now sets `\Seen` in the shared mailbox,
/// and every desktop follows the server's `\Seen`, a colleague's reading included.
#[tokio::test]
async fn email_read_state_follows_the_shared_mailbox() {
    let Some(lab) = Lab::get("email_read_state_follows_the_shared_mailbox") else { return };
    let user = lab.fresh_user("reading");
    lab.bulk_import(&user, 2, "readable");
    let tmp = tempfile::tempdir().unwrap();
    let a = desktop(&tmp.path().join("a"), &lab, &user, "Ash").await;
    let b = desktop(&tmp.path().join("b"), &lab, &user, "Bea").await;
    assert!(unread_of(&a, "readable message 0").await && unread_of(&b, "readable message 0").await);
    let target = inbox::page(&a, &InboxFilter { search: Some("readable message 0".into()), ..Default::default() })
        .await
        .unwrap()
        .conversations[0]
        .id;

    let view = confide_mail::reading::open_conversation(&a, target).await.unwrap();
    assert!(!view.summary.unread, "the opened conversation is still shown unread");
    let listed = inbox::page(&a, &InboxFilter { search: Some("readable message 0".into()), ..Default::default() })
        .await
        .unwrap();
    assert!(!listed.conversations[0].unread, "the inbox still lists the opened conversation unread");
    // Showing it again while open (a chat's new words, a reply sent) is not a new opening.
    confide_mail::reading::show_conversation(&a, target).await.unwrap();
    let openings = confide_core::audit::unpublished(&a.store, 1000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "opened" && e.record == format!("conversation:{target}"))
        .count();
    assert_eq!(openings, 1, "a second showing was logged as another opening");

    // The server learns it in the background.
    let (mailbox, id_of) = (format!("{user}@lab.test"), |i: usize| format!("<readable-{i}@example.org>"));
    let flags_of = |i: usize| {
        lab.doveadm(&[
            "-f",
            "flow",
            "fetch",
            "-u",
            &mailbox,
            "flags",
            "mailbox",
            "INBOX",
            "header",
            "message-id",
            &id_of(i),
        ])
    };
    let seen_on_server = || flags_of(0);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !seen_on_server().contains("\\Seen") {
        assert!(std::time::Instant::now() < deadline, "\\Seen never reached the server: {}", seen_on_server());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let other = flags_of(1);
    assert!(!other.contains("\\Seen"), "the other message was marked read too: {other}");

    // The colleague's desktop follows, and only for that conversation.
    assert!(!unread_of(&b, "readable message 0").await, "the colleague still sees it unread");
    assert!(unread_of(&b, "readable message 1").await);
    // A colleague marking it unread again on the server is followed too: the server decides.
    lab.doveadm(&["flags", "remove", "-u", &mailbox, "\\Seen", "mailbox", "INBOX", "header", "message-id", &id_of(0)]);
    assert!(unread_of(&a, "readable message 0").await, "a colleague's 'mark unread' was not followed");
}
