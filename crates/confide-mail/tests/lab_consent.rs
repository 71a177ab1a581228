//! Issue 9, consent (nsh-2015): contact details are kept only with consent for a purpose; a
//! literature address is gone from the server once the literature is marked sent; a feedback
//! contact is gone once the call is made, and the feedback is kept with nothing to identify
//! who gave it.

mod common;

use confide_mail::records::ImapRecords;
use std::sync::Arc;

use common::desktop_under;
use confide_core::consent::{ContactInput, Purpose};
use confide_core::policy::RoleKind;
use confide_core::SystemClock;
use confide_mail::lab::Lab;

fn contact(purpose: Purpose, consent: bool) -> ContactInput {
    ContactInput {
        purpose,
        line: "helpline".into(),
        name: "Wendell Okafor".into(),
        contact: "14 Larkspur Road, Leeds LS6 2AB".into(),
        consent,
    }
}

#[tokio::test]
async fn issue9_contact_details_are_kept_only_with_consent_and_only_until_their_purpose_is_done() {
    let Some(lab) = Lab::get("issue9_contact_details_are_kept_only_with_consent_and_only_until_their_purpose_is_done")
    else {
        return;
    };
    consent_on(lab.exchange_like()).await;
    consent_on(lab).await;
}

async fn consent_on(lab: Lab) {
    let shared = lab.fresh_user("consent");
    let tmp = tempfile::tempdir().unwrap();
    let nsh = ("nsh-2015", "2015-05-19");
    let ann = desktop_under(
        &lab,
        &shared,
        &tmp.path().join("Ann"),
        ("Ann", RoleKind::Manager, "helpline"),
        Arc::new(SystemClock),
        nsh,
    )
    .await;
    let bob = desktop_under(
        &lab,
        &shared,
        &tmp.path().join("Bob"),
        ("Bob", RoleKind::Advisor, "helpline"),
        Arc::new(SystemClock),
        nsh,
    )
    .await;
    confide_core::team::found(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    confide_core::team::add(&ann, &ImapRecords::of(&ann.store), confide_core::team::card(&bob).unwrap()).await.unwrap();

    let refused =
        confide_core::consent::record(&bob, &ImapRecords::of(&bob.store), &contact(Purpose::Literature, false))
            .await
            .unwrap_err();
    assert!(refused.to_string().contains("pseudonym"), "{refused}");
    let literature =
        confide_core::consent::record(&bob, &ImapRecords::of(&bob.store), &contact(Purpose::Literature, true))
            .await
            .unwrap();
    assert_eq!(lab.count_body(&shared, "Confide/literature_address", "Larkspur"), 0, "sealed on the server");
    assert_eq!(
        confide_core::consent::list(&bob, &ImapRecords::of(&bob.store)).await.unwrap().len(),
        1,
        "advisors send literature in nsh-2015"
    );
    confide_core::consent::done(&bob, &ImapRecords::of(&bob.store), &literature, None).await.unwrap();
    assert_eq!(
        lab.message_count(&shared, "Confide/literature_address"),
        0,
        "the address is gone once the literature is sent"
    );
    assert!(confide_core::consent::list(&bob, &ImapRecords::of(&bob.store)).await.unwrap().is_empty());

    let call = confide_core::consent::record(&ann, &ImapRecords::of(&ann.store), &contact(Purpose::Feedback, true))
        .await
        .unwrap();
    assert!(
        confide_core::consent::list(&bob, &ImapRecords::of(&bob.store)).await.unwrap().is_empty(),
        "feedback contacts are for team leaders and managers"
    );
    confide_core::consent::done(
        &ann,
        &ImapRecords::of(&ann.store),
        &call,
        Some("Wendell Okafor said the advisor was kind; call back on 07700 900123 at Larkspur Road"),
    )
    .await
    .unwrap();
    assert_eq!(lab.message_count(&shared, "Confide/feedback_contact"), 0, "the contact is gone once the call is made");
    let feedback = confide_core::consent::feedback(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    assert_eq!(feedback.len(), 1);
    for canary in ["Wendell", "Okafor", "07700", "Larkspur"] {
        assert!(!feedback[0].text.contains(canary), "{canary} kept in the feedback: {}", feedback[0].text);
    }
    assert!(feedback[0].text.contains("the advisor was kind"));
}
