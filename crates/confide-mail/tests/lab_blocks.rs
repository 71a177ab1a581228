//! Issue 24, blocking a sender, on three desktops against the lab: a team leader blocks a
//! flooding sender's whole domain on the line; their conversations leave every desktop's
//! inbox for the Blocked list, their next message never reaches an inbox, the server holds no
//! readable address, and the block and unblock are on the audit log. Blocked mail expires with
//! the email class (no shipped preset sets a `blocked` class) or, where a preset sets one, by
//! that class first.

use std::sync::Arc;

use confide_core::policy::{Period, RoleKind};
use confide_core::{audit, blocks, retention, Clock, FixedClock};
use confide_mail::lab::Lab;
use confide_mail::records::ImapRecords;
use time::{Duration, OffsetDateTime};

mod common;
use common::{sync, team_at};

/// The subjects in the inbox, or in the Blocked list.
async fn subjects(s: &confide_core::staff::Session, blocked: bool) -> Vec<String> {
    let filter = confide_core::inbox::InboxFilter { blocked: Some(blocked), ..Default::default() };
    let mut out: Vec<String> =
        confide_core::inbox::page(s, &filter).await.unwrap().conversations.into_iter().map(|c| c.subject).collect();
    out.sort();
    out
}

#[tokio::test]
async fn issue24_a_blocked_senders_next_message_never_reaches_the_inbox() {
    let Some(lab) = Lab::get("issue24_a_blocked_senders_next_message_never_reaches_the_inbox") else {
        return;
    };
    let shared = lab.fresh_user("blocks");
    let tmp = tempfile::tempdir().unwrap();
    let start = OffsetDateTime::now_utc();
    let clock = Arc::new(FixedClock::new(start));
    let [mia, ash, bea] = team_at(&lab, &shared, tmp.path(), clock.clone(), RoleKind::TeamLeader).await;
    let s = format!("{shared}@lab.test");
    let mail = |from: &str, subject: &str, id: &str| {
        format!("From: {from}\r\nTo: {s}\r\nSubject: {subject}\r\nMessage-ID: <{id}-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\n{subject}.\r\n")
    };
    let arrived = Some(start.unix_timestamp() - 60);
    lab.import_arrived(
        &shared,
        &[
            mail("Sam <sam@example.org>", "Help with a visit", "sam"),
            mail("Prize <win@flood-blockcanary.example>", "You have won", "flood1"),
        ],
        arrived,
    );
    for s in [&mia, &ash, &bea] {
        sync(s).await;
    }
    let flood = confide_core::inbox::page(&bea, &Default::default())
        .await
        .unwrap()
        .conversations
        .into_iter()
        .find(|c| c.subject == "You have won")
        .unwrap()
        .id;

    // An advisor may not block; a team leader blocks the whole domain.
    let ash_records = ImapRecords::of(&ash.store);
    assert!(blocks::set(&ash, &ash_records, "phoneline", "flood-blockcanary.example", true).await.is_err());
    blocks::block_sender_of(&bea, &ImapRecords::of(&bea.store), flood, true).await.unwrap();
    assert_eq!(subjects(&bea, false).await, ["Help with a visit"]);
    assert_eq!(subjects(&bea, true).await, ["You have won"]);

    // Ash's desktop follows on its next sync; the sender writes again from another address.
    sync(&ash).await;
    assert_eq!(subjects(&ash, false).await, ["Help with a visit"]);
    let listed = blocks::list(&ash).await.unwrap();
    assert_eq!(listed.iter().map(|b| b.pattern.as_str()).collect::<Vec<_>>(), ["@flood-blockcanary.example"]);
    lab.import_arrived(&shared, &[mail("Prize <claim@flood-blockcanary.example>", "Claim now", "flood2")], arrived);
    sync(&ash).await;
    assert_eq!(subjects(&ash, false).await, ["Help with a visit"], "the blocked sender's mail is in the inbox");
    assert_eq!(subjects(&ash, true).await, ["Claim now", "You have won"]);

    // No readable address on the server's library; the block is on Bea's audit log.
    assert_eq!(lab.count_body(&shared, "Confide/Library", "flood-blockcanary"), 0);
    let events: Vec<String> =
        audit::unpublished(&bea.store, 500).await.unwrap().into_iter().map(|e| e.action).collect();
    assert!(events.iter().any(|e| e == "sender_blocked"), "{events:?}");

    // A preset's shorter `blocked` class takes blocked mail first; the email class the rest.
    clock.advance(Duration::days(62));
    let preset = confide_core::staff::active_preset(&ash.store).await.unwrap();
    let mut blocked_class = preset.retention_class("email").unwrap().clone();
    (blocked_class.id, blocked_class.period) = ("blocked".into(), Period::Months(1));
    let early = retention::expired_blocked(&ash.store, &blocked_class).await.unwrap();
    assert_eq!(early.len(), 2, "the blocked sender's two messages");
    let email = preset.retention_class("email").unwrap();
    assert!(retention::expired(&ash.store, email, "email").await.unwrap().is_empty(), "6 months not up");

    // The manager unblocks: the conversations come back on the next sync; audited.
    blocks::set(&mia, &ImapRecords::of(&mia.store), "phoneline", "@flood-blockcanary.example", false).await.unwrap();
    sync(&ash).await;
    assert_eq!(subjects(&ash, false).await, ["Claim now", "Help with a visit", "You have won"]);
    assert!(subjects(&ash, true).await.is_empty());
    assert!(audit::unpublished(&mia.store, 500).await.unwrap().iter().any(|e| e.action == "sender_unblocked"));

    // Blocked again; six months on, the email class's run removes it with the rest.
    blocks::set(&mia, &ImapRecords::of(&mia.store), "phoneline", "flood-blockcanary.example", true).await.unwrap();
    sync(&ash).await;
    assert_eq!(subjects(&ash, true).await.len(), 2);
    clock.advance(Duration::days(190));
    assert!(clock.now() > start + Duration::days(250));
    confide_mail::expire::run(&ash.store, false).await.unwrap();
    assert!(subjects(&ash, true).await.is_empty(), "blocked mail outlived the email class");
    assert_eq!(lab.count_anywhere(&shared, "flood-blockcanary"), 0, "left on the server");
}
