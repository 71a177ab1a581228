//! Disclosure decisions: when an advisor breaks confidentiality under one of the preset's
//! exception categories, the decision is recorded as POLICIES.md section 3 asks: what was
//! disclosed and why, the manager consulted (before deciding, where the preset says so), any
//! other colleague consulted with their declaration that they can judge soundly, whether the
//! service user was told (or why that was not possible or safe), and what was shared with whom.
//!
//! Two records are kept: the report itself (identifying; its class's period, six months in
//! nsh-2015), and an anonymous summary that outlives it (category, month, line, the kinds of
//! agency, who was involved by staff key). Every incident is reviewed by a manager or senior
//! colleague who was not involved; reviews are kept with the summary.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::policy::{Preset, RoleKind};
use crate::staff::Session;
use crate::team::Directory;
use crate::{CoreError, Refusal};

mod flow;
pub use flow::{record, review, view, DisclosuresView};

/// The class of the anonymous summaries and their reviews (kept).
pub const SUMMARY_CLASS: &str = crate::record_store::classes::DISCLOSURE_SUMMARY;

/// Whether the service user was told that sharing was being considered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Told {
    Told,
    NotPossible { why: String },
    NotSafe { why: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Agency {
    EmergencyServices,
    Police,
    SocialServices,
    Partner,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Shared {
    pub with: Agency,
    /// What was passed on.
    pub what: String,
}

/// A colleague consulted, by their key in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Consulted {
    /// The colleague's signing key (as the directory lists it).
    pub key: String,
    /// Their declaration that they have not consumed alcohol and can judge soundly (nsh-2015).
    pub sound_judgement: bool,
}

/// What the advisor records.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct DisclosureInput {
    pub line: String,
    pub category: String,
    pub disclosed: String,
    pub why: String,
    /// The manager consulted, by signing key.
    pub manager_consulted: Option<String>,
    pub others_consulted: Vec<Consulted>,
    pub user_told: Told,
    pub shared: Vec<Shared>,
}

/// Someone involved, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "StaffPerson")]
pub struct Person {
    pub name: String,
    pub key: String,
}

/// The report (identifying; expires with its class).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "DisclosureReport")]
pub struct Report {
    pub id: String,
    pub line: String,
    pub category: String,
    pub disclosed: String,
    pub why: String,
    pub manager_consulted: Option<Person>,
    pub others_consulted: Vec<Person>,
    pub user_told: Told,
    pub shared: Vec<Shared>,
    pub decided_by: Person,
    #[ts(type = "number")]
    pub decided_at: i64,
}

/// What survives the report: nothing about the service user or what they said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "DisclosureSummary")]
pub struct Summary {
    pub id: String,
    pub line: String,
    pub category: String,
    /// `YYYY-MM`.
    pub month: String,
    /// `told`, `not_possible` or `not_safe`.
    pub user_told: String,
    pub agencies: Vec<Agency>,
    /// Signing keys of everyone involved (the decider and all consulted): none of them may
    /// review it.
    pub involved: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "DisclosureOutcome")]
pub enum Outcome {
    /// The decision was sound and handled as the policy asks.
    Sound,
    /// Sound, with lessons to take to supervision.
    SoundWithLessons,
    /// Not as the policy asks: to be taken further.
    NotSound,
}

/// A review by someone not involved, kept with the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "DisclosureReview")]
pub struct Review {
    pub disclosure: String,
    pub reviewer: Person,
    pub outcome: Outcome,
    pub comment: String,
    #[ts(type = "number")]
    pub at: i64,
}

/// The records of this module, as kept (the `part` tells them apart inside the encryption).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum Part {
    Report(Report),
    Summary(Summary),
    Review(Review),
}

/// The class the identifying report is kept in: the preset's `disclosure_report`, else its
/// `safeguarding_referral` (respect-mal-current keeps information shared with agencies five years).
pub fn report_class(preset: &Preset) -> Result<&'static str, CoreError> {
    ["disclosure_report", "safeguarding_referral"].into_iter().find(|c| preset.retention_class(c).is_some()).ok_or_else(
        || {
            CoreError::Refused(Refusal::NotInPolicy(
                "keeps no record class for disclosure decisions (disclosure_report)".into(),
            ))
        },
    )
}

fn person(dir: &Directory, key: &str) -> Option<Person> {
    dir.members
        .iter()
        .find(|m| m.signing_key == key)
        .map(|m| Person { name: m.name.clone(), key: m.signing_key.clone() })
}

