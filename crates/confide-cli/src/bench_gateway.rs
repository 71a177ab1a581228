//! `confide bench gateway`: N visitor sessions and their advisors on loopback, through a real
//! gateway (in this process, its own data directory), exchanging a message a second each way
//! for a fixed time. Latency is from one side's send to the other side's receipt, every
//! message sealed and kept on the way, as in service.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use confide_webchat::client::AdvisorClient;
use confide_webchat::config::{credential_hash, Config};
use confide_webchat::protocol::{AdvisorIn, Out};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const ORIGIN: &str = "https://bench.invalid";

fn config(dir: &std::path::Path, advisors: usize) -> anyhow::Result<Config> {
    let staff = age_recipient();
    let mut text = format!(
        "listen = \"127.0.0.1:0\"\ndata_dir = \"{}\"\nallowed_origins = [\"{ORIGIN}\"]\npolicy_url = \"{ORIGIN}/policy\"\n\
         [[lines]]\nid = \"phoneline\"\nname = \"Bench\"\nhours = \"always\"\nrecipients = [\"{staff}\"]\n\
         [limits]\nmax_frame_bytes = 8192\nmessages_per_minute = 600\nsessions_per_source = 100000\nmax_sessions = 100000\n",
        dir.display()
    );
    for a in 0..advisors {
        text.push_str(&format!("[[advisors]]\nname = \"A{a}\"\nlines = [\"phoneline\"]\ncredential_sha256 = \"{}\"\n", credential_hash(&format!("bench-{a}"))));
    }
    Ok(Config::parse("bench.toml", &text)?)
}

/// A throwaway staff key: the bench never reads back what the gateway keeps.
fn age_recipient() -> String {
    confide_vault::Vault::new(Arc::new(confide_vault::MemorySecrets::default()), "bench")
        .staff_identity(confide_vault::KeyPolicy::CreateIfMissing)
        .map(|i| i.recipient().to_string())
        .unwrap_or_default()
}

fn stamp(start: Instant) -> String {
    format!("t{}", start.elapsed().as_micros())
}

fn latency_ms(start: Instant, text: &str) -> Option<f64> {
    let sent: u128 = text.strip_prefix('t')?.parse().ok()?;
    Some((start.elapsed().as_micros().saturating_sub(sent)) as f64 / 1000.0)
}

pub async fn run(sessions: usize, seconds: u64) -> anyhow::Result<ExitCode> {
    let tmp = std::env::temp_dir().join(format!("confide-bench-gateway-{}", std::process::id()));
    let advisors = sessions.div_ceil(10).max(1);
    let gw = confide_webchat::Gateway::start(config(&tmp, advisors)?).await?;
    let base = format!("ws://{}", gw.addr);
    let start = Instant::now();
    let latencies = Arc::new(Mutex::new(Vec::<f64>::new()));
    let errors = Arc::new(AtomicUsize::new(0));

    // Advisors: each accepts every chat waiting (the first to accept gets it) and answers each
    // visitor message with a stamped one of its own.
    let mut advisor_tasks = vec![];
    for a in 0..advisors {
        let (client, mut rx) = AdvisorClient::connect(&base, &format!("bench-{a}")).await.context("an advisor could not connect")?;
        let (lat, err) = (latencies.clone(), errors.clone());
        advisor_tasks.push(tokio::spawn(async move {
            while let Some(out) = rx.recv().await {
                match out {
                    Out::Waiting { chat, .. } => {
                        let _ = client.send(AdvisorIn::Accept { chat });
                    }
                    Out::Said { chat, text, .. } => {
                        if let Some(ms) = latency_ms(start, &text) {
                            lat.lock().await.push(ms);
                        }
                        let _ = client.send(AdvisorIn::Say { chat, text: stamp(start) });
                    }
                    Out::Error { .. } => {
                        err.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {}
                }
            }
        }));
    }

    eprintln!("bench gateway: {sessions} visitors, {advisors} advisors, {seconds} s");
    let deadline = start + Duration::from_secs(seconds) + Duration::from_secs(2);
    let sent = Arc::new(AtomicUsize::new(0));
    let mut visitors = vec![];
    for i in 0..sessions {
        let (lat, err, sent, url) = (latencies.clone(), errors.clone(), sent.clone(), format!("{base}/ws/visitor"));
        visitors.push(tokio::spawn(async move {
            let mut req = url.into_client_request().expect("a URL");
            req.headers_mut().insert("Origin", ORIGIN.parse().expect("an origin"));
            let Ok((ws, _)) = tokio_tungstenite::connect_async(req).await else {
                err.fetch_add(1, Ordering::Relaxed);
                return;
            };
            let (mut sink, mut stream) = ws.split();
            let start_frame = serde_json::json!({"type": "start", "line": "phoneline"}).to_string();
            if sink.send(Message::Text(start_frame.into())).await.is_err() {
                err.fetch_add(1, Ordering::Relaxed);
                return;
            }
            // Spread the sends over the second.
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + Duration::from_millis((i % 1000) as u64), Duration::from_secs(1));
            let mut joined = false;
            loop {
                tokio::select! {
                    frame = stream.next() => {
                        let Some(Ok(Message::Text(t))) = frame else { break };
                        match serde_json::from_str::<Out>(&t) {
                            Ok(Out::Joined { .. }) => joined = true,
                            Ok(Out::Said { text, .. }) => {
                                if let Some(ms) = latency_ms(start, &text) { lat.lock().await.push(ms); }
                            }
                            Ok(Out::Error { .. }) | Err(_) => { err.fetch_add(1, Ordering::Relaxed); }
                            _ => {}
                        }
                    }
                    _ = tick.tick() => {
                        if Instant::now() > deadline { break; }
                        if joined {
                            let say = serde_json::json!({"type": "say", "text": stamp(start)}).to_string();
                            if sink.send(Message::Text(say.into())).await.is_err() { err.fetch_add(1, Ordering::Relaxed); break; }
                            sent.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
            let _ = sink.send(Message::Text(serde_json::json!({"type": "end"}).to_string().into())).await;
        }));
    }
    for v in visitors {
        let _ = v.await;
    }
    for a in advisor_tasks {
        a.abort();
    }
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&tmp);
    let mut lat = latencies.lock().await.clone();
    lat.sort_by(|a, b| a.total_cmp(b));
    let pick = |q: f64| lat.get(((lat.len() as f64 * q) as usize).min(lat.len().saturating_sub(1))).copied().unwrap_or(f64::NAN);
    eprintln!("visitor messages sent: {} (each answered by an advisor; both directions timed)", sent.load(Ordering::Relaxed));
    println!(
        "bench gateway: sessions={sessions} messages={} p50_ms={:.2} p99_ms={:.2} errors={}",
        lat.len(),
        pick(0.50),
        pick(0.99),
        errors.load(Ordering::Relaxed)
    );
    Ok(ExitCode::SUCCESS)
}
