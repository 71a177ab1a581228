//! Raw mail through what the window does with it: summarised (headers, text, attachments) and
//! its HTML body sanitised. Besides not panicking, what comes out must carry no script.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &[u8]| {
    let summary = confide_mail::mime::summarize(raw);
    let _ = summary.headers.text.len();
    if let Some(clean) = confide_mail::reading::message_html(raw) {
        let lower = clean.html.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "a script survived sanitising: {}", clean.html);
        // In text "javascript:" is only words (the fuzzer's first find); in an attribute
        // (always double-quoted in the serialised output) it is a URL that would run.
        assert!(!javascript_in_attribute(&lower), "a javascript: URL survived sanitising: {}", clean.html);
    }
});

fn javascript_in_attribute(html: &str) -> bool {
    html.match_indices("=\"").any(|(at, _)| html[at + 2..].trim_start_matches(|c: char| c.is_whitespace() || c.is_control()).starts_with("javascript:"))
}
