//! The encrypted store against the real keyring (run under tests/with-keyring).

mod common;

use std::sync::Arc;

use common::*;
use confide_core::accounts::{self, Account, AccountKind, LineAddress, Security};
use confide_core::conversations::{self, Channel, NewConversation, NewMessage};
use confide_core::inbox::{self, InboxFilter};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::staff::{self, SetupState};
use confide_core::{CoreError, FixedClock};
use time::macros::datetime;

const CANARIES: [&str; 5] = [
    "CanarySubject7f3a91",
    "canary.sender.52e1@example.org",
    "CanaryBodyWord0c4d2b",
    "CanaryAccount9e77@lab.test",
    "CanaryStaffName4411",
];

async fn ready_store(dir: &std::path::Path) -> confide_core::Store {
    let store = open_default(dir).await;
    staff::save_profile(&store, "respect-mal-current", CANARIES[4], RoleKind::Advisor).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    store
}

#[tokio::test]
async fn issue2_canaries_never_reach_disk_in_plaintext() {
    if !keyring_available("issue2_canaries_never_reach_disk_in_plaintext") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let store = ready_store(&dir).await;
    let body = format!("Hello, my words are {} and more {}", CANARIES[2], "x".repeat(5000));
    for i in 0..50 {
        conversations::record(
            &store,
            NewConversation {
                channel: Channel::Email,
                line_id: "mens_advice",
                subject: &format!("{} {i}", CANARIES[0]),
                correspondent: CANARIES[1],
                preview: &body[..60],
                first_message: NewMessage {
                    incoming: true,
                    author: CANARIES[1],
                    sent_at: 1_700_000_000 + i,
                    body: body.as_bytes(),
                    index_text: &body,
                },
            },
        )
        .await
        .unwrap();
    }
    let account = Account {
        id: "shared".into(),
        kind: AccountKind::Shared,
        address: CANARIES[3].into(),
        username: CANARIES[3].into(),
        imap_host: "127.0.0.1".into(),
        imap_port: 1993,
        imap_security: Security::Tls,
        smtp_host: "127.0.0.1".into(),
        smtp_port: 1587,
        smtp_security: Security::Starttls,
        ca_file: None,
        lines: vec![LineAddress { address: CANARIES[3].into(), line_id: "phoneline".into() }],
        sign_in: Default::default(),
        folder_names: Default::default(),
    };
    accounts::save(&store, &account, "CanaryPassword31f0").await.unwrap();

    // The data is really there and findable: the index works through the encryption.
    let session = staff::session(&store).await.unwrap();
    let found =
        inbox::page(&session, &InboxFilter { search: Some(CANARIES[2].into()), ..Default::default() }).await.unwrap();
    assert_eq!(found.total, Some(50));
    let first = found.conversations[0].id;
    assert_eq!(conversations::bodies(&session, first).await.unwrap()[0], body.as_bytes());
    assert_eq!(accounts::list(&store).await.unwrap()[0].address, CANARIES[3]);

    // While open, with the WAL and shared-memory files live, and again after closing.
    let files = walk(&dir);
    assert!(files.iter().any(|f| f.to_string_lossy().ends_with("-wal")), "expected a WAL to scan: {files:?}");
    for phase in ["open", "closed"] {
        if phase == "closed" {
            store.close().await;
        }
        for canary in CANARIES.iter().chain(["CanaryPassword31f0"].iter()) {
            let hits = files_containing(&dir, canary.as_bytes());
            assert!(hits.is_empty(), "{canary} found in plaintext ({phase}): {hits:?}");
        }
    }
    // The password is in the keyring and nowhere in the store.
    let vault = os_vault(&dir);
    assert_eq!(vault.account_password("shared").unwrap().as_deref().map(String::as_str), Some("CanaryPassword31f0"));
}

