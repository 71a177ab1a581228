//! Canned replies (issue 24): the wording a helpline has agreed, written once by a team leader
//! or manager for a line (and a channel, or both), and put into a reply in a keystroke with
//! its placeholders filled. Each is a record of the `canned_reply` class in the shared
//! mailbox's `Confide/Library`, sealed to the staff of its line; an edit is a new record of the
//! same reply, so its history (who changed what, when) is the records themselves. Only an
//! entry by a current team leader or manager counts.
//!
//! A manager also sets each line's details here: its opening hours, phone number and the
//! signature every email reply on the line starts with (signed with the advisor's work name).
//!
//! Placeholders are `{name}` (the name or pseudonym the service user is known by here),
//! `{advisor}` (the advisor's work name), `{line}`, `{hours}` and `{phone}` (the line's
//! details, set by a manager in the same library). One that cannot be filled stays in the
//! text, and [`unfilled`] stops the reply with a sentence saying which.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::conversations::Channel;
use crate::policy::RoleKind;
use crate::record_store::{self as records, classes, RecordStore};
use crate::staff::Session;
use crate::team;
use crate::CoreError;

/// The placeholders, with what each stands for in a sentence.
const PLACEHOLDERS: &[(&str, &str)] = &[
    ("{name}", "the service user's name"),
    ("{advisor}", "your work name"),
    ("{line}", "the line's name"),
    ("{hours}", "the line's opening hours"),
    ("{phone}", "the line's phone number"),
];

/// One entry in the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Entry {
    /// A canned reply as written (first, or edited): `reply` names it across its versions.
    Reply {
        reply: String,
        line: String,
        channel: Option<Channel>,
        title: String,
        text: String,
    },
    Removed {
        reply: String,
        line: String,
    },
    /// What `{hours}` and `{phone}` say on a line, and its replies' signature.
    LineDetails {
        line: String,
        hours: String,
        phone: String,
        #[serde(default)]
        signature: String,
    },
}

/// A canned reply as the library holds it now.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CannedReply {
    pub reply: String,
    pub line: String,
    /// `None`: for email and chat alike.
    pub channel: Option<Channel>,
    pub title: String,
    pub text: String,
    /// Its versions, oldest first: who wrote each (their name in the team) and when.
    pub history: Vec<Version>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Version {
    pub by: String,
    #[ts(type = "number")]
    pub at: i64,
    pub removed: bool,
}

/// The library as it stands on the lines this person works on.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct Library {
    pub replies: Vec<CannedReply>,
    /// By line id.
    pub details: BTreeMap<String, LineDetails>,
}

/// A line's details, as its manager set them.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct LineDetails {
    pub hours: String,
    pub phone: String,
    /// What every email reply on the line is signed with; `{advisor}` is the work name.
    pub signature: String,
}

/// What fills the placeholders for one conversation.
pub struct Context {
    pub name: Option<String>,
    pub advisor: String,
    pub line: String,
    pub hours: Option<String>,
    pub phone: Option<String>,
}

/// Writes (or, with the same `reply` id, edits) a canned reply: team leaders and managers only.
pub async fn save<S: RecordStore>(
    session: &Session,
    server: &S,
    reply: Option<String>,
    (line, channel): (&str, Option<Channel>),
    title: &str,
    text: &str,
) -> Result<String, S::Error> {
    let (title, text) = (title.trim(), text.trim());
    if title.is_empty() || text.is_empty() {
        return Err(CoreError::Invalid("a canned reply needs a title and its wording".into()).into());
    }
    let reply = reply.unwrap_or_else(crate::shared_record::new_id);
    let entry = Entry::Reply {
        reply: reply.clone(),
        line: line.to_owned(),
        channel,
        title: title.to_owned(),
        text: text.to_owned(),
    };
    keep(session, server, line, &entry).await?;
    Ok(reply)
}

/// Takes a canned reply out of the library (its history stays).
pub async fn remove<S: RecordStore>(session: &Session, server: &S, reply: &str, line: &str) -> Result<(), S::Error> {
    keep(session, server, line, &Entry::Removed { reply: reply.to_owned(), line: line.to_owned() }).await
}

/// Sets a line's hours, phone number and reply signature: managers only.
pub async fn set_line_details<S: RecordStore>(
    session: &Session,
    server: &S,
    line: &str,
    details: &LineDetails,
) -> Result<(), S::Error> {
    session.require_manager("set a line's opening hours, phone number and signature")?;
    let entry = Entry::LineDetails {
        line: line.to_owned(),
        hours: details.hours.trim().to_owned(),
        phone: details.phone.trim().to_owned(),
        signature: details.signature.trim().to_owned(),
    };
    keep(session, server, line, &entry).await
}

