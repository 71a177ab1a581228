//! `confide bench kill`: sync, retention and sent-folder guard runs killed with SIGKILL at
//! random moments, each followed by the store's health check and, at the end of a cycle, a run
//! to completion whose result must be exactly what an uninterrupted run gives: every message
//! once, nothing half-deleted, each expired conversation counted once in the statistics, and
//! each helpline reply moved from a personal Sent to the shared Sent exactly once.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use confide_mail::lab::Lab;
use time::macros::datetime;

use crate::bench_sync::Lcg;

/// The retention run's "now": the seeded mail spans the twelve months before it.
const NOW: &str = "2026-11-01T12:00:00Z";

pub async fn run(kills: usize, messages: usize) -> anyhow::Result<ExitCode> {
    let Some(lab) = Lab::get("bench kill") else {
        bail!("the harness needs the mail lab (`bash tests/lab/up`) and a keyring (run it under tests/with-keyring)");
    };
    let work = std::env::temp_dir().join(format!("confide-bench-kill-{}", std::process::id()));
    let result = Harness {
        lab: &lab,
        me: std::env::current_exe()?,
        work: work.clone(),
        messages,
        rng: Lcg(0x5eed),
        mid_move: 0,
    }
    .run(kills)
    .await;
    std::fs::remove_dir_all(&work).ok();
    let Kills { sync, retention, guard, guard_mid_move } = result?;
    println!("bench kill: sync_kills={sync} retention_kills={retention} guard_kills={guard} guard_mid_move={guard_mid_move} unhealthy=0 lost=0 duplicated=0");
    Ok(ExitCode::SUCCESS)
}

#[derive(Default)]
struct Kills {
    sync: usize,
    retention: usize,
    guard: usize,
    /// Of the guard's, those that fell with copies made and originals not yet removed.
    guard_mid_move: usize,
}

/// Helpline replies in a cycle's personal Sent, for the guard to move (and private mail beside
/// them, which must stay).
const REPLIES: usize = 300;
const PRIVATE: usize = 20;

struct Harness<'a> {
    lab: &'a Lab,
    me: PathBuf,
    work: PathBuf,
    messages: usize,
    rng: Lcg,
    /// Guard kills that fell with copies made and originals not yet removed.
    mid_move: usize,
}

