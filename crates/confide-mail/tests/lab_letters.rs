//! Issue 8, letters: a team leader scans in a two-page PDF (from the office scanner's folder,
//! which is emptied securely) and a three-page TIFF; a manager lists and views the pages and
//! keeps a response with the letter; the team leader and an advisor cannot open them; the
//! server holds none of their words in the clear; at the preset's period (six months,
//! respect-mal-current) they are gone from `Confide/Letters`, with nothing in any trash.

mod common;

use confide_mail::records::ImapRecords;
use std::sync::Arc;

use common::{desktop_at, desktop_under};
use confide_core::letters::LetterDetails;
use confide_core::policy::RoleKind;
use confide_core::{team, FixedClock};
use confide_mail::lab::Lab;

/// A PDF of `pages` pages, each saying `text` and its number.
fn pdf(pages: usize, text: &str) -> Vec<u8> {
    let mut objs = vec!["<< /Type /Catalog /Pages 2 0 R >>".to_owned()];
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 3 + 2 * i)).collect();
    objs.push(format!("<< /Type /Pages /Kids [{}] /Count {pages} >>", kids.join(" ")));
    for i in 0..pages {
        let content = format!("BT /F1 24 Tf 72 700 Td ({text} page {}) Tj ET", i + 1);
        objs.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {} 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
            4 + 2 * i
        ));
        objs.push(format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()));
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = vec![];
    for (n, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", n + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objs.len() + 1).as_bytes(),
    );
    out
}

/// A greyscale TIFF of `pages` pages with `text` in its description tag (so a canary can be
/// looked for in the clear).
fn tiff(pages: u8, text: &str) -> Vec<u8> {
    let mut out = std::io::Cursor::new(vec![]);
    let mut enc = tiff::encoder::TiffEncoder::new(&mut out).unwrap();
    for p in 0..pages {
        let mut image = enc.new_image::<tiff::encoder::colortype::Gray8>(16, 8).unwrap();
        image.encoder().write_tag(tiff::tags::Tag::ImageDescription, text).unwrap();
        image.write_data(&[p * 30; 128]).unwrap();
    }
    out.into_inner()
}

fn details(summary: &str, destroyed: bool) -> LetterDetails {
    LetterDetails {
        line: "mens_advice".into(),
        received_on: "2026-11-20".into(),
        summary: summary.into(),
        original_destroyed: destroyed,
    }
}

#[tokio::test]
async fn issue8_scanned_letters_open_only_for_managers_and_expire_from_the_letters_folder() {
    let Some(lab) = Lab::get("issue8_scanned_letters_open_only_for_managers_and_expire_from_the_letters_folder") else {
        return;
    };
    letters_on(lab.exchange_like()).await;
    letters_on(lab).await;
}

