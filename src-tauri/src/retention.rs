//! The retention engine on a schedule inside the app (confide-mail does the work): [`FIRST`]
//! after the shared mailbox has first synced (not at once: opening the app should not start
//! with a sweep of the server), then every [`EVERY`]. `confide retention run` does the same
//! from a timer, so expiry never waits for the app to be open. New audit entries go to the
//! managers' log on the server every [`AUDIT_EVERY`].

use std::time::Duration;

use confide_core::Store;
use confide_mail::expire;
use tauri::{AppHandle, Emitter};
use tokio::sync::Mutex;

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
                Ok(session) => confide_mail::audit_log::publish(&session).await.map_err(|e| e.kind()),
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
