//! `confide-webchat`: run the gateway from its configuration file, or issue an advisor's
//! credential.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "confide-webchat", about = "Confide's webchat gateway")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serves visitors and advisors as the configuration file says
    Serve {
        #[arg(long)]
        config: PathBuf,
    },
    /// Makes a new advisor credential: the credential goes into the advisor's desktop (its
    /// keyring), the hash into the gateway's configuration
    Credential,
}

#[tokio::main]
async fn main() -> ExitCode {
    // Warnings only by default, and nothing here ever logs a visitor's address or words.
    confide_webchat::logging::init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("confide-webchat: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { config } => {
            let config = confide_webchat::config::Config::load(&config)?;
            let gateway = confide_webchat::Gateway::start(config).await?;
            println!("confide-webchat: listening on {}", gateway.addr);
            tokio::signal::ctrl_c().await?;
            gateway.stop().await;
            Ok(())
        }
        Command::Credential => {
            let credential = hex::encode(rand::random::<[u8; 32]>());
            println!("credential: {credential}");
            println!("credential_sha256 = \"{}\"", confide_webchat::config::credential_hash(&credential));
            Ok(())
        }
    }
}
