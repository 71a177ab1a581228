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
/// How long the arrival may take before the run ends anyway.
const ARRIVAL_LIMIT_S: u64 = 60;
/// The first seconds of the timed window, reported apart as well.
const SETTLING_S: u128 = 3;

fn config(dir: &std::path::Path, advisors: usize) -> anyhow::Result<Config> {
    let staff = age_recipient();
    let mut text = format!(
        "listen = \"127.0.0.1:0\"\ndata_dir = \"{}\"\nallowed_origins = [\"{ORIGIN}\"]\npolicy_url = \"{ORIGIN}/policy\"\n\
         [[lines]]\nid = \"phoneline\"\nname = \"Bench\"\nhours = \"always\"\nrecipients = [\"{staff}\"]\n\
         [limits]\nmax_frame_bytes = 8192\nmessages_per_minute = 600\nsessions_per_source = 100000\nmax_sessions = 100000\n",
        dir.display()
    );
    for a in 0..advisors {
        text.push_str(&format!(
            "[[advisors]]\nname = \"A{a}\"\nlines = [\"phoneline\"]\ncredential_sha256 = \"{}\"\n",
            credential_hash(&format!("bench-{a}"))
        ));
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

/// When a stamped message was sent (µs from the start) and how long it took to arrive (ms).
fn latency(start: Instant, text: &str) -> Option<(u128, f64)> {
    let sent: u128 = text.strip_prefix('t')?.parse().ok()?;
    Some((sent, (start.elapsed().as_micros().saturating_sub(sent)) as f64 / 1000.0))
}

fn percentiles(mut v: Vec<f64>) -> (usize, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let pick =
        |q: f64| v.get(((v.len() as f64 * q) as usize).min(v.len().saturating_sub(1))).copied().unwrap_or(f64::NAN);
    (v.len(), pick(0.50), pick(0.99))
}

pub async fn run(sessions: usize, seconds: u64) -> anyhow::Result<ExitCode> {
    let tmp = std::env::temp_dir().join(format!("confide-bench-gateway-{}", std::process::id()));
    let advisors = sessions.div_ceil(10).max(1);
    let gw = confide_webchat::Gateway::start(config(&tmp, advisors)?).await?;
    let base = format!("ws://{}", gw.addr);
    let start = Instant::now();
    let latencies = Arc::new(Mutex::new(Vec::<(u128, f64)>::new()));
    // Timing counts from when every visitor has an advisor: the arrival of 1,000 visitors in
    // the same second is reported apart.
    let joined_all = Arc::new(AtomicUsize::new(0));
    let steady_from = Arc::new(std::sync::Mutex::new(None::<u128>));
    let errors = Arc::new(AtomicUsize::new(0));

    // Advisors: each accepts its share of the waiting chats and answers each visitor message
    // with a stamped one of its own.
    let mut advisor_tasks = vec![];
    for a in 0..advisors {
        let (client, mut rx) =
            AdvisorClient::connect(&base, &format!("bench-{a}"), None).await.context("an advisor could not connect")?;
        let (lat, err) = (latencies.clone(), errors.clone());
        advisor_tasks.push(tokio::spawn(async move {
            while let Some(out) = rx.recv().await {
                match out {
                    // As in a helpline, one advisor takes each visitor (not all of them racing
                    // for every chat): the chat's id decides whose it is.
                    Out::Waiting { chat, .. }
                        if usize::from_str_radix(&chat[..4.min(chat.len())], 16).unwrap_or(0) % advisors == a =>
                    {
                        let _ = client.send(AdvisorIn::Accept { chat });
                    }
                    Out::Said { chat, text, .. } => {
                        if let Some(l) = latency(start, &text) {
                            lat.lock().await.push(l);
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
    // The timed window is `seconds` long from when every visitor has an advisor (it used to
    // count from the start, so a slow arrival shortened it); an arrival that never completes
    // still ends the run.
    let window = Duration::from_secs(seconds).as_micros();
    let give_up = start + Duration::from_secs(seconds + ARRIVAL_LIMIT_S);
    let sent = Arc::new(AtomicUsize::new(0));
    let mut visitors = vec![];
    for i in 0..sessions {
        let (lat, err, sent, url) = (latencies.clone(), errors.clone(), sent.clone(), format!("{base}/ws/visitor"));
        let (joined_all, steady_from) = (joined_all.clone(), steady_from.clone());
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
                            Ok(Out::Joined { .. }) => {
                                joined = true;
                                if joined_all.fetch_add(1, Ordering::SeqCst) + 1 == sessions {
                                    *steady_from.lock().unwrap_or_else(|e| e.into_inner()) = Some(start.elapsed().as_micros());
                                }
                            }
                            Ok(Out::Said { text, .. }) => {
                                if let Some(l) = latency(start, &text) { lat.lock().await.push(l); }
                            }
                            Ok(Out::Error { .. }) | Err(_) => { err.fetch_add(1, Ordering::Relaxed); }
                            _ => {}
                        }
                    }
                    _ = tick.tick() => {
                        let from = *steady_from.lock().unwrap_or_else(|e| e.into_inner());
                        if from.is_some_and(|f| start.elapsed().as_micros() > f + window) || Instant::now() > give_up { break; }
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
    let all = latencies.lock().await.clone();
    let from = steady_from.lock().unwrap_or_else(|e| e.into_inner()).unwrap_or(u128::MAX);
    let (ramp, steady): (Vec<_>, Vec<_>) = all.into_iter().partition(|(sent, _)| *sent < from);
    let (n, p50, p99) = percentiles(ramp.into_iter().map(|(_, ms)| ms).collect());
    eprintln!(
        "while {sessions} visitors arrived together ({:.1} s): messages={n} p50_ms={p50:.2} p99_ms={p99:.2}",
        from as f64 / 1e6
    );
    // The first seconds after the arrival are told apart too (advisors are still working
    // through the queue's news then); they stay in the figure below.
    let settling: Vec<f64> =
        steady.iter().filter(|(sent, _)| *sent < from + SETTLING_S * 1_000_000).map(|(_, ms)| *ms).collect();
    let (n, p50, p99) = percentiles(settling);
    eprintln!("of which the first {SETTLING_S} s after: messages={n} p50_ms={p50:.2} p99_ms={p99:.2}");
    let (n, p50, p99) = percentiles(steady.into_iter().map(|(_, ms)| ms).collect());
    println!(
        "bench gateway: sessions={sessions} messages={n} p50_ms={p50:.2} p99_ms={p99:.2} errors={}",
        errors.load(Ordering::Relaxed)
    );
    Ok(ExitCode::SUCCESS)
}
