//! Running the sent-folder guard (confide-mail does the work) from the app: once the shared
//! mailbox has synced, at once, then every [`EVERY`], whenever IDLE reports a change in the
//! personal Sent, and on demand. Each run that did something is told to the window as
//! `guard_report`.

use std::sync::Arc;
use std::time::Duration;

use confide_core::accounts::{self, AccountKind};
use confide_core::Store;
use confide_mail::guard::{self, GuardReport};
use confide_mail::idle::{watch, Watch, WatchEvent};
use tauri::AppHandle;
use tokio::sync::{mpsc, Mutex};

use crate::error::ApiError;

const EVERY: Duration = Duration::from_secs(15 * 60);

/// The guard's trigger and the watch on the personal Sent, started once.
#[derive(Default)]
pub struct GuardState {
    trigger: Mutex<Option<mpsc::UnboundedSender<()>>>,
    watch: Mutex<Option<Watch>>,
    /// One run at a time: a trigger during a run waits for it.
    running: Mutex<()>,
}

/// One run now; what the window shows after "Check now".
pub async fn run_now(app: &AppHandle, store: &Store, state: &GuardState) -> Result<GuardReport, ApiError> {
    let _one = state.running.lock().await;
    let report = guard::run(store).await?;
    tell(app, &report);
    Ok(report)
}

fn tell(app: &AppHandle, report: &GuardReport) {
    if report.moved_sent + report.moved_deleted > 0 || !report.problems.is_empty() {
        crate::events::guard_report(app, report.clone());
    }
}

/// Starts the schedule and the watch, once; does nothing without a personal mailbox.
pub async fn ensure_running(app: &AppHandle, store: &Store, state: &Arc<GuardState>) -> Result<(), ApiError> {
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

    if let Ok(password) = confide_mail::connect::account_secret(store, &personal) {
        let (account, pw) = (personal.clone(), password.clone());
        let sent = tokio::task::spawn_blocking(move || guard::personal_sent_folder(&account, &pw))
            .await
            .ok()
            .and_then(Result::ok)
            .flatten();
        if let Some(sent) = sent {
            let tx = tx.clone();
            let w = watch(personal, password, sent, move |event| {
                if matches!(event, WatchEvent::Changed) {
                    let _ = tx.send(());
                }
            })?;
            *state.watch.lock().await = Some(w);
        }
    }
    let (app, store, state) = (app.clone(), store.clone(), state.clone());
    tauri::async_runtime::spawn(async move {
        loop {
            // A run at start, then on each trigger or when the schedule comes round.
            if let Err(e) = run_now(&app, &store, &state).await {
                crate::events::guard_report(&app, GuardReport { problems: vec![e.message], ..Default::default() });
            }
            tokio::select! {
                got = rx.recv() => if got.is_none() { return },
                _ = tokio::time::sleep(EVERY) => {}
            }
            // Changes come in bursts (a client saving, then flagging): settle first.
            tokio::time::sleep(Duration::from_millis(500)).await;
            while rx.try_recv().is_ok() {}
        }
    });
    Ok(())
}
