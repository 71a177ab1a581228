use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use confide_core::policy::{self, Catalog};

#[derive(Subcommand)]
pub enum PolicyCmd {
    /// List the presets this build ships
    List,
    /// Check preset files; every error names its file and line
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

pub fn run(cmd: PolicyCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCmd::List => {
            for p in Catalog::builtin().presets() {
                println!("{:<22} {} (version {})", p.id, p.name, p.version);
            }
            Ok(ExitCode::SUCCESS)
        }
        PolicyCmd::Check { files } => {
            let mut failed = false;
            for file in files {
                match policy::load_file(&file) {
                    Ok(p) => println!(
                        "{}: ok ({}, {} lines, {} retention classes)",
                        file.display(),
                        p.id,
                        p.lines.len(),
                        p.retention.len()
                    ),
                    Err(e) => {
                        failed = true;
                        println!("{e}");
                    }
                }
            }
            Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
    }
}
