//! Issue 24, the advisor's day, on several desktops against the lab: a snooze set on one
//! desktop hides the conversation on the others until it is due, then it comes back at the
//! top, and mail from the service user brings it back at once; a note reaches the colleagues
//! on the line, its mention tells the one it names, and the server holds none of it readably.

use std::sync::Arc;

use confide_core::policy::RoleKind;
use confide_core::{canned, notes, FixedClock};
use confide_mail::lab::Lab;
use confide_mail::records::ImapRecords;
use confide_mail::reply::{deliver, queue_reply};
use confide_mail::triage::{mark, Mark};
use time::{Duration, OffsetDateTime};

mod common;
use common::{files_contain, listed, sync, team_at};

#[tokio::test]
async fn issue24_a_snooze_hides_a_conversation_on_every_desktop_until_it_is_due() {
    let Some(lab) = Lab::get("issue24_a_snooze_hides_a_conversation_on_every_desktop_until_it_is_due") else {
        return;
    };
    let shared = lab.fresh_user("snooze");
    let tmp = tempfile::tempdir().unwrap();
    let start = OffsetDateTime::now_utc();
    let clock = Arc::new(FixedClock::new(start));
    let [_mia, ash, bea] = team_at(&lab, &shared, tmp.path(), clock.clone(), RoleKind::Advisor).await;
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

const NOTE_CANARY: &str = "NoteCanary7f3e";

#[tokio::test]
async fn issue24_a_note_reaches_the_line_its_mention_tells_the_colleague_and_the_server_cannot_read_it() {
    let Some(lab) =
        Lab::get("issue24_a_note_reaches_the_line_its_mention_tells_the_colleague_and_the_server_cannot_read_it")
    else {
        return;
    };
    let shared = lab.fresh_user("notes");
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(OffsetDateTime::now_utc()));
    let [mia, ash, bea] = team_at(&lab, &shared, tmp.path(), clock, RoleKind::Advisor).await;
    let s = format!("{shared}@lab.test");
    lab.import_raw(&shared, &[format!(
        "From: Sam <sam@example.org>\r\nTo: {s}\r\nSubject: Evenings\r\nMessage-ID: <eve-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nPlease only call in the evening.\r\n"
    )]);
    let mut ids = vec![];
    for s in [&mia, &ash, &bea] {
        sync(s).await;
        ids.push(listed(s, false).await.into_iter().find(|c| c.subject == "Evenings").expect("synced").id);
    }

    let text = format!("@bea she asked for calls after 6pm only. {NOTE_CANARY}");
    notes::add(&ash, &ImapRecords::of(&ash.store), ids[1], &text).await.unwrap();
    let own = notes::of_conversation(&ash.store, ids[1]).await.unwrap();
    assert_eq!(own.iter().map(|n| (n.mine, n.text.as_str())).collect::<Vec<_>>(), [(true, text.as_str())]);
    assert!(notes::take_mentions(&ash.store).await.unwrap().is_empty(), "Ash mentioned nobody but Bea");
    assert!(notes::add(&ash, &ImapRecords::of(&ash.store), ids[1], "   ").await.is_err());

    // Bea's and Mia's desktops follow the state: the note is there, by Ash; Bea is told once.
    for (s, id) in [(&bea, ids[2]), (&mia, ids[0])] {
        sync(s).await;
        let kept = notes::of_conversation(&s.store, id).await.unwrap();
        assert_eq!(kept.iter().map(|n| (n.mine, n.text.as_str())).collect::<Vec<_>>(), [(false, text.as_str())]);
        assert_eq!(kept[0].author, ash.store.identity().fingerprint());
    }
    assert_eq!(notes::take_mentions(&bea.store).await.unwrap(), [(ids[2], "phoneline".to_owned())]);
    assert!(notes::take_mentions(&bea.store).await.unwrap().is_empty(), "told twice");
    assert!(notes::take_mentions(&mia.store).await.unwrap().is_empty(), "Mia was not mentioned");

    // Nothing of it is readable on the server, nor in any desktop's files.
    assert!(!files_contain(&lab.storage_of(&shared), NOTE_CANARY), "the note is readable in the lab's mail storage");
    for name in ["Mia", "Ash", "Bea"] {
        assert!(!files_contain(&tmp.path().join(name), NOTE_CANARY), "{name}'s files hold the note");
    }
}

const CANNED_CANARY: &str = "CannedCanary41c9";

