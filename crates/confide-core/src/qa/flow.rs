//! Quality monitoring's flow: a sample of replies (email replies from this desktop's store,
//! webchat transcripts from the record store), each shown masked for review, and the reviews
//! kept as `qa_review` records sealed to the managers. A review holds scores and a comment,
//! never the conversation, so it stays when the conversation expires.

use super::{
    check, check_review, draw, mask, month_of, new_seed, summary, summary_csv, Review, ReviewLine, ReviewView,
};
use super::{Sample, SampleItem, SampleRequest, REVIEW_CLASS};
use crate::record_store::{self as records, classes, MailContent, RecordStore};
use crate::staff::Session;
use crate::webchat::Transcript;
use crate::{CoreError, Refusal};

/// The one check every step makes: a manager, on a helpline whose policy provides for it.
fn require(session: &Session) -> Result<(), CoreError> {
    session.require_manager("sample replies for quality monitoring")?;
    if !session.preset().rules.quality_monitoring {
        return Err(CoreError::Refused(Refusal::NotInPolicy("does not provide for monitoring replies".into())));
    }
    Ok(())
}

fn gone() -> CoreError {
    CoreError::Invalid("that reply is no longer kept (it may have expired)".into())
}

/// The email replies on the lines this person sees, sent in `[from, to)` (unix seconds), with
/// their author from the keyword their Sent copy carries.
async fn email_candidates(session: &Session, from: i64, to: i64) -> Result<Vec<SampleItem>, CoreError> {
    let lines = session.lines_json();
    let rows = sqlx::query!(
        r#"SELECT m.id AS "id!", m.sent_at, ra.author AS "author?: String"
           FROM messages m JOIN conversations c ON c.id = m.conversation_id
           LEFT JOIN reply_authors ra ON ra.message_id = m.message_id
           WHERE c.channel = 'email' AND m.direction = 'out' AND m.sent_at >= ? AND m.sent_at < ?
             AND c.line_id IN (SELECT value FROM json_each(?))"#,
        from,
        to,
        lines
    )
    .fetch_all(session.store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            // Who wrote it, from the state entries (`triage_state`); unknown for mail sent elsewhere.
            let advisor = r.author.unwrap_or_default();
            SampleItem {
                key: format!("email:{}", r.id),
                channel: "email".into(),
                advisor,
                month: month_of(r.sent_at),
                at: r.sent_at,
            }
        })
        .collect())
}

/// The conversation an email reply is in, for someone allowed to see it.
async fn conversation_of(session: &Session, message: i64) -> Result<i64, CoreError> {
    let id = sqlx::query_scalar!("SELECT conversation_id FROM messages WHERE id = ?", message)
        .fetch_optional(session.store.pool())
        .await?
        .ok_or_else(gone)?;
    crate::conversations::check_visible(session, id).await?;
    Ok(id)
}

/// Every webchat transcript started in `[from, to)`, by the advisor who archived it (after a
/// transfer, the colleague who finished the chat).
async fn webchat_candidates<S: RecordStore>(
    session: &Session,
    server: &S,
    from: i64,
    to: i64,
) -> Result<Vec<SampleItem>, S::Error> {
    let dir = crate::team::directory(&session.store, server).await?;
    let mut out = vec![];
    for listed in records::list(session, server, classes::WEBCHAT).await? {
        let Ok(record) = listed.record else { continue };
        let Ok(t) = serde_json::from_slice::<Transcript>(&record.body) else { continue };
        if t.started_at < from || t.started_at >= to || !t.messages.iter().any(|m| m.from == "advisor") {
            continue;
        }
        let advisor = dir
            .members
            .iter()
            .chain(dir.removed.iter())
            .find(|m| m.signing_key == record.header.author)
            .map(|m| crate::team::age_fingerprint(&m.age_recipient))
            .unwrap_or_default();
        out.push(SampleItem {
            key: format!("webchat:{}", record.header.id),
            channel: "webchat".into(),
            advisor,
            month: month_of(t.started_at),
            at: t.started_at,
        });
    }
    Ok(out)
}

