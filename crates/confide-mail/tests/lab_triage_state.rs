//! Issue 23: claims, status and risk flags as sealed state entries, on the standard lab server
//! and on the exchange-like one (no keywords, no CONDSTORE), one test body for both. A claim made
//! on one desktop is seen on the others; the first claim wins, and a manager reassigns; status
//! and risk flags travel; and the server's storage holds none of it readably.

use std::sync::Arc;

use confide_core::accounts::{self, AccountKind};
use confide_core::conversations::Status;
use confide_core::inbox::{self, InboxFilter};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::staff::Session;
use confide_core::store::StoreConfig;
use confide_core::{paths, staff, team, Store, SystemClock};
use confide_mail::lab::Lab;
use confide_mail::records::ImapRecords;
use confide_mail::sync::sync_account;
use confide_mail::triage::{claim, mark, Mark};
use confide_vault::{OsKeyring, Vault};

async fn desktop(dir: &std::path::Path, lab: &Lab, user: &str, name: &str, role: RoleKind) -> Session {
    desktop_at(dir, lab, user, (name, role), Arc::new(SystemClock)).await
}

async fn desktop_at(
    dir: &std::path::Path,
    lab: &Lab,
    user: &str,
    (name, role): (&str, RoleKind),
    clock: Arc<dyn confide_core::Clock>,
) -> Session {
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(dir));
    let config = StoreConfig { data_dir: dir.into(), vault, clock, catalog: Catalog::builtin() };
    let store = Store::open(config).await.unwrap();
    staff::save_profile(&store, "respect-mal-current", name, role).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    accounts::save(&store, &lab.account("shared", user, AccountKind::Shared), &lab.password(user)).await.unwrap();
    staff::session(&store).await.unwrap()
}

/// A manager (Mia) and two advisors (Ash, Bea) on one shared mailbox, in one team directory.
async fn team_on(lab: &Lab, user: &str, tmp: &std::path::Path) -> [Session; 3] {
    team_with_clock(lab, user, tmp, Arc::new(SystemClock)).await
}

/// The same, Mia's desktop on `clock`.
async fn team_with_clock(
    lab: &Lab,
    user: &str,
    tmp: &std::path::Path,
    clock: Arc<dyn confide_core::Clock>,
) -> [Session; 3] {
    let mia = desktop_at(&tmp.join("mia"), lab, user, ("Mia", RoleKind::Manager), clock).await;
    let ash = desktop(&tmp.join("ash"), lab, user, "Ash", RoleKind::Advisor).await;
    let bea = desktop(&tmp.join("bea"), lab, user, "Bea", RoleKind::Advisor).await;
    let server = ImapRecords::of(&mia.store);
    team::found(&mia, &server).await.unwrap();
    for s in [&ash, &bea] {
        team::add(&mia, &server, team::card(s).unwrap()).await.unwrap();
    }
    [mia, ash, bea]
}

async fn sync(s: &Session) {
    let account = accounts::list(&s.store).await.unwrap().remove(0);
    sync_account(&s.store, &account, &|_| {}).await.unwrap();
}

/// Syncs the desktop, then finds the conversation by a word of its subject.
async fn synced(s: &Session, subject_word: &str) -> inbox::ConversationSummary {
    sync(s).await;
    let page = inbox::page(s, &InboxFilter { search: Some(subject_word.into()), ..Default::default() }).await.unwrap();
    // The search matches words as prefixes ("message 1" finds "message 12" too): the subject decides.
    let found = page.conversations.into_iter().find(|c| c.subject.ends_with(subject_word));
    found.unwrap_or_else(|| panic!("{} did not sync \"{subject_word}\"", s.profile.display_name))
}

async fn triage_of(s: &Session, subject_word: &str) -> (Option<String>, String, Vec<String>) {
    let c = synced(s, subject_word).await;
    (c.assignee, c.status, c.risk_flags)
}

/// Every file of the user's mail on the lab server that holds `needle`.
fn stored_with(lab: &Lab, user: &str, needle: &str) -> Vec<String> {
    let mut hits = vec![];
    let mut dirs = vec![lab.storage_of(user)];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if std::fs::read(&p).unwrap_or_default().windows(needle.len()).any(|w| w == needle.as_bytes()) {
                hits.push(p.display().to_string());
            }
        }
    }
    hits
}

