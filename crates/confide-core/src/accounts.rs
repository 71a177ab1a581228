//! Mail accounts: the helpline's shared mailbox and, optionally, an advisor's personal one.
//! Settings live in the encrypted store; the password lives in the OS keyring only.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CoreError, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AccountKind {
    Shared,
    Personal,
}

/// How a connection is secured. There is deliberately no plaintext option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Security {
    /// TLS from the first byte (IMAPS 993, SMTPS 465).
    Tls,
    /// STARTTLS, required: a server that does not offer it is refused.
    Starttls,
}

impl Security {
    fn as_str(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::Starttls => "starttls",
        }
    }
    fn parse(s: &str) -> Security {
        if s == "starttls" {
            Security::Starttls
        } else {
            Security::Tls
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LineAddress {
    pub address: String,
    pub line_id: String,
}

/// How an account signs in. The secret (the password, or the refresh token) is in the keyring.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum SignIn {
    /// A password: on-premises servers (Dovecot, Exchange Server) only.
    #[default]
    Password,
    /// OAuth 2.0: Microsoft 365, Google Workspace, or any OpenID provider.
    OAuth(OAuthSettings),
}

/// A helpline's OAuth app registration at its provider: configuration its IT supplies once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OAuthSettings {
    /// The issuer, whose metadata names the endpoints (`/.well-known/openid-configuration`).
    pub issuer: String,
    pub client_id: String,
    pub scopes: Vec<String>,
}

/// An account's own names for the folders Confide looks for, where the server marks none
/// (Exchange has no SPECIAL-USE) and they are not the English ones: a Welsh or French tenant's
/// "Eitemau a Anfonwyd" or "Éléments envoyés".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FolderNames {
    #[serde(default)]
    pub sent: Option<String>,
    #[serde(default)]
    pub trash: Option<String>,
}

impl FolderNames {
    pub fn is_empty(&self) -> bool {
        self.sent.is_none() && self.trash.is_none()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Account {
    pub id: String,
    pub kind: AccountKind,
    pub address: String,
    pub username: String,
    pub imap_host: String,
    pub imap_port: u16,
    pub imap_security: Security,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_security: Security,
    /// A CA certificate to trust besides the system's (a helpline's own CA, or the lab's).
    pub ca_file: Option<String>,
    pub lines: Vec<LineAddress>,
    #[serde(default)]
    pub sign_in: SignIn,
    #[serde(default)]
    pub folder_names: FolderNames,
}

/// Adds or replaces an account. Its secret (the password, or for OAuth the refresh token) goes
/// to the keyring first, so a store row never exists whose secret was silently lost.
pub async fn save(store: &Store, account: &Account, password: &str) -> Result<(), CoreError> {
    if account.id.is_empty() || !account.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(CoreError::Invalid("an account id is letters, digits, '-' and '_'".into()));
    }
    store.vault().set_account_password(&account.id, password)?;
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let (kind, imap_sec, smtp_sec, now) = (
        match account.kind {
            AccountKind::Shared => "shared",
            AccountKind::Personal => "personal",
        },
        account.imap_security.as_str(),
        account.smtp_security.as_str(),
        store.now_ts(),
    );
    let (imap_port, smtp_port) = (i64::from(account.imap_port), i64::from(account.smtp_port));
    let sign_in = match &account.sign_in {
        SignIn::Password => None,
        oauth => Some(serde_json::to_string(oauth).expect("settings serialise")),
    };
    let folder_names = (!account.folder_names.is_empty())
        .then(|| serde_json::to_string(&account.folder_names).expect("names serialise"));
    sqlx::query!(
        // An upsert, not INSERT OR REPLACE: a replace deletes the row first, and the cascade
        // would take the account's queued replies and sync state with it.
        "INSERT INTO accounts
           (id, kind, address, username, imap_host, imap_port, imap_security,
            smtp_host, smtp_port, smtp_security, ca_file, created_at, sign_in, folder_names)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, address = excluded.address,
           username = excluded.username, imap_host = excluded.imap_host, imap_port = excluded.imap_port,
           imap_security = excluded.imap_security, smtp_host = excluded.smtp_host,
           smtp_port = excluded.smtp_port, smtp_security = excluded.smtp_security, ca_file = excluded.ca_file,
           sign_in = excluded.sign_in, folder_names = excluded.folder_names",
        account.id,
        kind,
        account.address,
        account.username,
        account.imap_host,
        imap_port,
        imap_sec,
        account.smtp_host,
        smtp_port,
        smtp_sec,
        account.ca_file,
        now,
        sign_in,
        folder_names
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM account_lines WHERE account_id = ?", account.id).execute(&mut *tx).await?;
    for line in &account.lines {
        sqlx::query!(
            "INSERT INTO account_lines (account_id, address, line_id) VALUES (?, ?, ?)",
            account.id,
            line.address,
            line.line_id
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn list(store: &Store) -> Result<Vec<Account>, CoreError> {
    let rows = sqlx::query!(
        "SELECT id, kind, address, username, imap_host, imap_port, imap_security,
                smtp_host, smtp_port, smtp_security, ca_file, sign_in, folder_names
         FROM accounts ORDER BY kind DESC, id"
    )
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let lines = sqlx::query_as!(
            LineAddress,
            "SELECT address, line_id FROM account_lines WHERE account_id = ? ORDER BY address",
            r.id
        )
        .fetch_all(store.pool())
        .await?;
        out.push(Account {
            id: r.id,
            kind: if r.kind == "shared" { AccountKind::Shared } else { AccountKind::Personal },
            address: r.address,
            username: r.username,
            imap_host: r.imap_host,
            imap_port: u16::try_from(r.imap_port).unwrap_or(993),
            imap_security: Security::parse(&r.imap_security),
            smtp_host: r.smtp_host,
            smtp_port: u16::try_from(r.smtp_port).unwrap_or(587),
            smtp_security: Security::parse(&r.smtp_security),
            ca_file: r.ca_file,
            lines,
            // An unreadable setting is a password account: it then fails to log in, saying so,
            // rather than being skipped.
            sign_in: r.sign_in.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default(),
            folder_names: r.folder_names.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default(),
        });
    }
    Ok(out)
}
