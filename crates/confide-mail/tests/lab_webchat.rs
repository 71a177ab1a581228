//! Issue 7, the desktop's side: a visitor chats through the real gateway with a Phoneline
//! advisor's desktop core, which keeps the chat in its inbox and, when it ends, archives the
//! transcript to `Confide/Webchat` as a record the line's staff (and the managers) can open and
//! the other line's advisor cannot; then the gateway forgets the chat. Neither the gateway's
//! files nor the server's folder hold the chat's words in the clear.

mod common;

use std::time::Duration;

use common::desktop_on as desktop;
use confide_core::policy::RoleKind;
use confide_core::webchat::Said;
use confide_core::{staff, team};
use confide_mail::lab::Lab;
use confide_webchat::client::AdvisorClient;
use confide_webchat::config::{credential_hash, Config};
use confide_webchat::protocol::{AdvisorIn, Out};
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Out>) -> Out {
    loop {
        let out = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.expect("a frame within 5 s").expect("connected");
        if !matches!(out, Out::Typing { .. } | Out::Colleagues { .. }) {
            return out;
        }
    }
}

fn contains(dir: &std::path::Path, needle: &str) -> bool {
    std::fs::read_dir(dir).unwrap().any(|e| std::fs::read(e.unwrap().path()).unwrap_or_default().windows(needle.len()).any(|w| w == needle.as_bytes()))
}

/// Desktops for `people` on one shared mailbox, the first (a manager) founding the team and
/// adding the others.
async fn team_of<const N: usize>(lab: &Lab, shared: &str, tmp: &std::path::Path, people: [(&str, RoleKind, &str); N]) -> [staff::Session; N] {
    let mut out = vec![];
    for (name, role, line) in people {
        out.push(desktop(lab, shared, &tmp.join(name), name, role, line).await);
    }
    confide_mail::team::found(&out[0]).await.unwrap();
    for other in &out[1..] {
        confide_mail::team::add(&out[0], team::card(other).unwrap()).await.unwrap();
    }
    out.try_into().unwrap_or_else(|_| unreachable!())
}

/// A gateway whose Phoneline chats are encrypted to whom the directory and the policy say,
/// with a credential `<name>-credential` for each advisor named.
async fn gateway_for(manager: &staff::Session, data: &std::path::Path, advisors: &[&str]) -> confide_webchat::Gateway {
    let dir = confide_mail::team::directory(&manager.store).await.unwrap();
    let recipients = confide_core::shared_record::readers(manager.preset(), &dir, "webchat", Some("phoneline")).unwrap();
    let quoted: Vec<String> = recipients.iter().map(|r| format!("\"{r}\"")).collect();
    let mut text = format!(
        "listen = \"127.0.0.1:0\"\ndata_dir = \"{}\"\nallowed_origins = [\"https://helpline.example\"]\npolicy_url = \"https://helpline.example/policy\"\n\
         [[lines]]\nid = \"phoneline\"\nname = \"Respect Phoneline\"\nhours = \"9 to 5\"\nrecipients = [{}]\n",
        data.display(),
        quoted.join(", ")
    );
    for a in advisors {
        text.push_str(&format!("[[advisors]]\nname = \"{a}\"\nlines = [\"phoneline\"]\ncredential_sha256 = \"{}\"\n", credential_hash(&format!("{}-credential", a.to_lowercase()))));
    }
    confide_webchat::Gateway::start(Config::parse("gateway.toml", &text).unwrap()).await.unwrap()
}

async fn visitor_on(gw: &confide_webchat::Gateway) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut req = format!("ws://{}/ws/visitor", gw.addr).into_client_request().unwrap();
    req.headers_mut().insert("Origin", "https://helpline.example".parse().unwrap());
    tokio_tungstenite::connect_async(req).await.unwrap().0
}

fn frame(v: serde_json::Value) -> Message {
    Message::Text(v.to_string().into())
}