impl Harness<'_> {
    async fn run(&mut self, kills: usize) -> anyhow::Result<Kills> {
        let mut k = Kills::default();
        let mut cycle = 0;
        while k.sync + k.retention + k.guard < kills {
            cycle += 1;
            let user = self.seed(cycle)?;
            // How long an uninterrupted sync takes, in a store of its own: the kills fall within it.
            let timing = self.work.join(format!("timing-{cycle}"));
            self.prepare(&timing, &user).await?;
            let full = self.timed(&timing, &["sync"])?;
            std::fs::remove_dir_all(&timing).ok();
            // A sync killed up to three times, then finished.
            let dir = self.work.join(format!("store-{cycle}"));
            self.prepare(&dir, &user).await?;
            for _ in 0..3 {
                if self.kill_during(&dir, &["sync"], full)? {
                    k.sync += 1;
                    self.healthy(&dir, "after a killed sync").await?;
                }
            }
            self.complete(&dir, &["sync"])?;
            let server = self.lab.message_count(&user, "INBOX") as i64;
            let synced = self.healthy(&dir, "after the sync finished").await?;
            if synced.messages != server {
                bail!("cycle {cycle}: the store holds {} messages, the server {server}", synced.messages);
            }
            // A retention run killed once, then run again to the end.
            let retention = ["retention", "run", "--now", NOW];
            let before = synced.conversations;
            if self.kill_during(&dir, &retention, full)? {
                k.retention += 1;
                self.healthy(&dir, "after a killed retention run").await?;
            }
            self.complete(&dir, &retention)?;
            let after = self.healthy(&dir, "after the retention run finished").await?;
            let kept = self.lab.message_count(&user, "INBOX") as i64;
            if after.messages != kept {
                bail!("cycle {cycle}: after retention the store holds {} messages, the server {kept}", after.messages);
            }
            let counted = self.counted(&dir).await?;
            if counted != before - after.conversations {
                bail!(
                    "cycle {cycle}: {} conversations expired but the statistics counted {counted}",
                    before - after.conversations
                );
            }
            k.guard += self.guard_cycle(cycle, &dir, &user).await?;
            eprintln!("cycle {cycle}: {server} synced, {kept} kept, {counted} counted; kills so far: sync {}, retention {}, guard {} ({} mid-move)", k.sync, k.retention, k.guard, self.mid_move);
        }
        k.guard_mid_move = self.mid_move;
        Ok(k)
    }

    /// The sent-folder guard killed up to three times, then finished: every helpline reply in the
    /// personal Sent must end in the shared Sent exactly once, and the private mail stay put.
    /// Returns how many kills landed.
    async fn guard_cycle(&mut self, cycle: usize, dir: &Path, shared: &str) -> anyhow::Result<usize> {
        let replies = |tag: &str| -> Vec<String> {
            (0..REPLIES)
                .map(|i| format!("From: Bench <{shared}@lab.test>\r\nTo: caller{i}@example.org\r\nSubject: Re: enquiry {i}\r\nMessage-ID: <{tag}-{cycle}-{i}@lab.test>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nReply {i}.\r\n"))
                .collect()
        };
        // An uninterrupted guard run's time, on a personal mailbox of its own, bounds the kills.
        let timing = self.work.join(format!("guard-timing-{cycle}"));
        let scratch = self.lab.fresh_user(&format!("killt{cycle}"));
        self.lab.import_into(&scratch, "Sent", &replies("guardt"), None);
        self.prepare(&timing, shared).await?;
        self.add_personal(&timing, &scratch).await?;
        let full = self.timed(&timing, &["guard", "run"])?;
        std::fs::remove_dir_all(&timing).ok();

        let personal = self.lab.fresh_user(&format!("killp{cycle}"));
        let private: Vec<String> = (0..PRIVATE)
            .map(|i| format!("From: Ash <{personal}@lab.test>\r\nTo: friend{i}@example.com\r\nSubject: Lunch {i}\r\nMessage-ID: <private-{cycle}-{i}@lab.test>\r\nDate: Mon, 2 Nov 2026 11:00:00 +0000\r\n\r\nLunch?\r\n"))
            .collect();
        self.lab.import_into(&personal, "Sent", &[replies("guard"), private].concat(), None);
        self.add_personal(dir, &personal).await?;
        let mut kills = 0;
        for _ in 0..3 {
            if self.kill_during(dir, &["guard", "run"], full)? {
                kills += 1;
                self.healthy(dir, "after a killed guard run").await?;
                // Whether the kill fell in the window that matters: copies already made in the
                // shared Sent, originals not yet removed from the personal one.
                let left = self.lab.message_ids(&personal, "Sent").iter().filter(|id| id.starts_with("guard-")).count();
                let copied = self
                    .lab
                    .message_ids(shared, "Sent")
                    .iter()
                    .filter(|id| id.starts_with(&format!("guard-{cycle}-")))
                    .count();
                if left > 0 && copied > 0 {
                    self.mid_move += 1;
                }
            }
        }
        self.complete(dir, &["guard", "run"])?;
        self.healthy(dir, "after the guard finished").await?;
        let expect_private: Vec<String> = (0..PRIVATE)
            .map(|i| format!("private-{cycle}-{i}@lab.test"))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let left = self.lab.message_ids(&personal, "Sent");
        if left != expect_private {
            bail!("cycle {cycle}: the personal Sent should hold only the {PRIVATE} private messages, it holds {} ({} helpline replies)", left.len(), left.iter().filter(|id| id.starts_with("guard-")).count());
        }
        let moved: Vec<String> = self
            .lab
            .message_ids(shared, "Sent")
            .into_iter()
            .filter(|id| id.starts_with(&format!("guard-{cycle}-")))
            .collect();
        let distinct: std::collections::BTreeSet<&String> = moved.iter().collect();
        if distinct.len() != REPLIES || moved.len() != REPLIES {
            bail!("cycle {cycle}: the shared Sent holds {} copies of {} distinct replies; {REPLIES} were sent, each must be there once", moved.len(), distinct.len());
        }
        Ok(kills)
    }

    async fn add_personal(&self, dir: &Path, user: &str) -> anyhow::Result<()> {
        let store = crate::open(dir).await?;
        let saved = confide_core::accounts::save(
            &store,
            &self.lab.account("personal", user, confide_core::accounts::AccountKind::Personal),
            &self.lab.password(user),
        )
        .await;
        store.close().await;
        Ok(saved?)
    }

    /// A mailbox of its own for the cycle (retention empties half of it).
    fn seed(&mut self, cycle: usize) -> anyhow::Result<String> {
        let user = self.lab.fresh_user(&format!("kill{cycle}"));
        let end = datetime!(2026-11-01 12:00 UTC);
        let raws: Vec<String> =
            (0..self.messages).map(|i| crate::bench_retention::message(i, self.messages, end, &mut self.rng)).collect();
        self.lab.import_raw(&user, &raws);
        Ok(user)
    }

    async fn prepare(&self, dir: &Path, user: &str) -> anyhow::Result<()> {
        let store = crate::open(dir).await?;
        crate::bench::lab_manager(&store, self.lab, user).await?;
        store.close().await;
        Ok(())
    }

    fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(&self.me);
        c.arg("--data-dir").arg(dir).args(args).stdout(Stdio::null()).stderr(Stdio::null());
        c
    }

    fn complete(&self, dir: &Path, args: &[&str]) -> anyhow::Result<()> {
        let status =
            self.command(dir, args).status().with_context(|| format!("cannot run confide {}", args.join(" ")))?;
        if !status.success() {
            bail!("confide {} failed after the kills ({status})", args.join(" "));
        }
        Ok(())
    }

    fn timed(&self, dir: &Path, args: &[&str]) -> anyhow::Result<Duration> {
        let t = Instant::now();
        self.complete(dir, args)?;
        Ok(t.elapsed())
    }

    /// Starts the command and kills it (SIGKILL) at a random moment within `span`. False when
    /// it finished first.
    fn kill_during(&mut self, dir: &Path, args: &[&str], span: Duration) -> anyhow::Result<bool> {
        let delay = Duration::from_millis((self.rng.next() as u64) % (span.as_millis() as u64).max(1));
        let mut child = self.command(dir, args).spawn()?;
        std::thread::sleep(delay);
        let finished = child.try_wait()?.is_some();
        if !finished {
            child.kill()?;
        }
        child.wait()?;
        Ok(!finished)
    }

    async fn healthy(&self, dir: &Path, when: &str) -> anyhow::Result<confide_core::store::StoreCheck> {
        let store = crate::open(dir).await?;
        let check = confide_core::store::check(&store).await;
        store.close().await;
        let check = check?;
        if !check.healthy() {
            bail!("the store is not healthy {when}: {check:?}");
        }
        Ok(check)
    }

    /// Conversations the statistics hold (the category `all` counts each once).
    async fn counted(&self, dir: &Path) -> anyhow::Result<i64> {
        let store = crate::open(dir).await?;
        let rows = confide_core::retention::stats::all(&store).await;
        store.close().await;
        Ok(rows?.iter().filter(|r| r.category == "all").map(|r| r.count).sum())
    }
}
