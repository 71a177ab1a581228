//! Retention from the window: a manager's "Run now" (the schedule itself is
//! `confide_services::schedule`).

use confide_mail::expire;
use tauri::{AppHandle, State};

use crate::error::ApiError;
use crate::state::AppState;

/// A manager runs retention now rather than waiting for the schedule (after changing the
/// preset, say). It destroys only what has expired, as the scheduled run would.
#[tauri::command]
pub async fn retention_run_now(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<expire::RetentionReport, ApiError> {
    let session = confide_core::staff::session(&state.store().await?).await?;
    session.require_manager("start a retention run")?;
    Ok(confide_services::schedule::run_retention(&crate::services::events(&app), &session.store).await?)
}
