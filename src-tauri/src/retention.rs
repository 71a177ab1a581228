//! The retention engine on a schedule inside the app (confide-mail does the work): [`FIRST`]
//! after the shared mailbox has first synced (not at once: opening the app should not start
//! with a sweep of the server), then every [`EVERY`]. `confide retention run` does the same
//! from a timer, so expiry never waits for the app to be open.

use std::time::Duration;

use confide_core::Store;
use confide_mail::expire;
use tauri::{AppHandle, Emitter};
use tokio::sync::Mutex;

const FIRST: Duration = Duration::from_secs(10 * 60);
const EVERY: Duration = Duration::from_secs(6 * 60 * 60);

/// Starts the schedule once.
pub async fn ensure_scheduled(app: &AppHandle, store: &Store, started: &Mutex<bool>) {
    let mut started = started.lock().await;
    if *started {
        return;
    }
    *started = true;
    let (app, store) = (app.clone(), store.clone());
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(FIRST).await;
        loop {
            match expire::run(&store, false).await {
                Ok(report) => {
                    let _ = app.emit("retention_report", report);
                }
                Err(e) => tracing::warn!("a retention run failed: {}", e.kind()),
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}
