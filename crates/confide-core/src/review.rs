//! Review before send (issue 24): a manager marks an advisor in the team directory as "replies
//! reviewed" (someone in training), and each email reply they write then waits, sealed to the
//! line's staff in the shared triage state, for a team leader or manager of the line to
//! approve it (as written or edited) or return it with a comment. The writer sees which.
//!
//! The first decision in the store's order counts, on every desktop alike; an approval fixes
//! the reply's Message-ID, and only the desktop whose approval counts sends it, so two
//! reviewers approving at once still send one reply. The reply is recorded as its writer's
//! (quality sampling names them), and a review expires with its conversation like a note.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::policy::RoleKind;
use crate::record_store::RecordStore;
use crate::staff::Session;
use crate::team::{self, Member};
use crate::triage_state::{self, Change};
use crate::{conversations, CoreError, Store};

/// A reviewer's decision on a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Send `text` (the draft, or the reviewer's edit of it) as `message_id`.
    Approved { text: String, message_id: String },
    /// Not sent: `comment` says why, for the writer.
    Returned { comment: String },
}

/// A reply under review as the conversation shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReplyReview {
    pub draft: String,
    /// The writer's key fingerprint: the team directory's names say who.
    pub author: String,
    pub mine: bool,
    #[ts(type = "number")]
    pub created_at: i64,
    pub text: String,
    /// `waiting`, `approved` or `returned`.
    pub state: String,
    pub decided_by: Option<String>,
    #[ts(type = "number | null")]
    pub decided_at: Option<i64>,
    /// Approved: the reply as it went; returned: the reviewer's comment.
    pub decided_text: Option<String>,
    /// Whether this person may approve or return it now.
    pub can_decide: bool,
    /// The library's leaflets it attaches, by id.
    pub leaflets: Vec<String>,
}

/// Whether this person's replies wait for review, as the team directory says.
pub async fn is_reviewed<S: RecordStore>(session: &Session, server: &S) -> Result<bool, S::Error> {
    let me = session.store.vault().signing_key().map_err(CoreError::from)?.public_hex();
    let dir = team::directory(&session.store, server).await?;
    Ok(dir.members.iter().any(|m| m.signing_key == me && m.reviewed))
}

/// Puts a reply (already checked as a reply would be) up for review on its conversation.
pub async fn submit<S: RecordStore>(
    session: &Session,
    server: &S,
    conversation_id: i64,
    text: &str,
    leaflets: &[String],
) -> Result<String, S::Error> {
    let draft = crate::shared_record::new_id();
    let change = Change::ForReview { draft: draft.clone(), text: text.to_owned(), leaflets: leaflets.to_vec() };
    triage_state::record(session, server, conversation_id, change).await?;
    crate::audit::append(&session.store, "reply_for_review", &format!("conversation:{conversation_id}")).await?;
    Ok(draft)
}

/// A waiting draft's conversation, text and leaflets, for a reviewer about to decide on it.
pub async fn waiting(session: &Session, draft: &str) -> Result<(i64, String, Vec<String>), CoreError> {
    let store = &session.store;
    let row = sqlx::query!(
        r#"SELECT conversation_id, author, body, decision, leaflets FROM reply_reviews WHERE draft = ?"#,
        draft
    )
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| CoreError::Invalid("that reply is no longer waiting for review".into()))?;
    conversations::check_visible(session, row.conversation_id).await?;
    if row.decision.is_some() {
        return Err(CoreError::Invalid("a colleague has already decided on that reply".into()));
    }
    if session.profile.role == RoleKind::Advisor {
        return Err(CoreError::Invalid("team leaders and managers review replies".into()));
    }
    if row.author == store.identity().fingerprint() {
        return Err(CoreError::Invalid("a colleague reviews your replies, not you".into()));
    }
    let text = String::from_utf8_lossy(&confide_vault::open(&row.body, store.identity())?).into_owned();
    Ok((row.conversation_id, text, serde_json::from_str(&row.leaflets).unwrap_or_default()))
}

