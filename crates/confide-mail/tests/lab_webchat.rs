//! Issue 7, the desktop's side: a visitor chats through the real gateway with a Phoneline
//! advisor's desktop core, which keeps the chat in its inbox and, when it ends, archives the
//! transcript to `Confide/Webchat` as a record the line's staff (and the managers) can open and
//! the other line's advisor cannot; then the gateway forgets the chat. Neither the gateway's
//! files nor the server's folder hold the chat's words in the clear.

use std::sync::Arc;
use std::time::Duration;

use confide_core::accounts::{self, AccountKind};
use confide_core::policy::{Catalog, RoleKind};
use confide_core::store::StoreConfig;
use confide_core::webchat::Said;
use confide_core::{paths, staff, team, Store, SystemClock};
use confide_mail::lab::Lab;
use confide_vault::{OsKeyring, Vault};
use confide_webchat::client::AdvisorClient;
use confide_webchat::config::{credential_hash, Config};
use confide_webchat::protocol::{AdvisorIn, Out};
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

async fn desktop(lab: &Lab, shared: &str, dir: &std::path::Path, name: &str, role: RoleKind, line: &str) -> staff::Session {
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(dir));
    let store = Store::open(StoreConfig { data_dir: dir.to_path_buf(), vault, clock: Arc::new(SystemClock), catalog: Catalog::builtin() }).await.unwrap();
    staff::save_profile_on_lines(&store, "respect-mal-current", name, role, &[line.into()]).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    accounts::save(&store, &lab.account("shared", shared, AccountKind::Shared), &lab.password(shared)).await.unwrap();
    staff::session(&store).await.unwrap()
}

async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Out>) -> Out {
    loop {
        let out = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.expect("a frame within 5 s").expect("connected");
        if !matches!(out, Out::Typing { .. }) {
            return out;
        }
    }
}

fn contains(dir: &std::path::Path, needle: &str) -> bool {
    std::fs::read_dir(dir).unwrap().any(|e| std::fs::read(e.unwrap().path()).unwrap_or_default().windows(needle.len()).any(|w| w == needle.as_bytes()))
}

