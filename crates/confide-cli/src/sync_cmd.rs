use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use confide_core::accounts::{self, AccountKind};
use confide_core::Store;
use confide_mail::sync::{sync_account, SyncProgress};

/// One sync pass over the shared mailboxes (or one named account), with progress on stderr.
/// A personal mailbox is the sent-folder guard's (`confide guard run`): named here, sync
/// itself refuses it.
pub async fn run(store: Store, only: Option<String>) -> anyhow::Result<ExitCode> {
    let all = accounts::list(&store).await?;
    let chosen: Vec<_> = match only.as_deref() {
        Some(id) => all.into_iter().filter(|a| a.id == id).collect(),
        None => all.into_iter().filter(|a| a.kind == AccountKind::Shared).collect(),
    };
    if chosen.is_empty() {
        bail!("there is no such shared mailbox; `confide account list` shows the accounts");
    }
    for account in chosen {
        let progress = |p: &SyncProgress| {
            match p.waiting {
                Some(s) => eprint!("\rsync {}: the server asked to wait {s} s; carrying on after   ", account.id),
                None => eprint!("\rsync {}: {} {}/{}   ", account.id, p.folder, p.done, p.total),
            }
            let _ = std::io::stderr().flush();
        };
        let report = sync_account(&store, &account, &progress).await?;
        eprintln!();
        println!(
            "sync {}: folders={} unchanged={} fetched={} added={} removed={} resets={}",
            account.id,
            report.folders,
            report.unchanged_folders,
            report.fetched,
            report.added,
            report.removed,
            report.resets
        );
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
