//! The webchat lab tests' shared steps: a team with its gateway, visitors on it, and looking
//! for words in files.

use confide_mail::records::ImapRecords;
use std::time::Duration;

use super::desktop_at;
use confide_core::policy::RoleKind;
use confide_core::webchat::Said;
use confide_core::{staff, team};
use confide_mail::lab::Lab;
use confide_webchat::config::{credential_hash, Config};
use confide_webchat::protocol::Out;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

pub async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Out>) -> Out {
    loop {
        let out = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("a frame within 5 s")
            .expect("connected");
        if !matches!(out, Out::Typing { .. } | Out::Colleagues { .. }) {
            return out;
        }
    }
}

pub fn contains(dir: &std::path::Path, needle: &str) -> bool {
    std::fs::read_dir(dir).unwrap().any(|e| {
        std::fs::read(e.unwrap().path()).unwrap_or_default().windows(needle.len()).any(|w| w == needle.as_bytes())
    })
}

/// Desktops for `people` on one shared mailbox, the first (a manager) founding the team and
/// adding the others.
pub async fn team_of<const N: usize>(
    lab: &Lab,
    shared: &str,
    tmp: &std::path::Path,
    people: [(&str, RoleKind, &str); N],
) -> [staff::Session; N] {
    team_at(lab, shared, tmp, people, std::sync::Arc::new(confide_core::SystemClock)).await
}

pub async fn team_at<const N: usize>(
    lab: &Lab,
    shared: &str,
    tmp: &std::path::Path,
    people: [(&str, RoleKind, &str); N],
    clock: std::sync::Arc<dyn confide_core::Clock>,
) -> [staff::Session; N] {
    let mut out = vec![];
    for (name, role, line) in people {
        out.push(desktop_at(lab, shared, &tmp.join(name), name, role, line, clock.clone()).await);
    }
    confide_core::team::found(&out[0], &ImapRecords::of(&out[0].store)).await.unwrap();
    for other in &out[1..] {
        confide_core::team::add(&out[0], &ImapRecords::of(&out[0].store), team::card(other).unwrap()).await.unwrap();
    }
    out.try_into().unwrap_or_else(|_| unreachable!())
}

/// A gateway whose Phoneline chats are encrypted to whom the directory and the policy say,
/// with a credential `<name>-credential` for each advisor named.
pub async fn gateway_for(
    manager: &staff::Session,
    data: &std::path::Path,
    advisors: &[&str],
) -> confide_webchat::Gateway {
    gateway_with(manager, data, advisors, "").await
}

/// The same, with more top-level settings (`extra`, TOML).
pub async fn gateway_with(
    manager: &staff::Session,
    data: &std::path::Path,
    advisors: &[&str],
    extra: &str,
) -> confide_webchat::Gateway {
    let dir = confide_core::team::directory(&manager.store, &ImapRecords::of(&manager.store)).await.unwrap();
    let recipients =
        confide_core::shared_record::readers(manager.preset(), &dir, "webchat", Some("phoneline")).unwrap();
    let quoted: Vec<String> = recipients.iter().map(|r| format!("\"{r}\"")).collect();
    let mut text = format!(
        "{extra}listen = \"127.0.0.1:0\"\ndata_dir = \"{}\"\nallowed_origins = [\"https://helpline.example\"]\npolicy_url = \"https://helpline.example/policy\"\n\
         [[lines]]\nid = \"phoneline\"\nname = \"Respect Phoneline\"\nhours = \"9 to 5\"\nrecipients = [{}]\n",
        data.display(),
        quoted.join(", ")
    );
    for a in advisors {
        text.push_str(&format!(
            "[[advisors]]\nname = \"{a}\"\nlines = [\"phoneline\"]\ncredential_sha256 = \"{}\"\n",
            credential_hash(&format!("{}-credential", a.to_lowercase()))
        ));
    }
    confide_webchat::Gateway::start(Config::parse("gateway.toml", &text).unwrap()).await.unwrap()
}

pub async fn visitor_on(
    gw: &confide_webchat::Gateway,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut req = format!("ws://{}/ws/visitor", gw.addr).into_client_request().unwrap();
    req.headers_mut().insert("Origin", "https://helpline.example".parse().unwrap());
    tokio_tungstenite::connect_async(req).await.unwrap().0
}

/// The gateway announces a visitor when they start, so an advisor can accept before their first
/// words reach it: those then come live, after the history. Keeps what comes until `want`
/// messages of the chat are on the desktop.
pub async fn settle(
    session: &staff::Session,
    chat: &str,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<Out>,
    want: usize,
) {
    while confide_core::webchat::stored(&session.store, chat).await.unwrap() < want {
        if let Out::Said { chat: c, from, text, at } = next(events).await {
            let from = if matches!(from, confide_webchat::protocol::Speaker::Visitor) { "visitor" } else { "advisor" };
            confide_core::webchat::add(&session.store, &c, &Said { from: from.into(), text, at }).await.unwrap();
        }
    }
}

pub fn frame(v: serde_json::Value) -> Message {
    Message::Text(v.to_string().into())
}

pub fn tree_contains(dir: &std::path::Path, needle: &str) -> bool {
    std::fs::read_dir(dir).unwrap().any(|e| {
        let path = e.unwrap().path();
        if path.is_dir() {
            tree_contains(&path, needle)
        } else {
            std::fs::read(&path).unwrap_or_default().windows(needle.len()).any(|w| w == needle.as_bytes())
        }
    })
}
