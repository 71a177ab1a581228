//! Issue 24, the advisor's day, on two desktops against the lab: a snooze set on one desktop
//! hides the conversation on the other until it is due, then it comes back at the top; mail
//! from the service user brings it back at once.

use std::sync::Arc;

use confide_core::inbox::{self, ConversationSummary, InboxFilter};
use confide_core::policy::RoleKind;
use confide_core::staff::Session;
use confide_core::{accounts, team, FixedClock};
use confide_mail::lab::Lab;
use confide_mail::records::ImapRecords;
use confide_mail::sync::sync_account;
use confide_mail::triage::{mark, Mark};
use time::{Duration, OffsetDateTime};

mod common;
use common::desktop_at;

async fn sync(s: &Session) {
    let account = accounts::list(&s.store).await.unwrap().remove(0);
    sync_account(&s.store, &account, &|_| {}).await.unwrap();
}

/// The open list (or the snoozed one) as the desktop shows it, newest first.
async fn listed(s: &Session, snoozed: bool) -> Vec<ConversationSummary> {
    let filter = InboxFilter { snoozed: Some(snoozed), ..Default::default() };
    inbox::page(s, &filter).await.unwrap().conversations
}

#[tokio::test]
async fn issue24_a_snooze_hides_a_conversation_on_every_desktop_until_it_is_due() {
    let Some(lab) = Lab::get("issue24_a_snooze_hides_a_conversation_on_every_desktop_until_it_is_due") else {
        return;
    };
    let shared = lab.fresh_user("snooze");
    let tmp = tempfile::tempdir().unwrap();
    let start = OffsetDateTime::now_utc();
    let clock = Arc::new(FixedClock::new(start));
    let on = |name: &'static str, role| {
        let (lab, shared, clock) = (&lab, &shared, clock.clone());
        let dir = tmp.path().join(name);
        async move { desktop_at(lab, shared, &dir, name, role, "phoneline", clock).await }
    };
    let (mia, ash, bea) =
        (on("Mia", RoleKind::Manager).await, on("Ash", RoleKind::Advisor).await, on("Bea", RoleKind::Advisor).await);
    let server = ImapRecords::of(&mia.store);
    team::found(&mia, &server).await.unwrap();
    for s in [&ash, &bea] {
        team::add(&mia, &server, team::card(s).unwrap()).await.unwrap();
    }
    let s = format!("{shared}@lab.test");
    let arrived = start.unix_timestamp() - 3600;
    lab.import_arrived(&shared, &[
        format!("From: Sam <sam@example.org>\r\nTo: {s}\r\nSubject: Court date\r\nMessage-ID: <court-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nMy court date is next month.\r\n"),
        format!("From: Kit <kit@example.org>\r\nTo: {s}\r\nSubject: Other\r\nMessage-ID: <other-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 11:00:00 +0000\r\n\r\nAnother question.\r\n"),
    ], Some(arrived));
    sync(&ash).await;
    sync(&bea).await;
    let court = listed(&bea, false).await.into_iter().find(|c| c.subject == "Court date").expect("synced").id;
    let court_at_ash = listed(&ash, false).await.into_iter().find(|c| c.subject == "Court date").unwrap().id;

    // Ash: "come back to this tomorrow".
    let tomorrow = (start + Duration::days(1)).unix_timestamp();
    let past = Mark::Snooze { until: Some(start.unix_timestamp() - 60) };
    assert!(mark(&ash, court_at_ash, &past).await.is_err(), "a snooze into the past");
    mark(&ash, court_at_ash, &Mark::Snooze { until: Some(tomorrow) }).await.unwrap();
    assert!(listed(&ash, false).await.iter().all(|c| c.id != court_at_ash), "still in Ash's open list");

    // Bea's desktop follows: gone from her open list, in her snoozed one with its time.
    sync(&bea).await;
    assert!(listed(&bea, false).await.iter().all(|c| c.id != court), "still in Bea's open list");
    let snoozed = listed(&bea, true).await;
    assert_eq!(snoozed.iter().map(|c| (c.id, c.snoozed_until)).collect::<Vec<_>>(), [(court, Some(tomorrow))]);

    // A day on, it is due: back in the open list, at the top.
    clock.advance(Duration::days(1) + Duration::minutes(1));
    let open = listed(&bea, false).await;
    assert_eq!(open.first().map(|c| (c.id, c.snoozed_until)), Some((court, None)), "not back at the top");
    assert!(listed(&bea, true).await.is_empty());

    // Snoozed again for a week; Sam writes: it comes back at once, on both desktops.
    let week = (confide_core::Clock::now(&*clock) + Duration::days(7)).unix_timestamp();
    mark(&ash, court_at_ash, &Mark::Snooze { until: Some(week) }).await.unwrap();
    sync(&bea).await;
    assert!(listed(&bea, false).await.iter().all(|c| c.id != court));
    lab.import_arrived(&shared, &[format!(
        "From: Sam <sam@example.org>\r\nTo: {s}\r\nSubject: Re: Court date\r\nMessage-ID: <again-{shared}@example.org>\r\nIn-Reply-To: <court-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 12:00:00 +0000\r\n\r\nIt moved to Friday.\r\n"
    )], Some((confide_core::Clock::now(&*clock) + Duration::minutes(5)).unix_timestamp()));
    clock.advance(Duration::minutes(10));
    for s in [&ash, &bea] {
        sync(s).await;
        let open = listed(s, false).await;
        assert_eq!(open.first().map(|c| c.subject.as_str()), Some("Court date"), "{}", s.profile.display_name);
    }
}
