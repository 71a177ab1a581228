//! Issues 5 and 9: case records keep their own class's period. In nsh-2015 a complaint's
//! personal details go at six months and a child-protection disclosure's at twelve; in
//! respect-mal-current a safeguarding referral stays five years. Each is sealed to its class's
//! readers (the managers) and nothing of it is readable on the server.

mod common;

use confide_mail::records::ImapRecords;
use std::sync::Arc;

use common::desktop_under;
use confide_core::case_records::CaseInput;
use confide_core::policy::RoleKind;
use confide_core::FixedClock;
use confide_mail::lab::Lab;
use time::macros::datetime;

fn case(class: &str, line: &str, text: &str) -> CaseInput {
    CaseInput { class: class.into(), line: line.into(), text: text.into() }
}

#[tokio::test]
async fn issue5_case_records_expire_by_their_own_class_complaint_6_months_child_protection_12_referral_5_years() {
    let Some(lab) = Lab::get(
        "issue5_case_records_expire_by_their_own_class_complaint_6_months_child_protection_12_referral_5_years",
    ) else {
        return;
    };
    case_records_on(lab.exchange_like()).await;
    case_records_on(lab).await;
}

async fn case_records_on(lab: Lab) {
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(datetime!(2026-11-23 10:00 UTC)));

    let nsh_box = lab.fresh_user("cases-nsh");
    let ann = desktop_under(
        &lab,
        &nsh_box,
        &tmp.path().join("Ann"),
        ("Ann", RoleKind::Manager, "helpline"),
        clock.clone(),
        ("nsh-2015", "2015-05-19"),
    )
    .await;
    let bob = desktop_under(
        &lab,
        &nsh_box,
        &tmp.path().join("Bob"),
        ("Bob", RoleKind::Advisor, "helpline"),
        clock.clone(),
        ("nsh-2015", "2015-05-19"),
    )
    .await;
    confide_core::team::found(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    confide_core::team::add(&ann, &ImapRecords::of(&ann.store), confide_core::team::card(&bob).unwrap()).await.unwrap();
    let refused = confide_core::case_records::create(
        &bob,
        &ImapRecords::of(&bob.store),
        &case("literature_address", "helpline", "1 High St"),
    )
    .await
    .unwrap_err();
    assert!(
        refused.to_string().contains("keeps no record of that kind"),
        "a consent record is not a case record: {refused}"
    );
    confide_core::case_records::create(
        &bob,
        &ImapRecords::of(&bob.store),
        &case("complaint", "helpline", "case-canary-71b2: complaint from Ms Example"),
    )
    .await
    .unwrap();
    confide_core::case_records::create(
        &bob,
        &ImapRecords::of(&bob.store),
        &case("child_protection", "helpline", "case-canary-0f9d: disclosure about a child"),
    )
    .await
    .unwrap();
    assert!(
        confide_core::case_records::list(&bob, &ImapRecords::of(&bob.store)).await.unwrap().is_empty(),
        "sealed to the managers, not to the advisor who wrote them"
    );
    assert_eq!(confide_core::case_records::list(&ann, &ImapRecords::of(&ann.store)).await.unwrap().len(), 2);
    for (folder, canary) in
        [("Confide/complaint", "case-canary-71b2"), ("Confide/child_protection", "case-canary-0f9d")]
    {
        assert_eq!(lab.count_body(&nsh_box, folder, canary), 0, "{canary} readable on the server");
    }
    let classes = |s: &confide_core::staff::Session| {
        let s = s.clone();
        async move {
            confide_core::case_records::list(&s, &ImapRecords::of(&s.store))
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.class)
                .collect::<Vec<_>>()
        }
    };
    clock.set(datetime!(2027-05-22 10:00 UTC));
    confide_mail::expire::run(&ann.store, false).await.unwrap();
    assert_eq!(classes(&ann).await, ["complaint", "child_protection"], "both kept the day before six months");
    clock.set(datetime!(2027-05-24 10:00 UTC));
    confide_mail::expire::run(&ann.store, false).await.unwrap();
    assert_eq!(classes(&ann).await, ["child_protection"], "the complaint goes at six months");
    clock.set(datetime!(2027-11-24 10:00 UTC));
    confide_mail::expire::run(&ann.store, false).await.unwrap();
    assert!(classes(&ann).await.is_empty(), "the child-protection disclosure goes at twelve");

    let respect_box = lab.fresh_user("cases-respect");
    clock.set(datetime!(2026-11-23 10:00 UTC));
    let cy = desktop_under(
        &lab,
        &respect_box,
        &tmp.path().join("Cy"),
        ("Cy", RoleKind::Manager, "phoneline"),
        clock.clone(),
        ("respect-mal-current", "current-1"),
    )
    .await;
    confide_core::team::found(&cy, &ImapRecords::of(&cy.store)).await.unwrap();
    confide_core::case_records::create(
        &cy,
        &ImapRecords::of(&cy.store),
        &case("safeguarding_referral", "phoneline", "referral to children's services"),
    )
    .await
    .unwrap();
    clock.set(datetime!(2031-11-22 10:00 UTC));
    confide_mail::expire::run(&cy.store, false).await.unwrap();
    assert_eq!(classes(&cy).await, ["safeguarding_referral"], "kept the day before five years");
    clock.set(datetime!(2031-11-24 10:00 UTC));
    confide_mail::expire::run(&cy.store, false).await.unwrap();
    assert!(classes(&cy).await.is_empty(), "gone after five years");
}
