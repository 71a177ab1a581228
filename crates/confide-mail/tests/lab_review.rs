//! Issue 24, review before send, on three desktops against the lab: a manager marks an advisor
//! in training as "replies reviewed"; the advisor's reply waits, unsent and unreadable on the
//! server; a team leader returns one with a comment (never sent) and approves another with an
//! edit, while the manager approves the same one a moment later: it reaches the shared Sent
//! exactly once, as the team leader edited it, and counts as the advisor's reply.

use std::sync::Arc;

use confide_core::policy::RoleKind;
use confide_core::review;
use confide_core::{audit, team, FixedClock};
use confide_mail::lab::Lab;
use confide_mail::records::ImapRecords;
use confide_mail::reply::{deliver, queue_reply, Queued};
use time::OffsetDateTime;

mod common;
use common::{files_contain, listed, sync, team_at};

const DRAFT_CANARY: &str = "DraftCanary5d21";
const RETURNED_CANARY: &str = "ReturnedCanary0b7a";

#[tokio::test]
async fn issue24_a_trainees_reply_waits_is_approved_once_and_a_returned_one_is_not_sent() {
    let Some(lab) = Lab::get("issue24_a_trainees_reply_waits_is_approved_once_and_a_returned_one_is_not_sent") else {
        return;
    };
    let shared = lab.fresh_user("review");
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(OffsetDateTime::now_utc()));
    let [mia, ash, bea] = team_at(&lab, &shared, tmp.path(), clock, RoleKind::TeamLeader).await;
    let s = format!("{shared}@lab.test");
    lab.import_raw(&shared, &[
        format!("From: Sam <sam@example.org>\r\nTo: {s}\r\nSubject: Housing\r\nMessage-ID: <housing-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nCan you help with housing?\r\n"),
        format!("From: Kit <kit@example.org>\r\nTo: {s}\r\nSubject: Refuge\r\nMessage-ID: <refuge-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 11:00:00 +0000\r\n\r\nIs there a refuge near me?\r\n"),
    ]);
    let ash_key = team::card(&ash).unwrap().signing_key;
    let records = ImapRecords::of(&mia.store);
    assert!(team::set_reviewed(&bea, &ImapRecords::of(&bea.store), &ash_key, true).await.is_err(), "not a manager");
    team::set_reviewed(&mia, &records, &ash_key, true).await.unwrap();

    let mut ids = vec![];
    for s in [&mia, &ash, &bea] {
        sync(s).await;
        let list = listed(s, false).await;
        let id = |subject: &str| list.iter().find(|c| c.subject == subject).expect("synced").id;
        ids.push((id("Housing"), id("Refuge")));
    }
    let [(mia_housing, _), (ash_housing, ash_refuge), (bea_housing, bea_refuge)] = ids[..] else { unreachable!() };

    // Ash answers both: each waits, unsent, and Ash's desktop shows it waiting.
    let first = format!("Here is where to get housing advice. {DRAFT_CANARY}");
    let Queued::ForReview(housing_draft) = queue_reply(&ash, ash_housing, &first).await.unwrap() else {
        panic!("a reviewed advisor's reply was queued to send");
    };
    let Queued::ForReview(refuge_draft) =
        queue_reply(&ash, ash_refuge, &format!("Refuges are listed online. {RETURNED_CANARY}")).await.unwrap()
    else {
        panic!("queued to send");
    };
    assert_eq!(lab.count_body(&shared, "Sent", DRAFT_CANARY), 0);
    let mine = review::of_conversation(&ash, ash_housing).await.unwrap();
    assert_eq!(
        mine.iter().map(|r| (r.mine, r.state.as_str(), r.can_decide)).collect::<Vec<_>>(),
        [(true, "waiting", false)]
    );

    // Bea (team leader) sees it waiting and may decide; she returns the refuge reply.
    sync(&bea).await;
    sync(&mia).await;
    let waiting = review::of_conversation(&bea, bea_housing).await.unwrap();
    assert_eq!(waiting.iter().map(|r| (r.text.as_str(), r.can_decide)).collect::<Vec<_>>(), [(first.as_str(), true)]);
    let bea_mail = |err: confide_mail::MailError| err.to_string();
    let no_comment = confide_mail::review::send_back(&bea, &refuge_draft, "  ").await.map_err(bea_mail).unwrap_err();
    assert!(no_comment.contains("say why"), "{no_comment}");
    confide_mail::review::send_back(&bea, &refuge_draft, "Name the two nearest, and the 24-hour line.").await.unwrap();

    // Mia's desktop has not followed since: Bea approves with an edit, then Mia approves too
    // (her desktop still shows it waiting).
    let edited = format!("{first}\nThe council's housing team can help the same day.");
    let queued = confide_mail::review::approve(&bea, &housing_draft, Some(&edited)).await.unwrap();
    assert_eq!(queued.len(), 1, "Bea's approval counts");
    for id in queued {
        assert!(deliver(&bea, id).await.unwrap().is_none(), "the approved reply did not go");
    }
    let late = confide_mail::review::approve(&mia, &housing_draft, None).await;
    assert!(late.unwrap().is_empty(), "a second approval queued the reply again");
    assert!(confide_mail::review::queue_approved(&mia).await.unwrap().is_empty());
    assert!(confide_mail::review::queue_approved(&bea).await.unwrap().is_empty(), "queued twice");
    assert_eq!(lab.count_body(&shared, "Sent", DRAFT_CANARY), 1, "the reply is in the shared Sent once");
    assert_eq!(lab.count_body(&shared, "Sent", "housing team can help the same day"), 1, "not as edited");
    assert_eq!(lab.count_body(&shared, "Sent", RETURNED_CANARY), 0, "a returned reply was sent");

    // Ash sees which: approved as edited, by Bea; returned with her comment.
    sync(&ash).await;
    let housing = review::of_conversation(&ash, ash_housing).await.unwrap();
    let bea_fp = bea.store.identity().fingerprint();
    assert_eq!(housing[0].state, "approved");
    assert_eq!(
        (housing[0].decided_by.as_deref(), housing[0].decided_text.as_deref()),
        (Some(bea_fp.as_str()), Some(edited.as_str()))
    );
    let refuge = review::of_conversation(&ash, ash_refuge).await.unwrap();
    assert_eq!(refuge[0].state, "returned");
    assert_eq!(refuge[0].decided_text.as_deref(), Some("Name the two nearest, and the 24-hour line."));
    // Ash's desktop tells Ash once of each decision, naming only the line and conversation.
    let mut told = review::take_decided(&ash.store).await.unwrap();
    told.sort();
    let mut expected = vec![(ash_housing, "phoneline".to_owned(), true), (ash_refuge, "phoneline".to_owned(), false)];
    expected.sort();
    assert_eq!(told, expected);
    assert!(review::take_decided(&ash.store).await.unwrap().is_empty(), "told twice");
    assert!(review::take_decided(&bea.store).await.unwrap().is_empty(), "Bea wrote neither");
    sync(&mia).await;
    let at_mia = review::of_conversation(&mia, mia_housing).await.unwrap();
    assert_eq!((at_mia[0].decided_by.as_deref(), at_mia[0].can_decide), (Some(bea_fp.as_str()), false));
    assert!(review::of_conversation(&bea, bea_refuge).await.unwrap()[0].state == "returned");

    // The reply counts as Ash's (quality sampling names its writer), and Bea's approval and
    // return are on her audit log (the signed entries her desktop publishes to the team's).
    let sent_id: String = sqlx::query_scalar("SELECT message_id FROM reply_reviews WHERE draft = ?")
        .bind(&housing_draft)
        .fetch_one(mia.store.pool())
        .await
        .unwrap();
    for s in [&mia, &ash, &bea] {
        let author: Option<String> = sqlx::query_scalar("SELECT author FROM reply_authors WHERE message_id = ?")
            .bind(&sent_id)
            .fetch_optional(s.store.pool())
            .await
            .unwrap();
        assert_eq!(author, Some(ash.store.identity().fingerprint()), "{}", s.profile.display_name);
    }
    let events: Vec<String> =
        audit::unpublished(&bea.store, 500).await.unwrap().into_iter().map(|e| e.action).collect();
    assert!(events.iter().any(|e| e == "reply_approved") && events.iter().any(|e| e == "reply_returned"), "{events:?}");

    // Ending the review: Ash's next reply is queued to send at once.
    team::set_reviewed(&mia, &records, &ash_key, false).await.unwrap();
    assert!(matches!(
        queue_reply(&ash, ash_refuge, "The two nearest refuges are open now.").await,
        Ok(Queued::Outbox(_))
    ));

    // The drafts are sealed: nothing readable on the server but the sent reply itself.
    assert_eq!(lab.count_body(&shared, "Confide/State", DRAFT_CANARY), 0);
    assert!(!files_contain(&lab.storage_of(&shared), RETURNED_CANARY), "a returned draft is readable on the server");
    for name in ["Mia", "Ash", "Bea"] {
        assert!(!files_contain(&tmp.path().join(name), RETURNED_CANARY), "{name}'s files hold the draft");
    }
}