/// Records a decision on a waiting draft for every desktop on the line, then follows the state
/// (so this desktop learns whether its decision is the one that counts).
pub async fn decide<S: RecordStore>(
    session: &Session,
    server: &S,
    draft: &str,
    decision: Decision,
) -> Result<(), S::Error> {
    let (conversation_id, ..) = waiting(session, draft).await?;
    let event = match &decision {
        Decision::Approved { .. } => "reply_approved",
        Decision::Returned { comment } if comment.trim().is_empty() => {
            return Err(CoreError::Invalid("say why the reply goes back, for its writer".into()).into())
        }
        Decision::Returned { .. } => "reply_returned",
    };
    let change = Change::Review { draft: draft.to_owned(), decision };
    triage_state::record(session, server, conversation_id, change).await?;
    crate::audit::append(&session.store, event, &format!("conversation:{conversation_id}")).await?;
    Ok(())
}

/// A review entry as the state gave it, about a conversation held here.
pub(crate) struct Seen {
    pub(crate) conversation: i64,
    pub(crate) change: Change,
    pub(crate) by: Member,
    pub(crate) current: bool,
    pub(crate) at: i64,
}

/// Keeps the drafts not kept yet and the first decision that counts on each, sealed to this
/// desktop; returns how many conversations changed. A decision counts from a current team
/// leader or manager who works on the conversation's line and did not write the draft.
pub(crate) async fn keep(store: &Store, seen: &[Seen]) -> Result<usize, CoreError> {
    if seen.is_empty() {
        return Ok(0);
    }
    let recipients = store.own_recipients();
    let mut changed = std::collections::BTreeSet::new();
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    for s in seen {
        let by = team::age_fingerprint(&s.by.age_recipient);
        match &s.change {
            Change::ForReview { draft, text, leaflets } if s.current => {
                let body = confide_vault::seal(text.as_bytes(), &recipients)?;
                let leaflets = serde_json::to_string(leaflets).expect("strings serialise");
                let done = sqlx::query!(
                    "INSERT INTO reply_reviews (draft, conversation_id, author, created_at, body, leaflets)
                     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (draft) DO NOTHING",
                    draft,
                    s.conversation,
                    by,
                    s.at,
                    body,
                    leaflets
                )
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() > 0 {
                    changed.insert(s.conversation);
                }
            }
            Change::Review { draft, decision } if s.current && s.by.role != RoleKind::Advisor => {
                let line = sqlx::query_scalar!("SELECT line_id FROM conversations WHERE id = ?", s.conversation)
                    .fetch_one(&mut *tx)
                    .await?;
                if s.by.role != RoleKind::Manager && !s.by.lines.contains(&line) {
                    continue;
                }
                let (what, text, message_id) = match decision {
                    Decision::Approved { text, message_id } => ("approved", text, Some(message_id)),
                    Decision::Returned { comment } => ("returned", comment, None),
                };
                let body = confide_vault::seal(text.as_bytes(), &recipients)?;
                let done = sqlx::query!(
                    "UPDATE reply_reviews SET decision = ?, decided_by = ?, decided_at = ?, decided_body = ?, message_id = ?
                     WHERE draft = ? AND decision IS NULL AND author != ?",
                    what,
                    by,
                    s.at,
                    body,
                    message_id,
                    draft,
                    by
                )
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() > 0 {
                    changed.insert(s.conversation);
                }
                // The approved reply is its writer's, whoever sends it.
                sqlx::query!(
                    "INSERT INTO reply_authors (message_id, author)
                     SELECT message_id, author FROM reply_reviews WHERE draft = ? AND message_id IS NOT NULL
                     ON CONFLICT (message_id) DO NOTHING",
                    draft
                )
                .execute(&mut *tx)
                .await?;
            }
            _ => {}
        }
    }
    tx.commit().await?;
    Ok(changed.len())
}

