//! What the CLI tests share: running the built `confide` on a data directory, and adding a lab
//! account through it as a helpline would (password on standard input).
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

use confide_mail::lab::Lab;

pub fn confide(data: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_confide"));
    c.arg("--data-dir").arg(data);
    c
}

/// `confide account add` for a lab user; panics if the CLI refuses.
pub fn add_account(lab: &Lab, data: &std::path::Path, id: &str, kind: &str, user: &str) {
    let mut add = confide(data)
        .args(["account", "add", "--id", id, "--kind", kind, "--address"])
        .arg(format!("{user}@lab.test"))
        .arg("--imap")
        .arg(format!("127.0.0.1:{}", lab.var("LAB_IMAPS_PORT")))
        .args(["--smtp", "127.0.0.1:1587", "--ca-file", lab.var("LAB_CA"), "--password-stdin"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(lab.password(user).as_bytes()).unwrap();
    assert!(add.wait().unwrap().success());
}

/// One test of a binary at a time where each starts `confide` processes that write to the
/// keyring: gnome-keyring drops off the bus when several processes create items at once (the
/// in-process serialisation in `OsKeyring` cannot reach across processes), and the tests would
/// fail for the keyring's sake, not Confide's.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// A store in `data` for a manager on respect-mal-current with the agreement accepted, as the
/// first run leaves it, made through the core (the CLI has no first-run command).
pub async fn manager_store(data: &std::path::Path) {
    use confide_core::{policy::RoleKind, staff, SystemClock};
    let store = confide_core::store::open_desktop(data, std::sync::Arc::new(SystemClock)).await.unwrap();
    staff::save_profile(&store, "respect-mal-current", "Ash", RoleKind::Manager).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    store.close().await;
}

/// Every file under `dir` holding `needle` (the store's and the test's own files).
pub fn files_holding(dir: &std::path::Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    let mut hits = vec![];
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            hits.extend(files_holding(&path, needle));
        } else if std::fs::read(&path).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle)) {
            hits.push(path);
        }
    }
    hits
}

/// Every process's argument list and environment that can be read now, joined.
pub fn process_table() -> Vec<u8> {
    let mut all = vec![];
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if entry.file_name().to_string_lossy().chars().all(|c| c.is_ascii_digit()) {
            for part in ["cmdline", "environ"] {
                if let Ok(bytes) = std::fs::read(entry.path().join(part)) {
                    all.extend(bytes);
                    all.push(b'\n');
                }
            }
        }
    }
    all
}
