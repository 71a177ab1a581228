//! Quality monitoring for managers: a sample of replies (email replies from this desktop's
//! store; webchat transcripts from `Confide/Webchat`), each shown masked for review, and the
//! reviews kept as `qa_review` records sealed to the managers in `Confide/Reviews`. A review
//! holds scores and a comment, never the conversation, so it stays when the conversation expires.

use confide_core::qa::{self, mask, Review, ReviewLine, ReviewView, Sample, SampleItem, SampleRequest};
use confide_core::staff::Session;
use confide_core::webchat::Transcript;
use confide_core::CoreError;

use crate::records::ImapRecords;
use crate::MailError;
use confide_core::record_store as records;

fn server(session: &Session) -> ImapRecords {
    ImapRecords::of(&session.store)
}

fn require(session: &Session) -> Result<(), CoreError> {
    session.require_manager("sample replies for quality monitoring")?;
    if !session.preset().rules.quality_monitoring {
        return Err(CoreError::Invalid("this helpline's policy does not provide for monitoring replies".into()));
    }
    Ok(())
}

/// Every webchat transcript started in `[from, to)`, by the advisor who archived it (after a
/// transfer, the colleague who finished the chat).
async fn webchat_candidates(session: &Session, from: i64, to: i64) -> Result<Vec<SampleItem>, MailError> {
    let dir = confide_core::team::directory(&session.store, &server(session)).await?;
    let mut out = vec![];
    for listed in records::list(session, &server(session), "webchat").await? {
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
            .map(|m| confide_core::team::age_fingerprint(&m.age_recipient))
            .unwrap_or_default();
        out.push(SampleItem {
            key: format!("webchat:{}", record.header.id),
            channel: "webchat".into(),
            advisor,
            month: qa::month_of(t.started_at),
            at: t.started_at,
        });
    }
    Ok(out)
}

/// Draws a sample (managers, where the policy provides for monitoring). The sample and its
/// seed go on the audit log, so who looked at which replies can be known.
pub async fn sample(session: &Session, req: &SampleRequest) -> Result<Sample, MailError> {
    require(session)?;
    let (from, to) = qa::check(req)?;
    let (from, to) = (
        from.midnight().assume_utc().unix_timestamp(),
        (to.next_day().unwrap_or(to)).midnight().assume_utc().unix_timestamp(),
    );
    let mut candidates = vec![];
    if req.channels.iter().any(|c| c == "email") {
        candidates.extend(qa::email_candidates(session, from, to).await?);
    }
    if req.channels.iter().any(|c| c == "webchat") {
        candidates.extend(webchat_candidates(session, from, to).await?);
    }
    let seed = req.seed.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(qa::new_seed);
    let drawn = qa::draw(candidates, req, seed.trim());
    confide_core::audit::append(
        &session.store,
        "qa_sampled",
        &format!("seed:{} items:{}", drawn.seed, drawn.items.len()),
    )
    .await?;
    Ok(drawn)
}

/// A sampled reply in its conversation, masked.
pub async fn review_view(session: &Session, key: &str) -> Result<ReviewView, MailError> {
    require(session)?;
    let gone = || CoreError::Invalid("that reply is no longer kept (it may have expired)".into());
    let view = match key.split_once(':') {
        Some(("email", id)) => {
            let message: i64 = id.parse().map_err(|_| gone())?;
            let conversation = qa::conversation_of(session, message).await?;
            let view = crate::reading::conversation(session, conversation).await?;
            let mut names = mask::names_of(&view.summary.correspondent);
            for m in view.messages.iter().filter(|m| m.incoming) {
                names.extend(mask::names_of(&m.from));
                names.extend(m.from_name.clone());
            }
            ReviewView {
                key: key.to_owned(),
                channel: "email".into(),
                subject: mask::mask(&view.summary.subject, &names),
                lines: view
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
            let listed = records::list_ids(session, &server(session), "webchat", vec![id.to_owned()]).await?;
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
    confide_core::audit::append(&session.store, "qa_viewed", key).await?;
    Ok(view)
}

/// Keeps a review, sealed to the managers.
pub async fn save_review(session: &Session, review: &Review) -> Result<(), MailError> {
    require(session)?;
    qa::check_review(review, &session.preset().rubric())?;
    let mut kept = review.clone();
    kept.reviewer = session.profile.display_name.clone();
    kept.at = session.store.now_ts();
    let body = serde_json::to_vec(&kept).expect("reviews serialise");
    records::put(session, &server(session), qa::REVIEW_CLASS, None, kept.at, &body).await?;
    confide_core::audit::append(&session.store, "qa_reviewed", &review.key).await?;
    Ok(())
}

/// Every review this manager can open, oldest first.
pub async fn reviews(session: &Session) -> Result<Vec<Review>, MailError> {
    require(session)?;
    let mut out: Vec<Review> = records::list(session, &server(session), qa::REVIEW_CLASS)
        .await?
        .into_iter()
        .filter_map(|l| l.record.ok())
        .filter_map(|r| serde_json::from_slice(&r.body).ok())
        .collect();
    out.sort_by_key(|r| r.at);
    Ok(out)
}

/// The per-advisor summary as CSV, for supervision; the export is audited.
pub async fn export_summary(session: &Session) -> Result<String, MailError> {
    let rows = qa::summary(&reviews(session).await?);
    let names = confide_core::team::known_names(&session.store, &server(session)).await?;
    confide_core::audit::append(&session.store, "qa_exported", &format!("rows:{}", rows.len())).await?;
    Ok(qa::summary_csv(&rows, &session.preset().rubric(), &names))
}
