//! Issue 5: a retention run killed with SIGKILL at each of its stages (counting, server expunge,
//! local destruction, checkpoint), then run again, ends in the same state as an uninterrupted
//! run: on the server and locally exactly what has not expired, no message without its blob or
//! index entry, every ended conversation counted in the statistics once, a sound database.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use confide_core::policy::{Catalog, RoleKind};
use confide_core::retention::has_expired;
use confide_core::store::StoreConfig;
use confide_core::{paths, staff, Store, SystemClock};
use confide_mail::lab::Lab;
use confide_vault::{OsKeyring, Vault};

mod common;
use common::{add_account, confide};
use time::macros::datetime;
use time::OffsetDateTime;

const N: i64 = 1200;
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Message `i` of N, dated evenly over the twelve months before `end`; every third replies to
/// the one before it, so some conversations outlive some of their messages.
fn message(i: i64, end: OffsetDateTime) -> (String, i64) {
    let at = end - time::Duration::seconds(i * 365 * 86_400 / N) - time::Duration::hours(1);
    let date = format!(
        "{:02} {} {} {:02}:{:02}:00 +0000",
        at.day(),
        MONTHS[at.month() as usize - 1],
        at.year(),
        at.hour(),
        at.minute()
    );
    let reply = if i % 3 == 1 { format!("In-Reply-To: <rk-{}@example.org>\r\n", i + 1) } else { String::new() };
    let raw = format!("From: caller{i}@example.org\r\nTo: helpline@lab.test\r\nSubject: canary-rk-{i}\r\nMessage-ID: <rk-{i}@example.org>\r\n{reply}Date: {date}\r\n\r\nbody {i}\r\n");
    (raw, at.replace_second(0).unwrap().unix_timestamp())
}

async fn open(data: &std::path::Path) -> Store {
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(data));
    Store::open(StoreConfig {
        data_dir: data.to_path_buf(),
        vault,
        clock: Arc::new(SystemClock),
        catalog: Catalog::builtin(),
    })
    .await
    .unwrap()
}

async fn scalar(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(store.pool()).await.unwrap()
}

/// What must hold after any kill: nothing that has not expired is gone, locally or on the
/// server, and no record is half there.
async fn check_sound(
    lab: &Lab,
    user: &str,
    data: &std::path::Path,
    keep: &BTreeSet<String>,
    stage: &str,
) -> (BTreeSet<String>, i64, i64) {
    let store = open(data).await;
    let integrity = sqlx::query_scalar::<_, String>("PRAGMA integrity_check").fetch_one(store.pool()).await.unwrap();
    assert_eq!(integrity, "ok", "after a kill at {stage}");
    let messages = scalar(&store, "SELECT count(*) FROM messages").await;
    let blobs = scalar(&store, "SELECT count(*) FROM blobs WHERE id IN (SELECT body_blob FROM messages)").await;
    let all_blobs = scalar(&store, "SELECT count(*) FROM blobs").await;
    let indexed = scalar(&store, "SELECT count(*) FROM message_fts_docsize").await;
    assert_eq!(
        (blobs, all_blobs, indexed),
        (messages, messages, messages),
        "a half-deleted record after a kill at {stage}"
    );
    // Crypto-shredding: each kept blob has its header, and no header outlives its blob.
    let keys = scalar(&store, "SELECT count(*) FROM blob_keys WHERE blob_id IN (SELECT id FROM blobs)").await;
    let all_keys = scalar(&store, "SELECT count(*) FROM blob_keys").await;
    assert_eq!((keys, all_keys), (messages, messages), "blob headers out of step after a kill at {stage}");
    let empty = scalar(&store, "SELECT count(*) FROM conversations c WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)").await;
    assert_eq!(empty, 0, "an empty conversation left after a kill at {stage}");
    let counted = scalar(&store, "SELECT coalesce(sum(count), 0) FROM statistics WHERE category = 'all'").await;
    let conversations = scalar(&store, "SELECT count(*) FROM conversations").await;
    store.close().await;
    let on_server: BTreeSet<String> = lab
        .doveadm(&["-f", "flow", "fetch", "-u", &format!("{user}@lab.test"), "hdr.message-id", "mailbox", "*", "all"])
        .lines()
        .filter_map(|l| l.split('<').nth(1).map(|s| s.trim_end_matches('>').to_owned()))
        .collect();
    let lost: Vec<_> = keep.difference(&on_server).collect();
    assert!(lost.is_empty(), "unexpired messages gone from the server after a kill at {stage}: {lost:?}");
    assert!(messages as usize >= keep.len(), "unexpired messages gone locally after a kill at {stage}");
    (on_server, counted, conversations)
}

