//! The retention engine on a schedule inside the app (confide-mail does the work): [`FIRST`]
//! after the shared mailbox has first synced (not at once: opening the app should not start
//! with a sweep of the server), then every [`EVERY`]. `confide retention run` does the same
//! from a timer, so expiry never waits for the app to be open. New audit entries go to the
//! managers' log on the server every [`AUDIT_EVERY`].

use confide_mail::records::ImapRecords;
use std::time::Duration;

use confide_core::Store;
use confide_mail::expire;
use tauri::{AppHandle, State};
use tokio::sync::Mutex;

use crate::error::ApiError;
use crate::state::AppState;

const FIRST: Duration = Duration::from_secs(10 * 60);
const EVERY: Duration = Duration::from_secs(6 * 60 * 60);
/// How often new audit entries are sent to the managers' log on the server.
const AUDIT_EVERY: Duration = Duration::from_secs(5 * 60);

/// Starts the schedule once.
pub async fn ensure_scheduled(app: &AppHandle, store: &Store, started: &Mutex<bool>) {
    let mut started = started.lock().await;
    if *started {
        return;
    }
    *started = true;
    let audit_store = store.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(AUDIT_EVERY).await;
            let published = match confide_core::staff::session(&audit_store).await {
                Ok(session) => {
                    confide_core::audit::publish(&session, &ImapRecords::of(&session.store)).await.map_err(|e| e.kind())
                }
                Err(_) => Err("this desktop is not set up"),
            };
            if let Err(kind) = published {
                tracing::warn!("the audit log could not be sent to the server this time: {kind}");
            }
        }
    });
    let (app, store) = (app.clone(), store.clone());
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(FIRST).await;
        loop {
            if let Err(e) = run(&app, &store).await {
                tracing::warn!("a retention run failed: {}", e.message);
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}

/// Only one run at a time, whether the schedule or a manager started it.
static RUNNING: Mutex<()> = Mutex::const_new(());

/// One run now, its steps told to the window as `retention_progress` and its outcome as
/// `retention_report` (or `retention_failed`, in words). A run already under way is waited for, not doubled.
pub async fn run(app: &AppHandle, store: &Store) -> Result<expire::RetentionReport, ApiError> {
    let _one = RUNNING.lock().await;
    let progress = app.clone();
    let report = match expire::run_with_progress(store, false, &move |p| {
        crate::events::retention_progress(&progress, p);
    })
    .await
    {
        Ok(report) => report,
        Err(e) => {
            let e = ApiError::from(e);
            // Whoever watched the steps must not be left watching a run that has stopped.
            crate::events::retention_failed(app, e.message.clone());
            return Err(e);
        }
    };
    crate::events::retention_report(app, report.clone());
    Ok(report)
}

/// A manager runs retention now rather than waiting for the schedule (after changing the
/// preset, say). It destroys only what has expired, as the scheduled run would.
#[tauri::command]
pub async fn retention_run_now(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<expire::RetentionReport, ApiError> {
    let session = confide_core::staff::session(&state.store().await?).await?;
    session.require_manager("start a retention run")?;
    run(&app, &session.store).await
}
