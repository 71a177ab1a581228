//! First run and the staff member's identity: which policy the helpline uses, who is at this
//! desktop, and whether they have accepted the current confidentiality agreement. No content is
//! reachable without a [`Session`], and a `Session` only exists after acceptance.

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use ts_rs::TS;

use crate::policy::{Agreement, Preset, Role, RoleKind, ServiceLine};
use crate::{CoreError, Refusal, Store};

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PresetChoice {
    pub id: String,
    pub name: String,
    pub organisation: String,
    pub roles: Vec<Role>,
    pub lines: Vec<ServiceLine>,
    /// The exception categories, offered as risk flags.
    pub exceptions: Vec<crate::policy::ExceptionCategory>,
}

impl From<&Preset> for PresetChoice {
    fn from(p: &Preset) -> Self {
        PresetChoice {
            id: p.id.clone(),
            name: p.name.clone(),
            organisation: p.organisation.clone(),
            roles: p.roles.clone(),
            lines: p.lines.clone(),
            exceptions: p.exceptions.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StaffProfile {
    pub display_name: String,
    pub role: RoleKind,
    pub role_name: String,
    pub preset: PresetChoice,
    pub agreement_version: String,
    /// RFC 3339.
    pub accepted_at: String,
    /// The fingerprint of this staff member's public key: how claims name them on the server.
    pub fingerprint: String,
    /// The service lines (ids) this person works on: all they can see, search or open.
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum SetupState {
    /// First run: choose the preset, give a name and a role.
    NeedsProfile {
        presets: Vec<PresetChoice>,
    },
    /// The agreement of the current policy version has not been accepted by this person.
    NeedsAgreement {
        display_name: String,
        role_name: String,
        preset: PresetChoice,
        agreement: Agreement,
        /// The version accepted before, if the policy has changed since.
        previously_accepted: Option<String>,
    },
    Ready {
        profile: StaffProfile,
    },
}

struct ProfileRow {
    preset_id: String,
    display_name: String,
    role: String,
    lines: String,
}

async fn profile_row(store: &Store) -> Result<Option<ProfileRow>, CoreError> {
    Ok(sqlx::query_as!(ProfileRow, "SELECT preset_id, display_name, role, lines FROM staff_profile WHERE id = 1")
        .fetch_optional(store.pool())
        .await?)
}

pub async fn setup_state(store: &Store) -> Result<SetupState, CoreError> {
    let Some(row) = profile_row(store).await? else {
        return Ok(SetupState::NeedsProfile {
            presets: store.catalog().presets().iter().map(PresetChoice::from).collect(),
        });
    };
    let preset = store.catalog().get(&row.preset_id)?;
    let role = RoleKind::parse(&row.role).ok_or_else(|| CoreError::Invalid(format!("unknown role {}", row.role)))?;
    let role_name = preset.role(role).map(|r| r.name.clone()).unwrap_or_else(|| row.role.clone());
    let version = &preset.agreement.version;
    let accepted = sqlx::query!(
        "SELECT accepted_at FROM agreement_acceptances
         WHERE preset_id = ? AND agreement_version = ? AND display_name = ? AND role = ?
         ORDER BY accepted_at DESC LIMIT 1",
        row.preset_id,
        version,
        row.display_name,
        row.role
    )
    .fetch_optional(store.pool())
    .await?;
    match accepted {
        Some(a) => Ok(SetupState::Ready {
            profile: StaffProfile {
                lines: lines_of(preset, role, &row.lines),
                display_name: row.display_name,
                role,
                role_name,
                preset: preset.into(),
                agreement_version: version.clone(),
                accepted_at: rfc3339(a.accepted_at),
                fingerprint: store.identity().fingerprint(),
            },
        }),
        None => {
            let previously_accepted = sqlx::query_scalar!(
                "SELECT agreement_version FROM agreement_acceptances WHERE preset_id = ?
                 ORDER BY accepted_at DESC, id DESC LIMIT 1",
                row.preset_id
            )
            .fetch_optional(store.pool())
            .await?;
            Ok(SetupState::NeedsAgreement {
                display_name: row.display_name,
                role_name,
                preset: preset.into(),
                agreement: preset.agreement.clone(),
                previously_accepted,
            })
        }
    }
}

/// The lines a profile works on: a manager every line of the preset; anyone else the lines
/// chosen at first run that the preset still has (every line for a profile from before lines
/// were chosen).
fn lines_of(preset: &Preset, role: RoleKind, stored: &str) -> Vec<String> {
    let chosen: Vec<String> = serde_json::from_str(stored).unwrap_or_default();
    let all = preset.lines.iter().map(|l| l.id.clone());
    if role == RoleKind::Manager || chosen.is_empty() {
        return all.collect();
    }
    all.filter(|l| chosen.contains(l)).collect()
}

/// The lines whose conversations a person sees: the lines they work on, and mail not yet on a
/// line if the preset lets their role route it.
fn visible_lines(preset: &Preset, role: RoleKind, mut lines: Vec<String>) -> Vec<String> {
    if preset.may_route(role) {
        lines.push(crate::policy::NOT_ON_A_LINE.to_owned());
    }
    lines
}

/// Records the preset, name and role chosen at first run, working on every line of the preset.
pub async fn save_profile(
    store: &Store,
    preset_id: &str,
    display_name: &str,
    role: RoleKind,
) -> Result<SetupState, CoreError> {
    let lines: Vec<String> = store.catalog().get(preset_id)?.lines.iter().map(|l| l.id.clone()).collect();
    save_profile_on_lines(store, preset_id, display_name, role, &lines).await
}

/// Records the preset, name, role and the service lines this person works on (a manager works
/// on all of them, whatever is chosen).
pub async fn save_profile_on_lines(
    store: &Store,
    preset_id: &str,
    display_name: &str,
    role: RoleKind,
    lines: &[String],
) -> Result<SetupState, CoreError> {
    let display_name = display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 80 {
        return Err(CoreError::Invalid("give a display name of 1 to 80 characters; a first name is enough".into()));
    }
    let preset = store.catalog().get(preset_id)?;
    if preset.role(role).is_none() {
        return Err(CoreError::Invalid(format!("the policy \"{}\" has no {} role", preset.name, role.as_str())));
    }
    if let Some(unknown) = lines.iter().find(|l| !preset.lines.iter().any(|p| &p.id == *l)) {
        return Err(CoreError::Invalid(format!("the policy \"{}\" has no service line \"{unknown}\"", preset.name)));
    }
    if lines.is_empty() && role != RoleKind::Manager {
        return Err(CoreError::Invalid("choose the service lines you work on".into()));
    }
    if profile_row(store).await?.is_some() {
        return Err(CoreError::Invalid("this desktop is already set up for a staff member".into()));
    }
    let (role_str, now) = (role.as_str(), store.now_ts());
    let lines = serde_json::to_string(lines).expect("strings serialise");
    sqlx::query!(
        "INSERT INTO staff_profile (id, preset_id, display_name, role, created_at, lines) VALUES (1, ?, ?, ?, ?, ?)",
        preset_id,
        display_name,
        role_str,
        now,
        lines
    )
    .execute(store.pool())
    .await?;
    crate::store::kept_policy::keep_chosen(store.pool(), store.catalog(), preset_id).await?;
    crate::mailstore::forget_other_lines(store).await?;
    setup_state(store).await
}

/// The team directory is the authority on a member's role and lines once it lists them: what a
/// person chose at first run stands only until a manager's signed entry says otherwise. Losing a
/// line forgets its conversations here; gaining one makes the next sync look through every
/// folder again (what is held is skipped), since the line's mail was passed over. An entry with
/// no lines for someone who is not a manager is not followed: it would widen, not narrow.
/// Returns whether anything changed.
pub async fn follow_directory(store: &Store, role: RoleKind, lines: &[String]) -> Result<bool, CoreError> {
    let row = profile_row(store).await?.ok_or(CoreError::NotSetUp)?;
    let preset = store.catalog().get(&row.preset_id)?;
    if preset.role(role).is_none() || (role != RoleKind::Manager && lines.is_empty()) {
        return Ok(false);
    }
    let known: Vec<String> = lines.iter().filter(|l| preset.lines.iter().any(|p| &p.id == *l)).cloned().collect();
    let before = working_lines(store).await?.unwrap_or_default();
    let stored = serde_json::to_string(&known).expect("strings serialise");
    let after = visible_lines(preset, role, lines_of(preset, role, &stored));
    if RoleKind::parse(&row.role) == Some(role) && after == before {
        return Ok(false);
    }
    let role_str = role.as_str();
    sqlx::query!("UPDATE staff_profile SET role = ?, lines = ? WHERE id = 1", role_str, stored)
        .execute(store.pool())
        .await?;
    if after.iter().any(|l| !before.contains(l)) {
        crate::mailstore::look_again(store).await?;
    }
    crate::mailstore::forget_other_lines(store).await?;
    Ok(true)
}

/// Records acceptance of the agreement version the person was shown. Accepting a version
/// other than the current one is refused: they must read what is in force.
pub async fn accept_agreement(store: &Store, agreement_version: &str) -> Result<SetupState, CoreError> {
    let row = profile_row(store).await?.ok_or(CoreError::NotSetUp)?;
    let preset = store.catalog().get(&row.preset_id)?;
    if preset.agreement.version != agreement_version {
        return Err(CoreError::Invalid(
            "the confidentiality agreement has changed since it was shown; read the current version".into(),
        ));
    }
    let now = store.now_ts();
    sqlx::query!(
        "INSERT INTO agreement_acceptances
           (preset_id, preset_version, agreement_version, display_name, role, accepted_at)
         VALUES (?, ?, ?, ?, ?, ?)",
        row.preset_id,
        preset.version,
        agreement_version,
        row.display_name,
        row.role,
        now
    )
    .execute(store.pool())
    .await?;
    tracing::info!(preset = %row.preset_id, version = %agreement_version, "agreement accepted");
    setup_state(store).await
}

/// Proof that the person at this desktop has accepted the agreement in force. Everything that
/// shows content takes one.
#[derive(Clone)]
pub struct Session {
    pub store: Store,
    pub profile: StaffProfile,
}

impl Session {
    pub fn preset(&self) -> &Preset {
        self.store.catalog().get(&self.profile.preset.id).expect("profile preset exists")
    }

    /// Refuses anyone but a manager: "only a manager can {action}". The role check is the UI's
    /// second line; keys are the first.
    pub fn require_manager(&self, action: &str) -> Result<(), CoreError> {
        match self.profile.role {
            RoleKind::Manager => Ok(()),
            _ => Err(CoreError::Refused(Refusal::Role { allowed: "a manager".into(), action: action.into() })),
        }
    }

    /// The lines whose conversations this person sees: those they work on, and mail not yet
    /// on a line where the preset lets them route it.
    pub fn visible_lines(&self) -> Vec<String> {
        visible_lines(self.preset(), self.profile.role, self.profile.lines.clone())
    }

    /// [`Session::visible_lines`] as a JSON array for `json_each` in queries.
    pub fn lines_json(&self) -> String {
        serde_json::to_string(&self.visible_lines()).expect("strings serialise")
    }
}

pub async fn session(store: &Store) -> Result<Session, CoreError> {
    match setup_state(store).await? {
        SetupState::Ready { profile } => Ok(Session { store: store.clone(), profile }),
        SetupState::NeedsAgreement { .. } => Err(CoreError::AgreementRequired),
        SetupState::NeedsProfile { .. } => Err(CoreError::NotSetUp),
    }
}

/// The person at this desktop for sync's own steps (following the team and the triage state),
/// which show nothing to anyone: before the agreement is accepted too, so a desktop whose
/// timer runs retention still honours the team's legal holds. Never for showing content.
pub async fn sync_session(store: &Store) -> Result<Session, CoreError> {
    if let Ok(session) = session(store).await {
        return Ok(session);
    }
    let row = profile_row(store).await?.ok_or(CoreError::NotSetUp)?;
    let preset = store.catalog().get(&row.preset_id)?;
    let role = RoleKind::parse(&row.role).ok_or_else(|| CoreError::Invalid(format!("unknown role {}", row.role)))?;
    let profile = StaffProfile {
        lines: lines_of(preset, role, &row.lines),
        role_name: preset.role(role).map(|r| r.name.clone()).unwrap_or_else(|| row.role.clone()),
        display_name: row.display_name,
        role,
        preset: preset.into(),
        agreement_version: String::new(),
        accepted_at: String::new(),
        fingerprint: store.identity().fingerprint(),
    };
    Ok(Session { store: store.clone(), profile })
}

fn rfc3339(ts: i64) -> String {
    OffsetDateTime::from_unix_timestamp(ts).ok().and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_default()
}

/// The lines whose mail the person at this desktop sees (those they work on, and mail not yet
/// on a line if they may route it), or `None` before anyone is set up (a bare `confide sync`).
/// Sync stores nothing of the other lines.
pub async fn working_lines(store: &Store) -> Result<Option<Vec<String>>, CoreError> {
    let Some(row) = profile_row(store).await? else { return Ok(None) };
    let preset = store.catalog().get(&row.preset_id)?;
    let role = RoleKind::parse(&row.role).ok_or_else(|| CoreError::Invalid(format!("unknown role {}", row.role)))?;
    Ok(Some(visible_lines(preset, role, lines_of(preset, role, &row.lines))))
}

/// The policy this desktop was set up with. Retention needs it even before anyone has
/// accepted the agreement: expiry must not wait for someone to open the app.
pub async fn active_preset(store: &Store) -> Result<&crate::policy::Preset, CoreError> {
    let row = profile_row(store).await?.ok_or(CoreError::NotSetUp)?;
    Ok(store.catalog().get(&row.preset_id)?)
}
