//! The retention engine and the audit log on schedules (confide-mail and core do the work):
//! retention [`FIRST`] after the shared mailbox has first synced (not at once: opening the app
//! should not start with a sweep of the server), then every [`EVERY`]; `confide retention run`
//! does the same from a timer, so expiry never waits for the app to be open. New audit entries
//! go to the managers' log on the server every [`AUDIT_EVERY`].

use std::time::Duration;

use confide_core::Store;
use confide_mail::expire::{self, RetentionReport};
use confide_mail::records::ImapRecords;
use confide_mail::MailError;
use tokio::sync::Mutex;

use crate::EventSink;

const FIRST: Duration = Duration::from_secs(10 * 60);
const EVERY: Duration = Duration::from_secs(6 * 60 * 60);
const AUDIT_EVERY: Duration = Duration::from_secs(5 * 60);

/// Starts both schedules once.
pub async fn ensure_scheduled(events: &EventSink, store: &Store, started: &Mutex<bool>) {
    let mut started = started.lock().await;
    if *started {
        return;
    }
    *started = true;
    let audit_store = store.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(AUDIT_EVERY).await;
            if let Err(kind) = publish_audit(&audit_store).await {
                tracing::warn!("the audit log could not be sent to the server this time: {kind}");
            }
        }
    });
    let (events, store) = (events.clone(), store.clone());
    tokio::spawn(async move {
        tokio::time::sleep(FIRST).await;
        loop {
            if let Err(e) = run_retention(&events, &store).await {
                tracing::warn!("a retention run failed: {e}");
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}

async fn publish_audit(store: &Store) -> Result<(), &'static str> {
    let session = confide_core::staff::session(store).await.map_err(|_| "this desktop is not set up")?;
    confide_core::audit::publish(&session, &ImapRecords::of(store)).await.map_err(|e| e.kind())?;
    Ok(())
}

/// Only one run at a time, whether the schedule or a manager started it.
static RUNNING: Mutex<()> = Mutex::const_new(());

/// One retention run now, its steps told as `retention_progress` and its outcome as
/// `retention_report`, or `retention_failed` in words: whoever watched the steps is never left
/// watching a run that has stopped. A run already under way is waited for, not doubled.
pub async fn run_retention(events: &EventSink, store: &Store) -> Result<RetentionReport, MailError> {
    let _one = RUNNING.lock().await;
    let progress = events.clone();
    match expire::run_with_progress(store, false, &move |p| progress.retention_progress(p)).await {
        Ok(report) => {
            events.retention_report(report.clone());
            Ok(report)
        }
        Err(e) => {
            events.retention_failed(e.to_string());
            Err(e)
        }
    }
}
