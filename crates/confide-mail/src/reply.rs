//! Replying from the shared mailbox. The reply is queued (encrypted) first; then it is sent by
//! SMTP as the shared mailbox, then filed in the shared Sent. A failure at any step leaves it
//! in the outbox with the reason, and a retry resumes at the step that failed, so a reply is
//! never lost and never sent twice.

use confide_core::accounts::{self, Account, AccountKind};
use confide_core::staff::Session;
use confide_core::{conversations, mailstore, outbox, CoreError};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use mail_parser::MessageParser;

use crate::attach::{Attached, ReplyAttachment};
use crate::send::{file_in_sent, smtp_send};
use crate::MailError;

/// What became of a reply written in the reply box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Queued {
    /// In the outbox, to be delivered: this item.
    Outbox(i64),
    /// The writer's replies are reviewed: it waits for a team leader or manager (this draft).
    ForReview(String),
}

impl Queued {
    pub fn outbox(self) -> Option<i64> {
        match self {
            Queued::Outbox(id) => Some(id),
            Queued::ForReview(_) => None,
        }
    }
}

/// Composes a plain-text reply to the conversation's latest incoming message, quoting it, and
/// queues it; or, where the team directory says this person's replies are reviewed, puts it
/// up for review instead (checked as a reply first, so it cannot be approved only to fail).
pub async fn queue_reply(session: &Session, conversation_id: i64, body: &str) -> Result<Queued, MailError> {
    queue_reply_with(session, conversation_id, body, &[]).await
}

/// [`queue_reply`] with attachments: the line's leaflets, or files. With any, the reply's size
/// is checked against the submission server's limit before it is queued, not refused after.
pub async fn queue_reply_with(
    session: &Session,
    conversation_id: i64,
    body: &str,
    attachments: &[ReplyAttachment],
) -> Result<Queued, MailError> {
    let store = &session.store;
    let server = crate::records::ImapRecords::of(store);
    let attached = crate::attach::resolve(session, conversation_id, attachments).await?;
    let composed = compose(session, conversation_id, body, None, &attached).await?;
    if !attached.is_empty() {
        crate::attach::check_size(session, conversation_id, composed.raw.len()).await?;
    }
    if confide_core::review::is_reviewed(session, &server).await? {
        let leaflets = crate::attach::leaflets_only(attachments)?;
        let draft = confide_core::review::submit(session, &server, conversation_id, body.trim_end(), &leaflets).await?;
        return Ok(Queued::ForReview(draft));
    }
    let queued =
        outbox::queue(store, Some(conversation_id), &composed.account_id, &composed.message_id, &composed.raw).await?;
    confide_core::audit::append(store, "replied", &format!("conversation:{conversation_id}")).await?;
    Ok(Queued::Outbox(queued))
}

/// A reply built and ready to queue.
pub(crate) struct Composed {
    pub(crate) account_id: String,
    pub(crate) message_id: String,
    pub(crate) raw: Vec<u8>,
}

/// Builds the reply as the shared mailbox sends it, with `message_id` if given (an approved
/// reply keeps the one its reviewer fixed). Every rule a reply must meet is checked here.
pub(crate) async fn compose(
    session: &Session,
    conversation_id: i64,
    body: &str,
    message_id: Option<&str>,
    attachments: &[Attached],
) -> Result<Composed, MailError> {
    let store = &session.store;
    let body = body.trim_end();
    if body.is_empty() {
        return Err(CoreError::Invalid("the reply is empty".into()).into());
    }
    if let Some(why) = confide_core::canned::unfilled(body) {
        return Err(CoreError::Invalid(why).into());
    }
    let (summary, messages) = conversations::load(session, conversation_id).await?;
    let last_in = messages
        .iter()
        .rev()
        .find(|m| m.incoming)
        .ok_or_else(|| CoreError::Invalid("there is no message from the service user to reply to".into()))?;
    let parsed = MessageParser::default()
        .parse(&last_in.raw[..])
        .ok_or_else(|| CoreError::Invalid("the message being answered cannot be read".into()))?;
    let reply_to = parsed
        .reply_to()
        .or(parsed.from())
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .ok_or_else(|| CoreError::Invalid("the message being answered has no address to reply to".into()))?
        .to_owned();
    // A Reply-To can name anyone: under a no-cold-contact policy the reply goes only to someone
    // who has written to the helpline themselves.
    if session.preset().rules.no_cold_contact && !conversations::has_written_to_us(store, &reply_to).await? {
        return Err(CoreError::Invalid(
            "this helpline writes only to people who contacted it first, and this message asks for the reply to go to an address that has never written to \
             the helpline; Confide will not send it (answer the address that wrote, if it is safe to)"
                .into(),
        )
        .into());
    }
    let account = account_for(session, conversation_id).await?;
    let from_address = account
        .lines
        .iter()
        .find(|l| l.line_id == summary.line_id)
        .map(|l| l.address.clone())
        .unwrap_or_else(|| account.address.clone());
    let line_name = session.preset().lines.iter().find(|l| l.id == summary.line_id).map(|l| l.name.clone());
    let original_id = parsed.message_id().map(|m| format!("<{m}>"));
    let mut references: Vec<String> = match parsed.references() {
        mail_parser::HeaderValue::Text(t) => vec![format!("<{t}>")],
        mail_parser::HeaderValue::TextList(l) => l.iter().map(|t| format!("<{t}>")).collect(),
        _ => vec![],
    };
    references.extend(original_id.clone());
    let subject = parsed.subject().unwrap_or_default();
    let subject =
        if subject.to_ascii_lowercase().starts_with("re:") { subject.to_owned() } else { format!("Re: {subject}") };
    let domain = from_address.rsplit('@').next().unwrap_or("confide.invalid");
    let message_id = message_id
        .map(str::to_owned)
        .unwrap_or_else(|| format!("<confide.{}.{}@{}>", store.now_ts(), random_token(), domain));
    let quoted: String =
        crate::mime::summarize(&last_in.raw).headers.text.lines().map(|l| format!("> {l}\n")).collect();
    let text = format!("{body}\n\n{quoted}");

    // No address in the message: error text can reach a log.
    let addr = |a: &str| {
        a.parse().map_err(|_| {
            MailError::Core(CoreError::Invalid("an address on this reply is not a valid email address".into()))
        })
    };
    let mut builder = lettre::Message::builder()
        .from(Mailbox::new(line_name, addr(&from_address)?))
        .sender(Mailbox::new(None, addr(&account.address)?))
        .to(Mailbox::new(None, addr(&reply_to)?))
        .subject(subject)
        .message_id(Some(message_id.clone()))
        .date(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(store.now_ts().max(0) as u64));
    if let Some(id) = original_id {
        builder = builder.in_reply_to(id).references(references.join(" "));
    }
    let built = if attachments.is_empty() {
        builder.header(ContentType::TEXT_PLAIN).body(text)
    } else {
        builder.multipart(crate::attach::mixed(text, attachments))
    };
    let email = built.map_err(|e| MailError::Core(CoreError::Invalid(format!("cannot build the reply: {e}"))))?;
    Ok(Composed { account_id: account.id, message_id, raw: email.formatted() })
}