/// Checks a decision against the preset and the directory and makes its two records.
pub fn decide(
    session: &Session,
    dir: &Directory,
    input: &DisclosureInput,
    me: &str,
    id: String,
) -> Result<(Report, Summary), CoreError> {
    let preset = session.preset();
    if !preset.exceptions.iter().any(|e| e.id == input.category) {
        return Err(CoreError::Invalid("choose one of this helpline's exception categories".into()));
    }
    if !session.profile.lines.contains(&input.line) {
        return Err(CoreError::Refused(Refusal::NotYourLine));
    }
    if input.disclosed.trim().is_empty() || input.why.trim().is_empty() {
        return Err(CoreError::Invalid("say what was disclosed and why".into()));
    }
    let manager = match &input.manager_consulted {
        Some(key) => {
            let m =
                dir.members.iter().find(|m| &m.signing_key == key && m.role == RoleKind::Manager).ok_or_else(|| {
                    CoreError::Invalid("the manager consulted must be a manager in the team directory".into())
                })?;
            if m.signing_key == me {
                return Err(CoreError::Invalid(
                    "consult another manager: you cannot be the manager you consulted".into(),
                ));
            }
            Some(Person { name: m.name.clone(), key: m.signing_key.clone() })
        }
        None if preset.rules.consult_manager_before_disclosure => {
            return Err(CoreError::Invalid(
                "this policy asks you to consult a manager before deciding: record who you consulted".into(),
            ))
        }
        None => None,
    };
    let mut others = vec![];
    for c in &input.others_consulted {
        if !c.sound_judgement {
            return Err(CoreError::Invalid(
                "a colleague consulted must declare that they can judge soundly (and have not consumed alcohol)".into(),
            ));
        }
        others.push(
            person(dir, &c.key)
                .ok_or_else(|| CoreError::Invalid("a colleague consulted must be in the team directory".into()))?,
        );
    }
    let told = match &input.user_told {
        Told::NotPossible { why } | Told::NotSafe { why } if why.trim().is_empty() => {
            return Err(CoreError::Invalid("say why the service user could not be told".into()));
        }
        Told::Told => "told",
        Told::NotPossible { .. } => "not_possible",
        Told::NotSafe { .. } => "not_safe",
    };
    let decided_by = person(dir, me)
        .ok_or_else(|| CoreError::Invalid("you must be in the team directory to record a disclosure".into()))?;
    let now = session.store.now_ts();
    let mut involved: Vec<String> = std::iter::once(me.to_owned())
        .chain(manager.iter().map(|m| m.key.clone()))
        .chain(others.iter().map(|o| o.key.clone()))
        .collect();
    involved.sort();
    involved.dedup();
    let mut agencies: Vec<Agency> = input.shared.iter().map(|s| s.with).collect();
    agencies.sort();
    agencies.dedup();
    let report = Report {
        id: id.clone(),
        line: input.line.clone(),
        category: input.category.clone(),
        disclosed: input.disclosed.trim().to_owned(),
        why: input.why.trim().to_owned(),
        manager_consulted: manager,
        others_consulted: others,
        user_told: input.user_told.clone(),
        shared: input.shared.clone(),
        decided_by,
        decided_at: now,
    };
    let summary = Summary {
        id,
        line: input.line.clone(),
        category: input.category.clone(),
        month: crate::qa::month_of(now),
        user_told: told.into(),
        agencies,
        involved,
    };
    Ok((report, summary))
}

/// Checks a review: by a manager (or, where the preset has them, a team leader as the senior
/// colleague) who was not involved in the incident, and not a second review of it.
pub fn check_review(session: &Session, me: &str, summary: &Summary, reviews: &[Review]) -> Result<(), CoreError> {
    may_review(session)?;
    if summary.involved.iter().any(|k| k == me) {
        return Err(CoreError::Invalid(
            "you were involved in this incident, so someone who was not must review it".into(),
        ));
    }
    if reviews.iter().any(|r| r.disclosure == summary.id) {
        return Err(CoreError::Invalid("this incident has been reviewed already".into()));
    }
    Ok(())
}

/// Whether this person's role reviews disclosures at all.
pub fn may_review(session: &Session) -> Result<(), CoreError> {
    if session.profile.role == RoleKind::Advisor {
        return Err(CoreError::Refused(Refusal::Role {
            allowed: "a manager or a senior colleague".into(),
            action: "review a disclosure".into(),
        }));
    }
    Ok(())
}

/// Incidents with no review yet, oldest first.
pub fn awaiting_review<'a>(summaries: &'a [Summary], reviews: &[Review]) -> Vec<&'a Summary> {
    summaries.iter().filter(|s| !reviews.iter().any(|r| r.disclosure == s.id)).collect()
}
