//! A conversation as the reader sees it: each message parsed from its decrypted raw bytes,
//! text for display, and HTML only after sanitising.

use confide_core::conversations::{self, Channel};
use confide_core::staff::Session;
use mail_parser::{MessageParser, MimeHeaders};
use serde::Serialize;
use ts_rs::TS;

use crate::mime::{summarize, AttachmentInfo};
use crate::sanitize::sanitize_html;
use crate::MailError;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MessageView {
    #[ts(type = "number")]
    pub id: i64,
    pub incoming: bool,
    pub from: String,
    /// The sender's display name, where the mail gave one.
    pub from_name: Option<String>,
    pub to: Vec<String>,
    pub subject: String,
    #[ts(type = "number")]
    pub sent_at: i64,
    pub text: String,
    /// Sanitised HTML, to be shown in a sandboxed frame; `None` for plain-text mail.
    pub html: Option<String>,
    pub blocked_images: u32,
    pub attachments: Vec<AttachmentView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AttachmentView {
    pub name: Option<String>,
    pub content_type: String,
    pub size: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConversationView {
    pub summary: confide_core::inbox::ConversationSummary,
    pub messages: Vec<MessageView>,
    /// A legal hold on the conversation: shown to managers only.
    pub hold: Option<confide_core::retention::hold::Hold>,
    /// The name the service user chose to be known by here, if any.
    pub pseudonym: Option<String>,
    /// The line's internal notes on it, oldest first: never part of the thread.
    pub notes: Vec<confide_core::notes::NoteView>,
    /// Replies by someone in training, waiting for review or decided, oldest first.
    pub reviews: Vec<confide_core::review::ReplyReview>,
}

/// Opens a conversation for reading: on the audit log, then shown as [`show_conversation`].
pub async fn open_conversation(session: &Session, id: i64) -> Result<ConversationView, MailError> {
    let view = show_conversation(session, id).await?;
    confide_core::audit::append(&session.store, "opened", &format!("conversation:{id}")).await?;
    Ok(view)
}

/// Shows a conversation, read up to now: loaded as [`conversation`]. Without the audit entry,
/// for a conversation already open on screen that is shown again (a chat's new words, a reply
/// sent), which is not a new opening.
pub async fn show_conversation(session: &Session, id: i64) -> Result<ConversationView, MailError> {
    let mut view = conversation(session, id).await?;
    confide_core::conversations::read_here(&session.store, id).await?;
    view.summary.unread = false;
    if view.summary.channel == Channel::Email {
        // The shared mailbox learns it in the background, so opening never waits on the
        // server, and offline it simply does not happen yet (the next opening tries again).
        let session = session.clone();
        tokio::spawn(async move {
            if let Err(e) = crate::triage::mark_read(&session, id).await {
                tracing::warn!("cannot mark a conversation read on the shared mailbox: {e}");
            }
        });
    }
    Ok(view)
}

/// Loads and renders a conversation.
pub async fn conversation(session: &Session, id: i64) -> Result<ConversationView, MailError> {
    let (summary, stored) = conversations::load(session, id).await?;
    // A chat's messages are the words as typed, not MIME: shown as text, never as HTML.
    if summary.channel == Channel::Webchat {
        let messages = stored
            .into_iter()
            .map(|m| MessageView {
                id: m.id,
                incoming: m.incoming,
                from: if m.incoming { "Visitor".into() } else { "Advisor".into() },
                from_name: None,
                to: vec![],
                subject: String::new(),
                sent_at: m.sent_at,
                text: String::from_utf8_lossy(&m.raw).into_owned(),
                html: None,
                blocked_images: 0,
                attachments: vec![],
            })
            .collect();
        let hold = confide_core::retention::hold::of(session, id).await?;
        let pseudonym = conversations::pseudonym(session, id).await?;
        return Ok(ConversationView {
            summary,
            messages,
            hold,
            pseudonym,
            notes: confide_core::notes::of_conversation(&session.store, id).await?,
            reviews: vec![],
        });
    }
    let messages = stored
        .into_iter()
        .map(|m| {
            let s = summarize(&m.raw);
            let (html, blocked) = match message_html(&m.raw) {
                Some(clean) => (Some(clean.html), clean.blocked_images),
                None => (None, 0),
            };
            MessageView {
                id: m.id,
                incoming: m.incoming,
                from: s.headers.from.unwrap_or(m.author),
                from_name: s.headers.from_name,
                to: s.headers.to,
                subject: s.headers.subject,
                sent_at: m.sent_at,
                text: s.headers.text,
                html,
                blocked_images: blocked as u32,
                attachments: s
                    .attachments
                    .into_iter()
                    .map(|a: AttachmentInfo| AttachmentView {
                        name: a.name,
                        content_type: a.content_type,
                        size: a.size as u32,
                    })
                    .collect(),
            }
        })
        .collect();
    let hold = confide_core::retention::hold::of(session, id).await?;
    let pseudonym = conversations::pseudonym(session, id).await?;
    let notes = confide_core::notes::of_conversation(&session.store, id).await?;
    let reviews = confide_core::review::of_conversation(session, id).await?;
    Ok(ConversationView { summary, messages, hold, pseudonym, notes, reviews })
}

/// One attachment of a stored message: its name (if it has one) and its decoded bytes.
pub async fn attachment(
    session: &Session,
    message_id: i64,
    index: usize,
) -> Result<(Option<String>, Vec<u8>), MailError> {
    let raw = conversations::message_raw(session, message_id).await?;
    confide_core::audit::append(&session.store, "attachment_taken", &format!("message:{message_id}")).await?;
    let parsed = MessageParser::default().parse(&raw[..]);
    let part = parsed.as_ref().and_then(|p| p.attachments().nth(index));
    let part = part.ok_or_else(|| confide_core::CoreError::Invalid("that attachment is not in this message".into()))?;
    Ok((part.attachment_name().map(str::to_owned), part.contents().to_vec()))
}

/// A message's HTML body as the reader is shown it, or `None` for mail with no HTML part (shown
/// as text). Every displayable body part is shown, in order: Apple Mail, for one, sends
/// `multipart/mixed` with HTML, then plain text, then HTML around an inline image, and showing
/// only the first part hid the caller's words (issue 29). Each part is sanitised on its own,
/// so markup left open in one cannot swallow the next. Pure, so the MIME pipeline can be
/// fuzzed as the window uses it (`fuzz/`).
pub fn message_html(raw: &[u8]) -> Option<crate::sanitize::Sanitized> {
    let parsed = MessageParser::default().parse(raw)?;
    let parts: Vec<&mail_parser::MessagePart<'_>> =
        (0..parsed.html_body_count()).filter_map(|i| parsed.html_part(i as u32)).collect();
    if !parts.iter().any(|p| p.is_text_html()) {
        return None;
    }
    let mut shown = crate::sanitize::Sanitized { html: String::new(), blocked_images: 0 };
    for (i, part) in parts.iter().enumerate() {
        // Inline images and other non-text parts have no body to show here: they are listed
        // as attachments.
        let Some(html) = parsed.body_html(i) else { continue };
        let clean = sanitize_html(&html);
        // A plain-text part becomes a block of its own between the HTML parts around it.
        let text = !part.is_text_html();
        shown.html.push_str(if text { "<div>" } else { "" });
        shown.html.push_str(&clean.html);
        shown.html.push_str(if text { "</div>" } else { "" });
        shown.blocked_images += clean.blocked_images;
    }
    Some(shown)
}

/// Writes an attachment where the person chose to save it, readable by them only. Nothing is
/// written anywhere else first: no temporary copy in a shared folder.
pub fn write_attachment(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// A name safe to offer in a save dialog: the attachment's own, without any folder part, or a
/// neutral one.
pub fn suggested_name(name: Option<&str>) -> String {
    let leaf = name
        .and_then(|n| n.rsplit(['/', '\\']).next())
        .map(str::trim)
        .filter(|n| !n.is_empty() && *n != "." && *n != "..");
    leaf.unwrap_or("attachment").chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::suggested_name;

    #[test]
    fn a_suggested_name_has_no_folder_part() {
        assert_eq!(suggested_name(Some("../../.bashrc")), ".bashrc");
        assert_eq!(suggested_name(Some("C:\\x\\report.pdf")), "report.pdf");
        assert_eq!(suggested_name(Some("..")), "attachment");
        assert_eq!(suggested_name(None), "attachment");
        assert_eq!(suggested_name(Some("a\u{7}b.txt")), "ab.txt");
    }
}
