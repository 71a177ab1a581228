//! `confide`: the headless side of Confide. Everything here is a thin layer over confide-core,
//! so a cron job, a systemd timer and the desktop app all do exactly the same thing.

mod account;
mod bench;
#[cfg(feature = "lab-bench")]
mod bench_all;
#[cfg(feature = "lab-bench")]
mod bench_app;
mod bench_gateway;
#[cfg(feature = "lab-bench")]
mod bench_kill;
#[cfg(feature = "lab-bench")]
mod bench_retention;
#[cfg(feature = "lab-bench")]
mod bench_sync;
mod letters_cmd;
mod library_cmd;
mod oauth;
mod policy_cmd;
mod sync_cmd;

use confide_mail::records::ImapRecords;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use confide_core::{paths, staff, Store, SystemClock};

#[derive(Parser)]
#[command(name = "confide", version, about = "Confide: confidential triage for helplines (headless commands)")]
struct Cli {
    /// The data folder of the store [default: $CONFIDE_DATA_DIR or ~/.local/share/confide]
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Open the store and say whether it is set up and who for
    Status,
    /// Mail accounts of this desktop (passwords go to the OS keyring)
    #[command(subcommand)]
    Account(account::AccountCmd),
    /// Fetch new mail from the configured accounts into the encrypted store
    Sync {
        /// Only this account
        #[arg(long)]
        account: Option<String>,
    },
    /// The sent-folder guard: move shared-mailbox copies out of personal Sent and Trash
    #[command(subcommand)]
    Guard(GuardCmd),
    /// The retention engine: destroy what the policy says has expired, everywhere
    #[command(subcommand)]
    Retention(RetentionCmd),
    /// The audit log: who opened, exported, assigned, decided or deleted what
    #[command(subcommand)]
    Audit(AuditCmd),
    /// The team directory
    #[command(subcommand)]
    Team(TeamCmd),
    /// Live chat: connect this desktop to the helpline's webchat gateway
    #[command(subcommand)]
    Webchat(WebchatCmd),
    /// Postal letters: scan them in (team leaders), list them (managers)
    #[command(subcommand)]
    Letters(letters_cmd::LettersCmd),
    /// The line's leaflets advisors attach to replies
    #[command(subcommand)]
    Library(library_cmd::LibraryCmd),
    /// Prints this desktop's age recipient (its public key), e.g. for a gateway's
    /// configuration before the team directory exists
    Recipient,
    /// Benchmarks (not run in CI); each prints its figures on its last line
    #[command(subcommand)]
    Bench(bench::BenchCmd),
    /// Policy presets: list the shipped ones, check a helpline's own
    #[command(subcommand)]
    Policy(policy_cmd::PolicyCmd),
}