#[tokio::test(flavor = "multi_thread")]
async fn issue5_kill_during_retention_then_rerun_ends_in_the_same_state() {
    let Some(lab) = Lab::get("issue5_kill_during_retention_then_rerun_ends_in_the_same_state") else { return };
    let user = lab.fresh_user("rkill");
    let end = datetime!(2026-06-01 12:00 UTC);
    let generated: Vec<(String, i64)> = (0..N).map(|i| message(i, end)).collect();
    lab.import_raw(&user, &generated.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>());
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    {
        let store = open(&data).await;
        staff::save_profile(&store, "respect-mal-current", "Ash", RoleKind::Manager).await.unwrap();
        store.close().await;
    }
    add_account(&lab, &data, "shared", "shared", &user);
    assert!(confide(&data).args(["sync", "--account", "shared"]).output().unwrap().status.success());
    let started_with = {
        let store = open(&data).await;
        let n = scalar(&store, "SELECT count(*) FROM conversations").await;
        store.close().await;
        n
    };
    let period = Catalog::builtin()
        .get("respect-mal-current")
        .unwrap()
        .retention
        .iter()
        .find(|c| c.id == "email")
        .unwrap()
        .period
        .clone();

    // Each round moves the clock on a month, so every run has fresh work, and kills it at the
    // next stage in turn: as soon as a stage's log line appears, or a moment after.
    let stages = ["sync and guard", "find expired", "server expunge", "local destruction"];
    let mut now = end;
    for round in 0..8 {
        now += time::Duration::days(30);
        let stamp = now.format(&time::format_description::well_known::Rfc3339).unwrap();
        let keep: BTreeSet<String> = (0..N)
            .filter(|i| !has_expired(&period, generated[*i as usize].1, now))
            .map(|i| format!("rk-{i}@example.org"))
            .collect();
        let stage = stages[round % stages.len()];
        let mut child = confide(&data)
            .args(["retention", "run", "--now", &stamp])
            .env("CONFIDE_LOG", "confide_mail=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut reached = false;
        while let Some(Ok(line)) = lines.next() {
            if line.contains(stage) {
                reached = true;
                break;
            }
        }
        if round >= stages.len() {
            std::thread::sleep(Duration::from_millis(2 * (round - stages.len()) as u64));
        }
        child.kill().ok();
        let finished = child.wait().unwrap().success();
        eprintln!("round {round}: killed after \"{stage}\" (reached: {reached}, had already finished: {finished})");
        check_sound(&lab, &user, &data, &keep, stage).await;

        // The rerun completes what the killed run began.
        let rerun = confide(&data).args(["retention", "run", "--now", &stamp]).output().unwrap();
        assert!(rerun.status.success(), "{}", String::from_utf8_lossy(&rerun.stderr));
        let (on_server, counted, conversations) = check_sound(&lab, &user, &data, &keep, "the rerun").await;
        assert_eq!(on_server, keep, "round {round}: the server holds other than exactly the unexpired mail");
        let store = open(&data).await;
        let local: BTreeSet<i64> = sqlx::query_scalar::<_, i64>("SELECT sent_at FROM messages")
            .fetch_all(store.pool())
            .await
            .unwrap()
            .into_iter()
            .collect();
        assert!(local.iter().all(|t| !has_expired(&period, *t, now)), "round {round}: expired mail left locally");
        assert_eq!(
            scalar(&store, "SELECT count(*) FROM messages").await as usize,
            keep.len(),
            "round {round}: local copies differ from the server's"
        );
        assert_eq!(
            scalar(&store, "SELECT count(*) FROM retention_counted").await,
            0,
            "round {round}: a counted conversation was not destroyed"
        );
        store.close().await;
        assert_eq!(
            counted + conversations,
            started_with,
            "round {round}: statistics and store disagree on how many conversations there were"
        );
    }
}
