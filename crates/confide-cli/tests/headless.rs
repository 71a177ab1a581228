//! The headless commands a timer runs, against the lab. Issue 4: `confide guard run` syncs the shared
//! mailbox, moves a personal Sent copy of a helpline reply, and a second run moves nothing.
// The keyring lock (`common::one_at_a_time`) is held across awaits on purpose: it keeps one
// test's `confide` processes off the keyring while another's run, for the test's whole span.
#![allow(clippy::await_holding_lock)]

use confide_mail::lab::Lab;
use confide_mail::records::ImapRecords;

mod common;
use common::{add_account as add, confide};

#[test]
fn issue4_guard_run_moves_a_personal_copy_once() {
    let Some(lab) = Lab::get("issue4_guard_run_moves_a_personal_copy_once") else { return };
    let _keyring = common::one_at_a_time();
    let (shared, personal) = (lab.fresh_user("gcli-shared"), lab.fresh_user("gcli-advisor"));
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    add(&lab, &data, "shared", "shared", &shared);
    add(&lab, &data, "personal", "personal", &personal);
    let copy = format!("From: {shared}@lab.test\r\nTo: caller@example.org\r\nSubject: Re: hi\r\nMessage-ID: <gcli-{personal}@lab.test>\r\n\r\nReply.\r\n");
    lab.import_raw(&personal, &[copy]);
    lab.doveadm(&["move", "-u", &format!("{personal}@lab.test"), "Sent", "mailbox", "INBOX", "all"]);

    let first = confide(&data).args(["guard", "run"]).output().unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(
        String::from_utf8_lossy(&first.stdout).contains("moved_sent=1 "),
        "{}",
        String::from_utf8_lossy(&first.stdout)
    );
    assert_eq!((lab.message_count(&personal, "Sent"), lab.message_count(&shared, "Sent")), (0, 1));

    let second = confide(&data).args(["guard", "run"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("moved_sent=0 "),
        "{}",
        String::from_utf8_lossy(&second.stdout)
    );
    assert_eq!(lab.message_count(&shared, "Sent"), 1);
}

/// Issue 5: `confide retention run --now` (for a timer, and to check a policy ahead of time):
/// a dry run changes nothing; the real run removes the expired message from the server.
#[tokio::test]
async fn issue5_retention_run_with_now_dry_then_real() {
    let Some(lab) = Lab::get("issue5_retention_run_with_now_dry_then_real") else { return };
    let _keyring = common::one_at_a_time();
    let shared = lab.fresh_user("rcli");
    lab.import_raw(&shared, &[format!("From: c@example.org\r\nTo: {shared}@lab.test\r\nSubject: canary-rcli\r\nMessage-ID: <rcli-{shared}@example.org>\r\nDate: Sat, 10 Jan 2026 10:00:00 +0000\r\n\r\nold\r\n")]);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::manager_store(&data).await;
    add(&lab, &data, "shared", "shared", &shared);
    let run = |extra: &[&str]| {
        let out =
            confide(&data).args(["retention", "run", "--now", "2026-07-13T12:00:00Z"]).args(extra).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, dry) = run(&["--dry-run"]);
    assert!(ok && dry.contains("dry_run=true expired=1 server_removed=0"), "{dry}");
    assert_eq!(lab.message_count(&shared, "INBOX"), 1);
    let (ok, real) = run(&[]);
    assert!(ok && real.contains("expired=1 server_removed=1 conversations_removed=1"), "{real}");
    assert_eq!(lab.message_count(&shared, "INBOX"), 0);

    // The manager exports what the run did: counts and places, no subject or address.
    let record = confide(&data).args(["retention", "export", "record"]).output().unwrap();
    let record = String::from_utf8(record.stdout).unwrap();
    assert!(record.starts_with("at,action,class,from,to,count,oldest,newest\r\n"), "{record}");
    assert!(record.contains(",expired,email,shared INBOX,,1,"), "{record}");
    assert!(record.contains(",expired,email,local,,1,2026-01-10,2026-01-10\r\n"), "{record}");
    let statistics = confide(&data).args(["retention", "export", "statistics"]).output().unwrap();
    assert_eq!(
        String::from_utf8(statistics.stdout).unwrap(),
        "month,channel,line,category,outcome,count\r\n2026-01,email,phoneline,all,new,1\r\n"
    );
    assert!(!record.contains("canary") && !record.contains("example.org"));

    // The run and the exports are on the audit log, which verifies.
    let verify = confide(&data).args(["audit", "verify"]).output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    assert_eq!(String::from_utf8_lossy(&verify.stdout), "audit: entries=3 ok\n");
    {
        use confide_core::SystemClock;
        let store = confide_core::store::open_desktop(&data, std::sync::Arc::new(SystemClock)).await.unwrap();
        // Someone with the database key going round the append-only trigger.
        for sql in ["DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET action = 'viewed' WHERE seq = 2"] {
            sqlx::query(sql).execute(store.pool()).await.unwrap();
        }
        store.close().await;
    }
    let verify = confide(&data).args(["audit", "verify"]).output().unwrap();
    assert!(!verify.status.success());
    assert_eq!(
        String::from_utf8_lossy(&verify.stdout),
        "audit: entries=3 TAMPERED: entry 2 was changed after it was written\n"
    );
}

/// Issue 6/7: `confide team recipients` prints exactly whom a class's records on a line are
/// encrypted to (for the webchat gateway's configuration): for letters, the manager alone.
#[tokio::test]
async fn issue7_team_recipients_prints_the_readers_of_a_class_on_a_line() {
    let Some(lab) = Lab::get("issue7_team_recipients_prints_the_readers_of_a_class_on_a_line") else { return };
    let _keyring = common::one_at_a_time();
    let shared = lab.fresh_user("trcp");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    add(&lab, &data, "shared", "shared", &shared);
    let recipient = {
        use confide_core::{policy::RoleKind, staff, SystemClock};
        let store = confide_core::store::open_desktop(&data, std::sync::Arc::new(SystemClock)).await.unwrap();
        staff::save_profile(&store, "respect-mal-current", "Ash", RoleKind::Manager).await.unwrap();
        staff::accept_agreement(&store, "current-1").await.unwrap();
        let session = staff::session(&store).await.unwrap();
        let out =
            confide(&data).args(["team", "recipients", "--class", "letter", "--line", "phoneline"]).output().unwrap();
        assert!(!out.status.success(), "with no directory there is no one to print");
        confide_core::team::found(&session, &ImapRecords::of(&session.store)).await.unwrap();
        let r = store.identity().recipient().to_string();
        store.close().await;
        r
    };
    let out =
        confide(&data).args(["team", "recipients", "--class", "webchat", "--line", "phoneline"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), recipient);
}

/// Issue 29: with a personal mailbox set, `confide sync` (every account) pulled the advisor's
/// private mail into the helpline inbox, and a later retention run counted it as an expired
/// helpline conversation. Sync itself now refuses a personal mailbox. And a run at a pretended
/// time (`--now`) is recorded when it really ran, not in the future.
#[tokio::test]
async fn issue29_sync_leaves_the_personal_mailbox_out_and_a_rehearsal_is_recorded_when_it_ran() {
    let Some(lab) = Lab::get("issue29_sync_leaves_the_personal_mailbox_out_and_a_rehearsal_is_recorded_when_it_ran")
    else {
        return;
    };
    let _keyring = common::one_at_a_time();
    let (shared, personal) = (lab.fresh_user("s29-shared"), lab.fresh_user("s29-advisor"));
    let enquiry = format!("From: c@example.org\r\nTo: {shared}@lab.test\r\nSubject: help-29\r\nMessage-ID: <s29-{shared}@example.org>\r\nDate: Sat, 10 Jan 2026 10:00:00 +0000\r\n\r\nhelp\r\n");
    lab.import_raw(&shared, &[enquiry]);
    let private = format!("From: {personal}@lab.test\r\nTo: friend@example.org\r\nSubject: private-canary-29\r\nMessage-ID: <p29-{personal}@lab.test>\r\nDate: Sat, 10 Jan 2026 11:00:00 +0000\r\n\r\nSee you Saturday.\r\n");
    lab.import_into(&personal, "Sent", &[private], None);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::manager_store(&data).await;
    add(&lab, &data, "shared", "shared", &shared);
    add(&lab, &data, "personal", "personal", &personal);

    let all = confide(&data).arg("sync").output().unwrap();
    let out = String::from_utf8_lossy(&all.stdout);
    assert!(all.status.success(), "{}", String::from_utf8_lossy(&all.stderr));
    assert!(out.contains("sync shared: ") && !out.contains("sync personal"), "{out}");
    let named = confide(&data).args(["sync", "--account", "personal"]).output().unwrap();
    assert!(!named.status.success());
    assert!(
        String::from_utf8_lossy(&named.stderr).contains("is a personal mailbox"),
        "{}",
        String::from_utf8_lossy(&named.stderr)
    );
    {
        use confide_core::inbox::{self, InboxFilter};
        use confide_core::{staff, SystemClock};
        let store = confide_core::store::open_desktop(&data, std::sync::Arc::new(SystemClock)).await.unwrap();
        let session = staff::session(&store).await.unwrap();
        let page = inbox::page(&session, &InboxFilter { limit: Some(50), ..Default::default() }).await.unwrap();
        let subjects: Vec<&str> = page.conversations.iter().map(|c| c.subject.as_str()).collect();
        assert_eq!(subjects, ["help-29"]);
        store.close().await;
    }

    let run = confide(&data).args(["retention", "run", "--now", "2027-07-07T09:00:00Z"]).output().unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && out.contains("server_removed=1 conversations_removed=1 "),
        "{out}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(lab.message_count(&personal, "Sent"), 1, "the private mail is the advisor's, not the helpline's");
    let record = confide(&data).args(["retention", "export", "record"]).output().unwrap();
    let record = String::from_utf8(record.stdout).unwrap();
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let run_row = record.lines().find(|l| l.contains(",run,")).unwrap_or_else(|| panic!("{record}"));
    assert!(run_row.starts_with(&today), "the run is recorded when it ran ({today}), not as pretended: {run_row}");
    assert!(!record.contains("2027-07-07"), "{record}");
}

/// Issue 27: the app honoured the helpline's adapted presets and the CLI did not, so the nightly
/// `confide retention run` applied the shipped six months to a store set up with an adapted
/// one-month policy. The store keeps its policy; the timer's run, started with no policy folder,
/// expires by it.
#[tokio::test]
async fn issue27_retention_run_applies_the_adapted_preset_the_store_was_set_up_with() {
    let Some(lab) = Lab::get("issue27_retention_run_applies_the_adapted_preset_the_store_was_set_up_with") else {
        return;
    };
    let _keyring = common::one_at_a_time();
    let shared = lab.fresh_user("kept");
    let weeks_ago = time::OffsetDateTime::now_utc() - time::Duration::days(45);
    let date = weeks_ago.format(&time::format_description::well_known::Rfc2822).unwrap();
    let raw = format!("From: c@example.org\r\nTo: {shared}@lab.test\r\nSubject: kept-27\r\nMessage-ID: <k27-{shared}@example.org>\r\nDate: {date}\r\n\r\nold\r\n");
    lab.import_arrived(&shared, &[raw], Some(weeks_ago.unix_timestamp()));
    let tmp = tempfile::tempdir().unwrap();
    let (data, policies) = (tmp.path().join("data"), tmp.path().join("policies"));
    std::fs::create_dir_all(&policies).unwrap();
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/respect-mal-current.toml"))
            .unwrap();
    std::fs::write(policies.join("ours.toml"), shipped.replacen("period = \"6 months\"", "period = \"1 months\"", 1))
        .unwrap();
    {
        use confide_core::{paths, policy::Catalog, policy::RoleKind, staff, store::StoreConfig, Store, SystemClock};
        let vault = confide_vault::Vault::new(
            std::sync::Arc::new(confide_vault::OsKeyring::new(paths::KEYRING_SERVICE)),
            paths::keyring_profile(&data),
        );
        let catalog = Catalog::from_dir(&policies).unwrap();
        let store = Store::open(StoreConfig {
            data_dir: data.clone(),
            vault,
            clock: std::sync::Arc::new(SystemClock),
            catalog,
        })
        .await
        .unwrap();
        staff::save_profile(&store, "respect-mal-current", "Ash", RoleKind::Manager).await.unwrap();
        staff::accept_agreement(&store, "current-1").await.unwrap();
        store.close().await;
    }
    add(&lab, &data, "shared", "shared", &shared);
    let run = confide(&data).args(["retention", "run"]).env_remove("CONFIDE_POLICY_DIR").output().unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{out}{}", String::from_utf8_lossy(&run.stderr));
    assert!(out.contains("period=\"1 months\"") && out.contains("expired=1 server_removed=1"), "{out}");
    assert_eq!(lab.message_count(&shared, "INBOX"), 0);
}
