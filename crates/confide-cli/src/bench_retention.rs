//! `confide bench retention`: the retention engine (server and local) against `doveadm
//! expunge` of the same date range on an identical copy of the mailbox, in the same run.
//!
//! The mailboxes are stored as mbox by default: DESIGN.md's peer figure ("doveadm expunge of
//! 50k of 100k took about 5.5 s") is what mbox, Debian's default, measures here (5.46 s); the
//! lab's own mdbox took 0.14 s, because an mdbox expunge only drops references. On mdbox
//! (`--storage mdbox`) the peer is expunge plus `doveadm purge`, which removes the mail.

use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::Instant;

use anyhow::bail;
use confide_core::accounts::{self, AccountKind};
use confide_core::policy::RoleKind;
use confide_core::{staff, FixedClock, Store};
use confide_mail::lab::Lab;
use time::macros::datetime;

use crate::bench_sync::Lcg;

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

pub async fn run(n: usize, mbox: bool) -> anyhow::Result<ExitCode> {
    let Some(lab) = Lab::get("bench retention") else {
        bail!("the benchmark needs the mail lab (`bash tests/lab/up`) and a keyring (run it under tests/with-keyring)");
    };
    // Twelve months of mail ending here; the preset keeps six, so about half expires.
    let end = datetime!(2026-11-01 12:00 UTC);
    let kind = if mbox { "m" } else { "" };
    let (ours, theirs) =
        (lab.persistent_user(&format!("bret{kind}{n}a")), lab.persistent_user(&format!("bret{kind}{n}b")));
    let started = Instant::now();
    for user in [&ours, &theirs] {
        if mbox {
            lab.store_as_mbox(user);
        }
        lab.remove_mailbox(user);
        let mut rng = Lcg(0x7e7);
        for start in (0..n).step_by(10_000) {
            let raws: Vec<String> = (start..(start + 10_000).min(n)).map(|i| message(i, n, end, &mut rng)).collect();
            lab.import_raw(user, &raws);
        }
    }
    eprintln!("seeded two mailboxes of {n} in {:.0} s", started.elapsed().as_secs_f64());

    let dir = std::env::temp_dir().join(format!("confide-bench-retention-{}", std::process::id()));
    let clock = Arc::new(FixedClock::new(end));
    let store = confide_core::store::open_desktop(&dir, clock).await?;
    let result = measure(&lab, &store, &ours, &theirs, end, mbox).await;
    store.close().await;
    std::fs::remove_dir_all(&dir).ok();
    let (expired, confide_s, doveadm_s) = result?;
    eprintln!("storage: {}", if mbox { "mbox" } else { "mdbox" });
    println!(
        "bench retention: messages={n} expired={expired} confide_s={confide_s:.2} doveadm_s={doveadm_s:.2} ratio={:.2}",
        confide_s / doveadm_s
    );
    Ok(ExitCode::SUCCESS)
}

async fn measure(
    lab: &Lab,
    store: &Store,
    ours: &str,
    theirs: &str,
    end: time::OffsetDateTime,
    mbox: bool,
) -> anyhow::Result<(usize, f64, f64)> {
    staff::save_profile(store, "respect-mal-current", "Bench", RoleKind::Manager).await?;
    let account = lab.account("shared", ours, AccountKind::Shared);
    accounts::save(store, &account, &lab.password(ours)).await?;
    confide_mail::sync::sync_account(store, &account, &|_| {}).await?;
    eprintln!("synced; running retention");

    let t = Instant::now();
    let report = confide_mail::expire::run(store, false).await?;
    let confide_s = t.elapsed().as_secs_f64();
    if !report.problems.is_empty() {
        bail!("the retention run had problems: {:?}", report.problems);
    }
    eprintln!(
        "confide: {} expired, {} removed on the server, in {confide_s:.2} s",
        report.expired_messages, report.server_messages_removed
    );

    // The same range by the Date header: six calendar months before `end`, as the preset says.
    let date = "1-May-2026";
    debug_assert_eq!(end, datetime!(2026-11-01 12:00 UTC));
    let user = format!("{theirs}@lab.test");
    let expunge_s = doveadm(lab, &["expunge", "-u", &user, "mailbox", "*", "sentbefore", date])?;
    // An mbox expunge rewrites the file without the mail, and that is the peer DESIGN.md
    // names. In mdbox an expunge only drops references and `purge` is what removes the content
    // from disk; Confide's run destroys its local copies for real, so there the peer is both.
    let purge_s = if mbox { 0.0 } else { doveadm(lab, &["purge", "-u", &user])? };
    let doveadm_s = expunge_s + purge_s;
    eprintln!(
        "doveadm: expunge {expunge_s:.2} s + purge {purge_s:.2} s; left: ours {} theirs {}",
        lab.message_count(ours, "INBOX"),
        lab.message_count(theirs, "INBOX")
    );
    if !mbox {
        eprintln!("ratio against doveadm expunge alone: {:.2}", confide_s / expunge_s);
    }
    Ok((report.expired_messages, confide_s, doveadm_s))
}

/// Runs one doveadm command against the lab and times it.
fn doveadm(lab: &Lab, args: &[&str]) -> anyhow::Result<f64> {
    let t = Instant::now();
    let out = Command::new("doveadm").arg("-c").arg(lab.dir.join("dovecot/dovecot.conf")).args(args).output()?;
    if !out.status.success() {
        bail!("doveadm {} failed: {}", args[0], String::from_utf8_lossy(&out.stderr));
    }
    Ok(t.elapsed().as_secs_f64())
}

/// About 4 KiB, dated evenly over the twelve months before `end`.
pub(crate) fn message(i: usize, n: usize, end: time::OffsetDateTime, rng: &mut Lcg) -> String {
    let at = end - time::Duration::seconds((i as i64 * 365 * 86_400) / n as i64) - time::Duration::hours(1);
    let date = format!(
        "{:02} {} {} {:02}:{:02}:00 +0000",
        at.day(),
        MONTHS[at.month() as usize - 1],
        at.year(),
        at.hour(),
        at.minute()
    );
    format!(
        "From: caller{c}@example.org\r\nTo: helpline@lab.test\r\nSubject: {s}\r\nMessage-ID: <ret-{i}@example.org>\r\nDate: {date}\r\n\r\n{b}\r\n",
        c = rng.next() % 5000,
        s = rng.words(4),
        b = rng.words(560)
    )
}
