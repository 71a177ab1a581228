//! What Confide needs from a raw message, taken with mail-parser. Parsing never fails: a
//! malformed message yields the best summary it can, because an advisor must still see it.

use confide_core::mailstore::MailHeaders;
use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    #[serde(flatten)]
    pub headers: MailHeaders,
    pub has_html: bool,
    pub attachments: Vec<AttachmentInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentInfo {
    pub name: Option<String>,
    pub content_type: String,
    pub size: usize,
}

/// Longest text kept for display and indexing; the raw message is kept whole elsewhere.
const MAX_TEXT: usize = 256 * 1024;

pub fn summarize(raw: &[u8]) -> Summary {
    let Some(msg) = MessageParser::default().parse(raw) else {
        return Summary {
            headers: MailHeaders { text: truncate(String::from_utf8_lossy(raw).into_owned()), ..Default::default() },
            has_html: false,
            attachments: vec![],
        };
    };
    // Every text part, in order: a multipart/mixed message may carry the sender's words in its
    // second or third part (issue 29).
    let parts: Vec<String> = (0..msg.text_body_count())
        .filter_map(|i| msg.body_text(i))
        .map(|t| t.into_owned())
        .filter(|t| !t.trim().is_empty())
        .collect();
    let mut text = parts.join("\n\n");
    if text.trim().is_empty() {
        text = fallback_text(&msg, raw);
    }
    Summary {
        headers: MailHeaders {
            message_id: msg.message_id().map(str::to_owned),
            in_reply_to: ids(msg.in_reply_to()),
            references: ids(msg.references()),
            from: msg.from().and_then(first_address),
            from_name: msg.from().and_then(|a| a.first()).and_then(|x| x.name()).map(str::to_owned),
            to: msg.to().map(all_addresses).unwrap_or_default(),
            subject: msg.subject().unwrap_or_default().to_owned(),
            date: msg.date().map(|d| d.to_timestamp()),
            text: truncate(text),
        },
        has_html: msg.html_body_count() > 0 && msg.html_part(0).is_some_and(|p| p.is_text_html()),
        attachments: msg
            .attachments()
            .map(|a| AttachmentInfo {
                name: a.attachment_name().map(str::to_owned),
                content_type: a
                    .content_type()
                    .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("octet-stream")))
                    .unwrap_or_else(|| "application/octet-stream".into()),
                size: a.contents().len(),
            })
            .collect(),
    }
}

/// For a message whose structure hides its text (an unclosed multipart, say): any text part,
/// else whatever follows the headers, so the advisor still sees what was written.
fn fallback_text(msg: &mail_parser::Message<'_>, raw: &[u8]) -> String {
    if let Some(t) =
        msg.parts.iter().filter(|p| p.is_text()).find_map(|p| p.text_contents().filter(|t| !t.trim().is_empty()))
    {
        return t.to_owned();
    }
    let body_start = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| i + 2));
    body_start.map(|i| String::from_utf8_lossy(&raw[i..]).into_owned()).unwrap_or_default()
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => vec![],
    }
}

fn first_address(a: &Address<'_>) -> Option<String> {
    a.first().and_then(|x| x.address()).map(str::to_owned)
}

fn all_addresses(a: &Address<'_>) -> Vec<String> {
    a.iter().filter_map(|x| x.address()).map(str::to_owned).collect()
}

fn truncate(mut s: String) -> String {
    if s.len() > MAX_TEXT {
        let mut cut = MAX_TEXT;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}
