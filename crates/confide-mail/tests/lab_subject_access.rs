//! Issue 9, subject access and erasure: a manager searches for a person by name; the export
//! holds their email, their chat's transcript and their letter (with its response and scan) and
//! nothing of anyone else's; the search is on the audit log without the name; an erasure then
//! leaves no trace of them on the server or in the desktop's files, and the other person's mail
//! is untouched.

mod common;

use confide_mail::records::ImapRecords;
use std::sync::Arc;

use common::desktop_at;
use confide_core::accounts::{self, AccountKind};
use confide_core::letters::LetterDetails;
use confide_core::policy::RoleKind;
use confide_core::webchat::{Said, Transcript};
use confide_core::{team, SystemClock};
use confide_mail::lab::Lab;
use confide_mail::sync::sync_account;

fn tree_contains(dir: &std::path::Path, needle: &str) -> bool {
    std::fs::read_dir(dir).unwrap().any(|e| {
        let path = e.unwrap().path();
        if path.is_dir() {
            tree_contains(&path, needle)
        } else {
            std::fs::read(&path).unwrap_or_default().windows(needle.len()).any(|w| w == needle.as_bytes())
        }
    })
}

#[tokio::test]
async fn issue9_a_subject_access_export_holds_the_persons_records_only_and_erasure_leaves_no_trace() {
    let Some(lab) =
        Lab::get("issue9_a_subject_access_export_holds_the_persons_records_only_and_erasure_leaves_no_trace")
    else {
        return;
    };
    subject_access_on(lab.exchange_like()).await;
    subject_access_on(lab).await;
}

async fn subject_access_on(lab: Lab) {
    let shared = lab.fresh_user("sar");
    let tmp = tempfile::tempdir().unwrap();
    lab.import_raw(
        &shared,
        &[
            format!("From: \"Wendell Okafor\" <w.okafor@example.org>\r\nTo: {shared}@lab.test\r\nSubject: help\r\nMessage-ID: <sar-1@example.org>\r\nDate: Mon, 16 Nov 2026 09:00:00 +0000\r\n\r\nsar-canary-email: I am scared.\r\n"),
            format!("From: other@example.org\r\nTo: {shared}@lab.test\r\nSubject: question\r\nMessage-ID: <sar-2@example.org>\r\nDate: Mon, 16 Nov 2026 10:00:00 +0000\r\n\r\nother-canary: a different person.\r\n"),
        ],
    );
    let clock: Arc<dyn confide_core::Clock> = Arc::new(SystemClock);
    let ann =
        desktop_at(&lab, &shared, &tmp.path().join("Ann"), "Ann", RoleKind::Manager, "phoneline", clock.clone()).await;
    let tia =
        desktop_at(&lab, &shared, &tmp.path().join("Tia"), "Tia", RoleKind::TeamLeader, "phoneline", clock.clone())
            .await;
    confide_core::team::found(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    confide_core::team::add(&ann, &ImapRecords::of(&ann.store), team::card(&tia).unwrap()).await.unwrap();
    for a in accounts::list(&ann.store).await.unwrap().into_iter().filter(|a| a.kind == AccountKind::Shared) {
        sync_account(&ann.store, &a, &|_| {}).await.unwrap();
    }
    // A chat transcript that names him, and another that does not.
    for (chat, text) in [("c1", "I'm Wendell Okafor, sar-canary-chat"), ("c2", "other-canary in a chat")] {
        let t = Transcript {
            notes: vec![],
            chat: chat.into(),
            line: "phoneline".into(),
            started_at: ann.store.now_ts(),
            messages: vec![Said { from: "visitor".into(), text: text.into(), at: 0 }],
            flags: vec![],
        };
        confide_core::record_store::put(
            &ann,
            &ImapRecords::of(&ann.store),
            "webchat",
            Some("phoneline"),
            t.started_at,
            &serde_json::to_vec(&t).unwrap(),
        )
        .await
        .unwrap();
    }
    // His letter: found by the response that names him; the scan comes with it.
    let details = LetterDetails {
        line: "phoneline".into(),
        received_on: "2026-11-20".into(),
        summary: "Asks about a course".into(),
        original_destroyed: false,
    };
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj 2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj 3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let reference =
        confide_core::letters::import(&tia, &ImapRecords::of(&tia.store), &details, &[pdf.to_vec()], &|_| {})
            .await
            .unwrap();
    confide_core::letters::respond(
        &ann,
        &ImapRecords::of(&ann.store),
        &reference,
        "Dear Mr Okafor, sar-canary-letter, thank you.",
    )
    .await
    .unwrap();

    let refused = confide_core::subject_access::search(&tia, &ImapRecords::of(&tia.store), "Okafor").await.unwrap_err();
    assert!(refused.to_string().contains("only a manager"), "{refused}");
    let doc = confide_core::subject_access::export(&ann, &ImapRecords::of(&ann.store), "Okafor").await.unwrap();
    for canary in [
        "sar-canary-email",
        "sar-canary-chat",
        "sar-canary-letter",
        "A scanned letter (pdf, 1 page)",
        "Asks about a course",
    ] {
        assert!(doc.contains(canary), "{canary} missing from the export:\n{doc}");
    }
    assert!(!doc.contains("other-canary"), "someone else's words in the export:\n{doc}");
    let log = confide_core::audit::recent(&ann, 20).await.unwrap();
    assert!(log.iter().any(|e| e.action == "subject_access_export"));
    assert!(!log.iter().any(|e| e.record.contains("Okafor")), "the audit log names the search by a hash only");

    // Someone known only by a pseudonym is found by it, and only they are.
    let other = confide_core::inbox::page(&ann, &Default::default())
        .await
        .unwrap()
        .conversations
        .into_iter()
        .find(|c| c.correspondent == "other@example.org")
        .unwrap()
        .id;
    confide_core::conversations::set_pseudonym(&ann, other, "Bluebird").await.unwrap();
    let by_pseudonym =
        confide_core::subject_access::search(&ann, &ImapRecords::of(&ann.store), "bluebird").await.unwrap();
    assert_eq!(by_pseudonym.conversations.iter().map(|c| c.id).collect::<Vec<_>>(), vec![other]);

    let erased = confide_core::subject_access::erase(&ann, &ImapRecords::of(&ann.store), "Okafor").await.unwrap();
    assert_eq!((erased.conversations, erased.server_messages), (1, 1), "{erased:?}");
    assert!(erased.records >= 4, "transcript, letter, response, scan: {erased:?}");
    assert_eq!(lab.count_body(&shared, "INBOX", "sar-canary-email"), 0, "gone from the server");
    assert_eq!(lab.count_body(&shared, "INBOX", "other-canary"), 1, "the other person's mail stays");
    assert_eq!(
        confide_core::record_store::list(&ann, &ImapRecords::of(&ann.store), "webchat").await.unwrap().len(),
        1,
        "only the other chat's transcript is left"
    );
    assert_eq!(lab.message_count(&shared, "Confide/Letters"), 0, "the letter, its scan and response are gone");
    let again = confide_core::subject_access::search(&ann, &ImapRecords::of(&ann.store), "Okafor").await.unwrap();
    assert!(again.conversations.is_empty() && again.records.is_empty());
    ann.store.close().await;
    for canary in ["sar-canary-email", "w.okafor", "Okafor"] {
        assert!(!tree_contains(&tmp.path().join("Ann"), canary), "{canary} left in the desktop's files");
    }
}
