//! The canned replies offered in one conversation, filled in for it: the rules are
//! `confide_core::canned`'s; this reads what fills them (the service user's name as their mail
//! gives it, unless they chose a pseudonym here).

use confide_core::canned::{self, Context};
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
        hours: details.map(|(hours, _)| hours.clone()),
        phone: details.map(|(_, phone)| phone.clone()),
    };
    Ok(canned::for_conversation(&library, line, view.summary.channel)
        .into_iter()
        .map(|r| OfferedReply { reply: r.reply.clone(), title: r.title.clone(), text: canned::fill(&r.text, &ctx) })
        .collect())
}
