//! Issue 10: no secret (the mailbox password, the database key, the staff member's private key)
//! in any file the headless commands leave, in their log at its most verbose, or in any
//! process's argument list or environment while they run. The secrets are read back from the
//! real keyring and looked for byte for byte.
// The keyring lock (`common::one_at_a_time`) is held across awaits on purpose: it keeps one
// test's `confide` processes off the keyring while another's run, for the test's whole span.
#![allow(clippy::await_holding_lock)]

use std::io::Read;
use std::process::Stdio;

use age::secrecy::ExposeSecret;
use confide_mail::lab::Lab;

mod common;
use common::{add_account as add, confide, process_table};

fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path, bytes));
        }
    }
    out
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[tokio::test]
async fn issue10_no_secret_in_files_logs_or_process_arguments() {
    let Some(lab) = Lab::get("issue10_no_secret_in_files_logs_or_process_arguments") else { return };
    let _keyring = common::one_at_a_time();
    let shared = lab.fresh_user("secrets");
    lab.import_raw(&shared, &[format!("From: c@example.org\r\nTo: {shared}@lab.test\r\nSubject: hello\r\nMessage-ID: <s-{shared}@example.org>\r\nDate: Sat, 10 Jan 2026 10:00:00 +0000\r\n\r\nhi\r\n")]);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::manager_store(&data).await;
    add(&lab, &data, "shared", "shared", &shared);

    // The headless jobs a timer runs, each logging everything, while the process table is read
    // over and over.
    let (mut logs, mut table) = (vec![], vec![]);
    for job in [&["sync"][..], &["retention", "run", "--now", "2026-07-13T12:00:00Z"], &["guard", "run"]] {
        let mut child = confide(&data)
            .args(job)
            .env("CONFIDE_LOG", "trace")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Each pipe drained on its own thread: a full one would otherwise stall the job.
        let drain = |mut pipe: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut bytes = vec![];
                pipe.read_to_end(&mut bytes).unwrap();
                bytes
            })
        };
        let (out, err) = (drain(Box::new(child.stdout.take().unwrap())), drain(Box::new(child.stderr.take().unwrap())));
        while child.try_wait().unwrap().is_none() {
            table.extend(process_table());
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        logs.extend(out.join().unwrap());
        logs.extend(err.join().unwrap());
    }
    assert!(holds(&logs, "TRACE") || holds(&logs, "DEBUG"), "the jobs logged at their most verbose");

    let vault = confide_vault::Vault::new(
        std::sync::Arc::new(confide_vault::OsKeyring::new(confide_core::paths::KEYRING_SERVICE)),
        confide_core::paths::keyring_profile(&data),
    );
    let pragma = vault.database_key(confide_vault::KeyPolicy::MustExist).unwrap().sqlcipher_pragma_value();
    let db_key = pragma.split('\'').nth(1).unwrap().to_owned();
    let identity = vault
        .staff_identity(confide_vault::KeyPolicy::MustExist)
        .unwrap()
        .age_identity()
        .to_string()
        .expose_secret()
        .to_owned();
    let password = lab.password(&shared);
    assert!(db_key.len() == 64 && identity.starts_with("AGE-SECRET-KEY-") && password.len() >= 12);

    let files = files_under(tmp.path());
    assert!(files.iter().any(|(p, _)| p.ends_with("confide.db")), "the store is there to search");
    for (what, secret) in [
        ("the mailbox password", password.as_str()),
        ("the database key", db_key.as_str()),
        ("the private key", identity.as_str()),
    ] {
        if let Some(at) = logs.windows(secret.len()).position(|w| w.eq_ignore_ascii_case(secret.as_bytes())) {
            let line_start = logs[..at].iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
            panic!(
                "{what} is in the log, in: {}",
                String::from_utf8_lossy(&logs[line_start..(at).min(line_start + 300)])
            );
        }
        assert!(!holds(&table, secret), "{what} is in a process's arguments or environment");
        for (path, bytes) in &files {
            assert!(!holds(bytes, secret), "{what} is in {}", path.display());
        }
    }
}
