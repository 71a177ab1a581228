//! Issue 6: the team directory on the server. A manager founds it and adds an advisor from the
//! card the advisor's desktop shows; both desktops resolve the same team from `Confide/Team`;
//! an entry planted in the folder with a valid key but no manager's signature is ignored and
//! reported on both, and receives nothing; a leaver is shown as removed and receives nothing.

mod common;

use confide_mail::records::ImapRecords;
use std::sync::Arc;

use common::desktop_on;
use confide_core::accounts;
use confide_core::policy::RoleKind;
use confide_core::team::{self, Change, Member};
use confide_core::{paths, staff};
use confide_mail::lab::Lab;
use confide_vault::{OsKeyring, Vault};

async fn desktop(lab: &Lab, shared: &str, dir: &std::path::Path, name: &str, role: RoleKind) -> staff::Session {
    desktop_on(lab, shared, dir, name, role, "phoneline").await
}

fn names(members: &[Member]) -> Vec<&str> {
    members.iter().map(|m| m.name.as_str()).collect()
}

#[tokio::test]
async fn issue6_the_team_directory_is_shared_signed_and_a_forged_entry_gets_nothing() {
    let Some(lab) = Lab::get("issue6_the_team_directory_is_shared_signed_and_a_forged_entry_gets_nothing") else {
        return;
    };
    let shared = lab.fresh_user("team");
    let tmp = tempfile::tempdir().unwrap();
    let ann = desktop(&lab, &shared, &tmp.path().join("ann"), "Ann", RoleKind::Manager).await;
    let bob = desktop(&lab, &shared, &tmp.path().join("bob"), "Bob", RoleKind::Advisor).await;
    assert!(
        confide_core::team::found(&bob, &ImapRecords::of(&bob.store)).await.is_err(),
        "an advisor cannot found the team"
    );

    let dir = confide_core::team::found(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    assert_eq!(names(&dir.members), ["Ann"]);
    assert!(confide_core::team::found(&ann, &ImapRecords::of(&ann.store)).await.is_err(), "the team is founded once");
    let dir = confide_core::team::add(&ann, &ImapRecords::of(&ann.store), team::card(&bob).unwrap()).await.unwrap();
    assert_eq!(names(&dir.members), ["Ann", "Bob"]);
    // Bob's desktop reads the same team; reading pins nothing (issue 27: reads only read).
    let seen_by_bob = confide_core::team::directory(&bob.store, &ImapRecords::of(&bob.store)).await.unwrap();
    assert_eq!(seen_by_bob, dir);
    confide_core::team::view(&bob, &ImapRecords::of(&bob.store)).await.unwrap();
    assert_eq!(team::pinned_root(&bob.store).await.unwrap(), None);
    // Bob's next sync follows the directory: Ann is pinned as the founder on this first look,
    // and Bob's acceptance of the agreement is recorded in the directory.
    let account = accounts::list(&bob.store).await.unwrap().remove(0);
    confide_mail::sync::sync_account(&bob.store, &account, &|_| {}).await.unwrap();
    assert_eq!(team::pinned_root(&bob.store).await.unwrap(), Some(team::card(&ann).unwrap().signing_key));
    let accepted = confide_core::team::directory(&ann.store, &ImapRecords::of(&ann.store)).await.unwrap().acceptances;
    assert!(
        accepted.iter().any(|a| a.signing_key == team::card(&bob).unwrap().signing_key && a.version == "current-1"),
        "{accepted:?}"
    );

    // Bob, with a valid key, plants an entry making a stranger a manager.
    let eve_dir = tmp.path().join("eve");
    let eve_vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(&eve_dir));
    let eve = Member {
        name: "Eve".into(),
        role: RoleKind::Manager,
        lines: vec![],
        age_recipient: eve_vault
            .staff_identity(confide_vault::KeyPolicy::CreateIfMissing)
            .unwrap()
            .recipient()
            .to_string(),
        signing_key: eve_vault.signing_key().unwrap().public_hex(),
        reviewed: false,
    };
    let forged =
        team::sign(Change::Add { member: eve.clone() }, &bob.store.vault().signing_key().unwrap(), 4_000_000_000);
    let raw = format!("Subject: Confide team directory entry\r\n\r\n{}\r\n", serde_json::to_string(&forged).unwrap());
    let save = std::process::Command::new("doveadm")
        .arg("-c")
        .arg(lab.dir.join("dovecot/dovecot.conf"))
        .args(["save", "-u", &format!("{shared}@lab.test"), "-m", "Confide/Team"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    save.stdin.as_ref().unwrap().write_all(raw.as_bytes()).unwrap();
    assert!(save.wait_with_output().unwrap().status.success());
    for session in [&ann, &bob] {
        let dir = confide_core::team::directory(&session.store, &ImapRecords::of(&session.store)).await.unwrap();
        assert_eq!(names(&dir.members), ["Ann", "Bob"], "{}", session.profile.display_name);
        assert!(
            dir.ignored.iter().any(|i| i.contains("adding Eve") && i.contains("not signed by a manager")),
            "{:?}",
            dir.ignored
        );
        assert!(!dir.recipients(None, None).contains(&eve.age_recipient), "a forged member receives nothing");
    }

    // The directory decides Bob's lines, not what his desktop chose: Ann moves him to the Men's
    // Advice Line, and a profile edited to claim both lines is put back.
    let mut moved = team::card(&bob).unwrap();
    moved.lines = vec!["mens_advice".into()];
    confide_core::team::add(&ann, &ImapRecords::of(&ann.store), moved).await.unwrap();
    confide_core::team::directory(&bob.store, &ImapRecords::of(&bob.store)).await.unwrap();
    assert_eq!(staff::working_lines(&bob.store).await.unwrap(), Some(vec!["phoneline".to_owned()]), "a read");
    confide_core::team::follow(&bob.store, &ImapRecords::of(&bob.store)).await.unwrap();
    assert_eq!(staff::working_lines(&bob.store).await.unwrap(), Some(vec!["mens_advice".to_owned()]));
    sqlx::query("UPDATE staff_profile SET lines = '[\"phoneline\",\"mens_advice\"]'")
        .execute(bob.store.pool())
        .await
        .unwrap();
    confide_core::team::follow(&bob.store, &ImapRecords::of(&bob.store)).await.unwrap();
    assert_eq!(staff::working_lines(&bob.store).await.unwrap(), Some(vec!["mens_advice".to_owned()]));

    // A caller writes to the Men's Advice Line, and Bob's desktop holds it.
    lab.import_raw(&shared, &[format!(
        "From: caller@example.org\r\nTo: {shared}@lab.test\r\nSubject: Please ring\r\nMessage-ID: <t1-{shared}@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nTeamCanary\r\n"
    )]);
    let mut account = accounts::list(&bob.store).await.unwrap().remove(0);
    account.lines =
        vec![accounts::LineAddress { address: format!("{shared}@lab.test"), line_id: "mens_advice".into() }];
    accounts::save(&bob.store, &account, &lab.password(&shared)).await.unwrap();
    confide_mail::sync::sync_account(&bob.store, &account, &|_| {}).await.unwrap();

    // Bob leaves: shown as removed, and a phoneline record is for Ann alone.
    let dir = confide_core::team::remove(&ann, &ImapRecords::of(&ann.store), &team::card(&bob).unwrap().signing_key)
        .await
        .unwrap();
    assert_eq!((names(&dir.members), names(&dir.removed)), (vec!["Ann"], vec!["Bob"]));
    // Bob's desktop held the caller's mail; its next sync is refused and it keeps none of it.
    let messages = |s: &staff::Session| {
        let pool = s.store.pool().clone();
        async move { sqlx::query_scalar::<_, i64>("SELECT count(*) FROM messages").fetch_one(&pool).await.unwrap() }
    };
    assert_eq!(messages(&bob).await, 1, "Bob's desktop held the caller's mail");
    let refused = confide_mail::sync::sync_account(&bob.store, &account, &|_| {}).await.unwrap_err();
    assert!(refused.to_string().contains("not in the team directory"), "{refused}");
    assert_eq!(messages(&bob).await, 0, "a leaver's desktop kept the helpline's mail");
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM blobs").fetch_one(bob.store.pool()).await.unwrap(),
        0,
        "its bodies were left behind"
    );
    assert_eq!(dir.recipients(None, Some("phoneline")), [team::card(&ann).unwrap().age_recipient]);
    assert!(confide_core::audit::verify(&ann.store).await.unwrap().problem.is_none());

    // The directory's folder is not mail: a sync lists nothing from it in the inbox, only the
    // caller's conversation.
    let account = accounts::list(&ann.store).await.unwrap().remove(0);
    confide_mail::sync::sync_account(&ann.store, &account, &|_| {}).await.unwrap();
    let inbox = confide_core::inbox::page(&ann, &Default::default()).await.unwrap();
    assert_eq!(inbox.total, Some(1), "{inbox:?}");
    assert_eq!(inbox.conversations[0].subject, "Please ring");
}

fn opened(listed: &[confide_core::record_store::Listed]) -> Vec<Vec<u8>> {
    listed.iter().filter_map(|l| l.record.as_ref().ok()).map(|r| r.body.clone()).collect()
}

fn refused(listed: &[confide_core::record_store::Listed]) -> usize {
    listed
        .iter()
        .filter(|l| matches!(l.record, Err(confide_core::CoreError::Vault(confide_vault::VaultError::NotForYou))))
        .count()
}

/// Issue 6's three desktops: a manager and an advisor on each line. The keys decide: a letter
/// opens only with the manager's key, a Men's Advice Line transcript only with that line's
/// advisor's and the manager's; the server sees no content and no line. The audit log reaches
/// the server encrypted to the manager, who checks every author's chain and finds a batch
/// deleted from the server.
#[tokio::test]
async fn issue6_three_desktops_records_open_only_with_their_readers_keys_and_the_audit_log_is_checked_on_the_server() {
    let Some(lab) = Lab::get(
        "issue6_three_desktops_records_open_only_with_their_readers_keys_and_the_audit_log_is_checked_on_the_server",
    ) else {
        return;
    };
    records_on(lab.exchange_like()).await;
    records_on(lab).await;
}

async fn records_on(lab: Lab) {
    let shared = lab.fresh_user("access");
    let tmp = tempfile::tempdir().unwrap();
    let ann = desktop_on(&lab, &shared, &tmp.path().join("ann"), "Ann", RoleKind::Manager, "phoneline").await;
    let bob = desktop_on(&lab, &shared, &tmp.path().join("bob"), "Bob", RoleKind::Advisor, "phoneline").await;
    let cy = desktop_on(&lab, &shared, &tmp.path().join("cy"), "Cy", RoleKind::Advisor, "mens_advice").await;
    let err = confide_core::record_store::put(
        &bob,
        &ImapRecords::of(&bob.store),
        "letter",
        Some("phoneline"),
        1_790_000_000,
        b"x",
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("nobody in the team directory"), "{err}");
    confide_core::team::found(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    confide_core::team::add(&ann, &ImapRecords::of(&ann.store), team::card(&bob).unwrap()).await.unwrap();
    confide_core::team::add(&ann, &ImapRecords::of(&ann.store), team::card(&cy).unwrap()).await.unwrap();

    // Bob files a letter he scanned on his line, and Cy a transcript of a chat on hers.
    let letter = b"letter-canary-8d41: the scan of a letter".to_vec();
    let chat = b"chat-canary-2e7b: a transcript".to_vec();
    confide_core::record_store::put(
        &bob,
        &ImapRecords::of(&bob.store),
        "letter",
        Some("phoneline"),
        1_790_000_000,
        &letter,
    )
    .await
    .unwrap();
    confide_core::record_store::put(
        &cy,
        &ImapRecords::of(&cy.store),
        "webchat",
        Some("mens_advice"),
        1_790_000_100,
        &chat,
    )
    .await
    .unwrap();

    let [for_ann, for_bob, for_cy] = list_on([&ann, &bob, &cy], "letter").await;
    assert_eq!(opened(&for_ann), std::slice::from_ref(&letter), "the manager's key opens the letter");
    assert_eq!((refused(&for_bob), refused(&for_cy)), (1, 1), "no advisor's key opens it, not even its writer's");
    assert!(opened(&for_bob).is_empty() && opened(&for_cy).is_empty());
    let [for_ann, for_bob, for_cy] = list_on([&ann, &bob, &cy], "webchat").await;
    assert_eq!((opened(&for_ann), opened(&for_cy)), (vec![chat.clone()], vec![chat.clone()]));
    assert_eq!(refused(&for_bob), 1, "the Phoneline advisor's key cannot open a Men's Advice Line transcript");

    // On the server: no content, and nothing saying which line a record is on.
    for folder in ["Confide/Letters", "Confide/Webchat"] {
        assert_eq!(lab.server_uids(&shared, folder).len(), 1, "{folder}");
        for needle in ["canary", "phoneline", "mens_advice", "Advice"] {
            assert_eq!(lab.count_body(&shared, folder, needle), 0, "{folder} shows {needle}");
        }
        let headers = lab.doveadm(&["fetch", "-u", &format!("{shared}@lab.test"), "hdr", "mailbox", folder, "all"]);
        assert!(!headers.contains("phoneline") && !headers.contains("mens_advice"), "{headers}");
    }

    // Everyone's audit log goes to the server, sealed to the manager alone.
    for (s, n) in [(&bob, 3), (&cy, 2)] {
        for i in 0..n {
            confide_core::audit::append(&s.store, "opened", &format!("conversation:{i}")).await.unwrap();
        }
        assert!(confide_core::audit::publish(s, &ImapRecords::of(&s.store)).await.unwrap() >= n);
        assert_eq!(
            confide_core::audit::publish(s, &ImapRecords::of(&s.store)).await.unwrap(),
            0,
            "nothing is published twice"
        );
    }
    confide_core::audit::publish(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    assert!(
        confide_core::audit::check_team_log(&bob, &ImapRecords::of(&bob.store)).await.is_err(),
        "an advisor cannot check the team's log"
    );
    assert_eq!(
        refused(
            &confide_core::record_store::list(
                &bob,
                &ImapRecords::of(&bob.store),
                confide_core::shared_record::AUDIT_CLASS
            )
            .await
            .unwrap()
        ),
        3,
        "nor open it"
    );
    let check = confide_core::audit::check_team_log(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    assert_eq!((check.authors, check.problems.len(), check.unreadable), (3, 0, 0), "{check:?}");

    // Bob's first batch is deleted from the server after he publishes another: a gap.
    confide_core::audit::append(&bob.store, "exported", "retention_record").await.unwrap();
    confide_core::audit::publish(&bob, &ImapRecords::of(&bob.store)).await.unwrap();
    let first_of_bob = lab
        .doveadm(&[
            "-f",
            "flow",
            "fetch",
            "-u",
            &format!("{shared}@lab.test"),
            "uid",
            "mailbox",
            "Confide/Audit",
            "all",
        ])
        .lines()
        .filter_map(|l| l.trim().strip_prefix("uid=").map(str::to_owned))
        .next()
        .unwrap();
    lab.doveadm(&["expunge", "-u", &format!("{shared}@lab.test"), "mailbox", "Confide/Audit", "uid", &first_of_bob]);
    let check = confide_core::audit::check_team_log(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    assert!(check.problems.iter().any(|p| p.starts_with("Bob's log: entry 1 is missing")), "{check:?}");
}

/// The records of `class` as each desktop lists them.
async fn list_on(desktops: [&staff::Session; 3], class: &str) -> [Vec<confide_core::record_store::Listed>; 3] {
    let mut out = vec![];
    for d in desktops {
        out.push(confide_core::record_store::list(d, &ImapRecords::of(&d.store), class).await.unwrap());
    }
    out.try_into().unwrap()
}

/// Issue 5 for shared records: a retention run expires each record class in its own folder by
/// its own period, exactly, without decrypting anything, so an advisor's desktop (or the
/// headless timer) removes expired letters it could never read; a referral (five years) stays.
#[tokio::test]
async fn issue5_records_expire_in_their_folders_by_their_class_period_on_any_desktop() {
    let Some(lab) = Lab::get("issue5_records_expire_in_their_folders_by_their_class_period_on_any_desktop") else {
        return;
    };
    records_expire_on(lab.exchange_like()).await;
    records_expire_on(lab.gmail_like()).await;
    records_expire_on(lab).await;
}

async fn records_expire_on(lab: Lab) {
    let shared = lab.fresh_user("recexp");
    let tmp = tempfile::tempdir().unwrap();
    let ann = desktop_on(&lab, &shared, &tmp.path().join("ann"), "Ann", RoleKind::Manager, "phoneline").await;
    let bob = desktop_on(&lab, &shared, &tmp.path().join("bob"), "Bob", RoleKind::Advisor, "phoneline").await;
    confide_core::team::found(&ann, &ImapRecords::of(&ann.store)).await.unwrap();
    confide_core::team::add(&ann, &ImapRecords::of(&ann.store), team::card(&bob).unwrap()).await.unwrap();
    let day = 86_400;
    let now = ann.store.now_ts();
    // respect-mal-current: letters and transcripts six months, referrals five years.
    let put = |class: &'static str, age_days: i64| {
        let ann = &ann;
        async move {
            confide_core::record_store::put(
                ann,
                &ImapRecords::of(&ann.store),
                class,
                Some("phoneline"),
                now - age_days * day,
                class.as_bytes(),
            )
            .await
            .unwrap()
        }
    };
    put("letter", 200).await;
    put("letter", 170).await;
    put("webchat", 190).await;
    put("safeguarding_referral", 400).await;

    let dry = confide_mail::expire::run(&bob.store, true).await.unwrap();
    assert_eq!(dry.records_removed, 2, "{dry:?}");
    assert_eq!(
        (lab.server_uids(&shared, "Confide/Letters").len(), lab.server_uids(&shared, "Confide/Webchat").len()),
        (2, 1),
        "a dry run removed records"
    );

    let report = confide_mail::expire::run(&bob.store, false).await.unwrap();
    assert_eq!((report.records_removed, report.problems.len()), (2, 0), "{report:?}");
    let letters = confide_core::record_store::list(&ann, &ImapRecords::of(&ann.store), "letter").await.unwrap();
    let kept: Vec<i64> = letters.iter().map(|l| l.record.as_ref().unwrap().header.created_at).collect();
    assert_eq!(kept, [now - 170 * day], "the younger letter stays");
    assert!(lab.server_uids(&shared, "Confide/Webchat").is_empty());
    assert_eq!(lab.archived(&shared), 0, "an expired record is still in Gmail's All Mail");
    assert_eq!(lab.server_uids(&shared, "Confide/safeguarding_referral").len(), 1, "a referral is kept five years");
    let record = confide_core::retention_record::recent(&bob.store, 50).await.unwrap();
    assert!(record.iter().any(|e| e.from_place == "shared Confide/Letters" && e.count == 1), "{record:?}");
    assert_eq!(
        confide_mail::expire::run(&bob.store, false).await.unwrap().records_removed,
        0,
        "a second run finds nothing"
    );
}
