//! Issue 29: with `CONFIDE_LOG=trace` the WebSocket library wrote each visitor's and advisor's
//! message and the visitors' resume tokens to the gateway's log. The real binary runs a chat at
//! `trace`; nothing said in it, and no token, may be in anything it printed.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use confide_webchat::config::credential_hash;
use confide_webchat::protocol::Out;
use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

mod common;
use common::{send, Ws};

async fn connect(url: String, header: (&'static str, String)) -> Ws {
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert(header.0, header.1.parse().unwrap());
    tokio_tungstenite::connect_async(req).await.unwrap().0
}

/// The next frame that `pick` wants, or a failure after 5 s.
async fn wait_for<T>(ws: &mut Ws, pick: impl Fn(Out) -> Option<T>) -> T {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = msg {
            if let Some(v) = pick(serde_json::from_str(&t).unwrap()) {
                return v;
            }
        }
    }
}

#[tokio::test]
async fn issue29_the_gateway_logs_no_chat_words_or_tokens_at_trace() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gateway.toml");
    let recipient = age::x25519::Identity::generate().to_public();
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndata_dir = \"{}\"\nallowed_origins = [\"https://helpline.example\"]\npolicy_url = \"https://helpline.example/p\"\n\n\
             [[lines]]\nid = \"phoneline\"\nname = \"Respect Phoneline\"\nhours = \"9 to 5\"\nrecipients = [\"{recipient}\"]\n\n\
             [[advisors]]\nname = \"Sam\"\nlines = [\"phoneline\"]\ncredential_sha256 = \"{}\"\n",
            dir.path().join("state").display(),
            credential_hash("sam-credential-29")
        ),
    )
    .unwrap();
    let mut gateway = Command::new(env!("CARGO_BIN_EXE_confide-webchat"))
        .args(["serve", "--config"])
        .arg(&config)
        .env("CONFIDE_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(gateway.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let addr = first.trim().rsplit(' ').next().unwrap().to_owned();
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = vec![];
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let (out, err) = (drain(Box::new(stdout)), drain(Box::new(gateway.stderr.take().unwrap())));

    // Every response forbids caching, a 404 too: a cached `/favicon.ico` kept the address.
    for path in ["/", "/favicon.ico"] {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut http = tokio::net::TcpStream::connect(&addr).await.unwrap();
        http.write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut answer = String::new();
        http.read_to_string(&mut answer).await.unwrap();
        let head = answer.split("\r\n\r\n").next().unwrap().to_ascii_lowercase();
        assert!(head.contains("cache-control: no-store"), "{path}: {head}");
        if path == "/" {
            assert!(
                answer.contains("<title>Information</title>") && !answer.contains("Chat with an advisor"),
                "{answer}"
            );
        }
    }

    let mut sam =
        connect(format!("ws://{addr}/ws/advisor"), ("Authorization", "Bearer sam-credential-29".into())).await;
    let mut visitor = connect(format!("ws://{addr}/ws/visitor"), ("Origin", "https://helpline.example".into())).await;
    send(&mut visitor, serde_json::json!({"type": "start", "line": "phoneline"})).await;
    let (chat, resume) =
        wait_for(&mut visitor, |o| if let Out::Welcome { chat, resume, .. } = o { Some((chat, resume)) } else { None })
            .await;
    send(&mut sam, serde_json::json!({"type": "accept", "chat": chat})).await;
    wait_for(&mut visitor, |o| matches!(o, Out::Joined { .. }).then_some(())).await;
    send(&mut visitor, serde_json::json!({"type": "say", "text": "VisitorWords29 my partner"})).await;
    wait_for(&mut sam, |o| matches!(o, Out::Said { text, .. } if text.contains("VisitorWords29")).then_some(())).await;
    send(&mut sam, serde_json::json!({"type": "say", "chat": chat, "text": "AdvisorWords29 you are safe"})).await;
    wait_for(&mut visitor, |o| matches!(o, Out::Said { text, .. } if text.contains("AdvisorWords29")).then_some(()))
        .await;
    drop((sam, visitor));
    tokio::time::sleep(Duration::from_millis(300)).await;
    gateway.kill().unwrap();
    gateway.wait().unwrap();
    let log = [out.join().unwrap(), err.join().unwrap()].concat();
    let log = String::from_utf8_lossy(&log);

    assert!(
        log.contains("DEBUG") && log.contains("visitor connected"),
        "the gateway did not log at its most verbose: {log}"
    );
    for secret in ["VisitorWords29", "AdvisorWords29", resume.as_str(), "sam-credential-29"] {
        let at = log.find(secret);
        assert!(
            at.is_none(),
            "{secret:?} is in the gateway's log: {}",
            &log[at.unwrap_or(0).saturating_sub(200)..][..300.min(log.len() - at.unwrap_or(0).saturating_sub(200))]
        );
    }
}