#[tokio::test]
async fn issue7_a_chat_is_kept_in_the_advisors_inbox_and_archived_for_the_lines_staff_only() {
    let Some(lab) = Lab::get("issue7_a_chat_is_kept_in_the_advisors_inbox_and_archived_for_the_lines_staff_only") else { return };
    let shared = lab.fresh_user("chat");
    let tmp = tempfile::tempdir().unwrap();
    let [ann, bob, cy] = team_of(&lab, &shared, tmp.path(), [("Ann", RoleKind::Manager, "phoneline"), ("Bob", RoleKind::Advisor, "phoneline"), ("Cy", RoleKind::Advisor, "mens_advice")]).await;
    let data = tmp.path().join("gateway");
    let gw = gateway_for(&ann, &data, &["Bob"]).await;
    let (client, mut events) = AdvisorClient::connect(&format!("ws://{}", gw.addr), "bob-credential").await.unwrap();

    let mut visitor = visitor_on(&gw).await;
    let say = frame;
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

/// A transfer: Bob hands the chat to Dan; Dan's desktop gets what was said, Bob's stops being
/// able to answer or archive it, and at the end there is one transcript, archived by Dan.
#[tokio::test]
async fn issue7_a_chat_transferred_to_a_colleague_is_archived_once_by_them() {
    let Some(lab) = Lab::get("issue7_a_chat_transferred_to_a_colleague_is_archived_once_by_them") else { return };
    let shared = lab.fresh_user("xfer");
    let tmp = tempfile::tempdir().unwrap();
    let [ann, bob, dan] = team_of(&lab, &shared, tmp.path(), [("Ann", RoleKind::Manager, "phoneline"), ("Bob", RoleKind::Advisor, "phoneline"), ("Dan", RoleKind::Advisor, "phoneline")]).await;
    let gw = gateway_for(&ann, &tmp.path().join("gateway"), &["Bob", "Dan"]).await;
    let base = format!("ws://{}", gw.addr);
    let (bob_client, mut bob_events) = AdvisorClient::connect(&base, "bob-credential").await.unwrap();
    let (_dan_client, mut dan_events) = AdvisorClient::connect(&base, "dan-credential").await.unwrap();
    let mut visitor = visitor_on(&gw).await;
    visitor.send(frame(serde_json::json!({"type": "start", "line": "phoneline"}))).await.unwrap();
    visitor.send(frame(serde_json::json!({"type": "say", "text": "hello"}))).await.unwrap();
    let Out::Waiting { chat, .. } = next(&mut bob_events).await else { panic!() };
    bob_client.send(AdvisorIn::Accept { chat: chat.clone() }).unwrap();
    let Out::Assigned { line, .. } = next(&mut bob_events).await else { panic!() };
    let Out::History { sealed, .. } = next(&mut bob_events).await else { panic!() };
    confide_mail::webchat::take_history(&bob, &chat, &line, &sealed).await.unwrap();

    bob_client.send(AdvisorIn::Transfer { chat: chat.clone(), to: "Dan".into() }).unwrap();
    assert!(matches!(next(&mut bob_events).await, Out::Taken { by, .. } if by == "Dan"));
    confide_core::webchat::handed_over(&bob.store, &chat).await.unwrap();
    // Dan saw the chat wait and be taken; now it is handed to him, with what was said.
    let sealed = loop {
        if let Out::History { sealed, .. } = next(&mut dan_events).await {
            break sealed;
        }
    };
    confide_mail::webchat::take_history(&dan, &chat, &line, &sealed).await.unwrap();
    let conversation = confide_core::webchat::conversation_of(&bob.store, &chat).await.unwrap().unwrap();
    assert!(confide_core::webchat::chat_of(&bob, conversation).await.unwrap().1, "Bob can no longer answer it");

    visitor.send(frame(serde_json::json!({"type": "end"}))).await.unwrap();
    loop {
        if let Out::Ended { .. } = next(&mut dan_events).await {
            break;
        }
    }
    confide_mail::webchat::archive(&dan, &chat).await.unwrap();
    assert!(confide_core::webchat::unarchived(&bob.store).await.unwrap().is_empty(), "Bob's desktop would archive a second copy");
    assert_eq!(confide_mail::records::list(&ann, "webchat").await.unwrap().len(), 1, "one transcript");
    gw.stop().await;
}