async fn claims_on(lab: Lab) {
    let user = lab.fresh_user("triage");
    lab.bulk_import(&user, 2, "triaged");
    let tmp = tempfile::tempdir().unwrap();
    let [mia, ash, bea] = team_on(&lab, &user, tmp.path()).await;
    let fp = |s: &Session| s.store.identity().fingerprint();
    let (fa, fb, fm) = (fp(&ash), fp(&bea), fp(&mia));
    for s in [&mia, &ash, &bea] {
        sync(s).await;
    }
    let id = |s: &Session| {
        let s = s.clone();
        async move { synced(&s, "triaged message 1").await.id }
    };

    claim(&ash, id(&ash).await).await.unwrap();
    assert_eq!(triage_of(&bea, "triaged message 1").await.0, Some(fa.clone()), "Bea does not see Ash's claim");
    let refused = claim(&bea, id(&bea).await).await.unwrap_err();
    assert!(refused.to_string().contains("Ash has this conversation"), "{refused}");
    mark(&ash, id(&ash).await, &Mark::Release).await.unwrap();
    claim(&bea, id(&bea).await).await.unwrap();
    assert_eq!(triage_of(&ash, "triaged message 1").await.0, Some(fb.clone()));

    // A manager reassigns: Bea's claim is taken over, and her desktop can tell her so.
    let mine = inbox::claimed_by_me(&bea.store).await.unwrap();
    claim(&mia, id(&mia).await).await.unwrap();
    assert_eq!(triage_of(&ash, "triaged message 1").await.0, Some(fm.clone()));
    sync(&bea).await;
    assert_eq!(inbox::taken_over(&bea.store, &mine).await.unwrap().len(), 1);

    // Status and risk flags travel both ways.
    let on_a = id(&ash).await;
    mark(&ash, on_a, &Mark::Status { status: Status::Waiting }).await.unwrap();
    mark(&ash, on_a, &Mark::Risk { category: "child_or_vulnerable_adult".into(), raised: true }).await.unwrap();
    let seen = triage_of(&bea, "triaged message 1").await;
    assert_eq!((seen.1.as_str(), seen.2.clone()), ("waiting", vec!["child_or_vulnerable_adult".to_owned()]));
    let on_b = id(&bea).await;
    mark(&bea, on_b, &Mark::Status { status: Status::Closed }).await.unwrap();
    mark(&bea, on_b, &Mark::Risk { category: "child_or_vulnerable_adult".into(), raised: false }).await.unwrap();
    let seen = triage_of(&ash, "triaged message 1").await;
    assert_eq!((seen.1.as_str(), seen.2.len()), ("closed", 0));
    let bad = mark(&ash, on_a, &Mark::Risk { category: "made_up".into(), raised: true }).await.unwrap_err();
    assert!(bad.to_string().contains("not one of this helpline's exception categories"), "{bad}");
    assert_eq!(triage_of(&ash, "triaged message 0").await, (None, "new".into(), vec![]), "the other is untouched");

    // Nothing of it is readable where the server keeps the mailbox.
    for needle in ["Confide.Claim", "Confide.Status", "Confide.Risk", "child_or_vulnerable_adult", &fa, &fb, &fm] {
        assert_eq!(stored_with(&lab, &user, needle), Vec::<String>::new(), "{needle} is readable on the server");
    }
}

#[tokio::test]
async fn issue23_claims_status_and_flags_travel_on_both_servers_and_nothing_is_readable_there() {
    let name = "issue23_claims_status_and_flags_travel_on_both_servers_and_nothing_is_readable_there";
    let Some(lab) = Lab::get(name) else { return };
    claims_on(lab.exchange_like()).await;
    claims_on(lab).await;
}

async fn race_on(lab: Lab, rounds: usize) {
    let user = lab.fresh_user("race");
    lab.bulk_import(&user, rounds, "raced");
    let tmp = tempfile::tempdir().unwrap();
    let [_mia, ash, bea] = team_on(&lab, &user, tmp.path()).await;
    let mut pairs = vec![];
    for i in 0..rounds {
        let word = format!("raced message {i}");
        pairs.push((synced(&ash, &word).await.id, synced(&bea, &word).await.id));
    }
    let (mut both, started) = (0, std::time::Instant::now());
    for (on_a, on_b) in &pairs {
        // At the same moment: each desktop may already see the other's claim (and is refused),
        // or not (and both entries are written); either way one of them holds it.
        let (a, b) = tokio::join!(claim(&ash, *on_a), claim(&bea, *on_b));
        assert!(a.is_ok() || b.is_ok(), "neither claim was taken: {a:?} {b:?}");
        both += usize::from(a.is_ok() && b.is_ok());
    }
    eprintln!(
        "race: {rounds} rounds, both claims written in {both}, {:.0} ms a round",
        started.elapsed().as_millis() as f64 / rounds as f64
    );
    sync(&ash).await;
    sync(&bea).await;
    let owners = |s: &Session| {
        let s = s.clone();
        async move {
            let page = inbox::page(&s, &InboxFilter { limit: Some(500), ..Default::default() }).await.unwrap();
            page.conversations
                .into_iter()
                .map(|c| (c.subject, c.assignee))
                .collect::<std::collections::BTreeMap<_, _>>()
        }
    };
    let (seen_a, seen_b) = (owners(&ash).await, owners(&bea).await);
    assert_eq!(seen_a, seen_b, "the desktops disagree on who holds a conversation");
    let unowned: Vec<_> = seen_a.iter().filter(|(_, o)| o.is_none()).map(|(s, _)| s.clone()).collect();
    assert!(unowned.is_empty(), "{} of {rounds} have no owner: {unowned:?}", unowned.len());
}

