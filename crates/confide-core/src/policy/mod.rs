//! Policy presets: everything a helpline's confidentiality policy decides, as data.
//!
//! A preset is a TOML file (`policies/*.toml`, schema in `policies/README.md`). Code reads
//! periods, lines, roles and exception categories from here and never from constants.

mod catalog;
mod period;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use ts_rs::TS;

pub use catalog::{load_file, Catalog};
pub use period::Period;

/// The schema version this build understands.
pub const SCHEMA: u32 = 1;

#[derive(Debug, Error)]
pub enum PolicyError {
    #[error("cannot read the policy file {file}: {message}")]
    Read { file: String, message: String },
    #[error("{file}, line {line}: {message}")]
    Invalid { file: String, line: usize, message: String },
    #[error("{file}: {message}")]
    Rule { file: String, message: String },
    #[error("there is no policy preset called \"{0}\"")]
    Unknown(String),
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Preset {
    pub schema: u32,
    pub id: String,
    pub name: String,
    pub organisation: String,
    /// Changes whenever the policy text changes; staff accept each version.
    pub version: String,
    /// The published policy this preset is drawn from.
    pub source: String,
    pub agreement: Agreement,
    pub lines: Vec<ServiceLine>,
    pub roles: Vec<Role>,
    pub exceptions: Vec<ExceptionCategory>,
    pub retention: Vec<RetentionClass>,
    #[serde(default)]
    pub rules: Rules,
    /// What managers score sampled replies against (`[[qa_rubric]]`); Confide's default when
    /// the preset names none.
    #[serde(default)]
    pub qa_rubric: Vec<crate::qa::Criterion>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Agreement {
    pub version: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ServiceLine {
    pub id: String,
    pub name: String,
    pub description: String,
}

/// What a role may do is the code's business; which roles exist and what they are called is
/// the preset's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RoleKind {
    Advisor,
    TeamLeader,
    Manager,
}

impl RoleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Advisor => "advisor",
            RoleKind::TeamLeader => "team_leader",
            RoleKind::Manager => "manager",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "advisor" => Some(RoleKind::Advisor),
            "team_leader" => Some(RoleKind::TeamLeader),
            "manager" => Some(RoleKind::Manager),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Role {
    pub id: RoleKind,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ExceptionCategory {
    pub id: String,
    pub label: String,
}

/// Where a record class is destroyed from when it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Place {
    /// The desktop store: rows, full-text index, blobs, journal.
    Local,
    /// Every folder of the shared mailbox: Inbox, Sent and subfolders, Trash, archives.
    SharedMailbox,
    /// Copies in advisors' personal Sent folders.
    PersonalSent,
    /// Copies in advisors' personal Deleted Items / Trash.
    PersonalDeleted,
    /// The `Confide/*` record folders on the server.
    RecordFolders,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct RetentionClass {
    pub id: String,
    pub label: String,
    #[ts(as = "String")]
    pub period: Period,
    /// What stays after expiry (e.g. an anonymous report); nothing identifying.
    #[serde(default)]
    pub keeps: Option<String>,
    pub delete_from: Vec<Place>,
    pub readers: Vec<RoleKind>,
    /// The server folder records of this class are kept in (`Confide/<name>`); by default
    /// `Confide/<id>`. Email needs none: it lives in the shared mailbox's own folders.
    #[serde(default)]
    pub folder: Option<String>,
}

impl RetentionClass {
    /// The record folder, `/`-separated (the server's separator is put in when it is used).
    pub fn folder(&self) -> String {
        self.folder.clone().unwrap_or_else(|| format!("Confide/{}", self.id))
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Rules {
    /// Nothing in one line's view may reveal contact on another (respect-*).
    #[serde(default)]
    pub line_firewall: bool,
    /// A manager must be consulted before a disclosure decision (nsh-2015).
    #[serde(default)]
    pub consult_manager_before_disclosure: bool,
    /// Outgoing messages only to people who contacted the service first (acevo).
    #[serde(default)]
    pub no_cold_contact: bool,
    /// Contact details are kept only with recorded consent for a purpose (nsh-2015).
    #[serde(default)]
    pub contact_details_need_consent: bool,
    /// Replies are sampled by management for quality (respect-*, acevo).
    #[serde(default)]
    pub quality_monitoring: bool,
    /// Roles besides managers that see mail not yet on a line (sent to the shared mailbox's
    /// own address, not a line's) and put it on one. Nobody else ever sees it.
    #[serde(default)]
    pub route_roles: Vec<RoleKind>,
}

/// The line of a conversation that came to no line's address: nobody has yet decided which
/// line it is for, so only those who may route it see it ([`Preset::may_route`]).
pub const NOT_ON_A_LINE: &str = "unrouted";

impl Preset {
    /// Parses and checks one preset. `file` names it in error messages.
    pub fn parse(file: &str, text: &str) -> Result<Preset, PolicyError> {
        let preset: Preset = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            PolicyError::Invalid { file: file.to_owned(), line, message: e.message().to_owned() }
        })?;
        preset.check().map_err(|message| PolicyError::Rule { file: file.to_owned(), message })?;
        Ok(preset)
    }

    fn check(&self) -> Result<(), String> {
        if self.schema != SCHEMA {
            return Err(format!("schema {} is not supported; this Confide reads schema {SCHEMA}", self.schema));
        }
        if self.agreement.text.trim().is_empty() || self.agreement.version.trim().is_empty() {
            return Err("the confidentiality agreement needs a version and a text".into());
        }
        if self.lines.is_empty() {
            return Err("a preset needs at least one service line".into());
        }
        unique("service line", self.lines.iter().map(|l| l.id.as_str()))?;
        if self.lines.iter().any(|l| l.id == NOT_ON_A_LINE) {
            return Err(format!(
                "\"{NOT_ON_A_LINE}\" is Confide's name for mail not yet on a line; give the service line another id"
            ));
        }
        if let Some(r) = self.rules.route_roles.iter().find(|r| self.role(**r).is_none()) {
            return Err(format!(
                "rules.route_roles names the role \"{}\", which the preset does not define",
                r.as_str()
            ));
        }
        unique("exception category", self.exceptions.iter().map(|e| e.id.as_str()))?;
        unique("retention class", self.retention.iter().map(|r| r.id.as_str()))?;
        unique("role", self.roles.iter().map(|r| r.id.as_str()))?;
        unique("rubric criterion", self.qa_rubric.iter().map(|c| c.id.as_str()))?;
        if !self.roles.iter().any(|r| r.id == RoleKind::Manager) {
            return Err("a preset needs a manager role: someone must be able to review".into());
        }
        for class in &self.retention {
            for reader in &class.readers {
                if !self.roles.iter().any(|r| r.id == *reader) {
                    return Err(format!(
                        "retention class \"{}\" names the reader role \"{}\", which the preset does not define",
                        class.id,
                        reader.as_str()
                    ));
                }
            }
            let folder = class.folder();
            let name = folder.strip_prefix("Confide/").unwrap_or("");
            if name.is_empty()
                || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                || name == "Team"
                || name == "Audit"
            {
                return Err(format!(
                    "retention class \"{}\" has the folder \"{folder}\"; a record folder is Confide/ and one name of letters, digits, - or _ (not Team or Audit, which Confide keeps for itself)",
                    class.id
                ));
            }
            if class.readers.is_empty() {
                return Err(format!("retention class \"{}\" has no readers", class.id));
            }
        }
        Ok(())
    }

    pub fn role(&self, kind: RoleKind) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == kind)
    }

    /// Whether someone in `role` sees mail not yet on a line and may put it on one: managers,
    /// and the roles the preset names.
    pub fn may_route(&self, role: RoleKind) -> bool {
        role == RoleKind::Manager || self.rules.route_roles.contains(&role)
    }

    pub fn retention_class(&self, id: &str) -> Option<&RetentionClass> {
        self.retention.iter().find(|r| r.id == id)
    }

    /// The quality rubric: the preset's, or Confide's default.
    pub fn rubric(&self) -> Vec<crate::qa::Criterion> {
        if self.qa_rubric.is_empty() {
            crate::qa::default_rubric()
        } else {
            self.qa_rubric.clone()
        }
    }
}

fn unique<'a>(what: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(format!("the {what} \"{id}\" is defined twice"));
        }
    }
    Ok(())
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|b| *b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::catalog::BUILTIN;
    use super::*;

    #[test]
    fn every_shipped_preset_loads() {
        let ids: Vec<_> = Catalog::builtin().presets().iter().map(|p| p.id.clone()).collect();
        assert_eq!(ids, ["nsh-2015", "respect-early", "respect-mal-a", "respect-mal-current", "acevo"]);
    }

    #[test]
    fn a_typo_is_reported_with_its_line() {
        let text = BUILTIN[0].1.replacen("organisation =", "organization =", 1);
        let err = Preset::parse("x.toml", &text).unwrap_err().to_string();
        let line = text.lines().position(|l| l.starts_with("organization")).unwrap() + 1;
        assert!(err.starts_with(&format!("x.toml, line {line}:")), "{err}");
        assert!(err.contains("organization"), "{err}");
    }

    #[test]
    fn a_record_folder_is_one_name_under_confide_and_not_confides_own() {
        let current = BUILTIN.iter().find(|(name, _)| name.contains("respect-mal-current")).unwrap().1;
        assert_eq!(
            Preset::parse("x.toml", current).unwrap().retention_class("letter").unwrap().folder(),
            "Confide/Letters"
        );
        for bad in ["Letters", "Confide/Team", "Confide/Audit", "Confide/a/b", "Confide/"] {
            let text = current.replace("folder = \"Confide/Letters\"", &format!("folder = \"{bad}\""));
            let err = Preset::parse("x.toml", &text).unwrap_err().to_string();
            assert!(err.contains("record folder"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_reader_role_must_exist() {
        let text = BUILTIN[0]
            .1
            .replace("name = \"Helpline Manager\"", "name = \"x\"")
            .replace("id = \"manager\"", "id = \"team_leader\"");
        assert!(Preset::parse("x.toml", &text).is_err());
    }
}
