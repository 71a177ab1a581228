//! What a reply attaches (issue 24): the line's leaflets from the library, or files the person
//! chose. Each is checked for what it is (a leaflet must be the line's own), and a reply with
//! attachments is measured against the submission server's size limit before it is queued.

use confide_core::leaflets::{self, megabytes};
use confide_core::staff::Session;
use confide_core::{conversations, CoreError};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};

use crate::records::ImapRecords;
use crate::MailError;

/// An attachment as the reply box names it.
#[derive(Debug, Clone)]
pub enum ReplyAttachment {
    /// One of the line's leaflets, by its library id.
    Leaflet { leaflet: String },
    /// A file the person chose (read by the shell, never by the webview).
    File { name: String, content_type: String, bytes: Vec<u8> },
}

/// An attachment ready to go into the reply.
#[derive(Debug, Clone)]
pub struct Attached {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The leaflets of `ids` as attachments.
pub fn of_leaflets(ids: &[String]) -> Vec<ReplyAttachment> {
    ids.iter().map(|leaflet| ReplyAttachment::Leaflet { leaflet: leaflet.clone() }).collect()
}

/// The leaflets of a reply that waits for review; a file from this computer cannot wait (its
/// bytes would have to go to the reviewer too), and is refused in words.
pub fn leaflets_only(attachments: &[ReplyAttachment]) -> Result<Vec<String>, CoreError> {
    attachments
        .iter()
        .map(|a| match a {
            ReplyAttachment::Leaflet { leaflet } => Ok(leaflet.clone()),
            ReplyAttachment::File { .. } => Err(CoreError::Invalid(
                "a reply that waits for review can attach the line's leaflets, not files from this computer".into(),
            )),
        })
        .collect()
}

/// Reads each attachment: a leaflet from the library (the conversation's line's own only).
pub async fn resolve(
    session: &Session,
    conversation_id: i64,
    attachments: &[ReplyAttachment],
) -> Result<Vec<Attached>, MailError> {
    if attachments.is_empty() {
        return Ok(vec![]);
    }
    // Only the line: the conversation's messages are not decrypted for this.
    let line = conversations::line_of(session, conversation_id).await?;
    let server = ImapRecords::of(&session.store);
    let mut out = vec![];
    for a in attachments {
        out.push(match a {
            ReplyAttachment::Leaflet { leaflet } => {
                let (found, bytes) = leaflets::file(session, &server, leaflet, &line).await?;
                Attached { name: found.file_name, content_type: found.content_type, bytes }
            }
            ReplyAttachment::File { name, content_type, bytes } => {
                Attached { name: name.clone(), content_type: content_type.clone(), bytes: bytes.clone() }
            }
        });
    }
    Ok(out)
}

/// The reply's text and its attachments as one multipart/mixed body.
pub(crate) fn mixed(text: String, attachments: &[Attached]) -> MultiPart {
    let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(text));
    for a in attachments {
        let kind = ContentType::parse(&a.content_type)
            .unwrap_or_else(|_| ContentType::parse("application/octet-stream").expect("a valid type"));
        parts = parts.singlepart(Attachment::new(a.name.clone()).body(a.bytes.clone(), kind));
    }
    parts
}

/// The submission server's size limit for this conversation's account, if it states one.
pub async fn size_limit(session: &Session, conversation_id: i64) -> Result<Option<u64>, MailError> {
    let account = crate::reply::account_for(session, conversation_id).await?;
    tokio::task::spawn_blocking(move || crate::send::size_limit(&account))
        .await
        .map_err(|_| MailError::Worker)?
        .map_err(|e| MailError::Core(CoreError::Invalid(e.to_string())))
}

/// Refuses a reply of `size` bytes that the server would refuse. A server that cannot be asked
/// now (offline) is not a refusal: the outbox keeps the reply and says what the server says.
pub async fn check_size(session: &Session, conversation_id: i64, size: usize) -> Result<(), MailError> {
    let limit = match size_limit(session, conversation_id).await {
        Ok(limit) => limit,
        Err(e) => {
            tracing::warn!("the mail server's size limit could not be read: {}", e.kind());
            None
        }
    };
    match limit {
        Some(limit) if size as u64 > limit => Err(CoreError::Invalid(format!(
            "with its attachments this reply is {}, and the helpline's mail server takes at most {}: leave out an \
             attachment, or send it in a second reply",
            megabytes(size as u64),
            megabytes(limit)
        ))
        .into()),
        _ => Ok(()),
    }
}
