//! Issue 6, the line firewall: an advisor on the Respect Phoneline (perpetrators) must never
//! learn that someone contacted the Men's Advice Line (victims). Whatever they ask (a list, a
//! count, a search by the victim's address, a conversation or message id), the answer about
//! the other line's contact is the answer about an address nobody has ever used: the same
//! result, the same words, the same order of time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use confide_core::conversations::{self, Channel, NewConversation, NewMessage};
use confide_core::inbox::{self, InboxFilter};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::store::StoreConfig;
use confide_core::{staff, Store, SystemClock};
use confide_vault::{MemorySecrets, Vault};

/// A store for Robin, in `role` on `lines` of respect-mal-current, agreement accepted.
async fn staff_on(dir: &std::path::Path, role: RoleKind, lines: &[&str]) -> Store {
    let vault = Vault::new(Arc::new(MemorySecrets::default()), "firewall-test");
    let config =
        StoreConfig { data_dir: dir.to_path_buf(), vault, clock: Arc::new(SystemClock), catalog: Catalog::builtin() };
    let store = Store::open(config).await.unwrap();
    let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    staff::save_profile_on_lines(&store, "respect-mal-current", "Robin", role, &lines).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    store
}

async fn advisor_on(dir: &std::path::Path, lines: &[&str]) -> staff::Session {
    let store = staff_on(dir, RoleKind::Advisor, lines).await;
    // What the shared mailbox holds: both lines' mail, synced into this desktop's store.
    let mut items = vec![];
    for i in 0..200 {
        let (line, who) =
            if i % 4 == 0 { ("mens_advice", "victim.kx7@example.org") } else { ("phoneline", "caller@example.org") };
        items.push((line, who, format!("message {i} from {who}")));
    }
    let news: Vec<NewConversation> = items
        .iter()
        .enumerate()
        .map(|(i, (line, who, body))| NewConversation {
            channel: Channel::Email,
            line_id: line,
            subject: "hello",
            correspondent: who,
            preview: body,
            first_message: NewMessage {
                incoming: true,
                author: who,
                sent_at: 1_780_000_000 + i as i64,
                body: body.as_bytes(),
                index_text: body,
            },
        })
        .collect();
    conversations::record_many(&store, news).await.unwrap();
    staff::session(&store).await.unwrap()
}

fn search(text: &str) -> InboxFilter {
    InboxFilter { search: Some(text.into()), ..Default::default() }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::test]
