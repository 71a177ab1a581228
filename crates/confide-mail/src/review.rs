//! A reviewer's side of review before send: the rules are `confide_core::review`'s; this builds
//! the approved reply (so the checks every reply meets run before the decision is recorded)
//! and puts the approvals that count into this desktop's outbox, exactly once.

use confide_core::review::{self, Decision};
use confide_core::staff::Session;

use crate::records::ImapRecords;
use crate::reply::compose;
use crate::MailError;

/// Approves a waiting reply, as written or as `edited`, and queues it if this approval is the
/// one that counts (a colleague's earlier decision wins). Returns the outbox items queued.
pub async fn approve(session: &Session, draft: &str, edited: Option<&str>) -> Result<Vec<i64>, MailError> {
    let (conversation_id, written, leaflets) = review::waiting(session, draft).await?;
    let text = edited.map(str::trim_end).filter(|t| !t.is_empty()).unwrap_or(written.trim_end()).to_owned();
    let attached = crate::attach::resolve(session, conversation_id, &crate::attach::of_leaflets(&leaflets)).await?;
    let composed = compose(session, conversation_id, &text, None, &attached).await?;
    let decision = Decision::Approved { text, message_id: composed.message_id };
    review::decide(session, &ImapRecords::of(&session.store), draft, decision).await?;
    queue_approved(session).await
}

/// Returns a waiting reply to its writer with a comment; it is not sent.
pub async fn send_back(session: &Session, draft: &str, comment: &str) -> Result<(), MailError> {
    let decision = Decision::Returned { comment: comment.trim().to_owned() };
    review::decide(session, &ImapRecords::of(&session.store), draft, decision).await?;
    Ok(())
}

/// Puts every approval of this desktop's that counts and is not queued yet into the outbox, with
/// the Message-ID the approval fixed. A step of each sync as well, so an approval interrupted
/// between its decision and its queueing is sent on the next run (queueing and marking it
/// queued are one transaction: never twice).
pub async fn queue_approved(session: &Session) -> Result<Vec<i64>, MailError> {
    let store = &session.store;
    let mut queued = vec![];
    for a in review::to_send(store).await? {
        let attached =
            crate::attach::resolve(session, a.conversation_id, &crate::attach::of_leaflets(&a.leaflets)).await?;
        let composed = compose(session, a.conversation_id, &a.text, Some(&a.message_id), &attached).await?;
        queued.push(review::queue(store, &a, &composed.account_id, &composed.raw).await?);
    }
    Ok(queued)
}
