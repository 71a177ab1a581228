//! Signing in again in the app: a mailbox whose sign-in the provider refused (revoked, password
//! changed) is signed in again in the person's own browser. A thin wrapper over
//! `confide_mail::oauth::sign_in_again`; the provider's address is also sent to the window
//! (`sign_in_address`), for when no browser opens by itself.

use confide_core::staff;
use serde::Serialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::error::ApiError;
use crate::state::AppState;

/// The mailboxes signed in again, by address.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct SignedIn {
    pub addresses: Vec<String>,
}

#[tauri::command]
pub async fn sign_in_again(app: AppHandle, state: State<'_, AppState>) -> Result<SignedIn, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let mut addresses = vec![];
    for account in confide_mail::oauth::waiting(&session.store).await? {
        let (store, open, address) = (session.store.clone(), opener(&app), account.address.clone());
        tokio::task::spawn_blocking(move || {
            confide_mail::oauth::sign_in_again(&store, &account, &open, confide_mail::oauth::BROWSER_WAIT)
        })
        .await
        .map_err(|_| confide_core::CoreError::Invalid("the sign-in stopped unexpectedly".into()))??;
        addresses.push(address);
    }
    Ok(SignedIn { addresses })
}

/// Shows a provider's sign-in page: in the person's browser, and its address in the window
/// (`sign_in_address`), for when no browser opens by itself.
pub fn opener(app: &AppHandle) -> impl Fn(&str) + Send + Sync + 'static {
    let app = app.clone();
    move |url: &str| {
        crate::events::sign_in_address(&app, url.to_owned());
        if !confide_mail::oauth::open_in_browser(url) {
            tracing::warn!("no browser could be opened for the sign-in; the window shows its address");
        }
    }
}