#[tokio::test]
async fn issue7_a_chat_is_kept_in_the_advisors_inbox_and_archived_for_the_lines_staff_only() {
    let Some(lab) = Lab::get("issue7_a_chat_is_kept_in_the_advisors_inbox_and_archived_for_the_lines_staff_only") else { return };
    let shared = lab.fresh_user("chat");
    let tmp = tempfile::tempdir().unwrap();
    let ann = desktop(&lab, &shared, &tmp.path().join("ann"), "Ann", RoleKind::Manager, "phoneline").await;
    let bob = desktop(&lab, &shared, &tmp.path().join("bob"), "Bob", RoleKind::Advisor, "phoneline").await;
    let cy = desktop(&lab, &shared, &tmp.path().join("cy"), "Cy", RoleKind::Advisor, "mens_advice").await;
    confide_mail::team::found(&ann).await.unwrap();
    confide_mail::team::add(&ann, team::card(&bob).unwrap()).await.unwrap();
    confide_mail::team::add(&ann, team::card(&cy).unwrap()).await.unwrap();

    // The gateway's line is encrypted to whom the directory and the policy say.
    let dir = confide_mail::team::directory(&ann.store).await.unwrap();
    let recipients = confide_core::shared_record::readers(ann.preset(), &dir, "webchat", Some("phoneline")).unwrap();
    let quoted: Vec<String> = recipients.iter().map(|r| format!("\"{r}\"")).collect();
    let data = tmp.path().join("gateway");
    let config = Config::parse(
        "gateway.toml",
        &format!(
            "listen = \"127.0.0.1:0\"\ndata_dir = \"{}\"\nallowed_origins = [\"https://helpline.example\"]\npolicy_url = \"https://helpline.example/policy\"\n\
             [[lines]]\nid = \"phoneline\"\nname = \"Respect Phoneline\"\nhours = \"9 to 5\"\nrecipients = [{}]\n\
             [[advisors]]\nname = \"Bob\"\nlines = [\"phoneline\"]\ncredential_sha256 = \"{}\"\n",
            data.display(),
            quoted.join(", "),
            credential_hash("bob-credential")
        ),
    )
    .unwrap();
    let gw = confide_webchat::Gateway::start(config).await.unwrap();
    let (client, mut events) = AdvisorClient::connect(&format!("ws://{}", gw.addr), "bob-credential").await.unwrap();

    let mut req = format!("ws://{}/ws/visitor", gw.addr).into_client_request().unwrap();
    req.headers_mut().insert("Origin", "https://helpline.example".parse().unwrap());
    let (mut visitor, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let say = |v: serde_json::Value| Message::Text(v.to_string().into());
    visitor.send(say(serde_json::json!({"type": "start", "line": "phoneline"}))).await.unwrap();
    visitor.send(say(serde_json::json!({"type": "say", "text": "chat-canary-4f1d: it is me who is scared"}))).await.unwrap();

    let Out::Waiting { chat, .. } = next(&mut events).await else { panic!("no waiting chat") };
    client.send(AdvisorIn::Accept { chat: chat.clone() }).unwrap();
    let Out::Assigned { line, .. } = next(&mut events).await else { panic!("not assigned") };
    let Out::History { sealed, .. } = next(&mut events).await else { panic!("no history") };
    let conversation = confide_mail::webchat::take_history(&bob, &chat, &line, &sealed).await.unwrap();
    // Replayed history (a reconnect) adds nothing twice.
    confide_mail::webchat::take_history(&bob, &chat, &line, &sealed).await.unwrap();

    visitor.send(say(serde_json::json!({"type": "say", "text": "are you there?"}))).await.unwrap();
    let Out::Said { text, at, .. } = next(&mut events).await else { panic!("no message") };
    confide_mail::webchat::said(&bob, &chat, &Said { from: "visitor".into(), text, at }).await.unwrap();
    let reply = "chat-canary-a62c: I am here, and this is confidential";
    client.send(AdvisorIn::Say { chat: chat.clone(), text: reply.into() }).unwrap();
    confide_mail::webchat::said(&bob, &chat, &Said { from: "advisor".into(), text: reply.into(), at: 0 }).await.unwrap();
    visitor.send(say(serde_json::json!({"type": "end"}))).await.unwrap();
    // Handed back to archive: the whole history (nothing new here), then the end.
    assert!(matches!(next(&mut events).await, Out::Assigned { .. }));
    let Out::History { sealed, .. } = next(&mut events).await else { panic!("no history to archive") };
    confide_mail::webchat::take_history(&bob, &chat, &line, &sealed).await.unwrap();
    assert!(matches!(next(&mut events).await, Out::Ended { .. }));

    // In Bob's inbox like an email: one conversation on his line, three messages, searchable.
    let page = confide_core::inbox::page(&bob, &Default::default()).await.unwrap();
    assert_eq!((page.total, page.conversations[0].id, page.conversations[0].message_count), (Some(1), conversation, 3), "{page:?}");

    let header = confide_mail::webchat::archive(&bob, &chat).await.unwrap();
    client.send(AdvisorIn::Archived { chat: chat.clone() }).unwrap();
    for (who, session, opens) in [("Ann (manager)", &ann, true), ("Bob (Phoneline)", &bob, true), ("Cy (Men's Advice Line)", &cy, false)] {
        let listed = confide_mail::records::list(session, "webchat").await.unwrap();
        assert_eq!(listed.len(), 1, "{who}");
        match (&listed[0].record, opens) {
            (Ok(r), true) => {
                let t: confide_core::webchat::Transcript = serde_json::from_slice(&r.body).unwrap();
                assert_eq!((r.header.id.as_str(), t.messages.len(), t.line.as_str()), (header.id.as_str(), 3, "phoneline"), "{who}");
                assert!(t.messages[0].text.starts_with("chat-canary-4f1d"));
            }
            (Err(confide_core::CoreError::Vault(confide_vault::VaultError::NotForYou)), false) => {}
            (other, _) => panic!("{who}: {other:?}"),
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let state = confide_webchat::state::State::open(&data).await.unwrap();
    assert!(state.chats().await.unwrap().is_empty(), "the gateway forgot the archived chat");
    for canary in ["chat-canary-4f1d", "chat-canary-a62c"] {
        assert!(!contains(&data, canary), "{canary} in the gateway's files");
        assert_eq!(lab.count_body(&shared, "Confide/Webchat", canary), 0, "{canary} readable on the server");
    }
    gw.stop().await;
}
