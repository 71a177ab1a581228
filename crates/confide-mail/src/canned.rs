//! The canned replies offered in one conversation, filled in for it: the rules are
//! `confide_core::canned`'s; this reads what fills them (the service user's name as their mail
//! gives it, unless they chose a pseudonym here).

use confide_core::canned::{self, Context, Library};
use confide_core::conversations::Channel;
use confide_core::staff::Session;
use serde::Serialize;
use ts_rs::TS;

use crate::reading::ConversationView;
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
    let (view, library, ctx) = context(session, conversation_id).await?;
    Ok(canned::for_conversation(&library, &view.summary.line_id, view.summary.channel)
        .into_iter()
        .map(|r| OfferedReply { reply: r.reply.clone(), title: r.title.clone(), text: canned::fill(&r.text, &ctx) })
        .collect())
}

/// The signature an email reply in this conversation starts with, filled in (the advisor's
/// work name, the line's details); none where the line's manager has set none.
pub async fn signature(session: &Session, conversation_id: i64) -> Result<Option<String>, MailError> {
    let (view, library, ctx) = context(session, conversation_id).await?;
    let set = library.details.get(&view.summary.line_id).map(|d| d.signature.as_str()).filter(|s| !s.is_empty());
    Ok(set.filter(|_| view.summary.channel == Channel::Email).map(|s| canned::fill(s, &ctx)))
}

/// The conversation, the library, and what fills the blanks for it.
async fn context(session: &Session, conversation_id: i64) -> Result<(ConversationView, Library, Context), MailError> {
    let view = crate::reading::conversation(session, conversation_id).await?;
    let library = canned::library(session, &ImapRecords::of(&session.store)).await?;
    let line = &view.summary.line_id;
    let details = library.details.get(line);
    let name = view.pseudonym.clone().or_else(|| {
        view.messages.iter().find(|m| m.incoming).and_then(|m| m.from_name.clone()).filter(|n| !n.trim().is_empty())
    });
    let ctx = Context {
        name,
        advisor: session.profile.display_name.clone(),
        line: session.preset().lines.iter().find(|l| &l.id == line).map_or_else(|| line.clone(), |l| l.name.clone()),
        hours: details.map(|d| d.hours.clone()),
        phone: details.map(|d| d.phone.clone()),
    };
    Ok((view, library, ctx))
}
