//! Every class of record Confide's own features keep, in one place: its id (the record's
//! `Confide-Class` and, for classes the policy governs, the preset's retention class) and where
//! its folder comes from. A preset may add classes of its own (case records); those are the
//! preset's, and every class named here that a feature writes is refused in words where the
//! preset has no such class.

use crate::policy::Preset;
use crate::{CoreError, Refusal};

pub const WEBCHAT: &str = "webchat";
pub const LETTER: &str = "letter";
pub const LETTER_RESPONSE: &str = "letter_response";
pub const QA_REVIEW: &str = "qa_review";
pub const DISCLOSURE_REPORT: &str = "disclosure_report";
pub const DISCLOSURE_SUMMARY: &str = "disclosure_summary";
pub const FEEDBACK: &str = "feedback";
pub const AUDIT: &str = "audit";
pub const STATE: &str = "state";
pub const CANNED_REPLY: &str = "canned_reply";
pub const SENDER_BLOCK: &str = "sender_block";
pub const LEAFLET: &str = "leaflet";

/// Where a class's records are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A folder of the code's: the team's machinery, not retention's (the audit log, the
    /// triage state), so no preset can move or expire it by accident.
    Fixed(&'static str),
    /// The folder the preset's retention class of the same id names.
    Preset,
}

#[derive(Debug, Clone, Copy)]
pub struct Class {
    pub id: &'static str,
    pub place: Place,
    /// What it holds, for whoever reads the registry.
    pub holds: &'static str,
}

/// The classes Confide's features write (plus `email`, a conversation class, never a record).
pub const REGISTRY: &[Class] = &[
    Class { id: WEBCHAT, place: Place::Preset, holds: "a chat's transcript, archived when it ends" },
    Class { id: LETTER, place: Place::Preset, holds: "a postal letter: its summary, scans and destruction" },
    Class { id: LETTER_RESPONSE, place: Place::Preset, holds: "the response to a letter, where kept apart" },
    Class { id: QA_REVIEW, place: Place::Preset, holds: "a quality review: scores and a comment, no content" },
    Class { id: DISCLOSURE_REPORT, place: Place::Preset, holds: "a confidentiality-exception decision" },
    Class { id: DISCLOSURE_SUMMARY, place: Place::Preset, holds: "the anonymous summary of a disclosure" },
    Class { id: FEEDBACK, place: Place::Preset, holds: "anonymised feedback" },
    Class { id: AUDIT, place: Place::Fixed("Confide/Audit"), holds: "the team's signed audit log" },
    Class { id: STATE, place: Place::Fixed("Confide/State"), holds: "claims, status, risk flags and holds" },
    Class {
        id: CANNED_REPLY,
        place: Place::Fixed("Confide/Library"),
        holds: "the team's canned replies and each line's hours and phone number",
    },
    Class {
        id: SENDER_BLOCK,
        place: Place::Fixed("Confide/Library"),
        holds: "the senders (addresses or domains) each line has blocked, and unblocked",
    },
    Class {
        id: LEAFLET,
        place: Place::Fixed("Confide/Library"),
        holds: "each line's leaflets (PDF or images) for replies, and their files",
    },
];

/// Conversation classes: retention classes of the preset that are not records.
pub const CONVERSATIONS: &[&str] = &["email", WEBCHAT];

/// The folder records of `class` are kept in: fixed for the team's machinery, else the
/// preset's retention class (a case record's class is the preset's own).
pub fn folder(preset: &Preset, class: &str) -> Result<String, CoreError> {
    if let Some(Class { place: Place::Fixed(folder), .. }) = REGISTRY.iter().find(|c| c.id == class) {
        return Ok((*folder).to_owned());
    }
    Ok(preset
        .retention_class(class)
        .ok_or_else(|| CoreError::Refused(Refusal::NotInPolicy(format!("has no record class \"{class}\""))))?
        .folder())
}

/// Whether a class is one of the features' own (so not a case record the preset adds).
pub fn is_own(class: &str) -> bool {
    REGISTRY.iter().any(|c| c.id == class) || CONVERSATIONS.contains(&class)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Catalog;

    #[test]
    fn each_class_is_named_once_and_every_shipped_preset_gives_each_a_folder_or_none() {
        let mut ids: Vec<_> = REGISTRY.iter().map(|c| c.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), REGISTRY.len(), "a class is registered twice");
        for preset in Catalog::builtin().presets() {
            for class in REGISTRY {
                match (class.place, folder(preset, class.id)) {
                    (Place::Fixed(f), Ok(got)) => assert_eq!(got, f),
                    (Place::Preset, Ok(got)) => assert!(got.starts_with("Confide/"), "{}: {got}", preset.id),
                    // A preset without the class: its feature is refused, as the policy says.
                    (Place::Preset, Err(CoreError::Refused(Refusal::NotInPolicy(_)))) => {}
                    (_, other) => panic!("{} in {}: {other:?}", class.id, preset.id),
                }
            }
        }
    }
}