#[tokio::test]
async fn issue2_agreement_gates_content_and_a_new_version_asks_again() {
    if !keyring_available("issue2_agreement_gates_content_and_a_new_version_asks_again") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (dir, policies) = (tmp.path().join("data"), tmp.path().join("policies"));
    std::fs::create_dir_all(&policies).unwrap();
    let original =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/nsh-2015.toml")).unwrap();
    std::fs::write(policies.join("nsh-2015.toml"), &original).unwrap();
    let clock = Arc::new(FixedClock::new(datetime!(2026-01-10 09:00 UTC)));

    let store = open_store(&dir, clock.clone(), Catalog::from_dir(&policies).unwrap()).await;
    assert!(matches!(staff::setup_state(&store).await.unwrap(), SetupState::NeedsProfile { .. }));
    assert!(matches!(staff::session(&store).await, Err(CoreError::NotSetUp)));
    let state = staff::save_profile(&store, "nsh-2015", "Jo", RoleKind::Manager).await.unwrap();
    let SetupState::NeedsAgreement { agreement, previously_accepted: None, .. } = state else { panic!("{state:?}") };
    assert!(matches!(staff::session(&store).await, Err(CoreError::AgreementRequired)));
    let state = staff::accept_agreement(&store, &agreement.version).await.unwrap();
    let SetupState::Ready { profile } = state else { panic!("{state:?}") };
    assert_eq!((profile.display_name.as_str(), profile.agreement_version.as_str()), ("Jo", "2015-05-19"));
    assert_eq!(profile.accepted_at, "2026-01-10T09:00:00Z");
    staff::session(&store).await.unwrap();
    store.close().await;

    // The helpline revises its policy: the same person must read and accept it again.
    std::fs::write(
        policies.join("nsh-2015.toml"),
        original.replace("version = \"2015-05-19\"\ntext", "version = \"2026-01\"\ntext"),
    )
    .unwrap();
    clock.advance(time::Duration::days(30));
    let store = open_store(&dir, clock.clone(), Catalog::from_dir(&policies).unwrap()).await;
    let state = staff::setup_state(&store).await.unwrap();
    let SetupState::NeedsAgreement { agreement, previously_accepted, .. } = state else { panic!("{state:?}") };
    assert_eq!((agreement.version.as_str(), previously_accepted.as_deref()), ("2026-01", Some("2015-05-19")));
    assert!(matches!(staff::session(&store).await, Err(CoreError::AgreementRequired)));
    assert!(staff::accept_agreement(&store, "2015-05-19").await.is_err(), "an old version cannot be accepted");
    assert!(matches!(staff::accept_agreement(&store, "2026-01").await.unwrap(), SetupState::Ready { .. }));
}

#[tokio::test]
async fn issue2_reopening_uses_the_same_key_and_a_foreign_key_is_refused() {
    if !keyring_available("issue2_reopening_uses_the_same_key_and_a_foreign_key_is_refused") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let store = ready_store(&dir).await;
    store.close().await;
    let store = open_default(&dir).await;
    assert!(matches!(staff::setup_state(&store).await.unwrap(), SetupState::Ready { .. }));
    store.close().await;

    // Move the store under another name: its keys are not found, and nothing is replaced.
    let moved = tmp.path().join("moved");
    std::fs::rename(&dir, &moved).unwrap();
    let err = confide_core::Store::open(confide_core::store::StoreConfig {
        data_dir: moved.clone(),
        vault: os_vault(&moved),
        clock: Arc::new(confide_core::SystemClock),
        catalog: Catalog::builtin(),
    })
    .await
    .err()
    .expect("refused");
    assert!(err.to_string().contains("cannot find the key"), "{err}");
}

/// Issue 5: blobs are crypto-shredded. The payload kept in `blobs` opens for no one without
/// its header (in `blob_keys`, overwritten on delete), and blobs written before the split are
/// split by the migration and still open.
#[tokio::test]
async fn issue5_a_blobs_payload_opens_only_with_its_separately_kept_header() {
    if !keyring_available("issue5_a_blobs_payload_opens_only_with_its_separately_kept_header") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let store = open_default(&tmp.path().join("data")).await;
    let recipients = store.own_recipients();
    let mut conn = store.pool().acquire().await.unwrap();
    let payload_of = |id: i64| sqlx::query_scalar::<_, Vec<u8>>("SELECT data FROM blobs WHERE id = ?").bind(id);

    let id = store.put_blob(&mut conn, "test", b"shred-canary", &recipients).await.unwrap();
    let payload = payload_of(id).fetch_one(&mut *conn).await.unwrap();
    assert!(confide_vault::open(&payload, store.identity()).is_err(), "the payload alone opened");
    assert_eq!(store.get_blob(id).await.unwrap(), b"shred-canary");

    let legacy = confide_vault::seal(b"written before the split", &recipients).unwrap();
    sqlx::query("INSERT INTO blobs (id, kind, size, data, created_at) VALUES (999, 'test', 24, ?, 0)")
        .bind(&legacy)
        .execute(&mut *conn)
        .await
        .unwrap();
    assert_eq!(store.get_blob(999).await.unwrap(), b"written before the split", "an unsplit blob still opens");
    let migration = include_str!("../../../migrations/0016_blob_keys.sql");
    sqlx::raw_sql(&migration[migration.find("CREATE TEMP TABLE").unwrap()..]).execute(&mut *conn).await.unwrap();
    assert!(confide_vault::open(&payload_of(999).fetch_one(&mut *conn).await.unwrap(), store.identity()).is_err());
    assert_eq!(store.get_blob(999).await.unwrap(), b"written before the split");
    assert_eq!(store.get_blob(id).await.unwrap(), b"shred-canary", "a split blob is left alone");
}

