//! Case records in the record store: one record each, in its class's folder, sealed to the
//! class's readers.

use super::{classes, make, CaseInput, CaseRecord};
use crate::record_store::{self as records, RecordStore};
use crate::staff::Session;

/// Keeps a case record; returns its record id.
pub async fn create<S: RecordStore>(session: &Session, server: &S, input: &CaseInput) -> Result<String, S::Error> {
    let record = make(session, input)?;
    let body = serde_json::to_vec(&record).expect("records serialise");
    let header = records::put(session, server, &record.class, Some(&record.line), record.at, &body).await?;
    crate::audit::append(&session.store, "case_recorded", &format!("{}:{}", record.class, header.id)).await?;
    Ok(header.id)
}

/// The case records of every class this person may read, oldest first.
pub async fn list<S: RecordStore>(session: &Session, server: &S) -> Result<Vec<CaseRecord>, S::Error> {
    let mut out = vec![];
    for class in classes(session.preset()) {
        for listed in records::list(session, server, &class.id).await? {
            if let Some(r) = listed.record.ok().and_then(|r| serde_json::from_slice::<CaseRecord>(&r.body).ok()) {
                out.push(r);
            }
        }
    }
    out.sort_by_key(|r| r.at);
    Ok(out)
}
