//! Email HTML made safe to show: no scripts, no event handlers, no styles (CSS can exfiltrate),
//! no forms, no frames, and no remote fetch of any kind: a remote image would tell its sender
//! (who may be a perpetrator) when the helpline read the message and from which address, so
//! none is ever loaded, only counted for the reader. Links keep their text but lose their
//! target, so a click cannot open a remote page inside the app. Pure: no I/O.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub struct Sanitized {
    pub html: String,
    /// Remote images removed (the reader is told how many, and why).
    pub blocked_images: usize,
}

pub fn sanitize_html(html: &str) -> Sanitized {
    let blocked = Arc::new(AtomicUsize::new(0));
    let counter = blocked.clone();
    let tags: HashSet<&str> = [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "col",
        "colgroup",
        "dd",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
    .into_iter()
    .collect();
    let html = ammonia::Builder::default()
        .tags(tags)
        .generic_attributes(["title", "dir", "lang"].into_iter().collect())
        .tag_attributes(
            [("img", ["src", "alt", "width", "height"].into_iter().collect()), ("a", HashSet::new())]
                .into_iter()
                .collect(),
        )
        .url_schemes(["https", "http", "cid", "data"].into_iter().collect())
        .link_rel(None)
        .attribute_filter(move |tag, attr, value| match (tag, attr) {
            ("img", "src") => {
                let v = value.trim_start().to_ascii_lowercase();
                let remote = !(v.starts_with("data:image/") || v.starts_with("cid:"));
                if remote {
                    counter.fetch_add(1, Ordering::Relaxed);
                    None
                } else {
                    Some(value.into())
                }
            }
            _ => Some(value.into()),
        })
        .clean(html)
        .to_string();
    Sanitized { html, blocked_images: blocked.load(Ordering::Relaxed) }
}

#[cfg(test)]
mod tests {
    use super::sanitize_html;

    const HOSTILE: &str = r#"<style>@import url(https://t.example/a.css)</style>
        <p onclick="x()" style="background:url(https://t.example/b)">Hello <b>there</b></p>
        <script>alert(1)</script><img src=x onerror=alert(1)>
        <img src="https://t.example/pixel.gif" width=1 height=1><img srcset="https://t.example/s.png 2x">
        <a href="javascript:alert(2)">js</a><a href="https://t.example/">web</a>
        <iframe src="https://t.example/"></iframe><form action="https://t.example/"><input name=q></form>
        <meta http-equiv="refresh" content="0;url=https://t.example/"><svg><script>alert(3)</script></svg>"#;

    #[test]
    fn nothing_runs_and_nothing_is_fetched() {
        let s = sanitize_html(HOSTILE);
        let lower = s.html.to_ascii_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "<style",
            "style=",
            "@import",
            "<iframe",
            "<form",
            "<meta",
            "srcset",
            "https://",
            "<svg",
            "href",
        ] {
            assert!(!lower.contains(bad), "{bad} survived: {}", s.html);
        }
        assert!(s.html.contains("Hello <b>there</b>"));
        assert_eq!(s.blocked_images, 2, "{}", s.html);
    }

    #[test]
    fn inline_images_stay_and_remote_ones_never_do() {
        let s = sanitize_html(
            r#"<img src="data:image/png;base64,iVBORw0KGgo="><img src=" HTTPS://t.example/photo.jpg"><img src="//t.example/x.gif">"#,
        );
        assert!(s.html.contains("data:image/png"), "{}", s.html);
        assert!(!s.html.to_ascii_lowercase().contains("t.example"), "{}", s.html);
        assert_eq!(s.blocked_images, 2);
    }
}