#[tokio::test]
async fn issue23_two_desktops_claiming_at_once_agree_on_one_owner_every_time() {
    let Some(lab) = Lab::get("issue23_two_desktops_claiming_at_once_agree_on_one_owner_every_time") else { return };
    let rounds = std::env::var("RACE_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(100);
    race_on(lab.exchange_like(), rounds).await;
    race_on(lab, rounds).await;
}

async fn propagation_on(lab: Lab) -> std::time::Duration {
    let user = lab.fresh_user("push");
    lab.bulk_import(&user, 1, "pushed");
    let tmp = tempfile::tempdir().unwrap();
    let [_mia, ash, bea] = team_on(&lab, &user, tmp.path()).await;
    let (on_a, on_b) = (synced(&ash, "pushed message 0").await.id, synced(&bea, "pushed message 0").await.id);
    // Bea's desktop watches the state folder, as the app does, and follows it on a change.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let account = accounts::list(&bea.store).await.unwrap().remove(0);
    let secret = confide_mail::connect::account_secret(&bea.store, &account).unwrap();
    let _watch = confide_mail::idle::watch(account, secret, "Confide/State".into(), move |e| {
        if let confide_mail::idle::WatchEvent::Changed = e {
            let _ = tx.send(());
        }
    })
    .unwrap();
    rx.recv().await.unwrap(); // the watch is up (it reports once on connecting)
    let started = std::time::Instant::now();
    claim(&ash, on_a).await.unwrap();
    let fa = Some(ash.store.identity().fingerprint());
    loop {
        tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv()).await.expect("no change seen").unwrap();
        confide_core::triage_state::follow(&bea, &ImapRecords::of(&bea.store)).await.unwrap();
        let page = inbox::page(&bea, &InboxFilter::default()).await.unwrap();
        if page.conversations.iter().any(|c| c.id == on_b && c.assignee == fa) {
            return started.elapsed();
        }
    }
}

#[tokio::test]
async fn issue23_a_colleagues_claim_is_seen_within_two_seconds_on_every_server() {
    let Some(lab) = Lab::get("issue23_a_colleagues_claim_is_seen_within_two_seconds_on_every_server") else {
        return;
    };
    for (name, lab) in [("exchange-like", lab.exchange_like()), ("gmail-like", lab.gmail_like()), ("standard", lab)] {
        let took = propagation_on(lab).await;
        eprintln!("claim propagation on the {name} server: {} ms", took.as_millis());
        assert!(took < std::time::Duration::from_secs(2), "{name}: a colleague's claim took {took:?}");
    }
}