/// A team leader writes a canned reply with placeholders; an advisor's desktop offers it filled
/// in for the conversation; a blank no one can fill stops the send in words; once a manager has
/// set the line's phone number it goes, once, to the shared Sent; its edit has a history; and
/// the server holds none of its wording readably.
#[tokio::test]
async fn issue24_a_team_leaders_canned_reply_is_sent_by_an_advisor_with_its_placeholders_filled() {
    let Some(lab) = Lab::get("issue24_a_team_leaders_canned_reply_is_sent_by_an_advisor_with_its_placeholders_filled")
    else {
        return;
    };
    let shared = lab.fresh_user("canned");
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(OffsetDateTime::now_utc()));
    let [mia, ash, bea] = team_at(&lab, &shared, tmp.path(), clock, RoleKind::TeamLeader).await;
    let s = format!("{shared}@lab.test");
    lab.import_raw(&shared, &[format!(
        "From: Sam Jones <sam@example.org>\r\nTo: {s}\r\nSubject: Legal advice\r\nMessage-ID: <legal-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nWhere can I get legal advice?\r\n"
    )]);
    sync(&ash).await;
    let id = listed(&ash, false).await.into_iter().find(|c| c.subject == "Legal advice").expect("synced").id;

    let (server, text) = (
        ImapRecords::of(&bea.store),
        format!("Dear {{name}}, {CANNED_CANARY} ring us on {{phone}}. {{advisor}}, {{line}}"),
    );
    assert!(
        canned::save(&ash, &ImapRecords::of(&ash.store), None, ("phoneline", None), "Legal", &text).await.is_err(),
        "an advisor wrote one"
    );
    let reply =
        canned::save(&bea, &server, None, ("phoneline", None), "Legal advice", "first draft {name}").await.unwrap();
    canned::save(&bea, &server, Some(reply.clone()), ("phoneline", None), "Legal advice", &text).await.unwrap();

    let offered = confide_mail::canned::offered(&ash, id).await.unwrap();
    assert_eq!(offered.len(), 1);
    let wording = &offered[0].text;
    assert_eq!(wording, &format!("Dear Sam Jones, {CANNED_CANARY} ring us on {{phone}}. Ash, Respect Phoneline"));
    let refused = queue_reply(&ash, id, wording).await.unwrap_err().to_string();
    assert!(refused.contains("the line's phone number"), "{refused}");

    let details = canned::LineDetails {
        hours: "Mon-Fri 9am-8pm".into(),
        phone: "0808 802 4040".into(),
        signature: "With care,\n{advisor}\n{line}, {phone}".into(),
    };
    assert!(canned::set_line_details(&bea, &server, "phoneline", &details).await.is_err(), "only a manager sets them");
    canned::set_line_details(&mia, &ImapRecords::of(&mia.store), "phoneline", &details).await.unwrap();
    // Every email reply on the line starts with its signature, signed with the work name.
    let signature = confide_mail::canned::signature(&ash, id).await.unwrap();
    assert_eq!(signature.as_deref(), Some("With care,\nAsh\nRespect Phoneline, 0808 802 4040"));
    let wording = confide_mail::canned::offered(&ash, id).await.unwrap().remove(0).text;
    assert!(wording.contains("ring us on 0808 802 4040."), "{wording}");
    let queued = queue_reply(&ash, id, &wording).await.unwrap().outbox().unwrap();
    assert!(deliver(&ash, queued).await.unwrap().is_none(), "the reply did not go");
    assert_eq!(lab.count_body(&shared, "Sent", CANNED_CANARY), 1, "the reply is in the shared Sent once");

    // Its history: Bea wrote it, then edited it; Mia's library shows both.
    let library = canned::library(&mia, &ImapRecords::of(&mia.store)).await.unwrap();
    let history: Vec<&str> = library.replies[0].history.iter().map(|v| v.by.as_str()).collect();
    assert_eq!(history, ["Bea", "Bea"]);
    canned::remove(&bea, &server, &reply, "phoneline").await.unwrap();
    assert!(canned::library(&ash, &ImapRecords::of(&ash.store)).await.unwrap().replies.is_empty());

    // The library's wording is sealed: the only readable copy on the server is the reply sent.
    let library_folder = lab.storage_of(&shared);
    let sent_only = lab.count_body(&shared, "Confide/Library", CANNED_CANARY);
    assert_eq!(sent_only, 0, "the library's wording is readable on the server");
    assert!(files_contain(&library_folder, CANNED_CANARY), "the sent reply itself is plain mail, as it must be");
}
