use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use confide_core::{accounts, Store};
use confide_mail::sync::{sync_account, SyncProgress};

/// One sync pass over the configured accounts (or one of them), with progress on stderr.
pub async fn run(store: Store, only: Option<String>) -> anyhow::Result<ExitCode> {
    let all = accounts::list(&store).await?;
    let chosen: Vec<_> = all.into_iter().filter(|a| only.as_deref().is_none_or(|id| id == a.id)).collect();
    if chosen.is_empty() {
        bail!("there is no such mail account; `confide account list` shows them");
    }
    for account in chosen {
        let progress = |p: &SyncProgress| {
            eprint!("\rsync {}: {} {}/{}   ", account.id, p.folder, p.done, p.total);
            let _ = std::io::stderr().flush();
        };
        let report = sync_account(&store, &account, &progress).await?;
        eprintln!();
        println!(
            "sync {}: folders={} unchanged={} fetched={} added={} removed={} resets={}",
            account.id, report.folders, report.unchanged_folders, report.fetched, report.added, report.removed, report.resets
        );
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