/// A conversation's replies under review, oldest first, opened for this desktop.
pub async fn of_conversation(session: &Session, conversation_id: i64) -> Result<Vec<ReplyReview>, CoreError> {
    let store = &session.store;
    let me = store.identity().fingerprint();
    let rows = sqlx::query!(
        r#"SELECT draft AS "draft!", author, created_at, body, decision, decided_by, decided_at, decided_body, leaflets
           FROM reply_reviews WHERE conversation_id = ? ORDER BY created_at, draft"#,
        conversation_id
    )
    .fetch_all(store.pool())
    .await?;
    let open = |b: &[u8]| -> Result<String, CoreError> {
        Ok(String::from_utf8_lossy(&confide_vault::open(b, store.identity())?).into_owned())
    };
    let reviewer = session.profile.role != RoleKind::Advisor;
    rows.into_iter()
        .map(|r| {
            let mine = r.author == me;
            Ok(ReplyReview {
                can_decide: reviewer && !mine && r.decision.is_none(),
                state: r.decision.unwrap_or_else(|| "waiting".into()),
                text: open(&r.body)?,
                decided_text: r.decided_body.as_deref().map(open).transpose()?,
                draft: r.draft,
                author: r.author,
                mine,
                created_at: r.created_at,
                decided_by: r.decided_by,
                decided_at: r.decided_at,
                leaflets: serde_json::from_str(&r.leaflets).unwrap_or_default(),
            })
        })
        .collect()
}

/// An approval of this desktop's that counts and is not in its outbox yet: what to send.
pub struct Approved {
    pub draft: String,
    pub conversation_id: i64,
    pub text: String,
    pub message_id: String,
    pub leaflets: Vec<String>,
}

/// The approvals this desktop made that count and that it has not queued yet.
pub async fn to_send(store: &Store) -> Result<Vec<Approved>, CoreError> {
    let me = store.identity().fingerprint();
    let rows = sqlx::query!(
        r#"SELECT draft AS "draft!", conversation_id, decided_body AS "body!", message_id AS "message_id!", leaflets
           FROM reply_reviews WHERE decision = 'approved' AND decided_by = ? AND queued = 0
           AND decided_body IS NOT NULL AND message_id IS NOT NULL"#,
        me
    )
    .fetch_all(store.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            let text = String::from_utf8_lossy(&confide_vault::open(&r.body, store.identity())?).into_owned();
            let leaflets = serde_json::from_str(&r.leaflets).unwrap_or_default();
            Ok(Approved {
                draft: r.draft,
                conversation_id: r.conversation_id,
                text,
                message_id: r.message_id,
                leaflets,
            })
        })
        .collect()
}

/// Puts an approved reply (built by the caller with the approval's Message-ID) into the outbox
/// and marks it queued in one transaction: from here the outbox sends it exactly once.
pub async fn queue(store: &Store, approved: &Approved, account_id: &str, raw: &[u8]) -> Result<i64, CoreError> {
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let id =
        crate::outbox::queue_in(store, &mut tx, Some(approved.conversation_id), account_id, &approved.message_id, raw)
            .await?;
    sqlx::query!("UPDATE reply_reviews SET queued = 1 WHERE draft = ?", approved.draft).execute(&mut *tx).await?;
    tx.commit().await?;
    crate::audit::append(store, "replied", &format!("conversation:{}", approved.conversation_id)).await?;
    Ok(id)
}

/// The decisions on this person's replies they have not been told of yet: conversation, line,
/// and whether it was approved; each is counted as told.
pub async fn take_decided(store: &Store) -> Result<Vec<(i64, String, bool)>, CoreError> {
    let me = store.identity().fingerprint();
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let found = sqlx::query!(
        r#"SELECT r.draft AS "draft!", r.conversation_id, c.line_id, r.decision AS "decision!" FROM reply_reviews r
           JOIN conversations c ON c.id = r.conversation_id
           WHERE r.author = ? AND r.decision IS NOT NULL AND r.told = 0"#,
        me
    )
    .fetch_all(&mut *tx)
    .await?;
    for f in &found {
        sqlx::query!("UPDATE reply_reviews SET told = 1 WHERE draft = ?", f.draft).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(found.into_iter().map(|f| (f.conversation_id, f.line_id, f.decision == "approved")).collect())
}

/// Whether a reply is one a reviewer approved: it is its writer's, not its sender's.
pub async fn was_reviewed(store: &Store, message_id: &str) -> Result<bool, CoreError> {
    Ok(sqlx::query_scalar!("SELECT 1 AS \"x!: i64\" FROM reply_reviews WHERE message_id = ?", message_id)
        .fetch_optional(store.pool())
        .await?
        .is_some())
}
