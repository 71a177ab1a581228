//! Case records on the shared mailbox: one record each, in its class's folder, sealed to the
//! class's readers (see `confide_core::case_records`).

use confide_core::case_records::{self, CaseInput, CaseRecord};
use confide_core::staff::Session;

use crate::MailError;

/// Keeps a case record; returns its record id.
pub async fn create(session: &Session, input: &CaseInput) -> Result<String, MailError> {
    let record = case_records::make(session, input)?;
    let body = serde_json::to_vec(&record).expect("records serialise");
    let header = crate::records::put(session, &record.class, Some(&record.line), record.at, &body).await?;
    confide_core::audit::append(&session.store, "case_recorded", &format!("{}:{}", record.class, header.id)).await?;
    Ok(header.id)
}

/// The case records of every class this person may read, oldest first.
pub async fn list(session: &Session) -> Result<Vec<CaseRecord>, MailError> {
    let mut out = vec![];
    for class in case_records::classes(session.preset()) {
        for listed in crate::records::list(session, &class.id).await? {
            if let Some(r) = listed.record.ok().and_then(|r| serde_json::from_slice::<CaseRecord>(&r.body).ok()) {
                out.push(r);
            }
        }
    }
    out.sort_by_key(|r| r.at);
    Ok(out)
}
