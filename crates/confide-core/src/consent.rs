//! Contact details kept with consent (POLICIES.md section 4: "retained only with express
//! consent, and only for the consented purpose"). A surname, address, email or phone number is
//! kept only as a record of the purpose's class (nsh-2015: `literature_address` until the
//! literature is sent; `feedback_contact` until the feedback call is made), sealed to that
//! class's readers, and destroyed the moment its purpose is done. Feedback from the call is
//! kept anonymised in the `feedback` class.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::staff::Session;
use crate::{CoreError, Refusal};

mod flow;
pub use flow::{done, feedback, list, record, KeptContact};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Purpose {
    /// Sending literature: kept until it is sent.
    Literature,
    /// A quality-of-service feedback call: kept until the call is made.
    Feedback,
}

impl Purpose {
    pub fn class(self) -> &'static str {
        match self {
            Purpose::Literature => "literature_address",
            Purpose::Feedback => "feedback_contact",
        }
    }
}

/// The purposes the preset keeps contact details for.
pub fn purposes(preset: &crate::policy::Preset) -> Vec<Purpose> {
    [Purpose::Literature, Purpose::Feedback]
        .into_iter()
        .filter(|p| preset.retention_class(p.class()).is_some())
        .collect()
}

/// The class anonymised feedback is kept in.
pub const FEEDBACK_CLASS: &str = crate::record_store::classes::FEEDBACK;

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ContactInput {
    pub purpose: Purpose,
    pub line: String,
    pub name: String,
    /// The postal address, email address or telephone number, as given.
    pub contact: String,
    /// The service user expressly agreed to this for this purpose.
    pub consent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Contact {
    pub purpose: Purpose,
    pub line: String,
    pub name: String,
    pub contact: String,
    pub recorded_by: String,
    #[ts(type = "number")]
    pub at: i64,
}

/// Feedback from a call, with the person's details masked: nothing to say who gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Feedback {
    pub line: String,
    /// `YYYY-MM`.
    pub month: String,
    pub text: String,
}

/// Checks a request to keep contact details and makes the record.
pub fn make(session: &Session, input: &ContactInput) -> Result<Contact, CoreError> {
    if !input.consent {
        return Err(CoreError::Invalid(
            "contact details are kept only with the service user's express consent for this purpose; without it, call them by a pseudonym and keep nothing".into(),
        ));
    }
    if session.preset().retention_class(input.purpose.class()).is_none() {
        return Err(CoreError::Refused(Refusal::NotInPolicy("keeps no contact details for that purpose".into())));
    }
    if !session.profile.lines.contains(&input.line) {
        return Err(CoreError::Refused(Refusal::NotYourLine));
    }
    if input.name.trim().is_empty() || input.contact.trim().is_empty() {
        return Err(CoreError::Invalid("give the name and the address or number to use".into()));
    }
    Ok(Contact {
        purpose: input.purpose,
        line: input.line.clone(),
        name: input.name.trim().to_owned(),
        contact: input.contact.trim().to_owned(),
        recorded_by: session.profile.display_name.clone(),
        at: session.store.now_ts(),
    })
}

/// The feedback, anonymised: the person's name and contact words, and any address, number or
/// email, masked; only the month kept.
pub fn anonymise(contact: &Contact, text: &str, now: i64) -> Feedback {
    let names = vec![contact.name.clone(), contact.contact.clone()];
    Feedback { line: contact.line.clone(), month: crate::qa::month_of(now), text: crate::qa::mask::mask(text, &names) }
}
