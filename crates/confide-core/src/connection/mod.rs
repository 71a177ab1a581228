//! The helpline's shared mailbox as its IT describes it once: which provider it signs in with
//! (Microsoft 365, Google Workspace, another OpenID provider, or a password on its own server),
//! the app registration (client id, tenant), servers where the provider does not imply them, and
//! which address reaches which service line. An advisor's first run reads it from a file the
//! installer put in place (`connection.toml`), or the person fills in the same fields, so
//! nobody at a helpline types a client id from memory and no registration is a constant here.
//!
//! Turning it into an [`Account`] is the one place its rules live: the app's first run and
//! `confide account add` both come here.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::accounts::{Account, AccountKind, FolderNames, LineAddress, Security, SignIn};
use crate::policy::Preset;
use crate::{providers, CoreError};

/// How the shared mailbox is reached and signed in to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Connection {
    /// The shared mailbox's address.
    pub address: String,
    /// `microsoft`, `google`, the https:// address of another OpenID provider, or `password`.
    pub provider: String,
    /// Microsoft 365's directory (tenant): the helpline's domain or its id.
    #[serde(default)]
    pub tenant: Option<String>,
    /// The helpline's app registration at its provider.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Scopes other than the provider's usual ones (rarely needed).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// `HOST:PORT`; the provider's when it has one (Microsoft 365, Google).
    #[serde(default)]
    pub imap: Option<String>,
    #[serde(default)]
    pub smtp: Option<String>,
    /// How each is secured, where the port's convention is not it: IMAP is TLS from the first
    /// byte except on 143, SMTP is STARTTLS except on 465.
    #[serde(default)]
    pub imap_security: Option<Security>,
    #[serde(default)]
    pub smtp_security: Option<Security>,
    /// The user name to sign in with, where it is not the address.
    #[serde(default)]
    pub username: Option<String>,
    /// A CA certificate to trust besides the system's (the helpline's own).
    #[serde(default)]
    pub ca_file: Option<String>,
    /// Which address reaches which service line (one line needs none).
    #[serde(default)]
    pub lines: Vec<LineAddress>,
    /// The Sent and Deleted Items folders' names where the server marks neither and they are
    /// not in English.
    #[serde(default)]
    pub folder_names: FolderNames,
}

/// The connection file an installer puts in place, and what it says.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Offered {
    /// Where it was read, to say so ("set up by your helpline's IT in ...").
    pub file: String,
    pub connection: Connection,
}

/// Where the helpline's IT puts the file: `CONFIDE_CONNECTION` if set (an installer's wrapper,
/// a test), else the system's (`/etc/confide/connection.toml`), else the person's configuration
/// folder.
pub fn files() -> Vec<PathBuf> {
    if let Some(file) = std::env::var_os("CONFIDE_CONNECTION") {
        return vec![PathBuf::from(file)];
    }
    let mut out = vec![PathBuf::from("/etc/confide/connection.toml")];
    let home = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    out.extend(home.map(|h| h.join("confide/connection.toml")));
    out
}

/// The first connection file found, read. A file that exists but cannot be read or understood
/// is an error that names it: IT would rather hear that than see an empty form.
pub fn offered() -> Result<Option<Offered>, CoreError> {
    for file in files() {
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(CoreError::Invalid(format!("cannot read {}: {e}", file.display()))),
        };
        let connection = parse(&text).map_err(|e| CoreError::Invalid(format!("{}: {e}", file.display())))?;
        return Ok(Some(Offered { file: file.display().to_string(), connection }));
    }
    Ok(None)
}

/// A connection file's text. Pure.
pub fn parse(text: &str) -> Result<Connection, String> {
    toml::from_str(text).map_err(|e| format!("the helpline's connection file is not as expected: {}", e.message()))
}

