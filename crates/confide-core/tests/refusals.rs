//! Issue 27 (item 5): a rule's refusal is a type, not only words, so a caller (and a test) can
//! tell "your role may not" from "not your line" from "the policy has no such thing" from a
//! failure, and the words the person reads stay the ones each refusal was written with.

use confide_core::case_records::{self, CaseInput};
use confide_core::policy::RoleKind;
use confide_core::qa::SampleRequest;
use confide_core::record_store::memory::MemoryRecords;
use confide_core::testing::desktop;
use confide_core::{CoreError, ErrorCode, Refusal};

#[tokio::test]
async fn issue27_refusals_say_which_rule_said_no() {
    let tmp = tempfile::tempdir().unwrap();
    let server = MemoryRecords::new();
    let bob = desktop(tmp.path(), "Bob", RoleKind::Advisor, &["phoneline"]).await;

    let request = SampleRequest {
        from: "2026-01-01".into(),
        to: "2026-01-31".into(),
        channels: vec!["email".into()],
        per_advisor_per_month: Some(1),
        count: None,
        seed: None,
    };
    let role = confide_core::qa::sample(&bob, &server, &request).await.unwrap_err();
    match &role {
        CoreError::Refused(Refusal::Role { allowed, .. }) => assert_eq!(allowed, "a manager"),
        other => panic!("an advisor's sample was refused as {other:?}"),
    }
    assert_eq!(role.to_string(), "only a manager can sample replies for quality monitoring");
    assert_eq!(role.code(), ErrorCode::Invalid, "the window shows a refusal as it did");

    let class = case_records::classes(bob.preset())[0].id.clone();
    let elsewhere = CaseInput { class: class.clone(), line: "mens_advice".into(), text: "canary".into() };
    let line = case_records::make(&bob, &elsewhere).unwrap_err();
    assert!(matches!(line, CoreError::Refused(Refusal::NotYourLine)), "{line:?}");

    let unknown = CaseInput { class: "horoscope".into(), line: "phoneline".into(), text: "canary".into() };
    let policy = case_records::make(&bob, &unknown).unwrap_err();
    assert!(matches!(policy, CoreError::Refused(Refusal::NotInPolicy(_))), "{policy:?}");
    assert_eq!(policy.to_string(), "this helpline's policy keeps no record of that kind");

    // Input to correct is not a refusal.
    let empty = CaseInput { class, line: "phoneline".into(), text: " ".into() };
    assert!(matches!(case_records::make(&bob, &empty).unwrap_err(), CoreError::Invalid(_)));
}
