//! The tray indicator: how many chats need this advisor (visitors waiting to be accepted, and
//! chats with words not yet opened here), as a number beside the icon. It names no one and
//! shows nothing anyone wrote, since a tray is visible on a shared or locked screen. Its menu
//! brings the window back.

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Listener, Manager};

use crate::state::AppState;

const ID: &str = "confide";

/// The number beside the icon: none when nothing waits.
pub fn label(n: i64) -> Option<String> {
    (n > 0).then(|| n.to_string())
}

/// The words for the indicator (its tooltip, and its title where the desktop shows one).
pub fn tooltip(n: i64) -> String {
    match n {
        0 => "Confide".into(),
        1 => "Confide: 1 chat needs you".into(),
        n => format!("Confide: {n} chats need you"),
    }
}

/// Puts the indicator in the tray and keeps its count current. A desktop without the
/// indicator library (libayatana-appindicator) gets no tray, and the app goes on without it.
pub fn start(app: &AppHandle) {
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(app)));
    match built {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!("the tray indicator could not be shown: {e}"),
        Err(_) => tracing::warn!("the tray indicator could not be shown: the system's indicator library is missing"),
    }
    for event in ["webchat_changed", "inbox_changed"] {
        let handle = app.clone();
        app.listen_any(event, move |_| {
            let handle = handle.clone();
            tauri::async_runtime::spawn(async move { refresh(&handle).await });
        });
    }
}

fn build(app: &AppHandle) -> tauri::Result<()> {
    let show = MenuItem::with_id(app, "show", "Open Confide", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Confide", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &quit])?;
    let mut tray = TrayIconBuilder::with_id(ID).tooltip(tooltip(0)).menu(&menu).on_menu_event(|app, event| match event
        .id()
        .as_ref()
    {
        "show" => {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }
        "quit" => app.exit(0),
        _ => {}
    });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

/// One count-and-show at a time: an older count can then never overwrite a newer one.
static REFRESHING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Counts again and updates the indicator. Does nothing before the store is open.
pub async fn refresh(app: &AppHandle) {
    let _one = REFRESHING.lock().await;
    let state = app.state::<AppState>();
    let Some(store) = state.opened_store().await else { return };
    let waiting = state.livechat.state().await.waiting.len() as i64;
    let unread = match confide_core::webchat::unread_chats(&store).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!("the tray's count could not be read: {e}");
            return;
        }
    };
    let n = waiting + unread;
    if let Some(tray) = app.tray_by_id(ID) {
        let _ = tray.set_title(label(n));
        let _ = tray.set_tooltip(Some(tooltip(n)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_indicator_shows_a_count_and_nothing_else() {
        assert_eq!(label(0), None);
        assert_eq!(label(3).as_deref(), Some("3"));
        assert_eq!(tooltip(0), "Confide");
        assert_eq!(tooltip(1), "Confide: 1 chat needs you");
        assert_eq!(tooltip(2), "Confide: 2 chats need you");
    }
}
