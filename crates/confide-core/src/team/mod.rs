//! The team directory: who works at the helpline, in which role, on which lines, and the keys
//! colleagues encrypt to and check signatures with. It is a list of signed changes (add a
//! member, remove one) kept on the server, so every desktop resolves the same team. A change
//! counts only if a manager who is in the team at that point signed it; the first manager
//! signs their own entry and is trusted on first use (the desktop pins their key and shows its
//! fingerprint to compare). Anything else is ignored and reported, never half-believed.
//!
//! This module is pure: building, signing and resolving entries. `flow` reads and changes the
//! directory in a record store.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::policy::RoleKind;

mod flow;
pub use flow::{
    add, check_member, directory, follow, found, known_names, remove, require_member, set_reviewed, view, TeamView,
};

/// One member as the directory lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Member {
    pub name: String,
    pub role: RoleKind,
    /// Line ids; a manager works on every line whatever is listed.
    pub lines: Vec<String>,
    /// The age X25519 recipient records for this person are encrypted to.
    pub age_recipient: String,
    /// The ed25519 public key (hex) their signatures are checked with.
    pub signing_key: String,
    /// Their email replies wait for a team leader's or manager's approval (someone in
    /// training). Left out of the entry when false, so entries signed before it existed still
    /// verify byte for byte.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional = nullable)]
    pub reviewed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    Add {
        member: Member,
    },
    /// A leaver: nothing new is encrypted to them from the moment this is seen.
    Remove {
        signing_key: String,
    },
    /// A member's acceptance of a confidentiality agreement version, signed by themselves.
    Accepted {
        version: String,
    },
}

/// A change, who made it, when, and their signature over the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(flatten)]
    pub change: Change,
    /// The signer's ed25519 public key (hex).
    pub by: String,
    /// Unix seconds.
    pub at: i64,
    pub signature: String,
}

/// The bytes a signature covers: the entry without its signature, as JSON with a fixed field
/// order (the structs' own), so signer and checker agree byte for byte.
fn signed_bytes(change: &Change, by: &str, at: i64) -> Vec<u8> {
    #[derive(Serialize)]
    struct Unsigned<'a> {
        #[serde(flatten)]
        change: &'a Change,
        by: &'a str,
        at: i64,
    }
    serde_json::to_vec(&Unsigned { change, by, at }).expect("entries serialise")
}

/// Signs a change with this desktop's key.
pub fn sign(change: Change, key: &confide_vault::SigningKey, at: i64) -> Entry {
    let by = key.public_hex();
    let signature = key.sign(&signed_bytes(&change, &by, at));
    Entry { change, by, at, signature }
}

/// A short fingerprint of a signing key, for people to compare aloud.
pub fn fingerprint(signing_key: &str) -> String {
    hex::encode(&Sha256::digest(signing_key.as_bytes())[..8])
}

/// The team as the entries make it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Directory {
    pub members: Vec<Member>,
    /// Leavers: kept so the UI can show who left (and nothing is encrypted to them).
    pub removed: Vec<Member>,
    /// Entries that count for nothing, with why, for the UI to report.
    pub ignored: Vec<String>,
    /// Who accepted which agreement version, when (the latest per member and version).
    pub acceptances: Vec<Acceptance>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Acceptance {
    pub signing_key: String,
    pub version: String,
    /// Unix seconds.
    #[ts(type = "number")]
    pub at: i64,
}

impl Directory {
    fn active_manager(&self, key: &str) -> bool {
        self.members.iter().any(|m| m.signing_key == key && m.role == RoleKind::Manager)
    }

    /// Whether `signing_key` is a current manager, or a current team leader working on `line`:
    /// whose entries about a line's shared material (leaflets, blocked senders) count.
    pub fn leads(&self, signing_key: &str, line: &str) -> bool {
        self.members.iter().any(|m| {
            m.signing_key == signing_key
                && (m.role == RoleKind::Manager
                    || (m.role == RoleKind::TeamLeader && m.lines.iter().any(|l| l == line)))
        })
    }

    /// The age recipients of everyone in `role` (any role if `None`) who works on `line` (any
    /// line if `None`; managers work on every line): exactly who a shared record is for.
    pub fn recipients(&self, role: Option<RoleKind>, line: Option<&str>) -> Vec<String> {
        self.members
            .iter()
            .filter(|m| role.is_none_or(|r| m.role == r))
            .filter(|m| m.role == RoleKind::Manager || line.is_none_or(|l| m.lines.iter().any(|x| x == l)))
            .map(|m| m.age_recipient.clone())
            .collect()
    }
}

