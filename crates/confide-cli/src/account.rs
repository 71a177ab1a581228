use std::io::Read;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use confide_core::accounts::{self, Account, AccountKind, LineAddress, Security};
use confide_core::Store;

#[derive(Subcommand)]
pub enum AccountCmd {
    /// Add or replace a mail account; the password is read from standard input
    Add(AddArgs),
    /// List the accounts (never their passwords)
    List,
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
    /// IMAP server as HOST:PORT
    #[arg(long)]
    imap: String,
    #[arg(long, value_enum, default_value = "tls")]
    imap_security: Sec,
    /// SMTP submission server as HOST:PORT
    #[arg(long)]
    smtp: String,
    #[arg(long, value_enum, default_value = "starttls")]
    smtp_security: Sec,
    /// A CA certificate to trust for this account besides the system's
    #[arg(long)]
    ca_file: Option<String>,
    /// A service-line address on this mailbox, as ADDRESS=LINE_ID (repeatable)
    #[arg(long = "line")]
    lines: Vec<String>,
    /// Read the password from standard input (the only way: never on the command line)
    #[arg(long, required = true)]
    password_stdin: bool,
}

pub async fn run(cmd: AccountCmd, store: Store) -> anyhow::Result<ExitCode> {
    match cmd {
        AccountCmd::Add(a) => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            if password.is_empty() {
                bail!("no password was given on standard input");
            }
            let account = Account {
                id: a.id,
                kind: match a.kind {
                    Kind::Shared => AccountKind::Shared,
                    Kind::Personal => AccountKind::Personal,
                },
                username: a.username.unwrap_or_else(|| a.address.clone()),
                address: a.address,
                imap_host: host(&a.imap)?.0,
                imap_port: host(&a.imap)?.1,
                imap_security: sec(a.imap_security),
                smtp_host: host(&a.smtp)?.0,
                smtp_port: host(&a.smtp)?.1,
                smtp_security: sec(a.smtp_security),
                ca_file: a.ca_file,
                lines: a
                    .lines
                    .iter()
                    .map(|l| {
                        let (address, line_id) = l.split_once('=').context("write --line as ADDRESS=LINE_ID")?;
                        Ok(LineAddress { address: address.into(), line_id: line_id.into() })
                    })
                    .collect::<anyhow::Result<_>>()?,
            };
            accounts::save(&store, &account, password).await?;
            println!("account {} saved; its password is in the keyring", account.id);
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

fn host(s: &str) -> anyhow::Result<(String, u16)> {
    let (h, p) = s.rsplit_once(':').with_context(|| format!("\"{s}\" is not HOST:PORT"))?;
    Ok((h.to_owned(), p.parse().with_context(|| format!("\"{p}\" is not a port"))?))
}
