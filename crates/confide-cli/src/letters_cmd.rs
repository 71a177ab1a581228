//! `confide letters`: scanning letters in from a shell (for an office whose scanner saves to a
//! shared folder a timer can look in), and listing them for managers.

use confide_mail::records::ImapRecords;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use confide_core::letters::LetterDetails;
use confide_core::{staff, Store};

#[derive(Subcommand)]
pub enum LettersCmd {
    /// Imports one letter from its scanned files (PDF, PNG, JPEG, TIFF), then removes the files
    /// securely unless --keep-files
    Import {
        /// The service line it was written to
        #[arg(long)]
        line: String,
        /// The day it arrived, YYYY-MM-DD
        #[arg(long)]
        received: String,
        /// A short summary, with no names or addresses
        #[arg(long)]
        summary: String,
        /// The paper original has been destroyed (recorded with your name and the time)
        #[arg(long)]
        original_destroyed: bool,
        #[arg(long)]
        keep_files: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The scans waiting in a folder (the office scanner's)
    Waiting { folder: PathBuf },
    /// Sets the folder the office scanner saves to: the app offers the scans waiting there
    ScannerFolder { folder: PathBuf },
    /// The letters you may read (managers): reference, line, date received, pages, summary
    List,
}

pub async fn run(cmd: LettersCmd, store: Store) -> anyhow::Result<ExitCode> {
    let result = match cmd {
        LettersCmd::Import { line, received, summary, original_destroyed, keep_files, files } => {
            let session = staff::session(&store).await?;
            let details = LetterDetails { line, received_on: received, summary, original_destroyed };
            let done = confide_core::letters::import_files(
                &session,
                &ImapRecords::of(&session.store),
                &details,
                &files,
                !keep_files,
                &|p| eprintln!("letters: {} ({} of {})", p.doing, p.step, p.of),
            )
            .await?;
            for p in &done.problems {
                eprintln!("letters: {p}");
            }
            println!("letters: imported={} files={} removed={}", done.reference, files.len(), done.removed.len());
            if done.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        LettersCmd::Waiting { folder } => {
            for p in confide_core::letters::source::waiting_in(&folder)? {
                println!("{}", p.display());
            }
            ExitCode::SUCCESS
        }
        LettersCmd::ScannerFolder { folder } => {
            confide_core::letters::source::set_scanner_folder(&store, &folder).await?;
            println!("letters: the scanner folder is {}", folder.display());
            ExitCode::SUCCESS
        }
        LettersCmd::List => {
            let session = staff::session(&store).await?;
            let letters = confide_core::letters::list(&session, &ImapRecords::of(&session.store)).await?;
            for l in &letters {
                let pages: u32 = l.scans.iter().map(|s| s.pages).sum();
                println!(
                    "{}\t{}\t{}\t{} pages\t{} responses\t{}",
                    l.reference,
                    l.line,
                    l.received_on,
                    pages,
                    l.responses.len(),
                    l.summary
                );
            }
            println!("letters: {} you may read", letters.len());
            ExitCode::SUCCESS
        }
    };
    store.close().await;
    Ok(result)
}
