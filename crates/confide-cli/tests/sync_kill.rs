//! Issue 3: a sync killed with SIGKILL mid-way, then run again, ends with exactly the server's
//! messages: none lost, none twice, and a sound database.

use std::io::Read;
use std::process::Stdio;
use std::sync::Arc;

use confide_core::policy::Catalog;
use confide_core::store::StoreConfig;
use confide_core::{mailstore, paths, Store, SystemClock};
use confide_mail::lab::Lab;
use confide_vault::{OsKeyring, Vault};

mod common;
use common::{add_account, confide};

const N: usize = 4000;

#[tokio::test]
async fn issue3_kill_during_sync_then_resume_gives_exactly_the_server_set() {
    let Some(lab) = Lab::get("issue3_kill_during_sync_then_resume_gives_exactly_the_server_set") else { return };
    let user = lab.fresh_user("kill");
    lab.bulk_import(&user, N, "kill");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    add_account(&lab, &data, "tester", "shared", &user);

    // Start a sync and kill it once some batches, but not all, are committed.
    let mut child = confide(&data)
        .args(["sync", "--account", "tester"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 256];
    let killed_at = loop {
        let n = stderr.read(&mut buf).unwrap();
        assert!(n > 0, "sync ended before it could be killed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        let done =
            seen.rsplit("INBOX ").next().and_then(|t| t.split('/').next()).and_then(|d| d.trim().parse::<usize>().ok());
        if let Some(done) = done.filter(|d| *d >= 500 && *d < N) {
            child.kill().unwrap();
            break done;
        }
    };
    let status = child.wait().unwrap();
    assert!(!status.success(), "the sync was meant to die");
    eprintln!("killed after {killed_at} of {N}");

    let resumed = confide(&data).args(["sync", "--account", "tester"]).output().unwrap();
    assert!(resumed.status.success(), "{}", String::from_utf8_lossy(&resumed.stderr));
    let report = String::from_utf8_lossy(&resumed.stdout);
    let added: usize = report.split("added=").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    assert!(added <= N - killed_at, "the resumed sync fetched again what was committed: {report}");

    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(&data));
    let store = Store::open(StoreConfig {
        data_dir: data.clone(),
        vault,
        clock: Arc::new(SystemClock),
        catalog: Catalog::builtin(),
    })
    .await
    .unwrap();
    assert_eq!(mailstore::local_uids(&store, "tester", "INBOX").await.unwrap(), lab.server_uids(&user, "INBOX"));
    let messages = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM messages").fetch_one(store.pool()).await.unwrap();
    let blobs = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM blobs").fetch_one(store.pool()).await.unwrap();
    assert_eq!((messages, blobs), (N as i64, N as i64), "lost or duplicated messages");
    let integrity = sqlx::query_scalar::<_, String>("PRAGMA integrity_check").fetch_one(store.pool()).await.unwrap();
    assert_eq!(integrity, "ok");
}
