//! Issue 9, disclosure decisions (nsh-2015): a decision cannot be recorded without a consulted
//! manager, nor with a colleague who has not declared they can judge soundly; the report is
//! sealed to the managers; a manager involved cannot review it and an uninvolved one can, once;
//! at six months the identifying report is gone from the server and the anonymous report, with
//! its review, remains.

mod common;

use confide_mail::records::ImapRecords;
use std::sync::Arc;

use common::desktop_under;
use confide_core::disclosure::{Agency, Consulted, DisclosureInput, Outcome, Shared, Told};
use confide_core::policy::RoleKind;
use confide_core::{team, FixedClock};
use confide_mail::lab::Lab;

#[tokio::test]
async fn issue9_a_disclosure_needs_a_consulted_manager_an_uninvolved_reviewer_and_leaves_an_anonymous_report() {
    let Some(lab) =
        Lab::get("issue9_a_disclosure_needs_a_consulted_manager_an_uninvolved_reviewer_and_leaves_an_anonymous_report")
    else {
        return;
    };
    disclosure_on(lab.exchange_like()).await;
    disclosure_on(lab).await;
}

async fn disclosure_on(lab: Lab) {
    let shared = lab.fresh_user("disclose");
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(time::macros::datetime!(2026-11-23 10:00 UTC)));
    let nsh = ("nsh-2015", "2015-05-19");
    let mut people = vec![];
    for (name, role) in
        [("Ann", RoleKind::Manager), ("Max", RoleKind::Manager), ("Bob", RoleKind::Advisor), ("Dee", RoleKind::Advisor)]
    {
        people.push(
            desktop_under(&lab, &shared, &tmp.path().join(name), (name, role, "helpline"), clock.clone(), nsh).await,
        );
    }
    let [ann, max, bob, dee]: [_; 4] = people.try_into().unwrap_or_else(|_| unreachable!());
    confide_core::team::found(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    for other in [&max, &bob, &dee] {
        confide_core::team::add(&ann, &ImapRecords::of(&ann.store), team::card(other).unwrap()).await.unwrap();
    }
    let key = |s: &confide_core::staff::Session| team::card(s).unwrap().signing_key;
    let category = ann.preset().exceptions[0].id.clone();
    let input = |manager: Option<String>, dee_sound: bool| DisclosureInput {
        line: "helpline".into(),
        category: category.clone(),
        disclosed: "disclosure-canary-4c0e: the caller said where he keeps the weapon".into(),
        why: "an immediate risk to the caller's ex-partner".into(),
        manager_consulted: manager,
        others_consulted: vec![Consulted { key: key(&dee), sound_judgement: dee_sound }],
        user_told: Told::NotSafe { why: "telling him could put her at greater risk".into() },
        shared: vec![Shared { with: Agency::Police, what: "the location and the threat".into() }],
    };

    let no_manager =
        confide_core::disclosure::record(&bob, &ImapRecords::of(&bob.store), &input(None, true)).await.unwrap_err();
    assert!(no_manager.to_string().contains("consult a manager"), "{no_manager}");
    let unsound = confide_core::disclosure::record(&bob, &ImapRecords::of(&bob.store), &input(Some(key(&ann)), false))
        .await
        .unwrap_err();
    assert!(unsound.to_string().contains("judge soundly"), "{unsound}");
    let not_a_manager =
        confide_core::disclosure::record(&bob, &ImapRecords::of(&bob.store), &input(Some(key(&dee)), true))
            .await
            .unwrap_err();
    assert!(not_a_manager.to_string().contains("must be a manager"), "{not_a_manager}");
    let id = confide_core::disclosure::record(&bob, &ImapRecords::of(&bob.store), &input(Some(key(&ann)), true))
        .await
        .unwrap();

    // Sealed to the managers: the advisor who decided cannot read it back; no canary on the server.
    assert!(confide_core::disclosure::view(&bob, &ImapRecords::of(&bob.store)).await.unwrap().reports.is_empty());
    assert_eq!(lab.count_body(&shared, "Confide/Disclosures", "disclosure-canary-4c0e"), 0);
    let seen = confide_core::disclosure::view(&max, &ImapRecords::of(&max.store)).await.unwrap();
    assert_eq!((seen.reports.len(), seen.summaries.len(), seen.awaiting_review.clone()), (1, 1, vec![id.clone()]));
    assert_eq!(seen.reports[0].manager_consulted.as_ref().unwrap().name, "Ann");
    assert_eq!(seen.summaries[0].agencies, vec![Agency::Police]);

    let involved = confide_core::disclosure::review(&ann, &ImapRecords::of(&ann.store), &id, Outcome::Sound, "fine")
        .await
        .unwrap_err();
    assert!(involved.to_string().contains("you were involved"), "{involved}");
    let advisor = confide_core::disclosure::review(&dee, &ImapRecords::of(&dee.store), &id, Outcome::Sound, "fine")
        .await
        .unwrap_err();
    assert!(advisor.to_string().contains("only a manager"), "{advisor}");
    confide_core::disclosure::review(
        &max,
        &ImapRecords::of(&max.store),
        &id,
        Outcome::SoundWithLessons,
        "Record the call time.",
    )
    .await
    .unwrap();
    let twice = confide_core::disclosure::review(&max, &ImapRecords::of(&max.store), &id, Outcome::Sound, "again")
        .await
        .unwrap_err();
    assert!(twice.to_string().contains("reviewed already"), "{twice}");
    assert!(confide_core::disclosure::view(&ann, &ImapRecords::of(&ann.store))
        .await
        .unwrap()
        .awaiting_review
        .is_empty());

    // Six months on: the report goes; the anonymous report and its review stay.
    clock.set(time::macros::datetime!(2027-05-24 10:00 UTC));
    let report = confide_mail::expire::run(&max.store, false).await.unwrap();
    assert!(report.records_removed >= 1 && report.problems.is_empty(), "{report:?}");
    let after = confide_core::disclosure::view(&max, &ImapRecords::of(&max.store)).await.unwrap();
    assert_eq!((after.reports.len(), after.summaries.len(), after.reviews.len()), (0, 1, 1));
    assert_eq!(after.summaries[0].category, category);
    assert!(!serde_json::to_string(&after.summaries).unwrap().contains("weapon"), "nothing of what was said survives");
}
