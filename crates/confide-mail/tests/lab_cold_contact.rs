//! Issue 9, no cold contact (acevo): a reply goes only to someone who has written to the
//! helpline. A message whose Reply-To names an address that never wrote is refused under
//! acevo (a third party could be written to, or a perpetrator could have the helpline write to
//! their partner) and allowed under respect-mal-current, whose policy has no such rule; a
//! third party's request is declined on the record.

mod common;

use std::sync::Arc;

use common::desktop_under;
use confide_core::accounts::{self, AccountKind};
use confide_core::policy::RoleKind;
use confide_core::SystemClock;
use confide_mail::lab::Lab;
use confide_mail::sync::sync_account;

async fn sync(session: &confide_core::staff::Session) {
    for a in accounts::list(&session.store).await.unwrap().into_iter().filter(|a| a.kind == AccountKind::Shared) {
        sync_account(&session.store, &a, &|_| {}).await.unwrap();
    }
}

async fn conversation_from(session: &confide_core::staff::Session, sender: &str) -> i64 {
    let page = confide_core::inbox::page(session, &Default::default()).await.unwrap();
    page.conversations.iter().find(|c| c.correspondent == sender).unwrap_or_else(|| panic!("{sender}: {page:?}")).id
}

#[tokio::test]
async fn issue9_acevo_writes_only_to_people_who_contacted_it_and_respect_allows_what_its_policy_allows() {
    let Some(lab) =
        Lab::get("issue9_acevo_writes_only_to_people_who_contacted_it_and_respect_allows_what_its_policy_allows")
    else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mail = |shared: &str| {
        vec![
            format!("From: member@example.org\r\nReply-To: someone.else@example.net\r\nTo: {shared}@lab.test\r\nSubject: about my colleague\r\nMessage-ID: <cold-1-{shared}@example.org>\r\nDate: Mon, 16 Nov 2026 09:00:00 +0000\r\n\r\nPlease write to my colleague.\r\n"),
            format!("From: other@example.org\r\nTo: {shared}@lab.test\r\nSubject: support\r\nMessage-ID: <cold-2-{shared}@example.org>\r\nDate: Mon, 16 Nov 2026 10:00:00 +0000\r\n\r\nCan we talk?\r\n"),
        ]
    };
    let acevo_box = lab.fresh_user("cold-acevo");
    lab.import_raw(&acevo_box, &mail(&acevo_box));
    let ann = desktop_under(
        &lab,
        &acevo_box,
        &tmp.path().join("Ann"),
        ("Ann", RoleKind::Manager, "member_support"),
        Arc::new(SystemClock),
        ("acevo", "1"),
    )
    .await;
    sync(&ann).await;
    let third_party = conversation_from(&ann, "member@example.org").await;
    let refused = confide_mail::reply::queue_reply(&ann, third_party, "Hello").await.unwrap_err();
    assert!(refused.to_string().contains("writes only to people who contacted it first"), "{refused}");
    let audit = confide_core::audit::recent(&ann, 50).await.unwrap();
    assert!(!audit.iter().any(|e| e.action == "replied"), "a refused reply is not on the log as sent");
    let member = conversation_from(&ann, "other@example.org").await;
    confide_mail::reply::queue_reply(&ann, member, "Yes, of course.").await.unwrap();

    confide_mail::triage::decline_third_party(&ann, third_party).await.unwrap();
    let audit = confide_core::audit::recent(&ann, 50).await.unwrap();
    assert!(
        audit.iter().any(|e| e.action == "third_party_declined" && e.record == format!("conversation:{third_party}")),
        "{audit:?}"
    );
    let page = confide_core::inbox::page(&ann, &Default::default()).await.unwrap();
    assert_eq!(page.conversations.iter().find(|c| c.id == third_party).unwrap().status.as_str(), "closed");

    let respect_box = lab.fresh_user("cold-respect");
    lab.import_raw(&respect_box, &mail(&respect_box));
    let bob = desktop_under(
        &lab,
        &respect_box,
        &tmp.path().join("Bob"),
        ("Bob", RoleKind::Advisor, "phoneline"),
        Arc::new(SystemClock),
        ("respect-mal-current", "current-1"),
    )
    .await;
    sync(&bob).await;
    let same = conversation_from(&bob, "member@example.org").await;
    confide_mail::reply::queue_reply(&bob, same, "Hello").await.expect("respect-mal-current has no cold-contact rule");
}