/// Draws a sample (managers, where the policy provides for monitoring). The sample and its
/// seed go on the audit log, so who looked at which replies can be known.
pub async fn sample<S: RecordStore>(session: &Session, server: &S, req: &SampleRequest) -> Result<Sample, S::Error> {
    require(session)?;
    let (from, to) = check(req)?;
    let (from, to) = (
        from.midnight().assume_utc().unix_timestamp(),
        (to.next_day().unwrap_or(to)).midnight().assume_utc().unix_timestamp(),
    );
    let mut candidates = vec![];
    if req.channels.iter().any(|c| c == "email") {
        candidates.extend(email_candidates(session, from, to).await?);
    }
    if req.channels.iter().any(|c| c == "webchat") {
        candidates.extend(webchat_candidates(session, server, from, to).await?);
    }
    let seed = req.seed.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(new_seed);
    let drawn = draw(candidates, req, seed.trim());
    let what = format!("seed:{} items:{}", drawn.seed, drawn.items.len());
    crate::audit::append(&session.store, "qa_sampled", &what).await?;
    Ok(drawn)
}

/// A sampled reply in its conversation, masked; the viewing is audited.
pub async fn review_view<S: MailContent>(session: &Session, server: &S, key: &str) -> Result<ReviewView, S::Error> {
    require(session)?;
    let view = match key.split_once(':') {
        Some(("email", id)) => {
            let message: i64 = id.parse().map_err(|_| gone())?;
            let conversation = conversation_of(session, message).await?;
            let read = server.conversation(session, conversation).await?;
            let mut names = mask::names_of(&read.summary.correspondent);
            for m in read.messages.iter().filter(|m| m.incoming) {
                names.extend(mask::names_of(&m.from));
                names.extend(m.from_name.clone());
            }
            ReviewView {
                key: key.to_owned(),
                channel: "email".into(),
                subject: mask::mask(&read.summary.subject, &names),
                lines: read
                    .messages
                    .iter()
                    .map(|m| ReviewLine {
                        incoming: m.incoming,
                        text: mask::mask(&m.text, &names),
                        sampled: m.id == message,
                        at: m.sent_at,
                    })
                    .collect(),
            }
        }
        Some(("webchat", id)) => {
            let listed = records::list_ids(session, server, classes::WEBCHAT, vec![id.to_owned()]).await?;
            let record = listed.into_iter().next().ok_or_else(gone)?.record?;
            let t: Transcript = serde_json::from_slice(&record.body).map_err(|_| gone())?;
            ReviewView {
                key: key.to_owned(),
                channel: "webchat".into(),
                subject: "Webchat".into(),
                lines: t
                    .messages
                    .iter()
                    .map(|m| ReviewLine {
                        incoming: m.from == "visitor",
                        text: mask::mask(&m.text, &[]),
                        sampled: m.from == "advisor",
                        at: m.at / 1000,
                    })
                    .collect(),
            }
        }
        _ => return Err(gone().into()),
    };
    crate::audit::append(&session.store, "qa_viewed", key).await?;
    Ok(view)
}

/// Keeps a review, sealed to the managers.
pub async fn save_review<S: RecordStore>(session: &Session, server: &S, review: &Review) -> Result<(), S::Error> {
    require(session)?;
    check_review(review, &session.preset().rubric())?;
    let mut kept = review.clone();
    kept.reviewer = session.profile.display_name.clone();
    kept.at = session.store.now_ts();
    let body = serde_json::to_vec(&kept).expect("reviews serialise");
    records::put(session, server, REVIEW_CLASS, None, kept.at, &body).await?;
    crate::audit::append(&session.store, "qa_reviewed", &review.key).await?;
    Ok(())
}

/// Every review this manager can open, oldest first.
pub async fn reviews<S: RecordStore>(session: &Session, server: &S) -> Result<Vec<Review>, S::Error> {
    require(session)?;
    let mut out: Vec<Review> = records::list(session, server, REVIEW_CLASS)
        .await?
        .into_iter()
        .filter_map(|l| l.record.ok())
        .filter_map(|r| serde_json::from_slice(&r.body).ok())
        .collect();
    out.sort_by_key(|r| r.at);
    Ok(out)
}

/// The per-advisor summary as CSV, for supervision; the export is audited.
pub async fn export_summary<S: RecordStore>(session: &Session, server: &S) -> Result<String, S::Error> {
    let rows = summary(&reviews(session, server).await?);
    let names = crate::team::known_names(&session.store, server).await?;
    crate::audit::append(&session.store, "qa_exported", &format!("rows:{}", rows.len())).await?;
    Ok(summary_csv(&rows, &session.preset().rubric(), &names))
}
