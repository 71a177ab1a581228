//! Push: a connection of its own sits in IMAP IDLE (RFC 2177) on a folder and says when the
//! server reports a change, so new mail shows within seconds instead of at the next poll.
//!
//! It runs on a thread of its own (the `imap` crate blocks). A dropped connection is retried
//! with a growing pause; a server without IDLE gets a NOOP every [`POLL`] instead. The caller
//! decides what a change means (the app runs a sync); this module only notices.

use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use confide_core::accounts::Account;
use imap::extensions::idle::WaitOutcome;
use imap::types::UnsolicitedResponse;

use crate::connect::imap_login_with_socket;
use crate::MailError;

/// How long one IDLE lasts before it is renewed: well inside RFC 2177's 29 minutes, and short
/// enough that a half-open connection (a laptop that slept) is noticed.
const RENEW: Duration = Duration::from_secs(60);
/// For servers without IDLE: a NOOP a second, whose answer says whether anything came, went
/// or changed, so a colleague's state entry shows within 2 s there too (issue 23).
const POLL: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// A running watch; dropping it stops it too.
pub struct Watch {
    stop: Arc<Stopper>,
    thread: Option<JoinHandle<()>>,
}

/// The stop flag, and the live connection's socket so a stop need not wait out an IDLE.
#[derive(Default)]
struct Stopper {
    flag: AtomicBool,
    socket: Mutex<Option<TcpStream>>,
}

impl Stopper {
    fn stopped(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
    fn stop(&self) {
        self.flag.store(true, Ordering::SeqCst);
        if let Some(s) = self.socket.lock().expect("not poisoned").take() {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }
}

impl Watch {
    /// Stops the watch and waits for its thread.
    pub fn stop(mut self) {
        self.stop.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.stop();
    }
}

/// What the watch reports besides changes, so the app can say it (e.g. "not connected").
#[derive(Debug)]
pub enum WatchEvent {
    /// The folder changed on the server (new, removed or re-flagged mail).
    Changed,
    /// The connection failed; the watch retries after `retry_in`.
    Disconnected { error: MailError, retry_in: Duration },
}

/// Watches `folder` of `account`; `report` is called on the watch's thread.
pub fn watch(
    account: Account,
    password: crate::connect::Secret,
    folder: String,
    report: impl Fn(WatchEvent) + Send + 'static,
) -> Result<Watch, MailError> {
    let stop = Arc::new(Stopper::default());
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("confide-imap-idle".into())
        .spawn(move || {
            let mut backoff = Duration::from_secs(2);
            while !flag.stopped() {
                match idle_session(&account, &password, &folder, &flag, &report) {
                    Ok(()) => return,
                    Err(_) if flag.stopped() => return,
                    Err(error) => {
                        report(WatchEvent::Disconnected { error, retry_in: backoff });
                        sleep_unless_stopped(backoff, &flag);
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                    }
                }
            }
        })
        .map_err(|_| MailError::Worker)?;
    Ok(Watch { stop, thread: Some(thread) })
}

/// One connection's life: returns Ok when asked to stop, Err when the connection failed.
fn idle_session(
    account: &Account,
    password: &crate::connect::Secret,
    folder: &str,
    stop: &Stopper,
    report: &impl Fn(WatchEvent),
) -> Result<(), MailError> {
    let (mut session, socket) = imap_login_with_socket(account, password)?;
    *stop.socket.lock().expect("not poisoned") = Some(socket);
    if stop.stopped() {
        return Ok(());
    }
    let can_idle = session.capabilities()?.has_str("IDLE");
    // Confide's own folders (`Confide/State`) are named with '/', spelled as the server does;
    // one not made yet is made, so the watch is there before the first entry.
    let folder = match folder.strip_prefix("Confide/") {
        Some(_) => {
            let name = crate::records::server_folder(&mut session, folder)?;
            if session.list(Some(""), Some(&name))?.is_empty() {
                session.create(&name)?;
            }
            name
        }
        None => folder.to_owned(),
    };
    // Read-only: watching must never change flags or mark anything read.
    session.examine(&folder)?;
    session.take_all_unsolicited().for_each(drop);
    // Whatever happened while we were not connected.
    report(WatchEvent::Changed);
    while !stop.stopped() {
        if !can_idle {
            sleep_unless_stopped(POLL, stop);
            session.noop()?;
            if session.take_all_unsolicited().any(|r| changed(&r)) {
                report(WatchEvent::Changed);
            }
            continue;
        }
        let outcome = session.idle().timeout(RENEW).keepalive(false).wait_while(imap::extensions::idle::stop_on_any)?;
        if outcome == WaitOutcome::MailboxChanged {
            report(WatchEvent::Changed);
        }
    }
    let _ = session.logout();
    Ok(())
}

/// Whether an answer the server volunteered says the folder changed.
fn changed(r: &UnsolicitedResponse) -> bool {
    matches!(
        r,
        UnsolicitedResponse::Exists(_)
            | UnsolicitedResponse::Expunge(_)
            | UnsolicitedResponse::Fetch { .. }
            | UnsolicitedResponse::Vanished { .. }
    )
}

fn sleep_unless_stopped(d: Duration, stop: &Stopper) {
    let step = Duration::from_millis(200);
    let mut left = d;
    while !stop.stopped() && !left.is_zero() {
        let s = left.min(step);
        std::thread::sleep(s);
        left -= s;
    }
}
