//! Issue 3: a claim made on one desktop's store is seen from a second desktop's store, through
//! the server (IMAP keywords), and a later claim replaces it everywhere.

use std::sync::Arc;

use confide_core::accounts::{self, AccountKind};
use confide_core::conversations::Status;
use confide_core::inbox::{self, InboxFilter};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::staff::Session;
use confide_core::store::StoreConfig;
use confide_core::{paths, staff, Store, SystemClock};
use confide_mail::lab::Lab;
use confide_mail::sync::sync_account;
use confide_mail::triage::{claim, mark, Mark};
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

async fn assignee_of(s: &Session, subject_word: &str) -> (Option<String>, String) {
    let c = synced(s, subject_word).await;
    (c.assignee, c.status)
}

#[tokio::test]
async fn issue3_a_claim_on_one_desktop_is_seen_on_another() {
    let Some(lab) = Lab::get("issue3_a_claim_on_one_desktop_is_seen_on_another") else { return };
    let user = lab.fresh_user("claims");
    lab.bulk_import(&user, 3, "claimable");
    let tmp = tempfile::tempdir().unwrap();
    let a = desktop(&tmp.path().join("a"), &lab, &user, "Ash").await;
    let b = desktop(&tmp.path().join("b"), &lab, &user, "Bea").await;
    let (fa, fb) = (a.store.identity().fingerprint(), b.store.identity().fingerprint());
    assert_ne!(fa, fb);

    assert_eq!(assignee_of(&a, "claimable message 1").await, (None, "new".into()));
    assert_eq!(assignee_of(&b, "claimable message 1").await, (None, "new".into()));
    let target = inbox::page(&a, &InboxFilter { search: Some("claimable message 1".into()), ..Default::default() })
        .await
        .unwrap()
        .conversations[0]
        .id;

    claim(&a, target).await.unwrap();
    assert_eq!(
        assignee_of(&b, "claimable message 1").await,
        (Some(fa.clone()), "in_progress".into()),
        "B does not see A's claim"
    );

    // B takes it over: A sees B, and A's mark is gone from the server.
    let target_b = inbox::page(&b, &InboxFilter { search: Some("claimable message 1".into()), ..Default::default() })
        .await
        .unwrap()
        .conversations[0]
        .id;
    claim(&b, target_b).await.unwrap();
    assert_eq!(assignee_of(&a, "claimable message 1").await, (Some(fb.clone()), "in_progress".into()));
    let flags =
        lab.doveadm(&["-f", "flow", "fetch", "-u", &format!("{user}@lab.test"), "flags", "mailbox", "INBOX", "all"]);
    assert!(
        flags.contains(&format!("Confide.Claim.{fb}")) && !flags.contains(&format!("Confide.Claim.{fa}")),
        "{flags}"
    );
    // The other conversations are untouched.
    assert_eq!(assignee_of(&a, "claimable message 2").await, (None, "new".into()));
}

#[tokio::test]
async fn issue3_status_and_risk_flags_travel_between_desktops_and_filter_the_inbox() {
    let Some(lab) = Lab::get("issue3_status_and_risk_flags_travel_between_desktops_and_filter_the_inbox") else {
        return;
    };
    let user = lab.fresh_user("marks");
    lab.bulk_import(&user, 2, "markable");
    let tmp = tempfile::tempdir().unwrap();
    let a = desktop(&tmp.path().join("a"), &lab, &user, "Ash").await;
    let b = desktop(&tmp.path().join("b"), &lab, &user, "Bea").await;
    assignee_of(&a, "markable message 1").await;
    let target = inbox::page(&a, &InboxFilter { search: Some("markable message 1".into()), ..Default::default() })
        .await
        .unwrap()
        .conversations[0]
        .id;

    mark(&a, target, &Mark::Status { status: Status::Waiting }).await.unwrap();
    mark(&a, target, &Mark::Risk { category: "child_or_vulnerable_adult".into(), raised: true }).await.unwrap();
    assert_eq!(assignee_of(&b, "markable message 1").await, (None, "waiting".into()));
    let flagged = inbox::page(&b, &InboxFilter { flagged: Some(true), ..Default::default() }).await.unwrap();
    assert_eq!(flagged.conversations.len(), 1);
    assert_eq!(flagged.conversations[0].risk_flags, vec!["child_or_vulnerable_adult".to_owned()]);

    // B closes it and lowers the flag; A sees both, and the status keyword was replaced.
    let on_b = flagged.conversations[0].id;
    mark(&b, on_b, &Mark::Status { status: Status::Closed }).await.unwrap();
    mark(&b, on_b, &Mark::Risk { category: "child_or_vulnerable_adult".into(), raised: false }).await.unwrap();
    assert_eq!(assignee_of(&a, "markable message 1").await, (None, "closed".into()));
    assert!(inbox::page(&a, &InboxFilter { flagged: Some(true), ..Default::default() })
        .await
        .unwrap()
        .conversations
        .is_empty());
    let flags =
        lab.doveadm(&["-f", "flow", "fetch", "-u", &format!("{user}@lab.test"), "flags", "mailbox", "INBOX", "all"]);
    assert!(flags.contains("Confide.Status.Closed") && !flags.contains("Confide.Status.Waiting"), "{flags}");

    // A flag that is not one of the preset's exception categories never reaches the server.
    let bad = mark(&a, target, &Mark::Risk { category: "made_up".into(), raised: true }).await.unwrap_err();
    assert!(bad.to_string().contains("not one of this helpline's exception categories"), "{bad}");
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