async fn keep<S: RecordStore>(session: &Session, server: &S, line: &str, entry: &Entry) -> Result<(), S::Error> {
    if session.profile.role == RoleKind::Advisor {
        return Err(CoreError::Invalid("team leaders and managers write the canned replies".into()).into());
    }
    if !session.preset().lines.iter().any(|l| l.id == line) || !session.visible_lines().iter().any(|l| l == line) {
        return Err(CoreError::Invalid("that is not one of your service lines".into()).into());
    }
    let body = serde_json::to_vec(entry).expect("entries serialise");
    records::put_for_line(session, server, (classes::CANNED_REPLY, line), &body, None).await?;
    crate::audit::append(&session.store, "canned_reply_changed", &format!("line:{line}")).await?;
    Ok(())
}

/// The library on this person's lines: each reply as last written by a current team leader or
/// manager, with its history; removed ones left out.
pub async fn library<S: RecordStore>(session: &Session, server: &S) -> Result<Library, S::Error> {
    let dir = team::directory(&session.store, server).await?;
    let names = team::names(&dir);
    let listed = records::opened_in_order(session, server, classes::CANNED_REPLY).await?;
    let visible = session.visible_lines();
    let mut replies: BTreeMap<String, CannedReply> = BTreeMap::new();
    let mut details = BTreeMap::new();
    for record in listed {
        let writer = dir.members.iter().find(|m| m.signing_key == record.header.author);
        if !writer.is_some_and(|m| m.role != RoleKind::Advisor) {
            continue;
        }
        let Ok(entry) = serde_json::from_slice::<Entry>(&record.body) else { continue };
        let by = names.get(&record.header.author).cloned().unwrap_or_default();
        let at = record.header.created_at;
        match entry {
            Entry::Reply { reply, line, channel, title, text } if visible.contains(&line) => {
                let was = replies.remove(&reply).map(|r| r.history).unwrap_or_default();
                let mut history = was;
                history.push(Version { by, at, removed: false });
                replies.insert(reply.clone(), CannedReply { reply, line, channel, title, text, history });
            }
            Entry::Removed { reply, .. } => {
                if let Some(r) = replies.get_mut(&reply) {
                    r.history.push(Version { by, at, removed: true });
                }
            }
            Entry::LineDetails { line, hours, phone, signature }
                if writer.is_some_and(|m| m.role == RoleKind::Manager) =>
            {
                details.insert(line, LineDetails { hours, phone, signature });
            }
            _ => {}
        }
    }
    let mut replies: Vec<CannedReply> =
        replies.into_values().filter(|r| !r.history.last().is_some_and(|v| v.removed)).collect();
    replies.sort_by_key(|r| r.title.to_lowercase());
    Ok(Library { replies, details })
}

/// The canned replies for a conversation on `line` and `channel`.
pub fn for_conversation<'l>(library: &'l Library, line: &str, channel: Channel) -> Vec<&'l CannedReply> {
    library.replies.iter().filter(|r| r.line == line && r.channel.is_none_or(|c| c == channel)).collect()
}

/// `text` with every placeholder the context knows filled in; the others stay as they are.
pub fn fill(text: &str, ctx: &Context) -> String {
    let mut out = text.to_owned();
    let values = [
        ("{name}", ctx.name.as_deref()),
        ("{advisor}", Some(ctx.advisor.as_str())),
        ("{line}", Some(ctx.line.as_str())),
        ("{hours}", ctx.hours.as_deref()),
        ("{phone}", ctx.phone.as_deref()),
    ];
    for (placeholder, value) in values {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            out = out.replace(placeholder, v);
        }
    }
    out
}

/// A sentence naming the placeholders a reply still has, or `None` when it has none. Every
/// reply passes here before it is queued.
pub fn unfilled(body: &str) -> Option<String> {
    let left: Vec<&str> = PLACEHOLDERS.iter().filter(|(p, _)| body.contains(p)).map(|(_, what)| *what).collect();
    match left.as_slice() {
        [] => None,
        [one] => Some(format!("the reply still has a blank for {one}: write it in, or take the blank out")),
        many => Some(format!("the reply still has blanks for {}: write them in, or take them out", many.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue24_known_placeholders_are_filled_and_an_unfilled_one_is_named() {
        let ctx = Context {
            name: None,
            advisor: "Ash".into(),
            line: "Respect Phoneline".into(),
            hours: Some("Mon-Fri 9am-8pm".into()),
            phone: None,
        };
        let filled = fill("Hello {name}, this is {advisor} at {line}, open {hours}. Call {phone}.", &ctx);
        assert_eq!(filled, "Hello {name}, this is Ash at Respect Phoneline, open Mon-Fri 9am-8pm. Call {phone}.");
        assert_eq!(
            unfilled(&filled).as_deref(),
            Some(
                "the reply still has blanks for the service user's name, the line's phone number: write them in, or \
                 take them out"
            )
        );
        let named = Context { name: Some("Sam".into()), phone: Some("0808 802 4040".into()), ..ctx };
        assert_eq!(unfilled(&fill("Hi {name}, ring {phone}", &named)), None);
        assert_eq!(unfilled("a {brace} of no placeholder"), None);
    }
}
