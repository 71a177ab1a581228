//! Issue 6: the line firewall at its root. A shared mailbox serving two lines is synced by an
//! advisor who works on one of them: nothing of the other line is stored on that desktop (no
//! conversation, message, thread id or blob), the sync does not even count it, and a manager's
//! desktop syncing the same mailbox holds both.

use std::sync::Arc;

use confide_core::accounts::{self, AccountKind, LineAddress};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::store::StoreConfig;
use confide_core::{paths, staff, team, CoreError, Refusal, Store, SystemClock};
use confide_mail::lab::Lab;
use confide_mail::records::ImapRecords;
use confide_vault::{OsKeyring, Vault};

async fn scalar(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(store.pool()).await.unwrap()
}

/// A desktop on the shared mailbox, set up and the agreement accepted, not yet synced.
async fn unsynced(lab: &Lab, shared: &str, dir: &std::path::Path, role: RoleKind, lines: &[&str]) -> Store {
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(dir));
    let store = Store::open(StoreConfig {
        data_dir: dir.to_path_buf(),
        vault,
        clock: Arc::new(SystemClock),
        catalog: Catalog::builtin(),
    })
    .await
    .unwrap();
    let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    staff::save_profile_on_lines(&store, "respect-mal-current", "Sam", role, &lines).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    let mut account = lab.account("shared", shared, AccountKind::Shared);
    account.lines = vec![
        LineAddress { address: format!("phone-{shared}@lab.test"), line_id: "phoneline".into() },
        LineAddress { address: format!("mal-{shared}@lab.test"), line_id: "mens_advice".into() },
    ];
    accounts::save(&store, &account, &lab.password(shared)).await.unwrap();
    store
}

async fn desktop(lab: &Lab, shared: &str, dir: &std::path::Path, role: RoleKind, lines: &[&str]) -> (Store, usize) {
    let store = unsynced(lab, shared, dir, role, lines).await;
    let added = resync(&store).await;
    (store, added)
}

async fn resync(store: &Store) -> usize {
    let account = accounts::list(store).await.unwrap().remove(0);
    confide_mail::sync::sync_account(store, &account, &|_| {}).await.unwrap().added
}

