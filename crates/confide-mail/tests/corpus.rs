//! Corpus test: every `tests/corpus/*.eml` is summarised, in its LF and its CRLF form, and the
//! result compared with the `.json` beside it. `CONFIDE_BLESS=1` rewrites the expectations.

use std::path::Path;

use confide_mail::mime::summarize;

#[test]
fn corpus_matches_expectations_in_lf_and_crlf() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    assert!(files.len() >= 6, "corpus is missing");
    for eml in files {
        let raw = std::fs::read(&eml).unwrap();
        let lf: Vec<u8> = String::from_utf8_lossy(&raw).replace("\r\n", "\n").into_bytes();
        let crlf: Vec<u8> = String::from_utf8_lossy(&lf).replace('\n', "\r\n").into_bytes();
        let got = serde_json::to_string_pretty(&summarize(&lf)).unwrap();
        let json = eml.with_extension("json");
        if std::env::var_os("CONFIDE_BLESS").is_some() {
            std::fs::write(&json, &got).unwrap();
        }
        let want = std::fs::read_to_string(&json)
            .unwrap_or_else(|_| panic!("{} has no expectation; run with CONFIDE_BLESS=1", eml.display()));
        assert_eq!(got.trim(), want.trim(), "{} (LF)", eml.display());
        let crlf_summary = summarize(&crlf);
        let lf_summary = summarize(&lf);
        assert_eq!(crlf_summary.headers.subject, lf_summary.headers.subject, "{} (CRLF subject)", eml.display());
        assert_eq!(crlf_summary.headers.message_id, lf_summary.headers.message_id, "{} (CRLF id)", eml.display());
        assert_eq!(
            crlf_summary.headers.text.replace("\r\n", "\n"),
            lf_summary.headers.text,
            "{} (CRLF text)",
            eml.display()
        );
    }
}

#[test]
fn hostile_sizes_do_not_panic() {
    let mut deep = String::new();
    for i in 0..2000 {
        deep.push_str(&format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\n"));
    }
    summarize(deep.as_bytes());
    summarize(&[0xff; 100_000]);
    summarize(b"");
    let huge_header = format!("Subject: {}\n\nbody", "x".repeat(2_000_000));
    assert_eq!(summarize(huge_header.as_bytes()).headers.text, "body");
}

/// What the reader's frame is handed for each corpus message with HTML, kept beside it as
/// `.shown.html` (blessed like the summaries), so a change to what is shown is seen in review.
#[test]
fn corpus_display_matches_expectations() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let eml = entry.path();
        if eml.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let raw: Vec<u8> = String::from_utf8_lossy(&std::fs::read(&eml).unwrap()).replace("\r\n", "\n").into_bytes();
        let expected = eml.with_extension("shown.html");
        let Some(shown) = confide_mail::reading::message_html(&raw) else {
            assert!(!expected.exists(), "{} shows no HTML, but {} expects some", eml.display(), expected.display());
            continue;
        };
        if std::env::var_os("CONFIDE_BLESS").is_some() {
            std::fs::write(&expected, &shown.html).unwrap();
        }
        let want = std::fs::read_to_string(&expected)
            .unwrap_or_else(|_| panic!("{} has no display expectation; run with CONFIDE_BLESS=1", eml.display()));
        assert_eq!(shown.html, want, "{}", eml.display());
    }
}

#[test]
fn issue29_every_displayable_part_is_shown_in_order() {
    let raw = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/apple-mixed.eml")).unwrap();
    let words = ["Before the picture", "The words in plain text that must not be hidden", "After the picture"];
    let shown = confide_mail::reading::message_html(&raw).expect("the message has HTML parts").html;
    let at: Vec<usize> =
        words.iter().map(|w| shown.find(w).unwrap_or_else(|| panic!("{w:?} is not shown: {shown}"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "parts shown out of order: {shown}");
    // The text the inbox indexes and previews holds them all too.
    let text = summarize(&raw).headers.text;
    assert!(words.iter().all(|w| text.contains(w)), "{text}");
}
