use std::io::Read;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use confide_core::accounts::{self, AccountKind, FolderNames, LineAddress, Security, SignIn};
use confide_core::connection::{self, Connection};
use confide_core::Store;

#[derive(Subcommand)]
pub enum AccountCmd {
    /// Add or replace a mail account: with a password read from standard input, or signed in
    /// with OAuth 2.0 (--oauth) in a browser or on another device
    Add(Box<AddArgs>),
    /// List the accounts (never their passwords)
    List,
    /// Sign a provider-signed account out on this desktop: its sign-in leaves the keyring, and
    /// the provider is asked to revoke it
    SignOut {
        #[arg(long)]
        id: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    Shared,
    Personal,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Sec {
    Tls,
    Starttls,
}

#[derive(Args)]
pub struct AddArgs {
    #[arg(long)]
    id: String,
    #[arg(long, value_enum)]
    kind: Kind,
    #[arg(long)]
    address: String,
    /// Login name [default: the address]
    #[arg(long)]
    username: Option<String>,
    /// IMAP server as HOST:PORT [default: the --oauth provider's]
    #[arg(long)]
    imap: Option<String>,
    #[arg(long, value_enum, default_value = "tls")]
    imap_security: Sec,
    /// SMTP submission server as HOST:PORT [default: the --oauth provider's]
    #[arg(long)]
    smtp: Option<String>,
    #[arg(long, value_enum, default_value = "starttls")]
    smtp_security: Sec,
    /// A CA certificate to trust for this account besides the system's
    #[arg(long)]
    ca_file: Option<String>,
    /// A service-line address on this mailbox, as ADDRESS=LINE_ID (repeatable)
    #[arg(long = "line")]
    lines: Vec<String>,
    /// The Sent folder's name, where the server marks none and it is not in English
    /// ("Eitemau a Anfonwyd")
    #[arg(long)]
    sent_folder: Option<String>,
    /// The Deleted Items folder's name, likewise
    #[arg(long)]
    trash_folder: Option<String>,
    /// Read the password from standard input (the only way: never on the command line)
    #[arg(long, required_unless_present = "oauth", conflicts_with = "oauth")]
    password_stdin: bool,
    /// Sign in with OAuth 2.0 instead of a password: `microsoft`, `google`, or an OpenID
    /// provider's issuer URL. Signing in happens on another device (the device flow): the
    /// command prints an address and a code, and waits
    #[arg(long)]
    oauth: Option<String>,
    /// Sign in with this computer's browser instead (the provider's page opens there, and its
    /// answer comes back to this command on a loopback address); needed for Google
    #[arg(long, requires = "oauth")]
    browser: bool,
    /// The helpline's app registration at its provider (its IT supplies it)
    #[arg(long, requires = "oauth")]
    client_id: Option<String>,
    /// The Microsoft 365 tenant (its id or domain) [default: organizations]
    #[arg(long, requires = "oauth")]
    tenant: Option<String>,
    /// Scopes to ask for [default: the provider's for IMAP and SMTP, and offline access]
    #[arg(long = "scope", requires = "oauth")]
    scopes: Vec<String>,
}

pub async fn run(cmd: AccountCmd, store: Store) -> anyhow::Result<ExitCode> {
    match cmd {
        AccountCmd::Add(a) => {
            if a.oauth.as_deref() == Some("password") {
                bail!("--oauth takes microsoft, google, or the https:// address of the helpline's OpenID provider");
            }
            let lines = a
                .lines
                .iter()
                .map(|l| {
                    let (address, line_id) = l.split_once('=').context("write --line as ADDRESS=LINE_ID")?;
                    Ok(LineAddress { address: address.into(), line_id: line_id.into() })
                })
                .collect::<anyhow::Result<_>>()?;
            // The same description the app's first run reads from the helpline's connection
            // file, turned into an account the same way (`connection::account`).
            let described = Connection {
                address: a.address,
                provider: a.oauth.unwrap_or_else(|| "password".into()),
                tenant: a.tenant,
                client_id: a.client_id,
                scopes: a.scopes,
                imap: a.imap,
                smtp: a.smtp,
                imap_security: Some(sec(a.imap_security)),
                smtp_security: Some(sec(a.smtp_security)),
                username: a.username,
                ca_file: a.ca_file,
                lines,
                folder_names: FolderNames { sent: a.sent_folder, trash: a.trash_folder },
            };
            let mut account = connection::account(&a.id, &described, None)?;
            account.kind = match a.kind {
                Kind::Shared => AccountKind::Shared,
                Kind::Personal => AccountKind::Personal,
            };
            match &account.sign_in {
                SignIn::Password => {
                    let mut password = String::new();
                    std::io::stdin()
                        .read_to_string(&mut password)
                        .context("cannot read the password from standard input")?;
                    let password = password.trim_end_matches(['\r', '\n']);
                    if password.is_empty() {
                        bail!("no password was given on standard input");
                    }
                    accounts::save(&store, &account, password).await?;
                    println!("account {} saved; its password is in the keyring", account.id);
                }
                SignIn::OAuth(settings) => {
                    let refresh = if a.browser {
                        crate::oauth::browser_sign_in(settings.clone()).await?
                    } else {
                        crate::oauth::device_sign_in(settings.clone()).await?
                    };
                    accounts::save(&store, &account, &refresh).await?;
                    println!("account {} saved; signed in, and the sign-in is kept in the keyring", account.id);
                }
            }
        }
        AccountCmd::SignOut { id } => {
            let account = accounts::list(&store)
                .await?
                .into_iter()
                .find(|a| a.id == id)
                .with_context(|| format!("there is no account \"{id}\""))?;
            let (s, a) = (store.clone(), account.clone());
            let not_revoked = tokio::task::spawn_blocking(move || confide_mail::oauth::sign_out(&s, &a))
                .await
                .context("the sign-out stopped unexpectedly")??;
            let at_provider = match not_revoked {
                None => "and revoked at the provider".to_owned(),
                Some(why) => format!("but not revoked at the provider: {why}"),
            };
            println!("account {} signed out: its sign-in is gone from the keyring {at_provider}", account.id);
        }
        AccountCmd::List => {
            for a in accounts::list(&store).await? {
                println!(
                    "{:<12} {:?} {} imap={}:{} smtp={}:{}",
                    a.id, a.kind, a.address, a.imap_host, a.imap_port, a.smtp_host, a.smtp_port
                );
            }
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

fn sec(s: Sec) -> Security {
    match s {
        Sec::Tls => Security::Tls,
        Sec::Starttls => Security::Starttls,
    }
}