/// Moves one outbox item on as far as it will go. Returns the item's state afterwards
/// (`None` once it is filed and gone from the outbox).
pub async fn deliver(session: &Session, id: i64) -> Result<Option<outbox::OutboxItem>, MailError> {
    let store = &session.store;
    let Some(item) = outbox::get(store, id).await? else { return Ok(None) };
    let account = accounts::list(store)
        .await?
        .into_iter()
        .find(|a| a.id == item.account_id)
        .ok_or_else(|| MailError::NoPassword(item.account_id.clone()))?;
    let password = crate::connect::account_secret(store, &account)?;
    let raw = outbox::raw(session, id).await?;
    if !item.smtp_done {
        let parsed = crate::mime::summarize(&raw);
        let (acc, pw, r) = (account.clone(), password.clone(), raw.clone());
        let result = tokio::task::spawn_blocking(move || smtp_send(&acc, &pw, &acc.address, &parsed.headers.to, &r))
            .await
            .map_err(|_| MailError::Worker)?;
        match result {
            Ok(()) => outbox::mark_sent(store, id).await?,
            Err(e) => {
                tracing::warn!(retry_may_help = e.retry_may_help(), "a reply was not sent");
                outbox::mark_failed(store, id, &e.to_string()).await?;
                return Ok(outbox::get(store, id).await?);
            }
        }
    }
    let (acc, pw, filed) = (account.clone(), password.clone(), raw.clone());
    match tokio::task::spawn_blocking(move || file_in_sent(&acc, &pw, &filed)).await.map_err(|_| MailError::Worker)? {
        Ok(_) => {
            record_author(session, item.conversation_id, &raw).await;
            outbox::remove(store, id).await?;
            Ok(None)
        }
        Err(e) => {
            outbox::mark_failed(store, id, &format!("the reply was sent, but filing its copy in the helpline's Sent folder failed; it will be filed on the next try ({e})")).await?;
            Ok(outbox::get(store, id).await?)
        }
    }
}

/// Records who wrote the reply, for the managers' quality sample. The reply is sent and filed
/// whatever happens here: a failure costs the sample its advisor's name, and is logged.
async fn record_author(session: &Session, conversation_id: Option<i64>, raw: &[u8]) {
    let (Some(conversation), Some(message_id)) = (conversation_id, crate::mime::summarize(raw).headers.message_id)
    else {
        return;
    };
    // A reviewed reply is its writer's: every desktop learns so from the approval.
    if confide_core::review::was_reviewed(&session.store, &message_id).await.unwrap_or(false) {
        return;
    }
    let server = crate::records::ImapRecords::of(&session.store);
    if let Err(e) = confide_core::triage_state::record_authored(session, &server, conversation, &message_id).await {
        tracing::warn!("who wrote a reply could not be recorded for quality sampling: {}", e.kind());
    }
}

pub(crate) async fn account_for(session: &Session, conversation_id: i64) -> Result<Account, MailError> {
    let all = accounts::list(&session.store).await?;
    let from_sync = mailstore::conversation_account(&session.store, conversation_id).await?;
    all.iter()
        .find(|a| Some(&a.id) == from_sync.as_ref())
        .or_else(|| all.iter().find(|a| a.kind == AccountKind::Shared))
        .cloned()
        .ok_or_else(|| CoreError::Invalid("no shared mailbox is set up to reply from".into()).into())
}

fn random_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    format!("{:016x}", h.finish())
}