async fn letters_on(lab: Lab) {
    let shared = lab.fresh_user("letters");
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(time::macros::datetime!(2026-11-23 10:00 UTC)));
    let mut people = vec![];
    for (name, role) in [("Ann", RoleKind::Manager), ("Tia", RoleKind::TeamLeader), ("Bob", RoleKind::Advisor)] {
        people.push(desktop_at(&lab, &shared, &tmp.path().join(name), name, role, "mens_advice", clock.clone()).await);
    }
    let [ann, tia, bob]: [_; 3] = people.try_into().unwrap_or_else(|_| unreachable!());
    confide_core::team::found(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    for other in [&tia, &bob] {
        confide_core::team::add(&ann, &ImapRecords::of(&ann.store), team::card(other).unwrap()).await.unwrap();
    }

    // The office scanner saved the PDF; the TIFF is picked by hand.
    let scanner = tmp.path().join("scanner");
    std::fs::create_dir(&scanner).unwrap();
    let scanned = scanner.join("scan0001.pdf");
    std::fs::write(&scanned, pdf(2, "letter-canary-5b2e")).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&scanned)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(5))
        .unwrap();
    let waiting = confide_core::letters::source::waiting_in(&scanner).unwrap();
    assert_eq!(waiting, vec![scanned.clone()]);

    let refused = confide_core::letters::import(
        &bob,
        &ImapRecords::of(&bob.store),
        &details("a letter", false),
        &[pdf(1, "x")],
        &|_| {},
    )
    .await
    .unwrap_err();
    assert!(refused.to_string().contains("only a team leader or a manager"), "{refused}");
    let junk = confide_core::letters::import(
        &tia,
        &ImapRecords::of(&tia.store),
        &details("a letter", false),
        &[b"<html><script>alert(1)</script>".to_vec()],
        &|_| {},
    )
    .await
    .unwrap_err();
    assert!(junk.to_string().contains("not a PDF, PNG, JPEG or TIFF"), "{junk}");
    assert!(!lab.folders(&shared).iter().any(|f| f == "Confide/Letters"), "a refused import keeps nothing");

    let steps = std::sync::Mutex::new(vec![]);
    let from_scanner = confide_core::letters::import_files(
        &tia,
        &ImapRecords::of(&tia.store),
        &details("Asks about the group programme", true),
        &waiting,
        true,
        &|p| steps.lock().unwrap().push(p),
    )
    .await
    .unwrap();
    assert_eq!((from_scanner.removed.len(), from_scanner.problems.len()), (1, 0), "{from_scanner:?}");
    let steps: Vec<_> = steps.into_inner().unwrap().into_iter().map(|p| (p.step, p.of, p.doing)).collect();
    assert_eq!(
        steps,
        [
            (1, 2, "Encrypting scan 1 of 1 and sending it to the mail server".to_owned()),
            (2, 2, "Filing the letter".to_owned())
        ]
    );
    assert!(
        !scanned.exists() && confide_core::letters::source::waiting_in(&scanner).unwrap().is_empty(),
        "the scanner's copy is gone"
    );
    let picked = confide_core::letters::import(
        &tia,
        &ImapRecords::of(&tia.store),
        &details("Thanks the advisor", false),
        &[tiff(3, "letter-canary-9d41")],
        &|_| {},
    )
    .await
    .unwrap();

    // Only the management team reads letters: not the team leader who scanned them, not an advisor.
    for (who, s) in [("Tia", &tia), ("Bob", &bob)] {
        assert!(
            confide_core::letters::list(s, &ImapRecords::of(&s.store)).await.unwrap().is_empty(),
            "{who} sees a letter"
        );
        let page = confide_core::letters::page(s, &ImapRecords::of(&s.store), &picked, "00", 0).await.unwrap_err();
        assert!(page.to_string().contains("not here"), "{who}: {page}");
    }
    let letters = confide_core::letters::list(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    assert_eq!(letters.len(), 2, "{letters:?}");
    let pdf_letter = letters.iter().find(|l| l.reference == from_scanner.reference).unwrap();
    assert_eq!((pdf_letter.scans[0].pages, pdf_letter.summary.as_str()), (2, "Asks about the group programme"));
    assert_eq!(
        pdf_letter.original_destroyed.as_ref().map(|(by, _)| by.as_str()),
        Some("Tia"),
        "who destroyed the paper, and when"
    );
    let second = confide_core::letters::page(
        &ann,
        &ImapRecords::of(&ann.store),
        &pdf_letter.reference,
        &pdf_letter.scans[0].record,
        1,
    )
    .await
    .unwrap();
    assert!(second.starts_with("data:image/png;base64,"), "a PDF page drawn as PNG");
    let tiff_letter = letters.iter().find(|l| l.reference == picked).unwrap();
    assert_eq!(tiff_letter.scans[0].pages, 3);
    assert!(confide_core::letters::page(&ann, &ImapRecords::of(&ann.store), &picked, &tiff_letter.scans[0].record, 2)
        .await
        .unwrap()
        .starts_with("data:image/png;base64,"));

    confide_core::letters::respond(
        &ann,
        &ImapRecords::of(&ann.store),
        &picked,
        "letter-canary-77aa: Thank you for your letter.",
    )
    .await
    .unwrap();
    let letters = confide_core::letters::list(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    assert_eq!(
        letters.iter().find(|l| l.reference == picked).unwrap().responses.len(),
        1,
        "the response is kept with its letter"
    );

    // Sealed on the server: scans (2), letters (2), the destruction, the response.
    assert_eq!(lab.message_count(&shared, "Confide/Letters"), 6);
    for canary in ["letter-canary-5b2e", "letter-canary-9d41", "letter-canary-77aa", "Asks about the group programme"] {
        assert_eq!(lab.count_body(&shared, "Confide/Letters", canary), 0, "{canary} readable on the server");
    }

    // Six calendar months on (the letters were imported on 23 November 2026).
    clock.set(time::macros::datetime!(2027-05-22 10:00 UTC));
    assert_eq!(confide_mail::expire::run(&bob.store, false).await.unwrap().records_removed, 0, "kept the day before");
    assert_eq!(confide_core::letters::list(&ann, &ImapRecords::of(&ann.store)).await.unwrap().len(), 2);
    clock.set(time::macros::datetime!(2027-05-24 10:00 UTC));
    let report = confide_mail::expire::run(&bob.store, false).await.unwrap();
    assert_eq!((report.records_removed, report.problems.len()), (6, 0), "{report:?}");
    assert_eq!(lab.message_count(&shared, "Confide/Letters"), 0, "gone from Confide/Letters");
    assert!(confide_core::letters::list(&ann, &ImapRecords::of(&ann.store)).await.unwrap().is_empty());
    for trash in lab.folders(&shared).iter().filter(|f| f.contains("Trash") || f.contains("Deleted")) {
        assert_eq!(lab.message_count(&shared, trash), 0, "nothing moved to {trash}");
    }
}

/// respect-early keeps responses to letters two months and the scanned letters six (POLICIES.md
/// section 1): a response goes at two months while its letter stays, and the letter at six.
#[tokio::test]
async fn issue5_in_respect_early_a_letters_response_goes_at_two_months_and_the_letter_at_six() {
    let Some(lab) = Lab::get("issue5_in_respect_early_a_letters_response_goes_at_two_months_and_the_letter_at_six")
    else {
        return;
    };
    responses_on(lab.exchange_like()).await;
    responses_on(lab).await;
}

async fn responses_on(lab: Lab) {
    let shared = lab.fresh_user("early");
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(time::macros::datetime!(2026-11-23 10:00 UTC)));
    let early = ("respect-early", "early-1");
    let ann = desktop_under(
        &lab,
        &shared,
        &tmp.path().join("Ann"),
        ("Ann", RoleKind::Manager, "phoneline"),
        clock.clone(),
        early,
    )
    .await;
    let tia = desktop_under(
        &lab,
        &shared,
        &tmp.path().join("Tia"),
        ("Tia", RoleKind::TeamLeader, "phoneline"),
        clock.clone(),
        early,
    )
    .await;
    confide_core::team::found(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    confide_core::team::add(&ann, &ImapRecords::of(&ann.store), team::card(&tia).unwrap()).await.unwrap();
    let details = LetterDetails {
        line: "phoneline".into(),
        received_on: "2026-11-20".into(),
        summary: "Asks for a call back".into(),
        original_destroyed: false,
    };
    let reference =
        confide_core::letters::import(&tia, &ImapRecords::of(&tia.store), &details, &[pdf(1, "early")], &|_| {})
            .await
            .unwrap();
    confide_core::letters::respond(&tia, &ImapRecords::of(&tia.store), &reference, "We will call on Tuesday.")
        .await
        .unwrap();
    assert_eq!(
        confide_core::letters::list(&ann, &ImapRecords::of(&ann.store)).await.unwrap()[0].responses.len(),
        1,
        "in respect-early staff read letters too"
    );

    clock.set(time::macros::datetime!(2027-01-22 10:00 UTC));
    assert_eq!(
        confide_mail::expire::run(&ann.store, false).await.unwrap().records_removed,
        0,
        "kept the day before two months"
    );
    clock.set(time::macros::datetime!(2027-01-24 10:00 UTC));
    let report = confide_mail::expire::run(&ann.store, false).await.unwrap();
    assert_eq!((report.records_removed, report.problems.len()), (1, 0), "{report:?}");
    let letters = confide_core::letters::list(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    assert_eq!((letters.len(), letters[0].responses.len()), (1, 0), "the response went, the letter stays");

    clock.set(time::macros::datetime!(2027-05-24 10:00 UTC));
    assert_eq!(
        confide_mail::expire::run(&ann.store, false).await.unwrap().records_removed,
        2,
        "the scan and the letter at six months"
    );
    assert!(confide_core::letters::list(&ann, &ImapRecords::of(&ann.store)).await.unwrap().is_empty());
    assert_eq!(lab.message_count(&shared, "Confide/Letters"), 0);
}
