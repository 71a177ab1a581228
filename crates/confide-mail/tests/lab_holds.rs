//! Issue 23: legal holds are sealed state entries, so every desktop's retention honours them,
//! another line's held conversation included, on both lab servers.

mod common;

use std::sync::Arc;

use common::open_store;
use confide_core::accounts::{self, AccountKind};
use confide_core::policy::RoleKind;
use confide_core::{staff, FixedClock};
use confide_mail::expire;
use confide_mail::lab::Lab;
use time::macros::datetime;

/// Issue 23: a conversation on the Men's Advice Line held by a manager, on the shared mailbox an
/// advisor of the Respect Phoneline also syncs. The advisor's desktop never holds it (the line
/// firewall), so its retention run would sweep it with the rest of the expired mail it does not
/// hold; the hold entry, sealed to the whole team and naming the conversation by its places
/// only, keeps it there. On both servers.
#[tokio::test]
async fn issue23_another_lines_held_conversation_survives_an_advisors_sweep() {
    let Some(lab) = Lab::get("issue23_another_lines_held_conversation_survives_an_advisors_sweep") else { return };
    sweep_spares_hold_on(lab.exchange_like()).await;
    // On Gmail the sweep must not reach the held messages through All Mail either.
    sweep_spares_hold_on(lab.gmail_like()).await;
    sweep_spares_hold_on(lab).await;
}

/// A desktop on the shared mailbox at `clock`: set up on `lines` (a manager works on all), the
/// agreement accepted.
async fn desktop(
    dir: &std::path::Path,
    clock: &Arc<FixedClock>,
    (name, role, lines): (&str, RoleKind, &[&str]),
    (account, password): (&accounts::Account, &str),
) -> confide_core::Store {
    let store = open_store(dir, clock.clone()).await;
    let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    staff::save_profile_on_lines(&store, "respect-mal-current", name, role, &lines).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    accounts::save(&store, account, password).await.unwrap();
    store
}

async fn sweep_spares_hold_on(lab: Lab) {
    let shared = lab.fresh_user("hold-lines");
    let (s, mal) = (format!("{shared}@lab.test"), format!("mal-{shared}@lab.test"));
    lab.import_raw(&shared, &[
        format!("From: v@example.org\r\nTo: {mal}\r\nSubject: Held\r\nMessage-ID: <mal-{shared}@example.org>\r\nDate: Sat, 10 Jan 2026 10:00:00 +0000\r\n\r\nMalHeldCase03\r\n"),
        format!("From: p@example.org\r\nTo: {s}\r\nSubject: Old\r\nMessage-ID: <pl-{shared}@example.org>\r\nDate: Sat, 10 Jan 2026 11:00:00 +0000\r\n\r\nPhonelineOld04\r\n"),
    ]);
    let mut account = lab.account("shared", &shared, AccountKind::Shared);
    account.lines = vec![
        accounts::LineAddress { address: s.clone(), line_id: "phoneline".into() },
        accounts::LineAddress { address: mal.clone(), line_id: "mens_advice".into() },
    ];
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(datetime!(2026-07-20 12:00 UTC)));
    let password = lab.password(&shared);
    let on = (&account, password.as_str());
    let manager = desktop(&tmp.path().join("m"), &clock, ("Morgan", RoleKind::Manager, &[]), on).await;
    let advisor = desktop(&tmp.path().join("a"), &clock, ("Ash", RoleKind::Advisor, &["phoneline"]), on).await;

    let session = staff::session(&manager).await.unwrap();
    let server = confide_mail::records::ImapRecords::of(&manager);
    confide_core::team::found(&session, &server).await.unwrap();
    let ash = confide_core::team::card(&staff::session(&advisor).await.unwrap()).unwrap();
    confide_core::team::add(&session, &server, ash).await.unwrap();
    confide_mail::sync::sync_account(&manager, &account, &|_| {}).await.unwrap();
    let filter = confide_core::inbox::InboxFilter { search: Some("MalHeldCase03".into()), ..Default::default() };
    let held = confide_core::inbox::page(&session, &filter).await.unwrap().conversations[0].id;
    confide_mail::triage::set_hold(&session, held, Some("Court order 2026/200")).await.unwrap();

    let run = expire::run(&advisor, false).await.unwrap();
    assert!(run.problems.is_empty(), "{run:?}");
    assert_eq!(lab.count_body(&shared, "INBOX", "PhonelineOld04"), 0, "the advisor's run removed its own line's mail");
    assert_eq!(
        lab.count_body(&shared, "INBOX", "MalHeldCase03"),
        1,
        "the advisor's sweep took another line's held mail"
    );

    // Morgan, who placed the hold, leaves; Nia, a manager, removes her. The hold stands: Nia
    // signed it again as she removed Morgan, so the next sweep still spares the mail.
    let nia = desktop(&tmp.path().join("n"), &clock, ("Nia", RoleKind::Manager, &[]), on).await;
    let nia = staff::session(&nia).await.unwrap();
    confide_core::team::add(&session, &server, confide_core::team::card(&nia).unwrap()).await.unwrap();
    let morgan = confide_core::team::card(&session).unwrap().signing_key;
    let nia_server = confide_mail::records::ImapRecords::of(&nia.store);
    confide_core::team::remove(&nia, &nia_server, &morgan).await.unwrap();
    clock.advance(time::Duration::days(1));
    let run = expire::run(&advisor, false).await.unwrap();
    assert!(run.problems.is_empty(), "{run:?}");
    assert_eq!(lab.count_body(&shared, "INBOX", "MalHeldCase03"), 1, "the hold left with the manager who placed it");

    // An advisor who joins after all that is given the holds that stand, and spares it too.
    let ola = desktop(&tmp.path().join("o"), &clock, ("Ola", RoleKind::Advisor, &["phoneline"]), on).await;
    let card = confide_core::team::card(&staff::session(&ola).await.unwrap()).unwrap();
    confide_core::team::add(&nia, &nia_server, card).await.unwrap();
    let run = expire::run(&ola, false).await.unwrap();
    assert!(run.problems.is_empty(), "{run:?}");
    assert_eq!(lab.count_body(&shared, "INBOX", "MalHeldCase03"), 1, "a newcomer's sweep took held mail");
}
