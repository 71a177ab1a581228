//! `confide bench sync|resync`: Confide's sync against mbsync (Debian `isync`) on the same lab
//! mailbox in the same run, so the ratio means something on whatever machine runs it.
//! Built with the `lab-bench` feature: it seeds lab mailboxes through `doveadm`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use confide_core::accounts::{self, AccountKind};
use confide_core::SystemClock;
use confide_mail::lab::Lab;
use confide_mail::sync::{sync_account, SyncProgress};

use crate::bench::WORDS;

/// Which pass the benchmark times.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    Initial,
    Resync,
}

pub async fn run(pass: Pass, n: usize, peer: bool, server: &str) -> anyhow::Result<ExitCode> {
    let Some(lab) = Lab::get("bench sync") else {
        bail!("the benchmark needs the mail lab (`bash tests/lab/up`) and a keyring (run it under tests/with-keyring)");
    };
    // The exchange-like server keeps its own mail: its mailbox is seeded there.
    let lab = if server == "exchange-like" { lab.exchange_like() } else { lab };
    let user = seeded_mailbox(&lab, n)?;
    let work = std::env::temp_dir().join(format!("confide-bench-sync-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let result = measure(&lab, &user, &work, pass, peer).await;
    std::fs::remove_dir_all(&work).ok();
    let (confide_s, mbsync_s) = result?;
    let name = if pass == Pass::Initial { "sync" } else { "resync" };
    if !peer {
        println!("bench {name}: server={server} messages={n} confide_s={confide_s:.2}");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "bench {name}: server={server} messages={n} confide_s={confide_s:.2} mbsync_s={mbsync_s:.2} ratio={:.2}",
        confide_s / mbsync_s
    );
    Ok(ExitCode::SUCCESS)
}

async fn measure(lab: &Lab, user: &str, work: &Path, pass: Pass, peer: bool) -> anyhow::Result<(f64, f64)> {
    let data_dir = work.join("store");
    let store = confide_core::store::open_desktop(&data_dir, Arc::new(SystemClock)).await?;
    let account = lab.account("bench", user, AccountKind::Shared);
    accounts::save(&store, &account, &lab.password(user)).await?;
    let progress = |p: &SyncProgress| {
        eprint!("\rconfide: {} {}/{}   ", p.folder, p.done, p.total);
        let _ = std::io::stderr().flush();
    };
    let started = Instant::now();
    let first = sync_account(&store, &account, &progress).await?;
    let mut confide_s = started.elapsed().as_secs_f64();
    eprintln!("\rconfide initial sync: {} messages in {confide_s:.2} s", first.added);
    if pass == Pass::Resync {
        let started = Instant::now();
        let again = sync_account(&store, &account, &progress).await?;
        confide_s = started.elapsed().as_secs_f64();
        eprintln!(
            "\rconfide resync: {} folders unchanged, {} fetched, in {confide_s:.3} s",
            again.unchanged_folders, again.fetched
        );
    }
    store.close().await;
    if !peer {
        return Ok((confide_s, f64::NAN));
    }

    let rc = mbsyncrc(lab, user, work)?;
    let mut mbsync_s = mbsync(&rc)?;
    eprintln!("mbsync initial: {mbsync_s:.2} s");
    if pass == Pass::Resync {
        mbsync_s = mbsync(&rc)?;
        eprintln!("mbsync resync: {mbsync_s:.3} s");
    }
    Ok((confide_s, mbsync_s))
}

/// mbsync's defaults (Sync All, fsync on), pulling every folder into a fresh Maildir.
fn mbsyncrc(lab: &Lab, user: &str, work: &Path) -> anyhow::Result<PathBuf> {
    let maildir = work.join("maildir");
    std::fs::create_dir_all(&maildir)?;
    let rc = work.join("mbsyncrc");
    let text = format!(
        "IMAPAccount lab\nHost localhost\nPort {port}\nUser {user}@lab.test\nPass {pass}\nSSLType IMAPS\nCertificateFile {ca}\n\n\
         IMAPStore far\nAccount lab\n\nMaildirStore near\nPath {dir}/\nInbox {dir}/INBOX\n\n\
         Channel bench\nFar :far:\nNear :near:\nPatterns *\nCreate Near\nSyncState *\n",
        port = lab.account("bench", user, AccountKind::Shared).imap_port,
        pass = lab.password(user),
        ca = lab.var("LAB_CA"),
        dir = maildir.display(),
    );
    std::fs::write(&rc, text)?;
    Ok(rc)
}

fn mbsync(rc: &Path) -> anyhow::Result<f64> {
    let started = Instant::now();
    let out = Command::new("mbsync")
        .arg("-c")
        .arg(rc)
        .arg("-a")
        .arg("-q")
        .output()
        .context("cannot run mbsync (apt-get install isync)")?;
    let took = started.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!("mbsync failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(took)
}

/// A lab mailbox holding exactly `n` generated messages, seeded once and reused by later runs.
pub(crate) fn seeded_mailbox(lab: &Lab, n: usize) -> anyhow::Result<String> {
    let user = lab.persistent_user(&format!("bench{n}"));
    let have = lab.message_count(&user, "INBOX");
    if have == n {
        return Ok(user);
    }
    if have != 0 {
        lab.empty_mailbox(&user);
    }
    let started = Instant::now();
    let mut rng = Lcg(0xb3ac4);
    for start in (0..n).step_by(10_000) {
        let raws: Vec<String> = (start..(start + 10_000).min(n)).map(|i| message(i, &mut rng)).collect();
        lab.import_raw(&user, &raws);
        eprint!("\rseeding the lab mailbox: {}/{n}   ", start + raws.len());
    }
    eprintln!("\rseeded {n} messages in {:.0} s", started.elapsed().as_secs_f64());
    Ok(user)
}

pub(crate) struct Lcg(pub(crate) u64);
impl Lcg {
    pub(crate) fn next(&mut self) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
    pub(crate) fn words(&mut self, count: usize) -> String {
        let mut out = String::new();
        let mut col = 0;
        for _ in 0..count {
            let w = WORDS[self.next() % WORDS.len()];
            if col + w.len() > 72 {
                out.push_str("\r\n");
                col = 0;
            } else if col > 0 {
                out.push(' ');
                col += 1;
            }
            out.push_str(w);
            col += w.len();
        }
        out
    }
}

/// About 4 KiB: mostly plain text, one in ten multipart with HTML, one in four a reply.
fn message(i: usize, rng: &mut Lcg) -> String {
    let caller = rng.next() % (i / 3 + 1);
    let line = if caller.is_multiple_of(2) { "phoneline" } else { "mensadvice" };
    let mut head = format!(
        "From: Caller {caller} <caller{caller}@example.org>\r\nTo: {line}@lab.test\r\nSubject: {}\r\nMessage-ID: <bench-{i}@example.org>\r\n\
         Date: Mon, {} Nov 2026 {:02}:{:02}:00 +0000\r\nMIME-Version: 1.0\r\n",
        rng.words(4),
        1 + i % 28,
        i % 24,
        i % 60,
    );
    if i > 0 && i.is_multiple_of(4) {
        let parent = rng.next() % i;
        head.push_str(&format!(
            "In-Reply-To: <bench-{parent}@example.org>\r\nReferences: <bench-{parent}@example.org>\r\n"
        ));
    }
    let text = rng.words(560);
    if i.is_multiple_of(10) {
        format!(
            "{head}Content-Type: multipart/alternative; boundary=\"b{i}\"\r\n\r\n--b{i}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n\
             --b{i}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>{}</p><img src=\"https://tracker.example/p.gif\"></body></html>\r\n--b{i}--\r\n",
            &text[..text.len() / 2]
        )
    } else {
        format!("{head}Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n")
    }
}
