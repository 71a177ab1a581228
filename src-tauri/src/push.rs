//! New mail within seconds: an IDLE watch per shared mailbox (confide-mail does the IMAP),
//! and here, the glue: a change wakes one sync, the window hears `inbox_changed`, and a
//! conversation a colleague has claimed from this person is told in a notification. A second
//! watch on the state folder follows colleagues' claims, status and flags without a sync.

use confide_mail::records::ImapRecords;
use std::time::Duration;

use confide_core::accounts::{self, AccountKind};
use confide_core::Store;
use confide_mail::idle::{watch, Watch, WatchEvent};
use confide_mail::sync::sync_account;
use tauri::AppHandle;
use tokio::sync::mpsc;

/// Changes that arrive this close together are one sync.
const SETTLE: Duration = Duration::from_millis(300);

/// Starts watching every shared mailbox, once; later calls do nothing.
pub async fn ensure_watching(
    app: &AppHandle,
    store: &Store,
    watches: &tokio::sync::Mutex<Option<Vec<Watch>>>,
) -> Result<(), crate::error::ApiError> {
    let mut guard = watches.lock().await;
    if guard.is_some() {
        return Ok(());
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let (state_tx, state_rx) = mpsc::unbounded_channel::<()>();
    let mut started = Vec::new();
    for account in accounts::list(store).await?.into_iter().filter(|a| a.kind == AccountKind::Shared) {
        let Ok(password) = confide_mail::connect::account_secret(store, &account) else {
            continue;
        };
        let state_secret = password.clone();
        let tx = tx.clone();
        let w = watch(account.clone(), password, "INBOX".into(), move |event| match event {
            WatchEvent::Changed => {
                let _ = tx.send(());
            }
            WatchEvent::Disconnected { error, retry_in } => {
                tracing::warn!(retry_in_s = retry_in.as_secs(), "the push connection dropped: {}", error.kind());
            }
        })?;
        started.push(w);
        // A colleague's claim, status or flag: the state folder alone, followed without a sync.
        let state_tx = state_tx.clone();
        let state = watch(account.clone(), state_secret, "Confide/State".into(), move |event| {
            if let WatchEvent::Changed = event {
                let _ = state_tx.send(());
            }
        })?;
        started.push(state);
    }
    *guard = Some(started);
    spawn_state_follower(app, store, state_rx);
    let (app, store) = (app.clone(), store.clone());
    tauri::async_runtime::spawn(async move {
        while rx.recv().await.is_some() {
            tokio::time::sleep(SETTLE).await;
            while rx.try_recv().is_ok() {}
            let mut added = 0;
            let mine = confide_core::inbox::claimed_by_me(&store).await.unwrap_or_default();
            for account in
                accounts::list(&store).await.unwrap_or_default().into_iter().filter(|a| a.kind == AccountKind::Shared)
            {
                match sync_account(&store, &account, &|_| {}).await {
                    Ok(r) => added += r.added + r.removed,
                    Err(e) => tracing::warn!("a sync after a push failed: {}", e.kind()),
                }
            }
            if added > 0 {
                crate::events::inbox_changed(&app, added);
            }
            notify_taken_over(&app, &store, &mine).await;
        }
    });
    Ok(())
}

/// Follows the triage state each time the state folder changes: a colleague's claim shows
/// within seconds, with no mail sync.
fn spawn_state_follower(app: &AppHandle, store: &Store, mut rx: mpsc::UnboundedReceiver<()>) {
    let (app, store) = (app.clone(), store.clone());
    tauri::async_runtime::spawn(async move {
        while rx.recv().await.is_some() {
            tokio::time::sleep(SETTLE).await;
            while rx.try_recv().is_ok() {}
            let Ok(session) = confide_core::staff::session(&store).await else { continue };
            let mine = confide_core::inbox::claimed_by_me(&store).await.unwrap_or_default();
            match confide_core::triage_state::follow(&session, &ImapRecords::of(&store)).await {
                Ok(0) => {}
                Ok(changed) => {
                    crate::events::inbox_changed(&app, changed);
                    notify_taken_over(&app, &store, &mine).await;
                }
                Err(e) => tracing::warn!("the triage state could not be followed: {}", e.kind()),
            }
        }
    });
}

/// Tells the person, in a desktop notification, when a colleague has claimed a conversation
/// they had claimed, so two people do not answer one caller. It names the colleague and
/// nothing of the conversation: a notification can show on a locked or shared screen.
async fn notify_taken_over(app: &AppHandle, store: &Store, mine: &[i64]) {
    use tauri_plugin_notification::NotificationExt;
    let taken = match confide_core::inbox::taken_over(store, mine).await {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => return,
        Err(e) => return tracing::warn!("claims could not be compared after a sync: {e}"),
    };
    let names = confide_core::team::known_names(store, &ImapRecords::of(store)).await.unwrap_or_default();
    for (_, colleague) in taken {
        let who = names.get(&colleague).map_or("A colleague", String::as_str);
        let shown = app
            .notification()
            .builder()
            .title("A conversation you claimed was taken over")
            .body(format!("{who} has claimed it now. Open Confide to see which."))
            .show();
        if let Err(e) = shown {
            tracing::warn!("the desktop notification could not be shown: {e}");
        }
    }
}
