//! The gateway's configuration file: where it listens, which web pages may open a chat, the
//! lines with their opening hours and the staff keys their chats are encrypted to, the
//! advisors' credentials (hashes only), and the limits.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the gateway configuration {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("the gateway configuration {path} is not valid, line {line}: {message}")]
    Invalid { path: String, line: usize, message: String },
    #[error("the gateway configuration {path} cannot be used: {message}")]
    Rule { path: String, message: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `host:port`: loopback behind the helpline's TLS-terminating web server, or any address
    /// with `tls_cert` and `tls_key` set.
    pub listen: String,
    /// The gateway's certificate chain and private key (PEM), to serve `https://` and `wss://`
    /// itself.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    /// Where the gateway keeps its state (ciphertext and routing only).
    pub data_dir: PathBuf,
    /// Origins (`https://helpline.example`) whose pages may open a visitor chat.
    pub allowed_origins: Vec<String>,
    /// The helpline's published confidentiality policy, linked from the widget.
    pub policy_url: String,
    /// Where the quick exit sends the visitor: a neutral site.
    #[serde(default = "default_exit")]
    pub quick_exit_url: String,
    /// The chat page's title. The browser's history keeps it with the address, and no page can
    /// erase that, so it should say nothing of a chat or a helpline: the helpline's choice,
    /// e.g. its site's name.
    #[serde(default = "default_title")]
    pub page_title: String,
    pub lines: Vec<Line>,
    #[serde(default)]
    pub advisors: Vec<Advisor>,
    #[serde(default)]
    pub limits: Limits,
}

fn default_title() -> String {
    "Information".into()
}

fn default_exit() -> String {
    "https://www.bbc.co.uk/weather".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub id: String,
    pub name: String,
    /// Shown before a chat starts, as written.
    pub hours: String,
    /// The age recipients of the line's staff (`confide team recipients --line ID` prints
    /// them from the team directory): every message kept is encrypted to these.
    pub recipients: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advisor {
    /// The name visitors see ("You are chatting with Sam").
    pub name: String,
    pub lines: Vec<String>,
    /// SHA-256 (hex) of the credential a manager issued (`confide-webchat credential`).
    pub credential_sha256: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest frame accepted, in bytes; larger ones close the connection.
    pub max_frame_bytes: usize,
    /// Messages a visitor may send per minute; more are refused with a notice.
    pub messages_per_minute: u32,
    /// Chats open at once from one source (counted by a keyed hash held in memory only).
    pub sessions_per_source: u32,
    /// Chats open at once in all.
    pub max_sessions: u32,
    /// How long a waiting visitor whose connection dropped keeps their place in the queue
    /// before the chat ends (so advisors are not offered someone who has gone).
    pub resume_grace_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame_bytes: 8 * 1024,
            messages_per_minute: 30,
            sessions_per_source: 3,
            max_sessions: 2000,
            resume_grace_seconds: 120,
        }
    }
}

/// The SHA-256 (hex) a credential is listed by.
pub fn credential_hash(credential: &str) -> String {
    hex::encode(Sha256::digest(credential.trim().as_bytes()))
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
        Config::parse(&path.display().to_string(), &text)
    }

    pub fn parse(path: &str, text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_owned(),
            line: e.span().map_or(1, |s| text[..s.start.min(text.len())].lines().count().max(1)),
            message: e.message().to_owned(),
        })?;
        config.check().map_err(|message| ConfigError::Rule { path: path.to_owned(), message })?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err("give both tls_cert and tls_key, or neither".into());
        }
        if self.lines.is_empty() {
            return Err("name at least one service line".into());
        }
        if self.allowed_origins.is_empty() {
            return Err("name the web origins whose pages may open a chat (allowed_origins)".into());
        }
        for line in &self.lines {
            if line.recipients.is_empty() {
                return Err(format!("line \"{}\" has no recipients: nobody could read its chats", line.id));
            }
            if let Some(bad) = line.recipients.iter().find(|r| r.parse::<age::x25519::Recipient>().is_err()) {
                return Err(format!("line \"{}\" lists \"{bad}\", which is not an age recipient", line.id));
            }
        }
        for a in &self.advisors {
            if a.credential_sha256.len() != 64 || hex::decode(&a.credential_sha256).is_err() {
                return Err(format!("advisor \"{}\": credential_sha256 must be 64 hex digits", a.name));
            }
            if let Some(l) = a.lines.iter().find(|l| !self.lines.iter().any(|x| &x.id == *l)) {
                return Err(format!("advisor \"{}\" works on \"{l}\", which is not a line here", a.name));
            }
        }
        Ok(())
    }

    pub fn line(&self, id: &str) -> Option<&Line> {
        self.lines.iter().find(|l| l.id == id)
    }

    /// The advisor a credential belongs to.
    pub fn advisor(&self, credential: &str) -> Option<&Advisor> {
        let hash = credential_hash(credential);
        self.advisors.iter().find(|a| a.credential_sha256 == hash)
    }
}
