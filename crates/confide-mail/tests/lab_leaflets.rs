//! Issue 24, the resource library, on three desktops against the lab: a team leader adds the
//! line's leaflet (an advisor may not); an advisor attaches it to a reply, which reaches the
//! shared Sent once with the leaflet as its attachment; a reply too large for the submission
//! server is refused in words before anything is queued; a trainee's reply with a leaflet is
//! approved and goes with it; removing the leaflet takes its file off the server; the server
//! never holds the leaflet readably.

use std::sync::Arc;

use confide_core::policy::RoleKind;
use confide_core::{leaflets, outbox, team, FixedClock};
use confide_mail::attach::ReplyAttachment;
use confide_mail::lab::Lab;
use confide_mail::records::ImapRecords;
use confide_mail::reply::{deliver, queue_reply_with, Queued};
use mail_parser::{MessageParser, MimeHeaders};
use time::OffsetDateTime;

mod common;
use common::{files_contain, listed, sync, team_at};

const LEAFLET_CANARY: &str = "LeafletCanary93e4";

/// A small PDF that says what it is (its text is the canary).
fn leaflet_pdf() -> Vec<u8> {
    format!("%PDF-1.4\n% Safety planning: {LEAFLET_CANARY}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n").into_bytes()
}

/// The attachments of the messages in the shared Sent: (file name, bytes).
fn sent_attachments(lab: &Lab, shared: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![];
    for raw in lab.raw_messages(shared, "Sent") {
        let message = MessageParser::default().parse(raw.as_bytes()).expect("a message");
        for a in message.attachments() {
            out.push((a.attachment_name().unwrap_or_default().to_owned(), a.contents().to_vec()));
        }
    }
    out
}

#[tokio::test]
async fn issue24_an_advisor_attaches_the_lines_leaflet_and_a_reply_too_large_is_refused_first() {
    let Some(lab) = Lab::get("issue24_an_advisor_attaches_the_lines_leaflet_and_a_reply_too_large_is_refused_first")
    else {
        return;
    };
    let shared = lab.fresh_user("leaflets");
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(OffsetDateTime::now_utc()));
    let [mia, ash, bea] = team_at(&lab, &shared, tmp.path(), clock, RoleKind::TeamLeader).await;
    let s = format!("{shared}@lab.test");
    lab.import_raw(&shared, &[
        format!("From: Sam <sam@example.org>\r\nTo: {s}\r\nSubject: Staying safe\r\nMessage-ID: <safe-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nHow do I make a safety plan?\r\n"),
        format!("From: Kit <kit@example.org>\r\nTo: {s}\r\nSubject: Court\r\nMessage-ID: <court-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 11:00:00 +0000\r\n\r\nWhat happens at court?\r\n"),
    ]);
    sync(&ash).await;
    let list = listed(&ash, false).await;
    let id = |subject: &str| list.iter().find(|c| c.subject == subject).expect("synced").id;
    let (safe, court) = (id("Staying safe"), id("Court"));

    // Only a team leader or manager adds one; a file that is not a PDF or image is refused.
    let (ash_records, bea_records) = (ImapRecords::of(&ash.store), ImapRecords::of(&bea.store));
    let pdf = leaflet_pdf();
    let named = ("Safety planning", "safety-plan.pdf");
    assert!(leaflets::add(&ash, &ash_records, "phoneline", named, &pdf).await.is_err(), "an advisor added one");
    let html = leaflets::add(&bea, &bea_records, "phoneline", named, b"<html>").await.unwrap_err().to_string();
    assert!(html.contains("PDF, PNG or JPEG"), "{html}");
    let leaflet = leaflets::add(&bea, &bea_records, "phoneline", named, &pdf).await.unwrap();
    let offered = leaflets::list(&ash, &ash_records).await.unwrap();
    assert_eq!(
        offered.iter().map(|l| (l.title.as_str(), l.size, l.by.as_str())).collect::<Vec<_>>(),
        [("Safety planning", pdf.len() as u64, "Bea")]
    );

    // Ash attaches it: the reply goes once, with the leaflet byte for byte.
    let with_leaflet = [ReplyAttachment::Leaflet { leaflet: leaflet.clone() }];
    let queued = queue_reply_with(&ash, safe, "Here is our safety planning leaflet.", &with_leaflet).await.unwrap();
    assert!(deliver(&ash, queued.outbox().unwrap()).await.unwrap().is_none(), "the reply did not go");
    assert_eq!(sent_attachments(&lab, &shared), [("safety-plan.pdf".to_owned(), pdf.clone())]);

    // A file the server would refuse (the lab's Postfix takes 50 MB, as it says in EHLO's SIZE;
    // Exchange Online says 35 MB) is refused first, in words.
    let limit = confide_mail::attach::size_limit(&ash, court).await.unwrap();
    assert_eq!(limit, Some(52_428_800), "the limit the server states");
    let big = ReplyAttachment::File {
        name: "scan.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: (0..40 * 1024 * 1024).map(|i: u32| (i % 251) as u8).collect(),
    };
    let refused = queue_reply_with(&ash, court, "Court leaflet attached.", &[big]).await.unwrap_err().to_string();
    assert!(refused.contains("the helpline's mail server takes at most 50.0 MB"), "{refused}");
    assert!(outbox::list(&ash.store).await.unwrap().is_empty(), "the refused reply was queued");

    // A trainee's reply with the leaflet waits, then goes with it once approved.
    team::set_reviewed(&mia, &ImapRecords::of(&mia.store), &team::card(&ash).unwrap().signing_key, true).await.unwrap();
    let waiting = queue_reply_with(&ash, court, "A leaflet about court.", &with_leaflet).await.unwrap();
    let Queued::ForReview(draft) = waiting else { panic!("a reviewed advisor's reply was queued") };
    sync(&bea).await;
    let approved = confide_mail::review::approve(&bea, &draft, None).await.unwrap();
    assert_eq!(approved.len(), 1);
    for id in approved {
        assert!(deliver(&bea, id).await.unwrap().is_none());
    }
    assert_eq!(sent_attachments(&lab, &shared).len(), 2, "the approved reply went without its leaflet");

    // Removed, its file leaves the server; the library never held it readably (the replies
    // sent are plain mail, as they must be).
    let library = lab.raw_messages(&shared, "Confide/Library");
    assert!(library.len() >= 2 && library.iter().all(|m| !m.contains(LEAFLET_CANARY)), "readable in the library");
    for name in ["Mia", "Ash", "Bea"] {
        assert!(!files_contain(&tmp.path().join(name), LEAFLET_CANARY), "{name}'s files hold the leaflet");
    }
    let before = lab.server_uids(&shared, "Confide/Library").len();
    assert!(leaflets::remove(&ash, &ash_records, &leaflet).await.is_err(), "an advisor removed it");
    leaflets::remove(&bea, &bea_records, &leaflet).await.unwrap();
    assert_eq!(lab.server_uids(&shared, "Confide/Library").len(), before, "one entry added, one file gone");
    assert!(leaflets::list(&ash, &ash_records).await.unwrap().is_empty());
    let gone = queue_reply_with(&ash, court, "Again.", &with_leaflet).await.unwrap_err().to_string();
    assert!(gone.contains("no longer in the library"), "{gone}");
}
