//! Case records: the long-lived records a policy names besides conversations (a safeguarding
//! referral kept five years in respect-mal-current; a complaint's personal details six months
//! and a child-protection disclosure twelve in nsh-2015). Each is a shared record of its own
//! preset class, sealed to that class's readers and expired in its folder by that class's
//! period. Which classes there are is the preset's: any class kept in record folders that no
//! other part of Confide writes.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::policy::{Period, Place, Preset, RetentionClass};
use crate::staff::Session;
use crate::{CoreError, Refusal};

mod flow;
pub use flow::{create, list};

/// The classes a case record can be made in under this preset. Classes kept until an event
/// (a literature address until it is sent) are consent records, not case records.
pub fn classes(preset: &Preset) -> Vec<&RetentionClass> {
    preset
        .retention
        .iter()
        .filter(|c| {
            c.delete_from.contains(&Place::RecordFolders)
                && !crate::record_store::classes::is_own(&c.id)
                && !matches!(c.period, Period::Until(_))
        })
        .collect()
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CaseInput {
    pub class: String,
    pub line: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseRecord {
    pub class: String,
    pub line: String,
    pub text: String,
    pub by: String,
    #[ts(type = "number")]
    pub at: i64,
}

/// Checks a new case record and makes it.
pub fn make(session: &Session, input: &CaseInput) -> Result<CaseRecord, CoreError> {
    if !classes(session.preset()).iter().any(|c| c.id == input.class) {
        return Err(CoreError::Refused(Refusal::NotInPolicy("keeps no record of that kind".into())));
    }
    if !session.profile.lines.contains(&input.line) {
        return Err(CoreError::Refused(Refusal::NotYourLine));
    }
    if input.text.trim().is_empty() {
        return Err(CoreError::Invalid("write what the record is to hold".into()));
    }
    Ok(CaseRecord {
        class: input.class.clone(),
        line: input.line.clone(),
        text: input.text.trim().to_owned(),
        by: session.profile.display_name.clone(),
        at: session.store.now_ts(),
    })
}
