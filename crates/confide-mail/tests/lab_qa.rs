//! Issue 8, quality monitoring: three advisors' replies over October; a manager samples five
//! per advisor per month (fewer where an advisor has fewer), the same seed draws the same
//! sample, the review view masks the service user's name, address, numbers and email address,
//! and after the conversation expires the review remains while the conversation does not.

mod common;

use confide_mail::records::ImapRecords;
use std::sync::Arc;

use common::desktop_at;
use confide_core::accounts::AccountKind;
use confide_core::policy::RoleKind;
use confide_core::qa::{Review, SampleRequest};
use confide_core::{accounts, team, FixedClock};
use confide_mail::lab::Lab;
use confide_mail::sync::sync_account;

const CANARIES: [&str; 6] = ["Wendell", "Okafor", "w.okafor", "07700 900123", "Larkspur", "LS6 2AB"];

async fn sync(session: &confide_core::staff::Session) {
    for a in accounts::list(&session.store).await.unwrap().into_iter().filter(|a| a.kind == AccountKind::Shared) {
        sync_account(&session.store, &a, &|_| {}).await.unwrap();
    }
}

fn request(seed: Option<String>) -> SampleRequest {
    SampleRequest {
        from: "2026-10-01".into(),
        to: "2026-10-31".into(),
        channels: vec!["email".into(), "webchat".into()],
        per_advisor_per_month: Some(5),
        count: None,
        seed,
    }
}

#[tokio::test]
async fn issue8_a_stratified_sample_is_reproducible_masked_and_its_reviews_outlive_the_conversation() {
    let Some(lab) =
        Lab::get("issue8_a_stratified_sample_is_reproducible_masked_and_its_reviews_outlive_the_conversation")
    else {
        return;
    };
    sample_on(lab.exchange_like()).await;
    sample_on(lab).await;
}