async fn issue6_an_advisor_cannot_learn_that_an_address_contacted_another_line() {
    let tmp = tempfile::tempdir().unwrap();
    let session = advisor_on(tmp.path(), &["phoneline"]).await;
    assert_eq!(session.profile.lines, ["phoneline"]);

    // The list and its count hold only the advisor's line.
    let all = inbox::page(&session, &InboxFilter { limit: Some(500), ..Default::default() }).await.unwrap();
    assert_eq!(all.total, Some(150));
    assert!(all.conversations.iter().all(|c| c.line_id == "phoneline"));
    let other = inbox::page(&session, &InboxFilter { line_id: Some("mens_advice".into()), ..Default::default() })
        .await
        .unwrap();
    let nonsense = inbox::page(&session, &InboxFilter { line_id: Some("no_such_line".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(format!("{other:?}"), format!("{nonsense:?}"));

    // A search by the victim's address answers exactly as for an address never seen.
    let victim = inbox::page(&session, &search("victim.kx7@example.org")).await.unwrap();
    let never = inbox::page(&session, &search("nobody.q3z@example.org")).await.unwrap();
    assert_eq!(format!("{victim:?}"), format!("{never:?}"));
    assert_eq!(victim.total, Some(0));

    // Opening the other line's conversation or message by id fails in the words used for one
    // that does not exist.
    let hidden: i64 = sqlx::query_scalar("SELECT id FROM conversations WHERE line_id = 'mens_advice' LIMIT 1")
        .fetch_one(session.store.pool())
        .await
        .unwrap();
    let hidden_message: i64 = sqlx::query_scalar("SELECT id FROM messages WHERE conversation_id = ?")
        .bind(hidden)
        .fetch_one(session.store.pool())
        .await
        .unwrap();
    let err = |r: Result<(), confide_core::CoreError>| r.unwrap_err().to_string();
    assert_eq!(
        err(conversations::load(&session, hidden).await.map(|_| ())),
        err(conversations::load(&session, 987_654).await.map(|_| ()))
    );
    assert_eq!(
        err(conversations::message_raw(&session, hidden_message).await.map(|_| ())),
        err(conversations::message_raw(&session, 987_654).await.map(|_| ()))
    );
    assert_eq!(
        err(conversations::check_visible(&session, hidden).await),
        err(conversations::check_visible(&session, 987_654).await)
    );

    // And in the same order of time: no more than noise between the two searches.
    let mut times = (vec![], vec![]);
    for _ in 0..200 {
        let t = Instant::now();
        inbox::page(&session, &search("victim.kx7@example.org")).await.unwrap();
        times.0.push(t.elapsed());
        let t = Instant::now();
        inbox::page(&session, &search("nobody.q3z@example.org")).await.unwrap();
        times.1.push(t.elapsed());
    }
    let (a, b) = (median(times.0), median(times.1));
    eprintln!("search medians: other line's address {a:?}, never-seen address {b:?}");
    assert!(
        a.max(b) < a.min(b) * 2 + Duration::from_micros(200),
        "the other line's address answers in {a:?}, a never-seen one in {b:?}"
    );
}

#[tokio::test]
async fn issue6_lines_are_the_presets_and_a_manager_works_on_all() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = Vault::new(Arc::new(MemorySecrets::default()), "firewall-test-2");
    let store = Store::open(StoreConfig {
        data_dir: tmp.path().to_path_buf(),
        vault,
        clock: Arc::new(SystemClock),
        catalog: Catalog::builtin(),
    })
    .await
    .unwrap();
    let refused =
        staff::save_profile_on_lines(&store, "respect-mal-current", "Robin", RoleKind::Advisor, &["helpdesk".into()])
            .await
            .unwrap_err()
            .to_string();
    assert!(refused.contains("no service line \"helpdesk\""), "{refused}");
    assert!(
        staff::save_profile_on_lines(&store, "respect-mal-current", "Robin", RoleKind::Advisor, &[]).await.is_err(),
        "an advisor must work on a line"
    );
    staff::save_profile_on_lines(&store, "respect-mal-current", "Morgan", RoleKind::Manager, &[]).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    assert_eq!(staff::session(&store).await.unwrap().profile.lines, ["phoneline", "mens_advice"]);
}

/// Issue 29: mail that came to the shared mailbox's own address, not a line's, was filed under
/// the preset's first line. It is now "not yet on a line": seen by whoever may route it (a
/// manager here), and by no advisor, whatever lines they work on, until it is put on a line.
#[tokio::test]
async fn issue29_mail_not_yet_on_a_line_is_seen_only_by_those_who_may_route_it() {
    use confide_core::policy::NOT_ON_A_LINE;
    let tmp = tempfile::tempdir().unwrap();
    let mut desks = vec![];
    for (name, role, lines) in
        [("all", RoleKind::Advisor, vec!["phoneline", "mens_advice"]), ("manager", RoleKind::Manager, vec![])]
    {
        let store = staff_on(&tmp.path().join(name), role, &lines).await;
        let body = "UnroutedWords29 to the helpline address";
        let first_message = NewMessage {
            incoming: true,
            author: "who@example.org",
            sent_at: 1_780_000_000,
            body: body.as_bytes(),
            index_text: body,
        };
        let new = NewConversation {
            channel: Channel::Email,
            line_id: NOT_ON_A_LINE,
            subject: "hello",
            correspondent: "who@example.org",
            preview: body,
            first_message,
        };
        let id = conversations::record(&store, new).await.unwrap();
        desks.push((staff::session(&store).await.unwrap(), id));
    }
    let (advisor, id) = &desks[0];
    assert!(!advisor.preset().may_route(RoleKind::Advisor));
    let page = inbox::page(advisor, &InboxFilter::default()).await.unwrap();
    assert_eq!(page.conversations.len(), 0, "an advisor on every line sees mail nobody has put on a line");
    assert_eq!(inbox::page(advisor, &search("UnroutedWords29")).await.unwrap().total, Some(0));
    let refused = conversations::load(advisor, *id).await.err().expect("refused").to_string();
    let nothing = conversations::load(advisor, id + 1000).await.err().expect("refused").to_string();
    assert_eq!(refused, nothing, "the refusal tells an unrouted conversation apart from none");
    assert!(conversations::check_may_move_line(advisor, *id).await.is_err());

    let (manager, id) = &desks[1];
    let page = inbox::page(manager, &InboxFilter::default()).await.unwrap();
    assert_eq!(page.conversations.iter().map(|c| c.line_id.as_str()).collect::<Vec<_>>(), [NOT_ON_A_LINE]);
    assert_eq!(inbox::page(manager, &search("UnroutedWords29")).await.unwrap().total, Some(1));
    conversations::check_may_move_line(manager, *id).await.unwrap();
    // The manager's own line list stays the preset's lines: "unrouted" is not a line to work on.
    assert_eq!(manager.profile.lines, ["phoneline", "mens_advice"]);
}