/// The shared mailbox's account (kept as `id`). Refuses, in words, what would fail later: a
/// provider with no client id, an issuer with no servers, and (given the desktop's preset) a
/// line the policy does not have. `confide account add` comes here too, before any preset may
/// have been chosen.
pub fn account(id: &str, c: &Connection, preset: Option<&Preset>) -> Result<Account, CoreError> {
    let invalid = |s: String| CoreError::Invalid(s);
    let address = c.address.trim();
    if !address.contains('@') {
        return Err(invalid("give the shared mailbox's address (name@helpline.org)".into()));
    }
    let (profile, sign_in) = match c.provider.trim() {
        "password" => (None, SignIn::Password),
        name => {
            let profile =
                providers::profile(name, c.tenant.as_deref().filter(|t| !t.trim().is_empty())).ok_or_else(|| {
                    invalid(format!(
                        "\"{name}\" is not a provider Confide knows: choose Microsoft 365, Google Workspace, or give \
                         the https:// address of the helpline's sign-in service"
                    ))
                })?;
            let client_id = c.client_id.as_deref().map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| {
                invalid(
                    "the helpline's app registration (client id) is missing: whoever runs the helpline's IT has it"
                        .into(),
                )
            })?;
            let settings = providers::settings(&profile, client_id, &c.scopes);
            (Some(profile), SignIn::OAuth(settings))
        }
    };
    let implied = |f: fn(&providers::Profile) -> Option<(String, u16, Security)>| profile.as_ref().and_then(f);
    let imap = server(&c.imap, implied(|p| p.imap.clone()), "IMAP", c.imap_security, |port| match port {
        143 => Security::Starttls,
        _ => Security::Tls,
    })?;
    let smtp = server(&c.smtp, implied(|p| p.smtp.clone()), "SMTP", c.smtp_security, |port| match port {
        465 => Security::Tls,
        _ => Security::Starttls,
    })?;
    for line in preset.map_or(&[][..], |_| &c.lines[..]) {
        if !preset.is_some_and(|p| p.lines.iter().any(|l| l.id == line.line_id)) {
            let missing = format!("has no service line \"{}\" (the connection names it)", line.line_id);
            return Err(CoreError::Refused(crate::Refusal::NotInPolicy(missing)));
        }
    }
    Ok(Account {
        id: id.to_owned(),
        kind: AccountKind::Shared,
        address: address.to_owned(),
        username: c.username.clone().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| address.to_owned()),
        imap_host: imap.0,
        imap_port: imap.1,
        imap_security: imap.2,
        smtp_host: smtp.0,
        smtp_port: smtp.1,
        smtp_security: smtp.2,
        ca_file: c.ca_file.clone().filter(|f| !f.trim().is_empty()),
        lines: c.lines.clone(),
        sign_in,
        folder_names: c.folder_names.clone(),
    })
}

/// A server as given (its security as said, or as `usual` for its port: a lab's or a proxy's
/// odd port follows the usual one's), or else the provider's.
fn server(
    given: &Option<String>,
    implied: Option<(String, u16, Security)>,
    what: &str,
    security: Option<Security>,
    usual: fn(u16) -> Security,
) -> Result<(String, u16, Security), CoreError> {
    match (given.as_deref().map(str::trim).filter(|s| !s.is_empty()), implied) {
        (Some(hp), _) => host_port(hp, what).map(|(host, port)| (host, port, security.unwrap_or(usual(port)))),
        (None, Some(implied)) => Ok(implied),
        (None, None) => Err(CoreError::Invalid(format!("give the {what} server as HOST:PORT"))),
    }
}

/// `HOST:PORT`, with the port a number.
pub fn host_port(given: &str, what: &str) -> Result<(String, u16), CoreError> {
    given
        .rsplit_once(':')
        .and_then(|(h, p)| Some((h.trim().to_owned(), p.trim().parse().ok()?)))
        .filter(|(h, _)| !h.is_empty())
        .ok_or_else(|| CoreError::Invalid(format!("write the {what} server as HOST:PORT, e.g. mail.example.org:993")))
}

#[cfg(test)]
mod tests;
