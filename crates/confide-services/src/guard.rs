//! The sent-folder guard on a schedule (confide-mail does the work): once the shared mailbox
//! has synced, at once, then every [`EVERY`], whenever IDLE reports a change in the personal
//! Sent, and on demand. Each run that did something is told as `guard_report`.

use std::sync::Arc;
use std::time::Duration;

use confide_core::accounts::{self, AccountKind};
use confide_core::Store;
use confide_mail::guard::{self, GuardReport};
use confide_mail::idle::{watch, Watch, WatchEvent};
use confide_mail::MailError;
use tokio::sync::{mpsc, Mutex};

use crate::EventSink;

const EVERY: Duration = Duration::from_secs(15 * 60);
/// Changes come in bursts (a client saving, then flagging): a run waits this long after one.
const SETTLE: Duration = Duration::from_millis(500);

/// The guard's trigger and the watch on the personal Sent, started once.
#[derive(Default)]
pub struct GuardState {
    trigger: Mutex<Option<mpsc::UnboundedSender<()>>>,
    watch: Mutex<Option<Watch>>,
    /// One run at a time: a trigger during a run waits for it.
    running: Mutex<()>,
}

/// One run now; what the window shows after "Check now".
pub async fn run_now(events: &EventSink, store: &Store, state: &GuardState) -> Result<GuardReport, MailError> {
    let _one = state.running.lock().await;
    let report = guard::run(store).await?;
    if report.moved_sent + report.moved_deleted > 0 || !report.problems.is_empty() {
        events.guard_report(report.clone());
    }
    Ok(report)
}

/// Starts the schedule and the watch, once; does nothing without a personal mailbox.
pub async fn ensure_running(events: &EventSink, store: &Store, state: &Arc<GuardState>) -> Result<(), MailError> {
    let mut trigger = state.trigger.lock().await;
    if trigger.is_some() {
        return Ok(());
    }
    let Some(personal) = accounts::list(store).await?.into_iter().find(|a| a.kind == AccountKind::Personal) else {
        return Ok(());
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    *trigger = Some(tx.clone());
    drop(trigger);

    if let Ok(secret) = confide_mail::connect::account_secret(store, &personal) {
        let (account, s) = (personal.clone(), secret.clone());
        let sent = tokio::task::spawn_blocking(move || guard::personal_sent_folder(&account, &s))
            .await
            .ok()
            .and_then(Result::ok)
            .flatten();
        if let Some(sent) = sent {
            let w = watch(personal, secret, sent, move |event| {
                if matches!(event, WatchEvent::Changed) {
                    let _ = tx.send(());
                }
            })?;
            *state.watch.lock().await = Some(w);
        }
    }
    let (events, store, state) = (events.clone(), store.clone(), state.clone());
    tokio::spawn(async move {
        loop {
            // A run at start, then on each trigger or when the schedule comes round.
            if let Err(e) = run_now(&events, &store, &state).await {
                events.guard_report(GuardReport { problems: vec![e.to_string()], ..Default::default() });
            }
            tokio::select! {
                got = rx.recv() => if got.is_none() { return },
                _ = tokio::time::sleep(EVERY) => {}
            }
            tokio::time::sleep(SETTLE).await;
            while rx.try_recv().is_ok() {}
        }
    });
    Ok(())
}
