//! The resource library and reply attachments: thin commands over `confide_core::leaflets`
//! (the rules) and `confide_mail::attach`. Files are chosen in the system's dialog (the
//! webview has no file access of its own) and read here, only when the reply is sent.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use confide_core::leaflets::{self, Leaflet};
use confide_core::{staff, CoreError};
use confide_mail::attach::ReplyAttachment;
use confide_mail::records::ImapRecords;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use tokio::sync::Mutex;
use ts_rs::TS;

use crate::api::ConversationRequest;
use crate::error::ApiError;
use crate::state::AppState;

/// Larger than this is not read at all: no mail server takes it.
const LARGEST_FILE: u64 = 100 * 1024 * 1024;

/// Files chosen for replies, by the id the window holds: their paths, read at sending.
#[derive(Default)]
pub struct Picked(Mutex<HashMap<String, PathBuf>>);

/// A file chosen for a reply, as the reply box shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PickedFile {
    pub id: String,
    pub name: String,
    #[ts(type = "number")]
    pub size: u64,
}

/// What a reply attaches, as the window names it.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AttachmentChoice {
    Leaflet { leaflet: String },
    File { id: String },
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct LeafletAddRequest {
    pub line: String,
    pub title: String,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct LeafletRemoveRequest {
    pub leaflet: String,
}

async fn pick_one(app: &AppHandle, title: &str, filter: Option<(&str, &[&str])>) -> Option<PathBuf> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app.dialog().file().set_title(title);
    if let Some((name, extensions)) = filter {
        dialog = dialog.add_filter(name, extensions);
    }
    dialog.pick_file(move |picked| {
        let _ = tx.send(picked);
    });
    rx.await.ok().flatten().and_then(|p| p.into_path().ok())
}

/// The leaflets of this person's lines.
#[tauri::command]
pub async fn leaflets(state: State<'_, AppState>) -> Result<Vec<Leaflet>, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(leaflets::list(&session, &ImapRecords::of(&session.store)).await?)
}

/// Adds a leaflet chosen in the system's dialog to a line's library (nothing, if cancelled).
#[tauri::command]
pub async fn leaflet_add(
    app: AppHandle,
    state: State<'_, AppState>,
    request: LeafletAddRequest,
) -> Result<Vec<Leaflet>, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let server = ImapRecords::of(&session.store);
    if let Some(path) = pick_one(&app, "Choose the leaflet", Some(("Leaflets", &["pdf", "png", "jpg", "jpeg"]))).await {
        let bytes = read_limited(&path, leaflets::LARGEST as u64).await?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        leaflets::add(&session, &server, &request.line, (&request.title, &name), &bytes).await?;
    }
    Ok(leaflets::list(&session, &server).await?)
}

#[tauri::command]
pub async fn leaflet_remove(
    state: State<'_, AppState>,
    request: LeafletRemoveRequest,
) -> Result<Vec<Leaflet>, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let server = ImapRecords::of(&session.store);
    leaflets::remove(&session, &server, &request.leaflet).await?;
    Ok(leaflets::list(&session, &server).await?)
}

/// Chooses a file from this computer for a reply; `null` if cancelled.
#[tauri::command]
pub async fn reply_pick_file(app: AppHandle, picked: State<'_, Arc<Picked>>) -> Result<Option<PickedFile>, ApiError> {
    let Some(path) = pick_one(&app, "Attach a file", None).await else { return Ok(None) };
    let size = tokio::fs::metadata(&path).await.map_err(|e| invalid(format!("cannot read that file ({e})")))?.len();
    let id = confide_core::shared_record::new_id();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    picked.0.lock().await.insert(id.clone(), path);
    Ok(Some(PickedFile { id, name, size }))
}

/// The largest reply the helpline's mail server takes.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SizeLimit {
    /// In bytes; `null` where the server states none.
    #[ts(type = "number | null")]
    pub bytes: Option<u64>,
}

#[tauri::command]
pub async fn reply_size_limit(state: State<'_, AppState>, request: ConversationRequest) -> Result<SizeLimit, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(SizeLimit { bytes: confide_mail::attach::size_limit(&session, request.id).await? })
}

/// The window's choices as attachments: leaflets by id, files read now from where they were
/// chosen.
pub async fn attachments(picked: &Picked, choices: &[AttachmentChoice]) -> Result<Vec<ReplyAttachment>, ApiError> {
    let files = picked.0.lock().await;
    let mut out = vec![];
    for choice in choices {
        out.push(match choice {
            AttachmentChoice::Leaflet { leaflet } => ReplyAttachment::Leaflet { leaflet: leaflet.clone() },
            AttachmentChoice::File { id } => {
                let path = files.get(id).ok_or_else(|| invalid("choose the file again".into()))?;
                let bytes = read_limited(path, LARGEST_FILE).await?;
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
                let content_type = leaflets::content_type(&bytes).unwrap_or("application/octet-stream").to_owned();
                ReplyAttachment::File { name, content_type, bytes }
            }
        });
    }
    Ok(out)
}

async fn read_limited(path: &PathBuf, largest: u64) -> Result<Vec<u8>, ApiError> {
    let size = tokio::fs::metadata(path).await.map_err(|e| invalid(format!("cannot read that file ({e})")))?.len();
    if size > largest {
        return Err(invalid(format!(
            "that file is {}; at most {} can go by email",
            leaflets::megabytes(size),
            leaflets::megabytes(largest)
        )));
    }
    tokio::fs::read(path).await.map_err(|e| invalid(format!("cannot read that file ({e})")))
}

fn invalid(why: String) -> ApiError {
    ApiError::from(CoreError::Invalid(why))
}
