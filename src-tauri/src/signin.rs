//! Signing in from the app: connecting the shared mailbox as the helpline's IT described it
//! (`confide_mail::shared::connect`), and signing a mailbox in again once the provider refused
//! its sign-in (`confide_mail::oauth::sign_in_again`), both in the person's own browser. The
//! provider's address is also sent to the window (`sign_in_address`), for when no browser
//! opens by itself; the person can stop a sign-in they will not finish.

use confide_core::connection::{Connection, Offered};
use confide_core::staff;
use serde::{Deserialize, Serialize};
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

/// The shared mailbox to connect, and its password when it takes one.
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct ConnectRequest {
    pub connection: Connection,
    /// Only for a server that takes passwords; never kept anywhere but the keyring.
    pub password: String,
}

/// What the helpline's IT set up on this computer (`connection.toml`), if anything.
#[tauri::command]
pub async fn connection_offered() -> Result<Option<Offered>, ApiError> {
    Ok(confide_core::connection::offered()?)
}

/// Connects the shared mailbox: checks the sign-in with the server (in the browser for a
/// provider), then keeps it. The window syncs next.
#[tauri::command]
pub async fn connect_shared_mailbox(
    app: AppHandle,
    state: State<'_, AppState>,
    request: ConnectRequest,
) -> Result<confide_core::accounts::Account, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let password = zeroize::Zeroizing::new(request.password);
    let wait = confide_mail::oauth::BROWSER_WAIT;
    Ok(confide_mail::shared::connect(&session, &request.connection, password, opener(&app), wait).await?)
}

/// Stops a browser sign-in the person will not finish (the browser closed, a change of mind).
#[tauri::command]
pub async fn stop_sign_in() -> Result<(), ApiError> {
    confide_mail::oauth::stop_browser_sign_ins();
    Ok(())
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