/// The manager founds the team (if it has none yet) and adds these desktops' people.
async fn join(manager: &staff::Session, stores: &[&Store]) {
    let server = ImapRecords::of(&manager.store);
    if team::directory(&manager.store, &server).await.unwrap().members.is_empty() {
        team::found(manager, &server).await.unwrap();
    }
    for store in stores {
        let card = team::card(&staff::session(store).await.unwrap()).unwrap();
        team::add(manager, &server, card).await.unwrap();
    }
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
    assert_eq!(
        scalar(&advisor, &format!("SELECT count(*) FROM message_ids WHERE message_id LIKE 'm_-{shared}@example.org'"))
            .await,
        0
    );
    // A second sync does not fetch it again, and still stores nothing of it.
    let account = accounts::list(&advisor).await.unwrap().remove(0);
    assert_eq!(confide_mail::sync::sync_account(&advisor, &account, &|_| {}).await.unwrap().added, 0);
    assert_eq!(scalar(&advisor, "SELECT count(*) FROM messages").await, 1);

    // Issue 23: a line is moved only by a signed state entry. Keywords anyone with access to the
    // mailbox can set (an older Confide's, an administrator's, another client's) move nothing:
    // the other line's mail is not pulled onto this desktop, and its own stays where it is.
    let user = format!("{shared}@lab.test");
    lab.doveadm(&["flags", "add", "-u", &user, "Confide.Line.phoneline", "mailbox", "INBOX", "header", "To", "mal-"]);
    lab.doveadm(&[
        "flags",
        "add",
        "-u",
        &user,
        "Confide.Line.mens_advice",
        "mailbox",
        "INBOX",
        "header",
        "To",
        "phone-",
    ]);
    assert_eq!(lab.count_keyword(&shared, "INBOX", "Confide.Line.phoneline"), 2);
    let report = confide_mail::sync::sync_account(&advisor, &account, &|_| {}).await.unwrap();
    assert_eq!(report.added, 0, "an unsigned keyword brought the other line's mail in");
    assert_eq!(scalar(&advisor, "SELECT count(*) FROM messages").await, 1);
    assert_eq!(scalar(&advisor, "SELECT count(*) FROM conversations WHERE line_id = 'phoneline'").await, 1);
    advisor.close().await;

    let (manager, added) = desktop(&lab, &shared, &tmp.path().join("manager"), RoleKind::Manager, &[]).await;
    assert_eq!(added, 3);
    assert_eq!(scalar(&manager, "SELECT count(*) FROM conversations WHERE line_id = 'mens_advice'").await, 1);
    manager.close().await;

    // A sync made before anyone chose their lines (`confide sync` ahead of first run) keeps
    // everything; choosing the lines then forgets the others.
    let dir = tmp.path().join("early");
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(&dir));
    let early =
        Store::open(StoreConfig { data_dir: dir, vault, clock: Arc::new(SystemClock), catalog: Catalog::builtin() })
            .await
            .unwrap();
    let mut account = lab.account("shared", &shared, AccountKind::Shared);
    account.lines = vec![
        LineAddress { address: format!("phone-{shared}@lab.test"), line_id: "phoneline".into() },
        LineAddress { address: format!("mal-{shared}@lab.test"), line_id: "mens_advice".into() },
    ];
    accounts::save(&early, &account, &lab.password(&shared)).await.unwrap();
    confide_mail::sync::sync_account(&early, &account, &|_| {}).await.unwrap();
    assert_eq!(scalar(&early, "SELECT count(*) FROM conversations WHERE line_id = 'mens_advice'").await, 1);
    staff::save_profile_on_lines(&early, "respect-mal-current", "Sam", RoleKind::Advisor, &["phoneline".into()])
        .await
        .unwrap();
    assert_eq!(scalar(&early, "SELECT count(*) FROM conversations WHERE line_id = 'mens_advice'").await, 0);
    assert_eq!(scalar(&early, "SELECT count(*) FROM messages").await, 1, "the advisor's own line stays");
    assert_eq!(
        scalar(&early, "SELECT count(*) FROM blobs WHERE id NOT IN (SELECT body_blob FROM messages)").await,
        0,
        "blobs left behind"
    );
    early.close().await;
}

/// A manager moves a conversation from the Respect Phoneline to the Men's Advice Line (the
/// caller turned out to be a victim). Every desktop follows on its next sync: the Phoneline
/// advisor's desktop forgets it, and passes over a later reply in the thread that arrives at
/// the Phoneline address; the Men's Advice Line advisor's desktop fetches what it had passed
/// over and gets the reply in the same conversation. Only a manager can move one; it is audited.
/// Issue 23: the move is a sealed state entry, so it works on the exchange-like server (no
/// keywords) as on Dovecot, and the server holds no line keyword.
#[tokio::test]
async fn issue6_a_manager_moves_a_conversation_to_another_line_and_every_desktop_follows() {
    let Some(lab) = Lab::get("issue6_a_manager_moves_a_conversation_to_another_line_and_every_desktop_follows") else {
        return;
    };
    moves_on(lab.exchange_like()).await;
    moves_on(lab).await;
}

