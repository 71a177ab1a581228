//! Issue 4: the sent-folder guard against the real lab. Personal copies of shared-mailbox
//! mail (a reply sent through Postfix and saved in the personal Sent as Outlook does, a shared
//! item deleted into the personal Trash) move to the shared mailbox; private mail stays; a
//! second run changes nothing; a connection cut mid-run loses and duplicates nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use confide_core::accounts::{self, AccountKind};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::store::StoreConfig;
use confide_core::{paths, retention_record, staff, Store, SystemClock};
use confide_mail::guard;
use confide_mail::lab::Lab;
use confide_mail::sync::sync_account;
use confide_vault::{OsKeyring, Vault};
use lettre::{SmtpTransport, Transport};

struct Setup {
    store: Store,
    shared: String,
    personal: String,
    _tmp: tempfile::TempDir,
}

async fn setup(lab: &Lab, tag: &str) -> Setup {
    let shared = lab.fresh_user(&format!("{tag}-shared"));
    let personal = lab.fresh_user(&format!("{tag}-advisor"));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(&dir));
    let store =
        Store::open(StoreConfig { data_dir: dir, vault, clock: Arc::new(SystemClock), catalog: Catalog::builtin() })
            .await
            .unwrap();
    staff::save_profile(&store, "respect-mal-current", "Ash", RoleKind::Advisor).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    accounts::save(&store, &lab.account("shared", &shared, AccountKind::Shared), &lab.password(&shared)).await.unwrap();
    accounts::save(&store, &lab.account("personal", &personal, AccountKind::Personal), &lab.password(&personal))
        .await
        .unwrap();
    Setup { store, shared, personal, _tmp: tmp }
}

fn save_in(lab: &Lab, user: &str, folder: &str, raw: &str) {
    lab.save_into(user, folder, raw);
}

fn ids_in(lab: &Lab, user: &str, folder: &str) -> Vec<String> {
    lab.message_ids(user, folder)
}

/// Issue 23: on the exchange-like server too, where the folders are `Sent Items` and `Deleted
/// Items` and nothing says so (no SPECIAL-USE).
#[tokio::test]
async fn issue4_personal_copies_move_to_the_shared_mailbox_and_private_mail_stays() {
    let Some(lab) = Lab::get("issue4_personal_copies_move_to_the_shared_mailbox_and_private_mail_stays") else {
        return;
    };
    guard_moves_on(lab.exchange_like()).await;
    guard_moves_on(lab.gmail_like()).await;
    guard_moves_on(lab).await;
}

