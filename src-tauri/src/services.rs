//! The background services (`confide-services`) wired to this window: their events become the
//! window's events and desktop notifications, and they start once the shared mailbox has synced.

use std::sync::Arc;

use confide_core::progress::Progress;
use confide_core::Store;
use confide_mail::expire::RetentionReport;
use confide_mail::guard::GuardReport;
use confide_services::{EventSink, Events};
use tauri::AppHandle;

use crate::error::ApiError;
use crate::state::AppState;

struct Window(AppHandle);

impl Events for Window {
    fn inbox_changed(&self, changed: usize) {
        crate::events::inbox_changed(&self.0, changed);
    }
    fn webchat_changed(&self) {
        crate::events::webchat_changed(&self.0, ());
    }
    fn webchat_opened(&self, conversation: i64) {
        crate::events::webchat_opened(&self.0, conversation);
    }
    fn webchat_typing(&self, conversation: i64) {
        crate::events::webchat_typing(&self.0, conversation);
    }
    fn guard_report(&self, report: GuardReport) {
        crate::events::guard_report(&self.0, report);
    }
    fn retention_progress(&self, progress: Progress) {
        crate::events::retention_progress(&self.0, progress);
    }
    fn retention_report(&self, report: RetentionReport) {
        crate::events::retention_report(&self.0, report);
    }
    fn retention_failed(&self, message: String) {
        crate::events::retention_failed(&self.0, message);
    }
    fn notify(&self, title: &str, body: &str) {
        use tauri_plugin_notification::NotificationExt;
        if let Err(e) = self.0.notification().builder().title(title).body(body).show() {
            tracing::warn!("the desktop notification could not be shown: {e}");
        }
    }
}

pub fn events(app: &AppHandle) -> EventSink {
    Arc::new(Window(app.clone()))
}

/// What starts once the shared mailbox has synced: push (new mail is then pushed and a sync
/// follows within seconds), the guard (it recognises replies by the synced mailbox) and the
/// retention and audit schedules.
pub async fn start_after_sync(app: &AppHandle, store: &Store, state: &AppState) -> Result<(), ApiError> {
    let events = events(app);
    confide_services::push::ensure_watching(&events, store, &state.watches).await?;
    confide_services::guard::ensure_running(&events, store, &state.guard).await?;
    confide_services::schedule::ensure_scheduled(&events, store, &state.retention).await;
    Ok(())
}
