//! Issue 3: the inbox read a page at a time. Paging covers every conversation exactly once in
//! order; a search walks newest match first and its pages, put together, hold every match.
//! (An in-memory secret store: the keyring is not what these tests are about.)

use std::collections::HashSet;
use std::sync::Arc;

use confide_core::conversations::{self, Channel, NewConversation, NewMessage};
use confide_core::inbox::{self, InboxFilter, TOTAL_CAP};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::store::StoreConfig;
use confide_core::{staff, Store, SystemClock};
use confide_vault::{MemorySecrets, Vault};

async fn session_with(n: usize, dir: &std::path::Path) -> staff::Session {
    let vault = Vault::new(Arc::new(MemorySecrets::default()), "inbox-test");
    let store = Store::open(StoreConfig {
        data_dir: dir.to_path_buf(),
        vault,
        clock: Arc::new(SystemClock),
        catalog: Catalog::builtin(),
    })
    .await
    .unwrap();
    staff::save_profile(&store, "respect-mal-current", "Tester", RoleKind::Advisor).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    let texts: Vec<(String, String)> = (0..n)
        .map(|i| {
            (format!("caller{i}@example.org"), format!("{} message {i}", if i % 3 == 0 { "court" } else { "housing" }))
        })
        .collect();
    let items = texts
        .iter()
        .enumerate()
        .map(|(i, (who, body))| NewConversation {
            channel: Channel::Email,
            line_id: if i % 2 == 0 { "phoneline" } else { "mens_advice" },
            subject: "hello",
            correspondent: who,
            preview: body,
            // Some share a time, so the id must break ties for paging to be exact.
            first_message: NewMessage {
                incoming: true,
                author: who,
                sent_at: 1_700_000_000 + (i as i64 / 2),
                body: body.as_bytes(),
                index_text: body,
            },
        })
        .collect();
    conversations::record_many(&store, items).await.unwrap();
    staff::session(&store).await.unwrap()
}

async fn all_pages(session: &staff::Session, mut filter: InboxFilter) -> (Vec<i64>, Option<i64>, bool) {
    let mut ids = Vec::new();
    let first = inbox::page(session, &filter).await.unwrap();
    let (total, capped) = (first.total, first.total_capped);
    let mut page = first;
    loop {
        ids.extend(page.conversations.iter().map(|c| c.id));
        let Some(next) = page.next.clone() else { break };
        filter.after = Some(next);
        page = inbox::page(session, &filter).await.unwrap();
        assert_eq!(page.total, None, "only the first page counts");
    }
    (ids, total, capped)
}

#[tokio::test]
async fn issue3_list_pages_cover_every_conversation_once_newest_first() {
    let tmp = tempfile::tempdir().unwrap();
    let session = session_with(1234, tmp.path()).await;
    let (ids, total, capped) = all_pages(&session, InboxFilter { limit: Some(100), ..Default::default() }).await;
    assert_eq!(ids.len(), 1234);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 1234, "a conversation appeared twice");
    assert_eq!((total, capped), (Some(TOTAL_CAP), true));
    let (line, total, capped) =
        all_pages(&session, InboxFilter { line_id: Some("phoneline".into()), limit: Some(50), ..Default::default() })
            .await;
    assert_eq!(line.len(), 617);
    assert_eq!((total, capped), (Some(617), false));
}

#[tokio::test]
async fn issue3_search_pages_hold_every_match_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let session = session_with(1500, tmp.path()).await;
    let (ids, total, capped) =
        all_pages(&session, InboxFilter { search: Some("court".into()), limit: Some(64), ..Default::default() }).await;
    let unique: HashSet<i64> = ids.iter().copied().collect();
    assert_eq!(unique.len(), 500, "every third conversation says court");
    assert_eq!((total, capped), (Some(500), false));
    let first =
        inbox::page(&session, &InboxFilter { search: Some("court".into()), limit: Some(5), ..Default::default() })
            .await
            .unwrap();
    assert!(
        first.conversations.windows(2).all(|w| w[0].last_activity_at >= w[1].last_activity_at),
        "newest match first"
    );
    let rare =
        inbox::page(&session, &InboxFilter { search: Some("caller1499@example.org".into()), ..Default::default() })
            .await
            .unwrap();
    assert_eq!((rare.total, rare.conversations.len(), rare.next), (Some(1), 1, None));
    let bad = inbox::page(
        &session,
        &InboxFilter { search: Some("court".into()), after: Some("s:nonsense".into()), ..Default::default() },
    )
    .await;
    assert!(bad.unwrap_err().to_string().contains("no longer exists"));
}

/// Issue 5: only a manager may put a conversation on legal hold.
#[tokio::test]
async fn issue5_an_advisor_cannot_put_a_legal_hold() {
    let tmp = tempfile::tempdir().unwrap();
    let session = session_with(1, tmp.path()).await;
    let id = inbox::page(&session, &InboxFilter::default()).await.unwrap().conversations[0].id;
    let refused = confide_core::retention::hold::hold(&session, id, "court order").await.unwrap_err();
    assert!(refused.to_string().contains("only a manager"), "{refused}");
}