async fn guard_moves_on(lab: Lab) {
    let (sent, trash) = (lab.sent_folder(), lab.trash_folder());
    let t = setup(&lab, "guard").await;
    let (shared, personal) = (t.shared.as_str(), t.personal.as_str());
    lab.import_raw(shared, &[format!("From: caller@example.org\r\nTo: {shared}@lab.test\r\nSubject: Help\r\nMessage-ID: <ask-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nPlease help.\r\n")]);
    sync_account(
        &t.store,
        &accounts::list(&t.store).await.unwrap().into_iter().find(|a| a.id == "shared").unwrap(),
        &|_| {},
    )
    .await
    .unwrap();

    // A reply sent from outside Confide, through Postfix, "as" the shared mailbox; the mail
    // client saves its copy in the advisor's own Sent.
    let reply = format!(
        "From: Helpline <{shared}@lab.test>\r\nTo: caller@example.org\r\nSubject: Re: Help\r\nMessage-ID: <outlook-{personal}@lab.test>\r\n\
         In-Reply-To: <ask-{shared}@example.org>\r\nDate: Tue, 3 Nov 2026 09:00:00 +0000\r\n\r\nWe will call you.\r\n"
    );
    let envelope = lettre::address::Envelope::new(
        Some(format!("{shared}@lab.test").parse().unwrap()),
        vec!["caller@example.org".parse().unwrap()],
    )
    .unwrap();
    SmtpTransport::builder_dangerous("127.0.0.1")
        .port(lab.var("LAB_SMTP_PORT").parse().unwrap())
        .build()
        .send_raw(&envelope, reply.as_bytes())
        .unwrap();
    save_in(&lab, personal, sent, &reply);
    // An answer written from the personal address but to a shared enquiry, filed in a subfolder.
    let sub = format!("{sent}/Helpline");
    lab.doveadm(&["mailbox", "create", "-u", &format!("{personal}@lab.test"), &sub]);
    save_in(&lab, personal, &sub, &format!("From: Ash <{personal}@lab.test>\r\nTo: caller@example.org\r\nSubject: Re: Help\r\nMessage-ID: <answer-{personal}@lab.test>\r\nReferences: <ask-{shared}@example.org>\r\n\r\nFollowing up.\r\n"));
    // A shared item deleted in Outlook, landing in the personal Trash.
    save_in(&lab, personal, trash, &format!("From: other@example.org\r\nTo: {shared}@lab.test\r\nSubject: Old\r\nMessage-ID: <deleted-{personal}@example.org>\r\n\r\nOld enquiry.\r\n"));
    // The advisor's own private mail in the same folders.
    save_in(&lab, personal, sent, &format!("From: Ash <{personal}@lab.test>\r\nTo: friend@example.com\r\nSubject: Lunch\r\nMessage-ID: <private-{personal}@lab.test>\r\n\r\nLunch?\r\n"));
    save_in(&lab, personal, trash, &format!("From: shop@example.com\r\nTo: {personal}@lab.test\r\nSubject: Offer\r\nMessage-ID: <spam-{personal}@example.com>\r\n\r\nBuy.\r\n"));

    let report = guard::run(&t.store).await.unwrap();
    assert_eq!((report.moved_sent, report.moved_deleted, report.left_unmatched), (2, 1, 0), "{report:?}");
    assert!(report.problems.is_empty(), "{report:?}");
    assert_eq!(ids_in(&lab, personal, sent), [format!("private-{personal}@lab.test")]);
    assert!(ids_in(&lab, personal, &sub).is_empty());
    assert_eq!(ids_in(&lab, personal, trash), [format!("spam-{personal}@example.com")]);
    assert_eq!(
        ids_in(&lab, shared, sent),
        [format!("answer-{personal}@lab.test"), format!("outlook-{personal}@lab.test")]
    );
    assert_eq!(ids_in(&lab, shared, trash), [format!("deleted-{personal}@example.org")]);
    assert_eq!(lab.archived(personal), 0, "a moved copy is still in the advisor's own All Mail");

    // The retention record says what moved, with no address or subject.
    let record = retention_record::recent(&t.store, 10).await.unwrap();
    let total: i64 = record.iter().filter(|e| e.action == "guard_moved").map(|e| e.count).sum();
    assert_eq!(total, 3);
    let text = format!("{record:?}");
    assert!(
        !text.contains("@") && !text.contains("Please help") && !text.contains("caller") && !text.contains(personal),
        "{text}"
    );

    // A second run changes nothing.
    let again = guard::run(&t.store).await.unwrap();
    assert_eq!((again.moved_sent, again.moved_deleted), (0, 0));
    assert_eq!(ids_in(&lab, shared, sent).len(), 2);
    assert_eq!(ids_in(&lab, personal, sent).len(), 1);
}

