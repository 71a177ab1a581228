//! What the gateway's tests share: a configuration with three advisors on two lines, WebSocket
//! clients for visitors and advisors, and reading what the gateway sends and keeps.
#![allow(dead_code)]

use std::io::Read;
use std::time::Duration;

use base64::Engine;
use confide_webchat::config::{credential_hash, Config};
use confide_webchat::protocol::Out;
use confide_webchat::Gateway;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub const ORIGIN: &str = "https://helpline.example";

pub struct Setup {
    pub staff: age::x25519::Identity,
    pub config: Config,
    pub _dir: tempfile::TempDir,
}

pub fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let staff = age::x25519::Identity::generate();
    let text = format!(
        r#"
listen = "127.0.0.1:0"
data_dir = "{data}"
allowed_origins = ["{ORIGIN}"]
policy_url = "https://helpline.example/confidentiality"

[[lines]]
id = "phoneline"
name = "Respect Phoneline"
hours = "Monday to Friday, 9am to 5pm"
recipients = ["{recipient}"]

[[lines]]
id = "mens_advice"
name = "Men's Advice Line"
hours = "Monday to Friday, 9am to 8pm"
recipients = ["{recipient}"]

[[advisors]]
name = "Sam"
lines = ["phoneline"]
credential_sha256 = "{sam}"

[[advisors]]
name = "Kit"
lines = ["phoneline"]
credential_sha256 = "{kit}"

[[advisors]]
name = "Lee"
lines = ["mens_advice"]
credential_sha256 = "{lee}"

[limits]
max_frame_bytes = 4096
messages_per_minute = 5
sessions_per_source = 3
max_sessions = 100
resume_grace_seconds = 1
"#,
        data = dir.path().join("gateway").display(),
        recipient = staff.to_public(),
        sam = credential_hash("sam-credential"),
        kit = credential_hash("kit-credential"),
        lee = credential_hash("lee-credential"),
    );
    Setup { staff, config: Config::parse("test.toml", &text).unwrap(), _dir: dir }
}

pub async fn visitor(gw: &Gateway, origin: Option<&str>) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    let mut req = format!("ws://{}/ws/visitor", gw.addr).into_client_request().unwrap();
    if let Some(o) = origin {
        req.headers_mut().insert("Origin", o.parse().unwrap());
    }
    Ok(tokio_tungstenite::connect_async(req).await?.0)
}

pub async fn advisor(gw: &Gateway, credential: &str) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    let mut req = format!("ws://{}/ws/advisor", gw.addr).into_client_request().unwrap();
    req.headers_mut().insert("Authorization", format!("Bearer {credential}").parse().unwrap());
    Ok(tokio_tungstenite::connect_async(req).await?.0)
}

pub async fn send(ws: &mut Ws, json: serde_json::Value) {
    ws.send(Message::Text(json.to_string().into())).await.unwrap();
}

/// The next frame from the gateway (skipping typing notices), or a failure after 5 s.
pub async fn next(ws: &mut Ws) -> Out {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s")
            .expect("the connection is open")
            .unwrap();
        if let Message::Text(t) = msg {
            let out: Out = serde_json::from_str(&t).unwrap();
            if !matches!(out, Out::Typing { .. } | Out::Colleagues { .. }) {
                return out;
            }
        }
    }
}

/// The next frame about `chat` (frames about earlier chats, still waiting to be archived, are
/// skipped).
pub async fn next_for(ws: &mut Ws, chat: &str) -> Out {
    loop {
        let out = next(ws).await;
        let about = serde_json::to_value(&out).unwrap().get("chat").and_then(|c| c.as_str().map(str::to_owned));
        if about.is_none_or(|c| c == chat) {
            return out;
        }
    }
}

pub fn status_of(e: tokio_tungstenite::tungstenite::Error) -> u16 {
    match e {
        tokio_tungstenite::tungstenite::Error::Http(r) => r.status().as_u16(),
        e => panic!("expected an HTTP refusal, got {e}"),
    }
}

pub fn open(staff: &age::x25519::Identity, b64: &str) -> serde_json::Value {
    let sealed = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
    let d = age::Decryptor::new(&sealed[..]).unwrap();
    let mut r = d.decrypt(std::iter::once(staff as &dyn age::Identity)).unwrap();
    let mut s = String::new();
    r.read_to_string(&mut s).unwrap();
    serde_json::from_str(&s).unwrap()
}

pub fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<String> {
    let mut hits = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap_or_default();
        if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
            hits.push(path.display().to_string());
        }
    }
    hits
}
