//! Internal notes on a conversation (issue 24): what one advisor tells colleagues about a case,
//! kept beside the thread and never part of it. A note is a triage state entry, sealed to the
//! staff of the conversation's line like a claim, so the server holds nothing readable and
//! the note expires with its conversation (the retention run removes entries about
//! conversations gone). `@work name` mentions a colleague, whose desktop then says so without
//! naming anything of the conversation but its line and number.
//!
//! A live chat is on one desktop only (its advisor's), so a note on a chat is kept there,
//! sealed like the chat's messages, and goes into the chat's transcript when it is archived:
//! the line's staff read it there, with the chat, and it expires with the transcript. A
//! mention in it tells no one (no colleague holds the chat to be told about).

use serde::Serialize;
use ts_rs::TS;

use crate::conversations;
use crate::record_store::RecordStore;
use crate::staff::Session;
use crate::team;
use crate::triage_state::{self, Change};
use crate::{CoreError, Store};

/// Longer than this is a case record, not a note.
const LONGEST: usize = 4000;

/// A note as the conversation shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct NoteView {
    pub id: String,
    /// The writer's key fingerprint: the team directory's names say who.
    pub author: String,
    pub mine: bool,
    /// Unix seconds.
    #[ts(type = "number")]
    pub created_at: i64,
    pub text: String,
}

/// Adds a note to an email conversation for everyone on its line, mentioning the colleagues
/// it names as `@work name`.
pub async fn add<S: RecordStore>(
    session: &Session,
    server: &S,
    conversation_id: i64,
    text: &str,
) -> Result<(), S::Error> {
    conversations::check_visible(session, conversation_id).await?;
    let text = text.trim();
    if text.is_empty() {
        return Err(CoreError::Invalid("write the note first".into()).into());
    }
    if text.chars().count() > LONGEST {
        return Err(CoreError::Invalid(format!(
            "a note is at most {LONGEST} characters; a longer account is a case record"
        ))
        .into());
    }
    if crate::webchat::is_chat(&session.store, conversation_id).await? {
        return Ok(add_to_chat(&session.store, conversation_id, text).await?);
    }
    let dir = team::directory(&session.store, server).await?;
    let me = session.store.identity().fingerprint();
    let mentions = mentioned(
        text,
        &dir.members.iter().map(|m| (team::age_fingerprint(&m.age_recipient), m.name.as_str())).collect::<Vec<_>>(),
    )
    .into_iter()
    .filter(|fp| *fp != me)
    .collect();
    let change = Change::Note { text: text.to_owned(), mentions };
    triage_state::record(session, server, conversation_id, change).await?;
    crate::audit::append(&session.store, "note_added", &format!("conversation:{conversation_id}")).await?;
    Ok(())
}

/// A note on a chat this desktop holds: kept here, sealed to this desktop, until the chat's
/// transcript carries it.
async fn add_to_chat(store: &Store, conversation_id: i64, text: &str) -> Result<(), CoreError> {
    let (id, me, now) = (crate::shared_record::new_id(), store.identity().fingerprint(), store.now_ts());
    let body = confide_vault::seal(text.as_bytes(), &store.own_recipients())?;
    sqlx::query!(
        "INSERT INTO conversation_notes (id, conversation_id, author, created_at, body, mentions_me, told)
         VALUES (?, ?, ?, ?, ?, 0, 1)",
        id,
        conversation_id,
        me,
        now,
        body
    )
    .execute(store.pool())
    .await?;
    crate::audit::append(store, "note_added", &format!("conversation:{conversation_id}")).await
}

/// The fingerprints of the members `text` names as `@name` (a whole name, any case).
fn mentioned(text: &str, members: &[(String, &str)]) -> Vec<String> {
    let lower = text.to_lowercase();
    members
        .iter()
        .filter(|(_, name)| {
            let at = format!("@{}", name.to_lowercase());
            lower
                .match_indices(&at)
                .any(|(i, _)| lower[i + at.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric()))
        })
        .map(|(fp, _)| fp.clone())
        .collect()
}

/// A conversation's notes, oldest first, opened for this desktop.
pub async fn of_conversation(store: &Store, conversation_id: i64) -> Result<Vec<NoteView>, CoreError> {
    let me = store.identity().fingerprint();
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", author, created_at, body FROM conversation_notes WHERE conversation_id = ?
           ORDER BY created_at, id"#,
        conversation_id
    )
    .fetch_all(store.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            let text = String::from_utf8_lossy(&confide_vault::open(&r.body, store.identity())?).into_owned();
            Ok(NoteView { id: r.id, mine: r.author == me, author: r.author, created_at: r.created_at, text })
        })
        .collect()
}

/// The conversations (id and line) with a note that mentions this person and that they have
/// not been told of yet; each is counted as told.
pub async fn take_mentions(store: &Store) -> Result<Vec<(i64, String)>, CoreError> {
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let found = sqlx::query!(
        r#"SELECT n.id AS "id!", c.id AS "conversation!", c.line_id FROM conversation_notes n
           JOIN conversations c ON c.id = n.conversation_id WHERE n.mentions_me = 1 AND n.told = 0"#
    )
    .fetch_all(&mut *tx)
    .await?;
    for f in &found {
        sqlx::query!("UPDATE conversation_notes SET told = 1 WHERE id = ?", f.id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(found.into_iter().map(|f| (f.conversation, f.line_id)).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn issue24_a_mention_is_a_whole_work_name_in_any_case() {
        let team = [("fp-bea".to_owned(), "Bea"), ("fp-bo".to_owned(), "Bo"), ("fp-al".to_owned(), "Al Smith")];
        assert_eq!(super::mentioned("@bea can you ring her back?", &team), ["fp-bea"]);
        assert_eq!(super::mentioned("see @Beatrice", &team), Vec::<String>::new(), "not a whole name");
        assert_eq!(super::mentioned("@Bo, and @Al Smith.", &team), ["fp-bo", "fp-al"]);
        assert!(super::mentioned("bea@example.org wrote", &team).is_empty());
    }
}
