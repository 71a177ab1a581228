use std::path::PathBuf;
use std::sync::Arc;

use confide_core::{paths, Store, SystemClock};
use tokio::sync::Mutex;

use crate::error::ApiError;

/// The store, opened on first use. A failed open (keyring locked, say) is not remembered, so
/// "Try again" after unlocking the keyring works without restarting the app.
pub struct AppState {
    data_dir: PathBuf,
    store: Mutex<Option<Store>>,
    /// IDLE watches on the shared mailboxes, started after the first sync.
    pub watches: Mutex<Option<Vec<confide_mail::idle::Watch>>>,
    pub guard: Arc<confide_services::guard::GuardState>,
    /// Whether the retention schedule has started.
    pub retention: Mutex<bool>,
    /// The webchat gateway connection, started when the inbox first asks.
    pub livechat: Arc<confide_services::livechat::LiveChat>,
}

impl AppState {
    pub fn from_env() -> Self {
        AppState {
            data_dir: paths::default_data_dir(),
            store: Mutex::new(None),
            watches: Mutex::new(None),
            guard: Arc::default(),
            retention: Mutex::new(false),
            livechat: Arc::default(),
        }
    }

    /// The store if it is already open; never opens it (the tray asks before anyone has
    /// unlocked anything).
    pub async fn opened_store(&self) -> Option<Store> {
        self.store.lock().await.clone()
    }

    pub async fn store(&self) -> Result<Store, ApiError> {
        let mut guard = self.store.lock().await;
        if let Some(store) = guard.as_ref() {
            return Ok(store.clone());
        }
        let store = confide_core::store::open_desktop(&self.data_dir, Arc::new(SystemClock)).await?;
        *guard = Some(store.clone());
        Ok(store)
    }
}
