//! Contact details on the shared mailbox, kept with consent for one purpose and destroyed when
//! it is done (see `confide_core::consent`).

use confide_core::consent::{self, Contact, ContactInput, Purpose, FEEDBACK_CLASS};
use confide_core::staff::Session;
use confide_core::CoreError;
use serde::Serialize;
use ts_rs::TS;

use crate::MailError;

/// Keeps contact details for a purpose, with the consent recorded; returns the record's id.
pub async fn record(session: &Session, input: &ContactInput) -> Result<String, MailError> {
    let contact = consent::make(session, input)?;
    let body = serde_json::to_vec(&contact).expect("contacts serialise");
    let header = crate::records::put(session, contact.purpose.class(), Some(&contact.line), contact.at, &body).await?;
    confide_core::audit::append(
        &session.store,
        "contact_kept_with_consent",
        &format!("{}:{}", contact.purpose.class(), header.id),
    )
    .await?;
    Ok(header.id)
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct KeptContact {
    pub id: String,
    pub contact: Contact,
}

/// The contact details this person may read, for every purpose the policy has.
pub async fn list(session: &Session) -> Result<Vec<KeptContact>, MailError> {
    let mut out = vec![];
    for purpose in consent::purposes(session.preset()) {
        for listed in crate::records::list(session, purpose.class()).await? {
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
pub async fn done(session: &Session, id: &str, feedback: Option<&str>) -> Result<(), MailError> {
    let kept = list(session)
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or_else(|| CoreError::Invalid("those contact details are not here (already destroyed?)".into()))?;
    if let (Purpose::Feedback, Some(text)) = (kept.contact.purpose, feedback.map(str::trim).filter(|t| !t.is_empty())) {
        if session.preset().retention_class(FEEDBACK_CLASS).is_none() {
            return Err(CoreError::Invalid("this policy has no class for anonymised feedback (feedback)".into()).into());
        }
        let anonymous = consent::anonymise(&kept.contact, text, session.store.now_ts());
        crate::records::put(
            session,
            FEEDBACK_CLASS,
            Some(&anonymous.line),
            session.store.now_ts(),
            &serde_json::to_vec(&anonymous).expect("feedback serialises"),
        )
        .await?;
    }
    crate::records::remove(session, kept.contact.purpose.class(), id).await?;
    let event = match kept.contact.purpose {
        Purpose::Literature => "contact_destroyed_literature_sent",
        Purpose::Feedback => "contact_destroyed_after_feedback",
    };
    confide_core::audit::append(&session.store, event, id).await?;
    Ok(())
}

/// The anonymised feedback this person may read.
pub async fn feedback(session: &Session) -> Result<Vec<consent::Feedback>, MailError> {
    if session.preset().retention_class(FEEDBACK_CLASS).is_none() {
        return Ok(vec![]);
    }
    Ok(crate::records::list(session, FEEDBACK_CLASS)
        .await?
        .into_iter()
        .filter_map(|l| l.record.ok())
        .filter_map(|r| serde_json::from_slice(&r.body).ok())
        .collect())
}