/// Issue 23: the state folder's size follows the live conversations, not their history. A
/// manager's retention run replaces a conversation's claims, statuses and flags with one
/// snapshot (sealed like them) and removes them from the server; a change made after it
/// applies on top; every desktop resolves the same triage before and after.
#[tokio::test]
async fn issue23_a_managers_retention_run_compacts_the_state_folder_and_every_desktop_agrees() {
    let name = "issue23_a_managers_retention_run_compacts_the_state_folder_and_every_desktop_agrees";
    let Some(lab) = Lab::get(name) else { return };
    let lab = lab.exchange_like();
    let user = lab.fresh_user("compact");
    lab.import_raw(&user, &[format!(
        "From: caller@example.org\r\nTo: {user}@lab.test\r\nSubject: Compacted enquiry\r\nMessage-ID: <c1-{user}@example.org>\r\nDate: Mon, 7 Dec 2026 09:00:00 +0000\r\n\r\nPlease ring.\r\n"
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(confide_core::clock::FixedClock::new(time::OffsetDateTime::now_utc()));
    let [mia, ash, bea] = team_with_clock(&lab, &user, tmp.path(), clock.clone()).await;
    let id = |s: &Session| {
        let s = s.clone();
        async move { synced(&s, "Compacted enquiry").await.id }
    };
    let on_a = id(&ash).await;
    claim(&ash, on_a).await.unwrap();
    for status in [Status::Waiting, Status::InProgress, Status::Waiting] {
        mark(&ash, on_a, &Mark::Status { status }).await.unwrap();
    }
    for raised in [true, false, true] {
        mark(&ash, on_a, &Mark::Risk { category: "child_or_vulnerable_adult".into(), raised }).await.unwrap();
    }
    let entries = || {
        lab.doveadm(&["search", "-u", &format!("{user}@lab.test"), "mailbox", "Confide/State", "all"]).lines().count()
    };
    let before = entries();
    let seen = triage_of(&bea, "Compacted enquiry").await;
    assert_eq!((seen.1.as_str(), seen.2.clone()), ("waiting", vec!["child_or_vulnerable_adult".to_owned()]));

    let report = confide_mail::expire::run(&mia.store, false).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.state.snapshots, 1, "{report:?}");
    assert_eq!(report.state.removed, 7, "the claim, three statuses and three flags");
    assert_eq!(entries(), before - 7 + 1);
    // An advisor's run compacts nothing: only a manager's snapshot counts.
    assert_eq!(confide_mail::expire::run(&ash.store, false).await.unwrap().state, Default::default());

    for s in [&mia, &ash, &bea] {
        assert_eq!(triage_of(s, "Compacted enquiry").await, seen, "{} resolved it otherwise", s.profile.display_name);
    }
    // After the snapshot: Ash releases and Bea claims, on top of it.
    mark(&ash, on_a, &Mark::Release).await.unwrap();
    claim(&bea, id(&bea).await).await.unwrap();
    let fb = bea.store.identity().fingerprint();
    for s in [&mia, &ash, &bea] {
        assert_eq!(triage_of(s, "Compacted enquiry").await.0, Some(fb.clone()));
    }
    // A second run folds the snapshot and the new entries into one again.
    let again = confide_mail::expire::run(&mia.store, false).await.unwrap();
    assert_eq!((again.state.snapshots, again.state.removed), (1, 3));
    assert_eq!(entries(), before - 7 + 1);
    assert_eq!(triage_of(&ash, "Compacted enquiry").await.0, Some(fb));
    // Issue 24: a note about it is not folded into a snapshot; it stays while the conversation
    // lives, and goes with it.
    confide_core::notes::add(&ash, &ImapRecords::of(&ash.store), on_a, "Rings after six.").await.unwrap();
    // So is a reply waiting for review (Ash's replies are reviewed).
    let ash_key = confide_core::team::card(&ash).unwrap().signing_key;
    confide_core::team::set_reviewed(&mia, &ImapRecords::of(&mia.store), &ash_key, true).await.unwrap();
    let waiting = confide_mail::reply::queue_reply(&ash, on_a, "We can ring after six.").await.unwrap();
    assert!(matches!(waiting, confide_mail::reply::Queued::ForReview(_)));
    sync(&mia).await;
    let on_mia = id(&mia).await;
    assert_eq!(confide_core::review::of_conversation(&mia, on_mia).await.unwrap().len(), 1);
    assert_eq!(entries(), before - 7 + 3);
    let kept = confide_mail::expire::run(&mia.store, false).await.unwrap();
    assert_eq!((kept.state.snapshots, kept.state.removed), (0, 0), "{kept:?}");

    // Seven months on, the conversation has expired; so have the entries about it, and the
    // run removes them too: nothing of its triage stays on the server.
    clock.advance(time::Duration::days(213));
    let expired = confide_mail::expire::run(&mia.store, false).await.unwrap();
    assert!(expired.problems.is_empty(), "{:?}", expired.problems);
    assert_eq!(expired.server_messages_removed, 1, "{expired:?}");
    assert_eq!(
        (expired.state.snapshots, expired.state.removed),
        (0, 3),
        "the snapshot, the note, the draft: {expired:?}"
    );
    assert_eq!(entries(), 0, "entries about an expired conversation stayed on the server");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM reply_reviews").fetch_one(mia.store.pool()).await.unwrap();
    assert_eq!(left, 0, "the draft stayed on the manager's desktop");
}