/// Issue 23: a tenant in another language (Welsh here) calls its folders "Eitemau a Anfonwyd"
/// and "Eitemau wedi'u Dileu", and Exchange marks neither: the account's own names for them
/// make the guard find the copies there, which it could not before.
#[tokio::test]
async fn issue23_folders_named_in_another_language_are_found_by_the_accounts_own_names() {
    let Some(lab) = Lab::get("issue23_folders_named_in_another_language_are_found_by_the_accounts_own_names") else {
        return;
    };
    let lab = lab.exchange_like();
    let t = setup(&lab, "cymraeg").await;
    let (shared, personal) = (t.shared.as_str(), t.personal.as_str());
    let (sent, deleted) = ("Eitemau a Anfonwyd", "Eitemau wedi'u Dileu");
    for folder in [sent, deleted] {
        lab.doveadm(&["mailbox", "create", "-u", &format!("{personal}@lab.test"), folder]);
    }
    save_in(&lab, personal, sent, &format!("From: Llinell Gymorth <{shared}@lab.test>\r\nTo: caller@example.org\r\nSubject: Re: Help\r\nMessage-ID: <anfonwyd-{personal}@lab.test>\r\n\r\nByddwn yn eich ffonio.\r\n"));
    save_in(&lab, personal, deleted, &format!("From: other@example.org\r\nTo: {shared}@lab.test\r\nSubject: Old\r\nMessage-ID: <dileu-{personal}@example.org>\r\n\r\nHen ymholiad.\r\n"));

    let unnamed = guard::run(&t.store).await.unwrap();
    assert_eq!((unnamed.moved_sent, unnamed.moved_deleted), (0, 0), "{unnamed:?}");

    let mut account = accounts::list(&t.store).await.unwrap().into_iter().find(|a| a.id == "personal").unwrap();
    account.folder_names = accounts::FolderNames { sent: Some(sent.into()), trash: Some(deleted.into()) };
    accounts::save(&t.store, &account, &lab.password(personal)).await.unwrap();
    let named = guard::run(&t.store).await.unwrap();
    assert_eq!((named.moved_sent, named.moved_deleted), (1, 1), "{named:?}");
    assert!(ids_in(&lab, personal, sent).is_empty() && ids_in(&lab, personal, deleted).is_empty());
    assert_eq!(ids_in(&lab, shared, lab.sent_folder()), [format!("anfonwyd-{personal}@lab.test")]);
    assert_eq!(ids_in(&lab, shared, lab.trash_folder()), [format!("dileu-{personal}@example.org")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue4_a_connection_cut_mid_run_loses_nothing_and_the_next_run_finishes() {
    let Some(lab) = Lab::get("issue4_a_connection_cut_mid_run_loses_nothing_and_the_next_run_finishes") else { return };
    let t = setup(&lab, "guardcut").await;
    let (shared, personal) = (t.shared.clone(), t.personal.clone());
    const N: usize = 300;
    let copies: Vec<String> = (0..N)
        .map(|i| format!("From: {shared}@lab.test\r\nTo: caller{i}@example.org\r\nSubject: Reply {i}\r\nMessage-ID: <cut-{i}-{personal}@lab.test>\r\n\r\nReply {i} {}\r\n", "x".repeat(2000)))
        .collect();
    lab.import_raw(&personal, &copies);
    // import_raw fills INBOX; the copies belong in Sent.
    lab.doveadm(&["move", "-u", &format!("{personal}@lab.test"), "Sent", "mailbox", "INBOX", "all"]);

    let store = t.store.clone();
    let run = tokio::spawn(async move { guard::run(&store).await });
    // Cut the personal connection once some copies have reached the shared Sent.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let moved = lab.message_count(&shared, "Sent");
        if moved >= 20 {
            lab.doveadm(&["kick", &format!("{personal}@lab.test")]);
            break;
        }
        if run.is_finished() {
            panic!("the guard finished before it could be cut ({moved} moved): {:?}", run.await.unwrap());
        }
        assert!(Instant::now() < deadline, "the guard never got going");
        std::thread::sleep(Duration::from_millis(20));
    }
    let first = run.await.unwrap().unwrap();
    assert!(!first.problems.is_empty(), "the cut should be reported: {first:?}");

    // Nothing lost (each message is somewhere), nothing twice in the shared Sent.
    let in_shared = ids_in(&lab, &shared, "Sent");
    let mut unique = in_shared.clone();
    unique.dedup();
    assert_eq!(unique.len(), in_shared.len(), "a copy was made twice");
    let in_personal = ids_in(&lab, &personal, "Sent");
    let mut all: Vec<String> = in_shared.iter().chain(&in_personal).cloned().collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), N, "a message was lost");

    let second = guard::run(&t.store).await.unwrap();
    assert!(second.problems.is_empty(), "{second:?}");
    assert_eq!(ids_in(&lab, &shared, "Sent").len(), N);
    assert!(ids_in(&lab, &personal, "Sent").is_empty());
}