fn main() -> ExitCode {
    confide_core::hardening::forbid_core_dumps();
    confide_core::hardening::private_files();
    confide_webchat::logging::init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("confide: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("confide: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let data_dir = cli.data_dir.unwrap_or_else(paths::default_data_dir);
    match cli.command {
        Command::Status => status(&data_dir).await,
        Command::Account(cmd) => account::run(cmd, open(&data_dir).await?).await,
        Command::Policy(cmd) => policy_cmd::run(cmd),
        Command::Bench(cmd) => bench::run(cmd).await,
        Command::Sync { account } => sync_cmd::run(open(&data_dir).await?, account).await,
        Command::Guard(GuardCmd::Run) => guard_run(open(&data_dir).await?).await,
        Command::Retention(RetentionCmd::Run { dry_run, now }) => retention_run(&data_dir, dry_run, now).await,
        Command::Retention(RetentionCmd::Export { what }) => retention_export(open(&data_dir).await?, what).await,
        Command::Audit(AuditCmd::Verify { team: false }) => audit_verify(open(&data_dir).await?).await,
        Command::Audit(AuditCmd::Verify { team: true }) => audit_verify_team(open(&data_dir).await?).await,
        Command::Audit(AuditCmd::Publish) => audit_publish(open(&data_dir).await?).await,
        Command::Team(TeamCmd::Recipients { class, line }) => {
            team_recipients(open(&data_dir).await?, &class, &line).await
        }
        Command::Letters(cmd) => letters_cmd::run(cmd, open(&data_dir).await?).await,
        Command::Library(cmd) => library_cmd::run(cmd, open(&data_dir).await?).await,
        Command::Webchat(WebchatCmd::Connect { url }) => webchat_connect(open(&data_dir).await?, &url).await,
        Command::Recipient => {
            let store = open(&data_dir).await?;
            println!("{}", store.identity().recipient());
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Subcommand)]
enum WebchatCmd {
    /// Saves the gateway's address, and the credential a manager issued (read from standard
    /// input, into the keyring)
    Connect {
        #[arg(long)]
        url: String,
    },
}

async fn webchat_connect(store: Store, url: &str) -> anyhow::Result<ExitCode> {
    let mut credential = String::new();
    std::io::stdin().read_line(&mut credential).context("cannot read the credential from standard input")?;
    confide_webchat::client::check_address(url.trim())?;
    confide_core::webchat::set_gateway(&store, url, credential.trim()).await?;
    store.close().await;
    println!("webchat: this desktop takes chats from {url}; the credential is in the keyring");
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
enum TeamCmd {
    /// Prints the age recipients records of a class on a line are encrypted to, as the team
    /// directory and the policy make them (for the webchat gateway's configuration)
    Recipients {
        #[arg(long)]
        class: String,
        #[arg(long)]
        line: String,
    },
}

async fn team_recipients(store: Store, class: &str, line: &str) -> anyhow::Result<ExitCode> {
    let session = staff::session(&store).await?;
    let dir = confide_core::team::directory(&store, &ImapRecords::of(&store)).await?;
    let recipients = confide_core::shared_record::readers(session.preset(), &dir, class, Some(line))?;
    store.close().await;
    for r in recipients {
        println!("{r}");
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Checks the whole audit log (every entry's hash, signature and link, and its end against
    /// the keyring); exits non-zero and says where if anything was changed
    Verify {
        /// Check the whole team's log on the server instead (managers): every author's chain,
        /// and every author in the team directory
        #[arg(long)]
        team: bool,
    },
    /// Sends this desktop's new entries to the server, encrypted to the managers (the app does
    /// this every few minutes)
    Publish,
}

async fn publish_audit(store: &Store) -> anyhow::Result<usize> {
    Ok(confide_core::audit::publish(&staff::session(store).await?, &ImapRecords::of(store)).await?)
}

async fn audit_publish(store: Store) -> anyhow::Result<ExitCode> {
    let sent = publish_audit(&store).await?;
    store.close().await;
    println!("audit: published={sent}");
    Ok(ExitCode::SUCCESS)
}

async fn audit_verify_team(store: Store) -> anyhow::Result<ExitCode> {
    let session = staff::session(&store).await?;
    confide_core::audit::publish(&session, &ImapRecords::of(&session.store)).await?;
    let check = confide_core::audit::check_team_log(&session, &ImapRecords::of(&session.store)).await?;
    store.close().await;
    let summary =
        format!("audit team: authors={} entries={} unreadable={}", check.authors, check.entries, check.unreadable);
    if check.problems.is_empty() {
        println!("{summary} ok");
        return Ok(ExitCode::SUCCESS);
    }
    println!("{summary} TAMPERED: {}", check.problems.join("; "));
    Ok(ExitCode::FAILURE)
}

async fn audit_verify(store: Store) -> anyhow::Result<ExitCode> {
    let check = confide_core::audit::verify(&store).await?;
    store.close().await;
    match check.problem {
        None => {
            println!("audit: entries={} ok", check.entries);
            Ok(ExitCode::SUCCESS)
        }
        Some(problem) => {
            println!("audit: entries={} TAMPERED: {problem}", check.entries);
            Ok(ExitCode::FAILURE)
        }
    }
}

#[derive(Subcommand)]
enum GuardCmd {
    /// One run over every personal mailbox of this desktop (for a timer); exits non-zero if a
    /// copy could not be moved
    Run,
}

async fn guard_run(store: Store) -> anyhow::Result<ExitCode> {
    // The shared mailbox's Message-IDs come from the store: bring it up to date first.
    for account in confide_core::accounts::list(&store)
        .await?
        .into_iter()
        .filter(|a| a.kind == confide_core::accounts::AccountKind::Shared)
    {
        confide_mail::sync::sync_account(&store, &account, &|_| {})
            .await
            .context("cannot sync the shared mailbox before guarding")?;
    }
    let report = confide_mail::guard::run(&store).await?;
    store.close().await;
    for problem in &report.problems {
        eprintln!("guard: {problem}");
    }
    println!(
        "guard: moved_sent={} moved_deleted={} left_unmatched={} problems={}",
        report.moved_sent,
        report.moved_deleted,
        report.left_unmatched,
        report.problems.len()
    );
    Ok(if report.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

#[derive(Subcommand)]
enum RetentionCmd {
    /// One run (for a timer): the shared mailbox's folders, personal copies, this store
    Run {
        /// Say what has expired; change nothing
        #[arg(long)]
        dry_run: bool,
        /// Decide what has expired as if it were this moment (RFC 3339, e.g.
        /// 2027-01-31T09:00:00Z), to check a policy ahead of time; what the run does is
        /// recorded at the time it really ran
        #[arg(long)]
        now: Option<String>,
    },
    /// Writes the retention record or the anonymous statistics as CSV to standard output
    /// (managers only)
    Export {
        #[arg(value_enum)]
        what: ExportWhat,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportWhat {
    Record,
    Statistics,
}

async fn retention_export(store: Store, what: ExportWhat) -> anyhow::Result<ExitCode> {
    use confide_core::retention::records::{self, Export};
    let session = staff::session(&store).await?;
    let csv = records::export(
        &session,
        match what {
            ExportWhat::Record => Export::Record,
            ExportWhat::Statistics => Export::Statistics,
        },
    )
    .await?;
    store.close().await;
    print!("{csv}");
    Ok(ExitCode::SUCCESS)
}

async fn retention_run(data_dir: &std::path::Path, dry_run: bool, now: Option<String>) -> anyhow::Result<ExitCode> {
    let clock: Arc<dyn confide_core::Clock> = match now {
        None => Arc::new(SystemClock),
        Some(text) => {
            let at = time::OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
                .with_context(|| format!("--now {text}: write a moment like 2027-01-31T09:00:00Z"))?;
            Arc::new(confide_core::Rehearsal(at))
        }
    };
    let store = open_with_clock(data_dir, clock).await?;
    let report = confide_mail::expire::run(&store, dry_run).await?;
    // The run's own audit entry (and anything else new) goes to the managers' log on the
    // server; if that fails it waits for the next run, already kept locally.
    if !dry_run {
        if let Err(e) = publish_audit(&store).await {
            eprintln!("retention: the audit log could not be sent to the server this time: {e:#}");
        }
    }
    store.close().await;
    for problem in &report.problems {
        eprintln!("retention: {problem}");
    }
    println!(
        "retention: class={} period=\"{}\" dry_run={} expired={} server_removed={} conversations_removed={} personal_removed={} records_removed={} chats_removed={} problems={}",
        report.class,
        report.period,
        report.dry_run,
        report.expired_messages,
        report.server_messages_removed,
        report.local_conversations_removed,
        report.personal_messages_removed,
        report.records_removed,
        report.chats_removed,
        report.problems.len()
    );
    Ok(if report.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

pub(crate) async fn open(data_dir: &std::path::Path) -> anyhow::Result<Store> {
    open_with_clock(data_dir, Arc::new(SystemClock)).await
}

async fn open_with_clock(data_dir: &std::path::Path, clock: Arc<dyn confide_core::Clock>) -> anyhow::Result<Store> {
    confide_core::store::open_desktop(data_dir, clock)
        .await
        .with_context(|| format!("cannot open the store in {}", data_dir.display()))
}

async fn status(data_dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    let store = open(data_dir).await?;
    let state = staff::setup_state(&store).await?;
    let line = match &state {
        staff::SetupState::NeedsProfile { .. } => {
            "not set up yet: open the Confide app to choose the policy and your role".to_owned()
        }
        staff::SetupState::NeedsAgreement { preset, .. } => {
            format!("set up for {}; the confidentiality agreement must be accepted in the app", preset.name)
        }
        staff::SetupState::Ready { profile } => format!(
            "ready: {} ({}), policy {}, agreement {} accepted {}",
            profile.display_name, profile.role_name, profile.preset.id, profile.agreement_version, profile.accepted_at
        ),
    };
    println!("store: {}", data_dir.display());
    println!("staff key fingerprint: {}", store.identity().fingerprint());
    println!("{line}");
    Ok(ExitCode::SUCCESS)
}
