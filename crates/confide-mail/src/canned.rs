//! The canned replies offered in one conversation, filled in for it: the rules are
//! `confide_core::canned`'s; this reads what fills them (the service user's name as their mail
//! gives it, unless they chose a pseudonym here).

use confide_core::canned::{self, Context, Library};
use confide_core::conversations::{self, Channel};
use confide_core::inbox::ConversationSummary;
use confide_core::staff::Session;
use serde::Serialize;
use ts_rs::TS;

use crate::records::ImapRecords;
use crate::MailError;

/// A canned reply ready to go into the reply box.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OfferedReply {
    pub reply: String,
    pub title: String,
    /// The wording with every placeholder this conversation can fill filled.
    pub text: String,
}

/// The canned replies of the conversation's line and channel, filled in for it.
pub async fn offered(session: &Session, conversation_id: i64) -> Result<Vec<OfferedReply>, MailError> {
    let (summary, library, ctx) = context(session, conversation_id).await?;
    Ok(canned::for_conversation(&library, &summary.line_id, summary.channel)
        .into_iter()
        .map(|r| OfferedReply { reply: r.reply.clone(), title: r.title.clone(), text: canned::fill(&r.text, &ctx) })
        .collect())
}

/// The signature an email reply in this conversation starts with, filled in (the advisor's
/// work name, the line's details); none where the line's manager has set none.
pub async fn signature(session: &Session, conversation_id: i64) -> Result<Option<String>, MailError> {
    let (summary, library, ctx) = context(session, conversation_id).await?;
    let set = library.details.get(&summary.line_id).map(|d| d.signature.as_str()).filter(|s| !s.is_empty());
    Ok(set.filter(|_| summary.channel == Channel::Email).map(|s| canned::fill(s, &ctx)))
}

/// The conversation's summary, the library, and what fills the blanks for it. Only the first
/// incoming message's headers are read: nothing is rendered.
async fn context(
    session: &Session,
    conversation_id: i64,
) -> Result<(ConversationSummary, Library, Context), MailError> {
    let (summary, stored) = conversations::load(session, conversation_id).await?;
    let library = canned::library(session, &ImapRecords::of(&session.store)).await?;
    let line = &summary.line_id;
    let details = library.details.get(line);
    let from_name = || {
        let first = stored.iter().find(|m| m.incoming)?;
        crate::mime::summarize(&first.raw).headers.from_name.filter(|n| !n.trim().is_empty())
    };
    let name = conversations::pseudonym(session, conversation_id).await?.or_else(from_name);
    let ctx = Context {
        name,
        advisor: session.profile.display_name.clone(),
        line: session.preset().lines.iter().find(|l| &l.id == line).map_or_else(|| line.clone(), |l| l.name.clone()),
        hours: details.map(|d| d.hours.clone()),
        phone: details.map(|d| d.phone.clone()),
    };
    Ok((summary, library, ctx))
}
