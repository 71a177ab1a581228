//! `confide library`: the line's leaflets from a shell, for a team leader adding a shelf of
//! them at once.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use confide_core::{leaflets, staff, Store};
use confide_mail::records::ImapRecords;

#[derive(Subcommand)]
pub enum LibraryCmd {
    /// Adds a leaflet (PDF, PNG or JPEG) to a line's library (team leaders and managers)
    AddLeaflet {
        /// The service line it is for
        #[arg(long)]
        line: String,
        /// The title advisors see
        #[arg(long)]
        title: String,
        file: PathBuf,
    },
    /// The leaflets of your lines: id, line, title, file, size
    Leaflets,
}

pub async fn run(cmd: LibraryCmd, store: Store) -> anyhow::Result<ExitCode> {
    let session = staff::session(&store).await?;
    let server = ImapRecords::of(&session.store);
    match cmd {
        LibraryCmd::AddLeaflet { line, title, file } => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let id = leaflets::add(&session, &server, &line, (&title, &name), &bytes).await?;
            println!("library: added leaflet={id} line={line} size={}", leaflets::megabytes(bytes.len() as u64));
        }
        LibraryCmd::Leaflets => {
            for l in leaflets::list(&session, &server).await? {
                println!("{}\t{}\t{}\t{}\t{}", l.leaflet, l.line, l.title, l.file_name, leaflets::megabytes(l.size));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
