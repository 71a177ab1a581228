//! Issue 6: the audit log is append-only and tamper-evident. Editing, removing, inserting or
//! cutting off any entry, even by someone holding the database key who goes round the
//! append-only triggers, is found by `verify`; the app itself cannot update or delete entries.

use std::sync::Arc;

use confide_core::audit;
use confide_core::policy::Catalog;
use confide_core::store::StoreConfig;
use confide_core::{Store, SystemClock};
use confide_vault::{MemorySecrets, Vault};

async fn store_with_log(dir: &std::path::Path, secrets: Arc<MemorySecrets>) -> Store {
    let vault = Vault::new(secrets, "audit-test");
    let store = Store::open(StoreConfig {
        data_dir: dir.to_path_buf(),
        vault,
        clock: Arc::new(SystemClock),
        catalog: Catalog::builtin(),
    })
    .await
    .unwrap();
    for (action, record) in [
        ("opened", "conversation:1"),
        ("claimed", "conversation:1"),
        ("exported", "retention_record"),
        ("opened", "conversation:2"),
        ("held", "conversation:2"),
    ] {
        audit::append(&store, action, record).await.unwrap();
    }
    store
}

async fn exec(store: &Store, sql: &str) {
    sqlx::query(sql).execute(store.pool()).await.unwrap();
}

async fn problem(store: &Store) -> String {
    audit::verify(store).await.unwrap().problem.unwrap_or_default()
}

#[tokio::test]
async fn issue6_any_change_to_the_audit_log_is_found_by_verify() {
    let cases: [(&str, &[&str], &str); 5] = [
        ("an edited entry", &["DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET record = 'conversation:9' WHERE seq = 2"], "entry 2 was changed"),
        ("a removed entry", &["DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq = 3"], "entry 3 is missing"),
        ("entries cut off the end", &["DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq >= 4"], "missing from its end"),
        (
            "a forged entry at the end",
            &["INSERT INTO audit_log (seq, at, actor, action, record, prev_hash, hash, signature) SELECT 6, at, actor, 'opened', 'conversation:3', hash, hash, signature FROM audit_log WHERE seq = 5"],
            "entry 6 was changed",
        ),
        (
            "a re-signed rewrite by another key",
            &["DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET actor = 'aa' || substr(actor, 3) WHERE seq = 4"],
            "entry 4 was changed",
        ),
    ];
    for (what, sql, expected) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let store = store_with_log(tmp.path(), Arc::new(MemorySecrets::default())).await;
        assert_eq!(
            audit::verify(&store).await.unwrap(),
            audit::AuditCheck { entries: 5, problem: None },
            "{what}: the untouched log"
        );
        for statement in sql {
            exec(&store, statement).await;
        }
        let found = problem(&store).await;
        assert!(found.contains(expected), "{what}: verify said {found:?}");
    }
}

#[tokio::test]
async fn issue6_the_app_cannot_edit_or_delete_audit_entries_and_a_stranger_key_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecrets::default());
    let store = store_with_log(tmp.path(), secrets.clone()).await;
    for sql in ["UPDATE audit_log SET action = 'x' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 1"] {
        let err = sqlx::query(sql).execute(store.pool()).await.unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    // The signing key replaced (lost from the keyring, say): the old entries are not this
    // desktop's any more, and verify says so rather than passing.
    use confide_vault::SecretBackend;
    secrets.delete("audit-test/signing-key").unwrap();
    let found = problem(&store).await;
    assert!(found.contains("entry 1 was written by a key this desktop does not know"), "{found}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn issue6_concurrent_appends_keep_one_unbroken_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let store = store_with_log(tmp.path(), Arc::new(MemorySecrets::default())).await;
    let tasks: Vec<_> = (0..4)
        .map(|t| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..25 {
                    audit::append(&store, "opened", &format!("conversation:{t}{i}")).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(audit::verify(&store).await.unwrap(), audit::AuditCheck { entries: 105, problem: None });
}

fn member(store: &Store, name: &str, role: confide_core::policy::RoleKind) -> confide_core::team::Member {
    confide_core::team::Member {
        name: name.into(),
        role,
        lines: vec![],
        age_recipient: store.identity().recipient().to_string(),
        signing_key: store.vault().signing_key().unwrap().public_hex(),
        reviewed: false,
    }
}

#[tokio::test]
async fn issue6_the_teams_log_from_the_server_is_checked_author_by_author() {
    use confide_core::policy::RoleKind;
    use confide_core::team::{resolve, sign, Change};
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ann = store_with_log(a.path(), Arc::new(MemorySecrets::default())).await;
    let bob = store_with_log(b.path(), Arc::new(MemorySecrets::default())).await;
    let ann_key = ann.vault().signing_key().unwrap();
    let entries = [
        sign(Change::Add { member: member(&ann, "Ann", RoleKind::Manager) }, &ann_key, 1),
        sign(Change::Add { member: member(&bob, "Bob", RoleKind::Advisor) }, &ann_key, 2),
    ];
    let dir = resolve(&entries, &ann_key.public_hex());
    let (ann_log, bob_log) =
        (audit::unpublished(&ann, 100).await.unwrap(), audit::unpublished(&bob, 100).await.unwrap());
    let all = || ann_log.iter().chain(&bob_log).cloned().collect::<Vec<_>>();

    let ok = audit::verify_team(all(), &dir, 0);
    assert_eq!((ok.entries, ok.authors, ok.problems.len()), (10, 2, 0), "{:?}", ok.problems);
    // A batch published twice (a crash before it was noted) is the same entries again: fine.
    let twice: Vec<_> = all().into_iter().chain(bob_log.clone()).collect();
    assert!(audit::verify_team(twice, &dir, 0).problems.is_empty());

    let mut gap = all();
    gap.retain(|e| !(e.actor == bob_log[0].actor && e.seq == 3));
    assert_eq!(audit::verify_team(gap, &dir, 0).problems, ["Bob's log: entry 3 is missing (the next is 4)"]);

    let mut edited = all();
    edited[1].record = "conversation:99".into();
    assert_eq!(
        audit::verify_team(edited.clone(), &dir, 0).problems,
        ["Ann's log: entry 2 was changed after it was written"]
    );
    edited.push(ann_log[1].clone());
    assert!(audit::verify_team(edited, &dir, 0).problems.iter().any(|p| p.contains("entry 2 is on the server twice")));

    // Bob is not in a directory Ann alone founded: his entries are named as a stranger's.
    let alone = resolve(&entries[..1], &ann_key.public_hex());
    let found = audit::verify_team(all(), &alone, 0).problems;
    assert!(found.iter().any(|p| p.contains("not in the team directory")), "{found:?}");

    // Batches this manager cannot open leave a gap at the start that is not a fault.
    let later: Vec<_> = all().into_iter().filter(|e| e.seq > 2).collect();
    assert!(!audit::verify_team(later.clone(), &dir, 0).problems.is_empty());
    assert!(audit::verify_team(later, &dir, 1).problems.is_empty());

    audit::mark_published(&bob, 5).await.unwrap();
    audit::mark_published(&bob, 2).await.unwrap();
    assert!(audit::unpublished(&bob, 100).await.unwrap().is_empty(), "publishing never moves backwards");
}