async fn moves_on(lab: Lab) {
    let shared = lab.fresh_user("moves");
    lab.import_raw(&shared, &[format!(
        "From: caller@example.org\r\nTo: phone-{shared}@lab.test\r\nSubject: It is me who is afraid\r\nMessage-ID: <mv1-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nMovedText\r\n"
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let (bob, added) = desktop(&lab, &shared, &tmp.path().join("bob"), RoleKind::Advisor, &["phoneline"]).await;
    assert_eq!(added, 1);
    let (cy, added) = desktop(&lab, &shared, &tmp.path().join("cy"), RoleKind::Advisor, &["mens_advice"]).await;
    assert_eq!(added, 0);
    let (ann, _) = desktop(&lab, &shared, &tmp.path().join("ann"), RoleKind::Manager, &[]).await;
    let (ann, bob) = (staff::session(&ann).await.unwrap(), staff::session(&bob).await.unwrap());
    join(&ann, &[&bob.store, &cy]).await;
    let id = scalar(&ann.store, "SELECT id FROM conversations").await;
    let to_mal = confide_mail::triage::Mark::Line { line: "mens_advice".into() };
    let refused = confide_mail::triage::mark(&bob, id, &to_mal).await.unwrap_err();
    assert!(refused.to_string().contains("only a manager"), "{refused}");
    let bad = confide_mail::triage::Mark::Line { line: "no_such_line".into() };
    assert!(confide_mail::triage::mark(&ann, id, &bad).await.is_err());

    confide_mail::triage::mark(&ann, id, &to_mal).await.unwrap();
    assert_eq!(scalar(&ann.store, "SELECT count(*) FROM conversations WHERE line_id = 'mens_advice'").await, 1);
    let audited = confide_core::audit::recent(&ann, 10).await.unwrap();
    assert!(
        audited.iter().any(|e| e.action == "moved_line:mens_advice" && e.record == format!("conversation:{id}")),
        "{audited:?}"
    );
    assert_eq!(lab.count_keyword(&shared, "INBOX", "Confide.Line.mens_advice"), 0, "a line keyword on the server");

    resync(&bob.store).await;
    assert_eq!(
        scalar(&bob.store, "SELECT count(*) FROM conversations").await,
        0,
        "the Phoneline desktop forgot the moved conversation"
    );
    assert_eq!(scalar(&bob.store, "SELECT count(*) FROM messages").await, 0);
    assert_eq!(scalar(&bob.store, "SELECT count(*) FROM blobs").await, 0);
    assert_eq!(resync(&cy).await, 1, "the Men's Advice Line desktop fetched what it had passed over");
    assert_eq!(scalar(&cy, "SELECT count(*) FROM conversations WHERE line_id = 'mens_advice'").await, 1);

    // The caller writes again, to the Phoneline address, without any keyword.
    lab.import_raw(&shared, &[format!(
        "From: caller@example.org\r\nTo: phone-{shared}@lab.test\r\nSubject: Re: It is me who is afraid\r\nMessage-ID: <mv2-{shared}@example.org>\r\nIn-Reply-To: <mv1-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 12:00:00 +0000\r\n\r\nMovedAgain\r\n"
    )]);
    assert_eq!(resync(&bob.store).await, 0, "the reply in a moved thread is passed over on the old line");
    assert_eq!(scalar(&bob.store, "SELECT count(*) FROM messages").await, 0);
    resync(&cy).await;
    assert_eq!(scalar(&cy, "SELECT count(*) FROM conversations").await, 1);
    assert_eq!(scalar(&cy, "SELECT count(*) FROM messages").await, 2, "the reply joined the moved conversation");
    resync(&ann.store).await;
    assert_eq!(scalar(&ann.store, "SELECT message_count FROM conversations WHERE line_id = 'mens_advice'").await, 2);

    // A Phoneline colleague who joins after the move: the manager who adds them gives them the
    // moves made before, so the moved message and the reply in its thread (which came to the
    // Phoneline address) are both passed over from their first sync.
    let dee = unsynced(&lab, &shared, &tmp.path().join("dee"), RoleKind::Advisor, &["phoneline"]).await;
    // Not yet in the team, they could not read a move, so their desktop keeps no mail at all.
    let account = accounts::list(&dee).await.unwrap().remove(0);
    let refused = confide_mail::sync::sync_account(&dee, &account, &|_| {}).await.unwrap_err();
    let not_in_team = confide_mail::MailError::Core(CoreError::Refused(Refusal::NotInTeam));
    assert_eq!(refused.to_string(), not_in_team.to_string());
    assert_eq!(scalar(&dee, "SELECT count(*) FROM messages").await, 0);
    join(&ann, &[&dee]).await;
    assert_eq!(resync(&dee).await, 0, "a new Phoneline desktop stored part of a moved thread");
    assert_eq!(scalar(&dee, "SELECT count(*) FROM messages").await, 0);

    // Ann, who made the move, leaves; Eve, a manager, removes her. Ann's move still stands for
    // a Phoneline colleague who joins after she left (Eve signed it again as she removed her).
    let eve = unsynced(&lab, &shared, &tmp.path().join("eve"), RoleKind::Manager, &[]).await;
    join(&ann, &[&eve]).await;
    let eve = staff::session(&eve).await.unwrap();
    resync(&eve.store).await;
    let ann_key = team::card(&ann).unwrap().signing_key;
    team::remove(&eve, &ImapRecords::of(&eve.store), &ann_key).await.unwrap();
    let fay = unsynced(&lab, &shared, &tmp.path().join("fay"), RoleKind::Advisor, &["phoneline"]).await;
    join(&eve, &[&fay]).await;
    assert_eq!(resync(&fay).await, 0, "a colleague who joined after the mover left stored the moved thread");
    assert_eq!(scalar(&fay, "SELECT count(*) FROM messages").await, 0);
    resync(&cy).await;
    assert_eq!(scalar(&cy, "SELECT count(*) FROM messages").await, 2, "the Men's Advice Line keeps the thread");
}

/// Issue 29: mail sent to the shared mailbox's own address, not a line's, was filed under the
/// preset's first line, so a Men's Advice Line advisor never saw it and nobody had decided that.
/// It is now not yet on a line: no advisor's desktop stores it, whatever their lines; the
/// manager's does, moves it to a line with the existing move, and that line's advisor then has
/// it while the other line's advisor still has nothing.
#[tokio::test]
async fn issue29_mail_to_the_shared_address_alone_waits_for_a_manager_to_route_it() {
    let Some(lab) = Lab::get("issue29_mail_to_the_shared_address_alone_waits_for_a_manager_to_route_it") else {
        return;
    };
    let shared = lab.fresh_user("unrouted");
    lab.import_raw(&shared, &[format!(
        "From: someone@example.org\r\nTo: {shared}@lab.test\r\nSubject: Which line is this\r\nMessage-ID: <un1-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nUnroutedText\r\n"
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let (both, added) =
        desktop(&lab, &shared, &tmp.path().join("both"), RoleKind::Advisor, &["phoneline", "mens_advice"]).await;
    assert_eq!(added, 0, "an advisor's desktop stored mail nobody has put on a line");
    assert_eq!(scalar(&both, "SELECT count(*) FROM messages").await, 0);
    let (cy, added) = desktop(&lab, &shared, &tmp.path().join("cy"), RoleKind::Advisor, &["mens_advice"]).await;
    assert_eq!(added, 0);
    let (ann, added) = desktop(&lab, &shared, &tmp.path().join("ann"), RoleKind::Manager, &[]).await;
    assert_eq!(added, 1);
    assert_eq!(scalar(&ann, "SELECT count(*) FROM conversations WHERE line_id = 'unrouted'").await, 1);
    let ann = staff::session(&ann).await.unwrap();
    join(&ann, &[&both, &cy]).await;
    let id = scalar(&ann.store, "SELECT id FROM conversations").await;
    confide_mail::triage::mark(&ann, id, &confide_mail::triage::Mark::Line { line: "mens_advice".into() })
        .await
        .unwrap();
    assert_eq!(scalar(&ann.store, "SELECT count(*) FROM conversations WHERE line_id = 'mens_advice'").await, 1);

    assert_eq!(resync(&cy).await, 1, "the Men's Advice Line desktop fetched the routed mail");
    assert_eq!(scalar(&cy, "SELECT count(*) FROM conversations WHERE line_id = 'mens_advice'").await, 1);
    let bob = unsynced(&lab, &shared, &tmp.path().join("bob"), RoleKind::Advisor, &["phoneline"]).await;
    join(&ann, &[&bob]).await;
    assert_eq!(resync(&bob).await, 0, "a Phoneline desktop stored mail routed to the Men's Advice Line");
    assert_eq!(scalar(&bob, "SELECT count(*) FROM messages").await, 0);
    both.close().await;
}