/// Resolves entries (as the server lists them) into the team, trusting `root` (a pinned manager key) to
/// begin it. Entries apply oldest first; each must be signed by a manager who is in the team
/// when it applies, except the root's own entry, which it signs itself.
pub fn resolve(entries: &[Entry], root: &str) -> Directory {
    // Stable: entries of the same second keep the order the server lists them in (append
    // order, the same on every desktop), so an add made in the founding second still follows it.
    let mut order: Vec<&Entry> = entries.iter().collect();
    order.sort_by_key(|e| e.at);
    let mut dir = Directory::default();
    for e in order {
        let who = match &e.change {
            Change::Add { member } => format!("adding {} ({})", member.name, fingerprint(&member.signing_key)),
            Change::Remove { signing_key } => format!("removing {}", fingerprint(signing_key)),
            Change::Accepted { version } => format!("accepting agreement {version} by {}", fingerprint(&e.by)),
        };
        if !confide_vault::verify_signature(&e.by, &signed_bytes(&e.change, &e.by, e.at), &e.signature) {
            dir.ignored.push(format!("An entry {who} is not validly signed, so it was ignored."));
            continue;
        }
        // Only once, at the very start: a root removed later cannot found the team again.
        let founding = dir.members.is_empty()
            && dir.removed.is_empty()
            && matches!(&e.change, Change::Add { member } if e.by == root && member.signing_key == root && member.role == RoleKind::Manager);
        let member = dir.members.iter().any(|m| m.signing_key == e.by);
        match &e.change {
            // An acceptance is the member's own word: signed by a member, for themselves.
            Change::Accepted { .. } if !member => {
                dir.ignored.push(format!("An entry {who} is not from a member of the team, so it was ignored."))
            }
            Change::Accepted { version } => {
                dir.acceptances.retain(|a| !(a.signing_key == e.by && &a.version == version));
                dir.acceptances.push(Acceptance { signing_key: e.by.clone(), version: version.clone(), at: e.at });
            }
            _ if !founding && !dir.active_manager(&e.by) => {
                dir.ignored.push(format!("An entry {who} was not signed by a manager of the team, so it was ignored."));
            }
            Change::Add { member } => {
                dir.members.retain(|m| m.signing_key != member.signing_key);
                dir.removed.retain(|m| m.signing_key != member.signing_key);
                dir.members.push(member.clone());
            }
            Change::Remove { signing_key } => {
                if let Some(i) = dir.members.iter().position(|m| &m.signing_key == signing_key) {
                    dir.removed.push(dir.members.remove(i));
                }
            }
        }
    }
    dir
}

/// The short fingerprint of an age recipient: how claims and reply authors name a person.
pub fn age_fingerprint(age_recipient: &str) -> String {
    hex::encode(&Sha256::digest(age_recipient.as_bytes())[..8])
}

/// Names by key, for showing who claimed a conversation (claims carry the encryption key's
/// fingerprint) or wrote an audit entry (the signing key): both keys of every member, and of
/// leavers, marked as such.
pub fn names(dir: &Directory) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let listed = dir
        .members
        .iter()
        .map(|m| (m, m.name.clone()))
        .chain(dir.removed.iter().map(|m| (m, format!("{} (left)", m.name))));
    for (m, name) in listed {
        out.insert(age_fingerprint(&m.age_recipient), name.clone());
        out.insert(m.signing_key.clone(), name);
    }
    out
}

/// The key to pin on first use: the earliest manager entry that signs itself.
pub fn first_root(entries: &[Entry]) -> Option<String> {
    entries
        .iter()
        .filter(|e| matches!(&e.change, Change::Add { member } if member.signing_key == e.by && member.role == RoleKind::Manager))
        .filter(|e| confide_vault::verify_signature(&e.by, &signed_bytes(&e.change, &e.by, e.at), &e.signature))
        .min_by_key(|e| (e.at, e.signature.clone()))
        .map(|e| e.by.clone())
}

#[cfg(test)]
pub(crate) mod tests;

/// The founding manager's key this desktop pinned, if it has seen the team yet.
pub async fn pinned_root(store: &crate::Store) -> Result<Option<String>, crate::CoreError> {
    Ok(sqlx::query_scalar!("SELECT root_key FROM team_trust WHERE id = 1").fetch_optional(store.pool()).await?)
}

/// Pins `root` unless a root is pinned already (first use wins); returns the one in force.
pub async fn pin_root(store: &crate::Store, root: &str) -> Result<String, crate::CoreError> {
    let now = store.now_ts();
    sqlx::query!(
        "INSERT INTO team_trust (id, root_key, pinned_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING",
        root,
        now
    )
    .execute(store.pool())
    .await?;
    Ok(pinned_root(store).await?.unwrap_or_else(|| root.to_owned()))
}

/// A colleague's card as pasted by a manager, checked: the keys must be keys, and the role and
/// lines the policy's.
pub fn parse_card(text: &str, preset: &crate::policy::Preset) -> Result<Member, crate::CoreError> {
    let invalid = |why: &str| crate::CoreError::Invalid(why.to_owned());
    let member: Member = serde_json::from_str(text.trim()).map_err(|_| {
        invalid("that is not a colleague's card; copy the whole card from the Team screen on their desktop")
    })?;
    if member.age_recipient.parse::<confide_vault::Recipient>().is_err() {
        return Err(invalid("the card's encryption key is damaged; copy the card again"));
    }
    if member.signing_key.len() != 64 || hex::decode(&member.signing_key).is_err() {
        return Err(invalid("the card's signing key is damaged; copy the card again"));
    }
    if member.name.trim().is_empty() || preset.role(member.role).is_none() {
        return Err(invalid("the card names no one, or a role this policy does not have"));
    }
    if let Some(line) = member.lines.iter().find(|l| !preset.lines.iter().any(|p| &p.id == *l)) {
        return Err(crate::CoreError::Invalid(format!(
            "the card names a service line this policy does not have ({line})"
        )));
    }
    Ok(member)
}

/// This person as the directory would list them: what a manager adds.
pub fn card(session: &crate::staff::Session) -> Result<Member, crate::CoreError> {
    Ok(Member {
        name: session.profile.display_name.clone(),
        role: session.profile.role,
        lines: session.profile.lines.clone(),
        age_recipient: session.store.identity().recipient().to_string(),
        signing_key: session.store.vault().signing_key()?.public_hex(),
        reviewed: false,
    })
}