/// Regression (a window test failed with "database is locked", SQLITE_BUSY_SNAPSHOT, when a
/// sync removed messages while a pushed sync stored new ones): a transaction that reads and
/// then writes must take the write lock when it begins, or a writer committing in between
/// makes its write fail at once instead of waiting. So no deferred `begin()` anywhere.
#[test]
fn issue3_write_transactions_begin_immediate_so_concurrent_syncs_cannot_hit_busy_snapshot() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut deferred = vec![];
    for krate in ["confide-core", "confide-mail"] {
        for file in walk(&crates.join(krate).join("src")) {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for (n, line) in text.lines().enumerate() {
                if line.contains(".begin().await") {
                    deferred.push(format!("{}:{}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(deferred.is_empty(), "deferred transactions: {deferred:?}");
}

#[tokio::test]
async fn issue10_the_store_check_finds_a_half_deleted_record_and_a_miscount() {
    if !keyring_available("issue10_the_store_check_finds_a_half_deleted_record_and_a_miscount") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let store = ready_store(&tmp.path().join("data")).await;
    let mut ids = vec![];
    for i in 0..3 {
        let body = format!("message {i}");
        let c = conversations::record(
            &store,
            NewConversation {
                channel: Channel::Email,
                line_id: "phoneline",
                subject: "Subject",
                correspondent: "someone@example.org",
                preview: "message",
                first_message: NewMessage {
                    incoming: true,
                    author: "someone@example.org",
                    sent_at: 1_700_000_000 + i,
                    body: body.as_bytes(),
                    index_text: &body,
                },
            },
        )
        .await
        .unwrap();
        ids.push(c);
    }
    let healthy = confide_core::store::check(&store).await.unwrap();
    assert!(healthy.healthy(), "{healthy:?}");
    assert_eq!((healthy.messages, healthy.conversations), (3, 3));

    // A blob's key gone while its message stays: what a half-done destruction would leave.
    sqlx::query("DELETE FROM blob_keys WHERE blob_id = (SELECT body_blob FROM messages LIMIT 1)")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE conversations SET message_count = 5 WHERE id = ?")
        .bind(ids[1])
        .execute(store.pool())
        .await
        .unwrap();
    let broken = confide_core::store::check(&store).await.unwrap();
    assert_eq!((broken.orphans, broken.miscounted, broken.integrity.as_str()), (1, 1, "ok"));
    assert!(!broken.healthy());
}

/// Issue 29: the store's files were 0644 inside the 0700 folder, so a copied or backed-up
/// folder lost its protection. The test process keeps its usual umask (022): the store must
/// set the modes itself, not rely on the app's umask.
#[tokio::test]
async fn issue29_every_file_the_store_writes_is_its_owners_alone() {
    if !keyring_available("issue29_every_file_the_store_writes_is_its_owners_alone") {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let store = ready_store(&dir).await;
    let check = |phase: &str| {
        let files = walk(&dir);
        assert!(
            files.iter().any(|f| f.to_string_lossy().ends_with("-wal")),
            "expected a WAL to check ({phase}): {files:?}"
        );
        for f in files {
            let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode & 0o077, 0, "{} is {mode:o} ({phase})", f.display());
        }
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    };
    check("new");
    store.close().await;
    // A store from before this fix, its files left readable by others, is tightened on opening.
    for f in walk(&dir) {
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let store = open_default(&dir).await;
    staff::session(&store).await.unwrap();
    check("reopened");
    store.close().await;
}
