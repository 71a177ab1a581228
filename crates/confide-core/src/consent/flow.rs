//! Keeping and destroying contact details in the record store.

use serde::Serialize;
use ts_rs::TS;

use super::{anonymise, make, purposes, Contact, ContactInput, Feedback, Purpose, FEEDBACK_CLASS};
use crate::record_store::{self as records, RecordStore};
use crate::staff::Session;
use crate::{CoreError, Refusal};

/// Keeps contact details for a purpose, with the consent recorded; returns the record's id.
pub async fn record<S: RecordStore>(session: &Session, server: &S, input: &ContactInput) -> Result<String, S::Error> {
    let contact = make(session, input)?;
    let body = serde_json::to_vec(&contact).expect("contacts serialise");
    let class = contact.purpose.class();
    let header = records::put(session, server, class, Some(&contact.line), contact.at, &body).await?;
    crate::audit::append(&session.store, "contact_kept_with_consent", &format!("{class}:{}", header.id)).await?;
    Ok(header.id)
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct KeptContact {
    pub id: String,
    pub contact: Contact,
}

/// The contact details this person may read, for every purpose the policy has.
pub async fn list<S: RecordStore>(session: &Session, server: &S) -> Result<Vec<KeptContact>, S::Error> {
    let mut out = vec![];
    for purpose in purposes(session.preset()) {
        for listed in records::list(session, server, purpose.class()).await? {
            let Ok(r) = listed.record else { continue };
            if let Ok(contact) = serde_json::from_slice::<Contact>(&r.body) {
                out.push(KeptContact { id: r.header.id, contact });
            }
        }
    }
    out.sort_by_key(|k| k.contact.at);
    Ok(out)
}

/// The purpose is done (the literature sent, the feedback call made): the details are destroyed
/// at once, and any feedback kept anonymised.
pub async fn done<S: RecordStore>(
    session: &Session,
    server: &S,
    id: &str,
    feedback: Option<&str>,
) -> Result<(), S::Error> {
    let kept = list(session, server)
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or_else(|| CoreError::Invalid("those contact details are not here (already destroyed?)".into()))?;
    if let (Purpose::Feedback, Some(text)) = (kept.contact.purpose, feedback.map(str::trim).filter(|t| !t.is_empty())) {
        if session.preset().retention_class(FEEDBACK_CLASS).is_none() {
            return Err(CoreError::Refused(Refusal::NotInPolicy(
                "keeps no class for anonymised feedback (feedback)".into(),
            ))
            .into());
        }
        let now = session.store.now_ts();
        let anonymous = anonymise(&kept.contact, text, now);
        let body = serde_json::to_vec(&anonymous).expect("feedback serialises");
        records::put(session, server, FEEDBACK_CLASS, Some(&anonymous.line), now, &body).await?;
    }
    records::remove(session, server, kept.contact.purpose.class(), id).await?;
    let event = match kept.contact.purpose {
        Purpose::Literature => "contact_destroyed_literature_sent",
        Purpose::Feedback => "contact_destroyed_after_feedback",
    };
    crate::audit::append(&session.store, event, id).await?;
    Ok(())
}

/// The anonymised feedback this person may read.
pub async fn feedback<S: RecordStore>(session: &Session, server: &S) -> Result<Vec<Feedback>, S::Error> {
    if session.preset().retention_class(FEEDBACK_CLASS).is_none() {
        return Ok(vec![]);
    }
    Ok(records::list(session, server, FEEDBACK_CLASS)
        .await?
        .into_iter()
        .filter_map(|l| l.record.ok())
        .filter_map(|r| serde_json::from_slice(&r.body).ok())
        .collect())
}
