//! Letters in the app: the commands of the Letters panel, files offered for import (picked in
//! the system's dialog, dropped on the window, or waiting in the scanner's folder), and the
//! watch on that folder. The webview never names a file: it gets an opaque id for each file the
//! Rust side offered and can import only those, so a page that went wrong could not make the
//! app read, send or remove anything else on the computer.

use confide_mail::records::ImapRecords;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use confide_core::letters::{self, LetterDetails, LetterView};
use confide_core::policy::RoleKind;
use confide_core::{staff, Store};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use tokio::sync::Mutex;
use ts_rs::TS;

use crate::error::ApiError;
use crate::state::AppState;

/// Files the Rust side offered, by id.
#[derive(Default)]
pub struct Offered {
    files: Mutex<HashMap<String, PathBuf>>,
    watching: Mutex<bool>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OfferedFile {
    pub id: String,
    pub name: String,
    /// Waiting in the scanner's folder (rather than picked or dropped).
    pub from_scanner: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct LettersState {
    pub scanner_folder: Option<String>,
    /// Scans waiting in the scanner's folder.
    pub waiting: Vec<OfferedFile>,
    /// The letters this person may read (managers, by the preset's readers); empty otherwise.
    pub letters: Vec<LetterView>,
    pub can_import: bool,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct LetterImportRequest {
    pub details: LetterDetails,
    /// Ids of offered files, in page order.
    pub files: Vec<String>,
    /// Remove the files from this computer once the letter is on the server.
    pub remove: bool,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct LetterPageRequest {
    pub reference: String,
    pub scan: String,
    pub index: u32,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct LetterRespondRequest {
    pub reference: String,
    pub text: String,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct LetterDestroyedRequest {
    pub reference: String,
    pub line: String,
}

impl Offered {
    async fn offer(&self, path: PathBuf, from_scanner: bool) -> OfferedFile {
        let mut files = self.files.lock().await;
        let id = match files.iter().find(|(_, p)| **p == path) {
            Some((id, _)) => id.clone(),
            None => {
                let id = confide_core::shared_record::new_id();
                files.insert(id.clone(), path.clone());
                id
            }
        };
        OfferedFile {
            id,
            name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            from_scanner,
        }
    }
}

async fn waiting(store: &Store, offered: &Offered) -> Result<(Option<PathBuf>, Vec<OfferedFile>), ApiError> {
    let Some(folder) = letters::source::scanner_folder(store).await? else { return Ok((None, vec![])) };
    let mut out = vec![];
    // A folder that has gone (a network share not mounted) is not an error here: nothing waits.
    for path in letters::source::waiting_in(&folder).unwrap_or_default() {
        out.push(offered.offer(path, true).await);
    }
    Ok((Some(folder), out))
}

async fn state_for(
    app: &AppHandle,
    session: &staff::Session,
    offered: &Arc<Offered>,
) -> Result<LettersState, ApiError> {
    let can_import = session.profile.role != RoleKind::Advisor;
    if !can_import {
        return Ok(LettersState { scanner_folder: None, waiting: vec![], letters: vec![], can_import });
    }
    ensure_watching(app, &session.store, offered).await;
    let (folder, waiting) = waiting(&session.store, offered).await?;
    let letters = confide_core::letters::list(session, &ImapRecords::of(&session.store)).await?;
    Ok(LettersState { scanner_folder: folder.map(|f| f.display().to_string()), waiting, letters, can_import })
}

/// Looks in the scanner's folder every 15 seconds and tells the window (and the desktop, with a
/// notification that names no file) when scans are waiting.
async fn ensure_watching(app: &AppHandle, store: &Store, offered: &Arc<Offered>) {
    let mut started = offered.watching.lock().await;
    if *started {
        return;
    }
    *started = true;
    let (app, store, offered) = (app.clone(), store.clone(), offered.clone());
    tauri::async_runtime::spawn(async move {
        let mut last = 0;
        loop {
            if let Ok((_, files)) = waiting(&store, &offered).await {
                if files.len() > last {
                    use tauri_plugin_notification::NotificationExt;
                    let _ = app
                        .notification()
                        .builder()
                        .title("A scanned letter is waiting")
                        .body("Open Letters in Confide to import it.")
                        .show();
                }
                if files.len() != last {
                    crate::events::letters_waiting(&app, files.len());
                }
                last = files.len();
            }
            tokio::time::sleep(Duration::from_secs(15)).await;
        }
    });
}

/// Files dropped on the window: offered for import, and the Letters panel told.
pub fn dropped(app: &AppHandle, paths: Vec<PathBuf>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let offered = app.state::<Arc<Offered>>().inner().clone();
        let mut files = vec![];
        for p in paths.into_iter().filter(|p| p.is_file()) {
            files.push(offered.offer(p, false).await);
        }
        crate::events::letters_dropped(&app, files);
    });
}

#[tauri::command]
pub async fn letters_state(
    app: AppHandle,
    state: State<'_, AppState>,
    offered: State<'_, Arc<Offered>>,
) -> Result<LettersState, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    state_for(&app, &session, &offered).await
}

/// Picks scans in the system's dialog (the webview has no file access of its own).
#[tauri::command]
pub async fn letters_pick(app: AppHandle, offered: State<'_, Arc<Offered>>) -> Result<Vec<OfferedFile>, ApiError> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Choose the scanned pages")
        .add_filter("Scans", &["pdf", "png", "jpg", "jpeg", "tif", "tiff"])
        .pick_files(move |picked| {
            let _ = tx.send(picked.unwrap_or_default());
        });
    let mut out = vec![];
    for p in rx.await.unwrap_or_default().into_iter().filter_map(|p| p.into_path().ok()) {
        out.push(offered.offer(p, false).await);
    }
    Ok(out)
}

/// Chooses the folder the office scanner saves to.
#[tauri::command]
pub async fn letters_choose_scanner(
    app: AppHandle,
    state: State<'_, AppState>,
    offered: State<'_, Arc<Offered>>,
) -> Result<LettersState, ApiError> {
    use tauri_plugin_dialog::DialogExt;
    let session = staff::session(&state.store().await?).await?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title("The folder your scanner saves to").pick_folder(move |picked| {
        let _ = tx.send(picked);
    });
    if let Some(folder) = rx.await.ok().flatten().and_then(|p| p.into_path().ok()) {
        letters::source::set_scanner_folder(&session.store, &folder).await?;
    }
    state_for(&app, &session, &offered).await
}

#[tauri::command]
pub async fn letters_import(
    app: AppHandle,
    state: State<'_, AppState>,
    offered: State<'_, Arc<Offered>>,
    request: LetterImportRequest,
) -> Result<confide_core::letters::Imported, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let paths: Vec<PathBuf> = {
        let files = offered.files.lock().await;
        request
            .files
            .iter()
            .map(|id| {
                files.get(id).cloned().ok_or_else(|| {
                    confide_core::CoreError::Invalid("that file is no longer offered; choose it again".into())
                })
            })
            .collect::<Result<_, _>>()?
    };
    let progress = app.clone();
    let done = confide_core::letters::import_files(
        &session,
        &ImapRecords::of(&session.store),
        &request.details,
        &paths,
        request.remove,
        &move |p| {
            crate::events::letters_progress(&progress, p);
        },
    )
    .await?;
    offered.files.lock().await.retain(|id, _| !request.files.contains(id));
    crate::events::letters_waiting(&app, 0);
    Ok(done)
}

#[tauri::command]
pub async fn letter_page(state: State<'_, AppState>, request: LetterPageRequest) -> Result<String, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(confide_core::letters::page(
        &session,
        &ImapRecords::of(&session.store),
        &request.reference,
        &request.scan,
        request.index,
    )
    .await?)
}

#[tauri::command]
pub async fn letter_respond(
    app: AppHandle,
    state: State<'_, AppState>,
    offered: State<'_, Arc<Offered>>,
    request: LetterRespondRequest,
) -> Result<LettersState, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    confide_core::letters::respond(&session, &ImapRecords::of(&session.store), &request.reference, &request.text)
        .await?;
    state_for(&app, &session, &offered).await
}

#[tauri::command]
pub async fn letter_original_destroyed(
    app: AppHandle,
    state: State<'_, AppState>,
    offered: State<'_, Arc<Offered>>,
    request: LetterDestroyedRequest,
) -> Result<LettersState, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    confide_core::letters::original_destroyed(
        &session,
        &ImapRecords::of(&session.store),
        &request.reference,
        &request.line,
    )
    .await?;
    state_for(&app, &session, &offered).await
}
