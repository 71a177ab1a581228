//! Benchmarks. Each prints its figures on its last line, so scripts can collect them.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::Subcommand;
use confide_core::conversations::{self, Channel, NewConversation, NewMessage};
use confide_core::inbox::{self, InboxFilter};
use confide_core::policy::RoleKind;
use confide_core::{staff, Store, SystemClock};

#[derive(Subcommand)]
pub enum BenchCmd {
    /// N visitor sessions and their advisors through a real gateway on loopback, a message a
    /// second each way for a fixed time: latency percentiles and errors
    Gateway {
        #[arg(long, default_value_t = 1000)]
        sessions: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
    /// First inbox page and full-text search latency in the core, over a store of N conversations
    Inbox {
        #[arg(long, default_value_t = 100_000)]
        conversations: usize,
    },
    /// Initial sync of N lab messages (fetch, parse, encrypt, index) against mbsync's
    #[cfg(feature = "lab-bench")]
    Sync {
        #[arg(long, default_value_t = 100_000)]
        messages: usize,
        /// Time Confide only (for profiling); prints no ratio
        #[arg(long)]
        no_peer: bool,
        /// The lab server: `standard` (Dovecot with CONDSTORE, QRESYNC, SPECIAL-USE) or
        /// `exchange-like` (what Exchange Online offers: none of them)
        #[arg(long, default_value = "standard", value_parser = ["standard", "exchange-like"])]
        server: String,
    },
    /// The retention engine over N lab messages spread over 12 months (half expire) against
    /// `doveadm expunge` of the same range on an identical mailbox
    #[cfg(feature = "lab-bench")]
    Retention {
        #[arg(long, default_value_t = 100_000)]
        messages: usize,
        /// How Dovecot stores the two mailboxes: `mbox` (Debian's default, where DESIGN.md's
        /// peer figure was measured) or `mdbox` (the lab's own, where an expunge only drops
        /// references and `doveadm purge` removes the mail)
        #[arg(long, default_value = "mbox", value_parser = ["mbox", "mdbox"])]
        storage: String,
    },
    /// A no-change resync of N lab messages against mbsync's
    #[cfg(feature = "lab-bench")]
    Resync {
        #[arg(long, default_value_t = 100_000)]
        messages: usize,
        /// Time Confide only (for profiling); prints no ratio
        #[arg(long)]
        no_peer: bool,
        /// The lab server: `standard` (Dovecot with CONDSTORE, QRESYNC, SPECIAL-USE) or
        /// `exchange-like` (what Exchange Online offers: none of them)
        #[arg(long, default_value = "standard", value_parser = ["standard", "exchange-like"])]
        server: String,
    },
    /// The built desktop app against the lab: cold start to an interactive inbox, and the
    /// memory of all its processes after it has sat idle (needs a display, e.g. Xvfb)
    #[cfg(feature = "lab-bench")]
    App {
        /// The built app (default: `confide-app` beside this binary)
        #[arg(long)]
        app: Option<std::path::PathBuf>,
        /// Messages in the synced shared mailbox the app opens
        #[arg(long, default_value_t = 10_000)]
        messages: usize,
        #[arg(long, default_value_t = 60)]
        idle_seconds: u64,
    },
    /// Sync and retention runs killed (SIGKILL) at random moments, each followed by the
    /// store's health check; each cycle then finishes and must match the server exactly
    #[cfg(feature = "lab-bench")]
    Kill {
        /// How many kills in all (sync and retention)
        #[arg(long, default_value_t = 100)]
        kills: usize,
        /// Messages in each cycle's mailbox
        #[arg(long, default_value_t = 2000)]
        messages: usize,
    },
    /// Every benchmark in turn (sync, resync, inbox, retention, gateway, app), then a table
    #[cfg(feature = "lab-bench")]
    All {
        #[arg(long, default_value_t = 100_000)]
        messages: usize,
        #[arg(long, default_value_t = 1000)]
        sessions: usize,
        /// Also write the table (Markdown) here
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

pub async fn run(cmd: BenchCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        BenchCmd::Inbox { conversations } => inbox_bench(conversations).await,
        BenchCmd::Gateway { sessions, seconds } => crate::bench_gateway::run(sessions, seconds).await,
        #[cfg(feature = "lab-bench")]
        BenchCmd::Sync { messages, no_peer, server } => {
            crate::bench_sync::run(crate::bench_sync::Pass::Initial, messages, !no_peer, &server).await
        }
        #[cfg(feature = "lab-bench")]
        BenchCmd::Retention { messages, storage } => crate::bench_retention::run(messages, storage == "mbox").await,
        #[cfg(feature = "lab-bench")]
        BenchCmd::Resync { messages, no_peer, server } => {
            crate::bench_sync::run(crate::bench_sync::Pass::Resync, messages, !no_peer, &server).await
        }
        #[cfg(feature = "lab-bench")]
        BenchCmd::App { app, messages, idle_seconds } => {
            crate::bench_app::run(crate::bench_app::AppBench { app, messages, idle_seconds }).await
        }
        #[cfg(feature = "lab-bench")]
        BenchCmd::Kill { kills, messages } => crate::bench_kill::run(kills, messages).await,
        #[cfg(feature = "lab-bench")]
        BenchCmd::All { messages, sessions, out } => {
            crate::bench_all::run(crate::bench_all::AllBench { messages, sessions, out })
        }
    }
}

/// A desktop as the lab benchmarks need it: a manager on respect-mal-current with the
/// agreement accepted, and `user`'s lab mailbox as the shared one (its id: `shared`).
#[cfg(feature = "lab-bench")]
pub(crate) async fn lab_manager(
    store: &Store,
    lab: &confide_mail::lab::Lab,
    user: &str,
) -> anyhow::Result<confide_core::accounts::Account> {
    staff::save_profile(store, "respect-mal-current", "Bench", RoleKind::Manager).await?;
    let version = staff::active_preset(store).await?.agreement.version.clone();
    staff::accept_agreement(store, &version).await?;
    let account = lab.account("shared", user, confide_core::accounts::AccountKind::Shared);
    confide_core::accounts::save(store, &account, &lab.password(user)).await?;
    Ok(account)
}

pub(crate) const WORDS: &[&str] = &[
    "partner",
    "phone",
    "children",
    "contact",
    "anger",
    "course",
    "stalking",
    "messages",
    "work",
    "evening",
    "court",
    "police",
    "housing",
    "money",
    "family",
    "school",
    "worried",
    "scared",
    "support",
    "advice",
    "refuge",
    "counselling",
    "text",
    "email",
];

async fn inbox_bench(n: usize) -> anyhow::Result<ExitCode> {
    let tmp = std::env::temp_dir().join(format!("confide-bench-inbox-{}", std::process::id()));
    let store = confide_core::store::open_desktop(&tmp, Arc::new(SystemClock)).await?;
    let result = measure(&store, n).await;
    store.close().await;
    std::fs::remove_dir_all(&tmp).ok();
    let (seed_s, page, search) = result?;
    eprintln!("seeded {n} conversations in {seed_s:.1} s");
    println!("bench inbox: conversations={n} page_p95_ms={page:.2} search_p95_ms={search:.2}");
    Ok(ExitCode::SUCCESS)
}

async fn measure(store: &Store, n: usize) -> anyhow::Result<(f64, f64, f64)> {
    staff::save_profile(store, "respect-mal-current", "Bench", RoleKind::Advisor).await?;
    staff::accept_agreement(store, "current-1").await?;
    let session = staff::session(store).await?;
    // Deterministic pseudo-random text: a small LCG, so runs are comparable.
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let started = Instant::now();
    let mut batch = Vec::with_capacity(1000);
    for i in 0..n {
        let words: Vec<&str> = (0..40).map(|_| WORDS[next() % WORDS.len()]).collect();
        let body = format!("{} caller{} {}", words.join(" "), i, "x".repeat(next() % 2000));
        let subject = format!("{} {}", WORDS[next() % WORDS.len()], WORDS[next() % WORDS.len()]);
        batch.push((
            subject,
            format!("caller{i}@example.org"),
            body,
            1_700_000_000 + i as i64 * 60,
            if i % 2 == 0 { "phoneline" } else { "mens_advice" },
        ));
        if batch.len() == 1000 || i + 1 == n {
            let items: Vec<NewConversation<'_>> = batch
                .iter()
                .map(|(subject, who, body, at, line)| NewConversation {
                    channel: Channel::Email,
                    line_id: line,
                    subject,
                    correspondent: who,
                    preview: &body[..body.len().min(120)],
                    first_message: NewMessage {
                        incoming: true,
                        author: who,
                        sent_at: *at,
                        body: body.as_bytes(),
                        index_text: body,
                    },
                })
                .collect();
            conversations::record_many(store, items).await?;
            batch.clear();
        }
    }
    let seed_s = started.elapsed().as_secs_f64();
    store.checkpoint().await?;

    let mut page = Vec::new();
    for i in 0..200 {
        let filter = InboxFilter {
            line_id: (i % 3 == 1).then(|| "phoneline".to_owned()),
            limit: Some(100),
            ..Default::default()
        };
        let t = Instant::now();
        inbox::page(&session, &filter).await?;
        page.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let mut search = Vec::new();
    for i in 0..200 {
        let query = if i % 2 == 0 {
            format!("caller{}", next() % n)
        } else {
            format!("{} {}", WORDS[next() % WORDS.len()], WORDS[next() % WORDS.len()])
        };
        let t = Instant::now();
        inbox::page(&session, &InboxFilter { search: Some(query), limit: Some(100), ..Default::default() }).await?;
        search.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok((seed_s, p95(&mut page), p95(&mut search)))
}

fn p95(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[(v.len() * 95 / 100).min(v.len() - 1)]
}
