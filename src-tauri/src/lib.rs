//! The desktop shell. It knows Tauri; nothing below it does. Each command is a thin wrapper
//! over a confide-core function, and errors reach the UI as `{code, message}`.

mod api;
mod canned;
mod commands;
mod disclosures;
mod error;
mod events;
mod letters;
mod library;
mod livechat;
mod people;
mod quality;
mod retention;
mod review;
mod services;
mod signin;
mod state;
mod tray;
mod window_state;

pub use api::typescript_bindings;
pub use events::typescript_bindings as event_typescript_bindings;

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// When the app started (first called from `run`).
pub(crate) fn started() -> std::time::Instant {
    *STARTED.get_or_init(std::time::Instant::now)
}

pub fn run() {
    started();
    // WebKitGTK's DMA-BUF renderer cost 88 MB more in the web process where there is no GPU to
    // hand its buffers to (measured under Xvfb by `confide bench app`: 328 MB to 239 MB for all
    // processes; start 0.72 s to 0.54 s). Helplines often run on VMs and remote desktops like
    // that, and the shared-memory path draws a page like this one just as well. Set before any
    // thread exists; a value the person set is kept.
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
    confide_core::hardening::forbid_core_dumps();
    confide_core::hardening::private_files();
    confide_webchat::logging::init();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .manage(state::AppState::from_env())
        .manage(std::sync::Arc::new(letters::Offered::default()))
        .manage(std::sync::Arc::new(library::Picked::default()))
        .manage(window_state::Tracker::start())
        .setup(|app| {
            use tauri::Manager;
            if let Some(window) = app.get_webview_window("main") {
                window_state::restore(&window);
            }
            tray::start(app.handle());
            Ok(())
        })
        .on_window_event(|window, event| {
            use tauri::Manager;
            match event {
                // Scans dropped on the window are offered to the Letters panel (the webview
                // gets ids, never paths).
                tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) => {
                    letters::dropped(window.app_handle(), paths.clone())
                }
                tauri::WindowEvent::Moved(_) | tauri::WindowEvent::Resized(_) => {
                    window.state::<window_state::Tracker>().changed(window)
                }
                _ => {}
            }
        })
        .invoke_handler(api::invoke_handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!("the window could not start: {e}");
        std::process::exit(1);
    }
}
