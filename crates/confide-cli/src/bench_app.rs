//! `confide bench app`: the built desktop app against the lab. Cold start to an interactive
//! inbox (the process spawned until the window has drawn its first page of conversations), then
//! the memory of all its processes (WebKit's included) after it has sat idle.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use confide_mail::lab::Lab;

pub struct AppBench {
    pub app: Option<PathBuf>,
    pub messages: usize,
    pub idle_seconds: u64,
}

pub async fn run(opts: AppBench) -> anyhow::Result<ExitCode> {
    let Some(lab) = Lab::get("bench app") else {
        bail!("the benchmark needs the mail lab (`bash tests/lab/up`) and a keyring (run it under tests/with-keyring)");
    };
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        bail!("the benchmark opens the app's window: run it with a display (for example under `xvfb-run -a`)");
    }
    let app = match opts.app {
        Some(app) => app,
        None => std::env::current_exe()?.with_file_name("confide-app"),
    };
    if !app.exists() {
        bail!("there is no built app at {} (build it with `cargo build --release -p confide-app --features custom-protocol`, or name it with --app)", app.display());
    }
    let user = crate::bench_sync::seeded_mailbox(&lab, opts.messages)?;
    let work = std::env::temp_dir().join(format!("confide-bench-app-{}", std::process::id()));
    let result = measure(&lab, &user, &app, &work, opts.idle_seconds).await;
    std::fs::remove_dir_all(&work).ok();
    let (start_s, idle_mb, processes) = result?;
    eprintln!("targets: start under 1.5 s, idle memory of all processes under 250 MB ({processes} processes)");
    println!("bench app: start_s={start_s:.2} idle_mb={idle_mb:.0}");
    Ok(ExitCode::SUCCESS)
}

async fn measure(
    lab: &Lab,
    user: &str,
    app: &Path,
    work: &Path,
    idle_seconds: u64,
) -> anyhow::Result<(f64, f64, usize)> {
    let data_dir = work.join("store");
    // A desktop as it is on an ordinary morning: set up, the agreement accepted, the shared
    // mailbox already synced.
    {
        let store = crate::open(&data_dir).await?;
        let account = crate::bench::lab_manager(&store, lab, user).await?;
        let report = confide_mail::sync::sync_account(&store, &account, &|_| {}).await?;
        eprintln!("store ready: {} messages synced", report.added);
        store.close().await;
    }
    let ready = work.join("ready");
    let started = Instant::now();
    let child = Command::new(app)
        .env("CONFIDE_DATA_DIR", &data_dir)
        .env("CONFIDE_BENCH_READY", &ready)
        .spawn()
        .with_context(|| format!("cannot start {}", app.display()))?;
    let mut child = KillOnDrop(child);
    while !ready.exists() {
        if let Some(status) = child.0.try_wait()? {
            bail!("the app exited ({status}) before its inbox was shown");
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("the app did not show its inbox within a minute");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let start_s = started.elapsed().as_secs_f64();
    eprintln!("inbox interactive after {start_s:.2} s; idle for {idle_seconds} s");
    tokio::time::sleep(Duration::from_secs(idle_seconds)).await;
    let tree = process_tree(child.0.id());
    let kib: u64 = tree.iter().filter_map(|pid| pss_kib(*pid)).sum();
    for pid in &tree {
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        eprintln!("  {pid} {:<24} {:>7.1} MB", name.trim(), pss_kib(*pid).unwrap_or(0) as f64 / 1024.0);
    }
    Ok((start_s, kib as f64 / 1024.0, tree.len()))
}

/// The app and every process under it (WebKit's web and network processes), by parent pid.
fn process_tree(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // The command name is in parentheses and may hold spaces: the parent comes after it.
            let ppid = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(parents.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
        i += 1;
    }
    tree
}

/// Proportional set size: shared pages divided among the processes that share them, so a
/// sum over processes counts each page once.
fn pss_kib(pid: u32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    rollup
        .lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_of_this_process_holds_its_child_and_memory_is_read() {
        let mut child = Command::new("sleep").arg("5").spawn().unwrap();
        let tree = process_tree(std::process::id());
        assert!(tree.contains(&child.id()), "{tree:?}");
        assert!(pss_kib(std::process::id()).unwrap() > 0);
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
