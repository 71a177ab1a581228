//! Issue 5: what a manager sees of retention. A hold is shown to managers and to no one else;
//! the retention record and the statistics are a manager's to view and export, and the export
//! carries counts and places, never a hold's reason or anything from a message.

use std::sync::Arc;

use confide_core::conversations::{self, Channel, NewConversation, NewMessage};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::retention::{self, hold, records};
use confide_core::store::StoreConfig;
use confide_core::{staff, FixedClock, Store};
use confide_vault::{MemorySecrets, Vault};
use time::macros::datetime;

async fn store_at(dir: &std::path::Path, clock: Arc<FixedClock>) -> Store {
    let vault = Vault::new(Arc::new(MemorySecrets::default()), "records-test");
    Store::open(StoreConfig { data_dir: dir.to_path_buf(), vault, clock, catalog: Catalog::builtin() }).await.unwrap()
}

async fn as_role(store: &Store, role: RoleKind) -> staff::Session {
    staff::save_profile(store, "respect-mal-current", "Sam", role).await.unwrap();
    staff::accept_agreement(store, "current-1").await.unwrap();
    staff::session(store).await.unwrap()
}

#[tokio::test]
async fn issue5_managers_view_and_export_the_record_and_statistics_and_only_they_see_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(datetime!(2026-01-10 09:00 UTC)));
    let store = store_at(tmp.path(), clock.clone()).await;
    let manager = as_role(&store, RoleKind::Manager).await;
    let item = |who: &'static str, body: &'static str| NewConversation {
        channel: Channel::Email,
        line_id: "mens_advice",
        subject: "canary-subject",
        correspondent: who,
        preview: body,
        first_message: NewMessage {
            incoming: true,
            author: who,
            sent_at: datetime!(2026-01-10 08:00 UTC).unix_timestamp(),
            body: body.as_bytes(),
            index_text: body,
        },
    };
    let ids = conversations::record_many(
        &store,
        vec![item("a@example.org", "canary-one"), item("b@example.org", "canary-two")],
    )
    .await
    .unwrap();
    hold::hold(&manager, ids[1], "Court order canary-reason 2026/17").await.unwrap();
    assert_eq!(
        hold::of(&manager, ids[1]).await.unwrap().map(|h| h.reason),
        Some("Court order canary-reason 2026/17".into())
    );

    // Seven months on, the email class (six months) has expired the unheld conversation.
    clock.set(datetime!(2026-08-12 09:00 UTC));
    let class = retention::class_for_channel(&manager.preset().retention, "email").unwrap().clone();
    let expired = retention::expired(&store, &class, "email").await.unwrap();
    assert_eq!(expired.len(), 1, "the held conversation is not expired");
    retention::count_expiring(&store, &class, &expired).await.unwrap();
    retention::destroy_local(&store, &class, &expired).await.unwrap();

    let view = records::view(&manager).await.unwrap();
    assert_eq!(view.holds.len(), 1);
    assert!(
        view.entries.iter().any(|e| e.action == "expired" && e.from_place == "local" && e.count == 1),
        "{:?}",
        view.entries
    );
    let counted: i64 = view.statistics.iter().filter(|r| r.category == "all").map(|r| r.count).sum();
    assert_eq!(counted, 1);

    let record = records::export(&manager, records::Export::Record).await.unwrap();
    let statistics = records::export(&manager, records::Export::Statistics).await.unwrap();
    assert!(record.contains(",expired,email,local,,1,2026-01-10,2026-01-10\r\n"), "{record}");
    assert_eq!(statistics, "month,channel,line,category,outcome,count\r\n2026-01,email,mens_advice,all,new,1\r\n");
    for text in [&record, &statistics] {
        assert!(!text.contains("canary") && !text.contains("example.org"), "identifying text in an export: {text}");
    }

    // An advisor sees neither the hold nor the record (the same store, as an advisor's
    // session would be on a shared desktop).
    let mut advisor = manager.clone();
    advisor.profile.role = RoleKind::Advisor;
    assert_eq!(hold::of(&advisor, ids[1]).await.unwrap(), None);
    let refused = records::view(&advisor).await.unwrap_err().to_string();
    assert!(refused.contains("only a manager"), "{refused}");
    assert!(records::export(&advisor, records::Export::Statistics).await.is_err());
    assert!(hold::release(&advisor, ids[1]).await.is_err());
}

/// Issue 7: a chat whose visitor never wrote leaves an empty conversation; it goes at its
/// class's period like any other (it has no message for the usual rule to judge).
#[tokio::test]
async fn issue7_an_empty_chat_conversation_expires_at_its_class_period() {
    let tmp = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(datetime!(2026-01-10 09:00 UTC)));
    let store = store_at(tmp.path(), clock.clone()).await;
    let _session = as_role(&store, RoleKind::Advisor).await;
    confide_core::webchat::open(&store, "silent-chat", "phoneline", store.now_ts()).await.unwrap();
    let class = store.catalog().get("respect-mal-current").unwrap().retention_class("webchat").unwrap().clone();
    clock.set(datetime!(2026-07-09 09:00 UTC));
    assert_eq!(retention::expire_empty(&store, &class, "webchat").await.unwrap(), 0, "kept the day before six months");
    clock.set(datetime!(2026-07-11 09:00 UTC));
    assert_eq!(retention::expire_empty(&store, &class, "webchat").await.unwrap(), 1);
    assert!(confide_core::webchat::conversation_of(&store, "silent-chat").await.unwrap().is_none());
}

/// Issue 29: `confide retention run --now 2027-07-07T09:00:00Z` made the sidebar say "Retention
/// last ran 07/07/2027". A run at a pretended time decides expiry as at that time but is
/// recorded, on the retention record and the audit log, when it really ran.
#[tokio::test]
async fn issue29_a_rehearsal_is_recorded_when_it_really_ran() {
    use confide_core::retention_record::{self, RecordEntry};
    let tmp = tempfile::tempdir().unwrap();
    let vault = Vault::new(Arc::new(MemorySecrets::default()), "rehearsal-test");
    let pretended = datetime!(2027-07-07 09:00 UTC);
    let clock = Arc::new(confide_core::Rehearsal(pretended));
    let store =
        Store::open(StoreConfig { data_dir: tmp.path().to_path_buf(), vault, clock, catalog: Catalog::builtin() })
            .await
            .unwrap();
    let session = as_role(&store, RoleKind::Manager).await;
    assert_eq!(store.now_ts(), pretended.unix_timestamp(), "rules are decided at the pretended time");
    let before = time::OffsetDateTime::now_utc().unix_timestamp();
    let run = RecordEntry {
        at: store.now_ts(),
        action: "run".into(),
        record_class: Some("email".into()),
        from_place: String::new(),
        to_place: String::new(),
        count: 0,
        oldest: None,
        newest: None,
    };
    retention_record::append(&store, &run).await.unwrap();
    confide_core::audit::append(&store, "retention_run", "email").await.unwrap();
    let after = time::OffsetDateTime::now_utc().unix_timestamp();
    let last = retention_record::last_run(&store).await.unwrap().unwrap();
    assert!((before..=after).contains(&last.at), "recorded at {} not between {before} and {after}", last.at);
    let logged = confide_core::audit::recent(&session, 1).await.unwrap();
    assert!((before..=after).contains(&logged[0].at), "logged at {}", logged[0].at);
}
