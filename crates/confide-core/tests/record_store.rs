//! Issue 27: the features' flows run against a record store that is not IMAP. Here, two desktops
//! (their own stores and keys) share one in-memory record store, as they share the shared
//! mailbox: what one keeps the other opens only if the preset and the directory let it, reading
//! the directory changes nothing, and following it is a step of its own.

use confide_core::letters::{self, LetterDetails};
use confide_core::policy::RoleKind;
use confide_core::record_store::{self, memory::MemoryRecords};
use confide_core::testing::desktop;
use confide_core::{staff, team};
use confide_vault::VaultError;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n canary-scan-4f1e";

#[tokio::test]
async fn issue27_reading_the_directory_changes_nothing_and_following_it_is_a_step() {
    let tmp = tempfile::tempdir().unwrap();
    let server = MemoryRecords::new();
    let ann = desktop(tmp.path(), "Ann", RoleKind::Manager, &[]).await;
    let bob = desktop(tmp.path(), "Bob", RoleKind::Advisor, &["phoneline"]).await;
    team::found(&ann, &server).await.unwrap();
    let mut card = team::card(&bob).unwrap();
    card.lines = vec!["mens_advice".into()];
    team::add(&ann, &server, card).await.unwrap();

    let writes = server.writes();
    let seen = team::directory(&bob.store, &server).await.unwrap();
    team::view(&bob, &server).await.unwrap();
    team::known_names(&bob.store, &server).await.unwrap();
    assert_eq!(seen.members.len(), 2);
    assert_eq!(server.writes(), writes, "reading the directory wrote to the record store");
    assert_eq!(team::pinned_root(&bob.store).await.unwrap(), None, "reading pinned a founder");
    assert_eq!(staff::working_lines(&bob.store).await.unwrap(), Some(vec!["phoneline".to_owned()]));

    let followed = team::follow(&bob.store, &server).await.unwrap();
    assert_eq!(team::pinned_root(&bob.store).await.unwrap(), Some(team::card(&ann).unwrap().signing_key));
    assert_eq!(staff::working_lines(&bob.store).await.unwrap(), Some(vec!["mens_advice".to_owned()]));
    let bob_key = team::card(&bob).unwrap().signing_key;
    assert!(followed.acceptances.iter().any(|a| a.signing_key == bob_key && a.version == "current-1"));
    assert_eq!(server.writes(), writes + 1, "following records the acceptance once");
    team::follow(&bob.store, &server).await.unwrap();
    assert_eq!(server.writes(), writes + 1, "and not again");
}

#[tokio::test]
async fn issue27_a_letter_kept_in_any_record_store_opens_only_for_its_readers() {
    let tmp = tempfile::tempdir().unwrap();
    let server = MemoryRecords::new();
    let ann = desktop(tmp.path(), "Ann", RoleKind::Manager, &[]).await;
    let tia = desktop(tmp.path(), "Tia", RoleKind::TeamLeader, &["phoneline"]).await;
    team::found(&ann, &server).await.unwrap();
    team::add(&ann, &server, team::card(&tia).unwrap()).await.unwrap();

    let details = LetterDetails {
        line: "phoneline".into(),
        received_on: "2026-11-30".into(),
        summary: "Asks about the group".into(),
        original_destroyed: false,
    };
    let steps = std::sync::Mutex::new(vec![]);
    let reference = letters::import(&tia, &server, &details, &[PNG.to_vec()], &|p| steps.lock().unwrap().push(p.step))
        .await
        .unwrap();
    assert_eq!(*steps.lock().unwrap(), [1, 2]);
    assert_eq!(server.folders(), ["Confide/Letters"]);

    // The management team reads letters; the team leader who scanned it in does not.
    assert!(letters::list(&tia, &server).await.unwrap().is_empty());
    let refused = record_store::list(&tia, &server, "letter").await.unwrap();
    assert!(refused.iter().all(|l| matches!(l.record, Err(confide_core::CoreError::Vault(VaultError::NotForYou)))));
    let seen = letters::list(&ann, &server).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].reference, reference);
    // Lists leave the scan out; looking at a page fetches it by its id.
    assert_eq!(record_store::list(&ann, &server, "letter").await.unwrap().len(), 1);
    let page = letters::page(&ann, &server, &reference, &seen[0].scans[0].record, 0).await.unwrap();
    assert!(page.starts_with("data:image/png;base64,"), "{page}");
    assert!(letters::page(&tia, &server, &reference, &seen[0].scans[0].record, 0).await.is_err());
}