async fn sample_on(lab: Lab) {
    let shared = lab.fresh_user("qa");
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(time::macros::datetime!(2026-10-20 12:00 UTC)));
    let mut people = vec![];
    for (name, role) in
        [("Ann", RoleKind::Manager), ("Bob", RoleKind::Advisor), ("Cat", RoleKind::Advisor), ("Dev", RoleKind::Advisor)]
    {
        people.push(desktop_at(&lab, &shared, &tmp.path().join(name), name, role, "phoneline", clock.clone()).await);
    }
    let [ann, bob, cat, dev]: [_; 4] = people.try_into().unwrap_or_else(|_| unreachable!());
    confide_core::team::found(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    for other in [&bob, &cat, &dev] {
        confide_core::team::add(&ann, &ImapRecords::of(&ann.store), team::card(other).unwrap()).await.unwrap();
    }

    // A service user writes; Bob answers from Confide (his desktop records that he wrote it).
    lab.import_raw(
        &shared,
        &["From: \"Wendell Okafor\" <w.okafor@example.org>\r\nTo: phoneline@lab.test\r\nSubject: Help please, Wendell here\r\nMessage-ID: <qa-canary@example.org>\r\n\
             Date: Mon, 5 Oct 2026 09:00:00 +0000\r\n\r\nI am Wendell Okafor, 14 Larkspur Road, Leeds LS6 2AB, phone 07700 900123.\r\n".to_string()],
    );
    sync(&bob).await;
    let conversation = confide_core::inbox::page(&bob, &Default::default()).await.unwrap().conversations[0].id;
    let id =
        confide_mail::reply::queue_reply(&bob, conversation, "Dear Wendell, thank you for writing. Please call us.")
            .await
            .unwrap()
            .outbox()
            .unwrap();
    for _ in 0..3 {
        if confide_mail::reply::deliver(&bob, id).await.unwrap().is_none() {
            break;
        }
    }
    // Other replies of the month, filed in Sent by each advisor's desktop: Bob 6 more, Cat 6, Dev 3.
    let mut raws = vec![];
    for (who, n) in [(&bob, 6), (&cat, 6), (&dev, 3)] {
        for i in 0..n {
            raws.push(format!(
                "From: phoneline@lab.test\r\nTo: caller{i}@example.org\r\nSubject: Re: call\r\nMessage-ID: <qa-{}-{i}@lab.test>\r\nX-Advisor: {}\r\nDate: {} Oct 2026 10:00:00 +0000\r\n\r\nReply {i}.\r\n",
                who.profile.display_name,
                who.store.identity().fingerprint(),
                6 + i
            ));
        }
    }
    lab.import_raw(&shared, &raws);
    let user = format!("{shared}@lab.test");
    lab.doveadm(&["move", "-u", &user, lab.sent_folder(), "mailbox", "INBOX", "header", "X-Advisor", ""]);
    // Each advisor's desktop records who wrote its replies, as delivering one does.
    for (who, n) in [(&bob, 6), (&cat, 6), (&dev, 3)] {
        sync(who).await;
        for i in 0..n {
            let message_id = format!("qa-{}-{i}@lab.test", who.profile.display_name);
            let conversation: i64 = sqlx::query_scalar("SELECT conversation_id FROM messages WHERE message_id = ?")
                .bind(&message_id)
                .fetch_one(who.store.pool())
                .await
                .unwrap();
            let server = ImapRecords::of(&who.store);
            confide_core::triage_state::record_authored(who, &server, conversation, &message_id).await.unwrap();
        }
    }
    sync(&ann).await;

    let refused = confide_core::qa::sample(&bob, &ImapRecords::of(&bob.store), &request(None)).await.unwrap_err();
    assert!(refused.to_string().contains("only a manager"), "{refused}");
    let sample = confide_core::qa::sample(&ann, &ImapRecords::of(&ann.store), &request(None)).await.unwrap();
    let chosen = |fp: String| sample.items.iter().filter(|i| i.advisor == fp).count();
    assert_eq!(
        (
            chosen(bob.store.identity().fingerprint()),
            chosen(cat.store.identity().fingerprint()),
            chosen(dev.store.identity().fingerprint())
        ),
        (5, 5, 3),
        "{:?}",
        sample.strata
    );
    assert_eq!(
        sample.strata.iter().map(|s| s.available).sum::<usize>(),
        16,
        "Bob's reply from Confide counted as his: {:?}",
        sample.strata
    );
    let again = confide_core::qa::sample(&ann, &ImapRecords::of(&ann.store), &request(Some(sample.seed.clone())))
        .await
        .unwrap();
    assert_eq!(again.items, sample.items, "the same seed draws the same sample");

    // Every reply of Bob's, masked: the one to Wendell shows the conversation, and none of him.
    let all = confide_core::qa::sample(
        &ann,
        &ImapRecords::of(&ann.store),
        &SampleRequest { per_advisor_per_month: Some(100), ..request(None) },
    )
    .await
    .unwrap();
    let mut with_canary_conversation = None;
    for item in &all.items {
        let view = confide_core::qa::review_view(&ann, &ImapRecords::of(&ann.store), &item.key).await.unwrap();
        let text =
            format!("{} {}", view.subject, view.lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join(" "));
        for canary in CANARIES {
            assert!(!text.contains(canary), "{canary} in the review view of {}: {text}", item.key);
        }
        if view.lines.iter().any(|l| l.incoming) {
            assert!(text.contains("[name]") && text.contains("[address]") && text.contains("[number]"), "{text}");
            with_canary_conversation = Some(item.clone());
        }
    }
    let item = with_canary_conversation.expect("Bob's reply to Wendell was in the sample");

    let rubric = ann.preset().rubric();
    let review = Review {
        key: item.key.clone(),
        channel: item.channel.clone(),
        advisor: item.advisor.clone(),
        month: item.month.clone(),
        seed: all.seed.clone(),
        scores: rubric.iter().map(|c| (c.id.clone(), 4)).collect(),
        comment: "Warm, but give the opening hours.".into(),
        reviewer: String::new(),
        at: 0,
    };
    confide_core::qa::save_review(&ann, &ImapRecords::of(&ann.store), &review).await.unwrap();
    assert_eq!(lab.count_body(&shared, "Confide/Reviews", "opening hours"), 0, "sealed on the server");

    // Past six months the conversation is destroyed; the review stays, without its content.
    // (Bob's reply reached the server today, in real time, though his desktop's clock said
    // October: retention counts from the later of the two, so this must be more than six
    // months after the day the test runs. A fixed June 2027 stopped being that on 2026-12-02.)
    let later = time::OffsetDateTime::now_utc() + time::Duration::days(200);
    clock.set(later.max(time::macros::datetime!(2027-06-01 12:00 UTC)));
    let report = confide_mail::expire::run(&ann.store, false).await.unwrap();
    assert!(report.problems.is_empty() && report.expired_messages >= 17, "{report:?}");
    let gone = confide_core::qa::review_view(&ann, &ImapRecords::of(&ann.store), &item.key).await.unwrap_err();
    assert!(gone.to_string().contains("no longer kept"), "{gone}");
    let reviews = confide_core::qa::reviews(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    assert_eq!((reviews.len(), reviews[0].reviewer.as_str(), reviews[0].scores.len()), (1, "Ann", rubric.len()));
    let csv = confide_core::qa::export_summary(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    assert!(csv.contains("\"Bob\",2026-10,1,4.0"), "{csv}");
    for canary in CANARIES {
        assert!(
            !csv.contains(canary) && !serde_json::to_string(&reviews).unwrap().contains(canary),
            "{canary} kept in a review"
        );
    }
}
