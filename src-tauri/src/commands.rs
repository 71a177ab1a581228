//! Tauri commands: argument plumbing only. The logic lives in confide-core.

use confide_core::accounts::{self, AccountKind};
use confide_core::conversations;
use confide_core::inbox::{self, InboxFilter, InboxPage};
use confide_core::retention::records;
use confide_core::staff::{self, SetupState};
use confide_mail::reading::{self, ConversationView};
use confide_mail::records::ImapRecords;
use confide_mail::sync::{sync_account, SyncProgress, SyncReport};
use tauri::{AppHandle, State};

use crate::api::{
    AcceptAgreementRequest, AttachmentRequest, ConversationRequest, ExportRequest, HoldRequest, MarkRequest,
    NoteRequest, PersonalAccountInfo, PersonalAccountRequest, ReplyRequest, RetentionStatus, RetryRequest, SaveOutcome,
    SaveProfileRequest, SendOutcome, TeamChangeRequest, TeamNames,
};
use crate::error::ApiError;
use crate::state::AppState;
use confide_mail::reply;

#[tauri::command]
pub async fn setup_state(state: State<'_, AppState>) -> Result<SetupState, ApiError> {
    Ok(staff::setup_state(&state.store().await?).await?)
}

#[tauri::command]
pub async fn save_profile(state: State<'_, AppState>, request: SaveProfileRequest) -> Result<SetupState, ApiError> {
    let store = state.store().await?;
    Ok(staff::save_profile_on_lines(&store, &request.preset_id, &request.display_name, request.role, &request.lines)
        .await?)
}

#[tauri::command]
pub async fn accept_agreement(
    state: State<'_, AppState>,
    request: AcceptAgreementRequest,
) -> Result<SetupState, ApiError> {
    Ok(staff::accept_agreement(&state.store().await?, &request.version).await?)
}

#[tauri::command]
pub async fn inbox_page(state: State<'_, AppState>, request: InboxFilter) -> Result<InboxPage, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(inbox::page(&session, &request).await?)
}

/// The window has drawn its first page of conversations: the moment a person can start work.
/// Logged with the time since the app started; `confide bench app` names a file in
/// `CONFIDE_BENCH_READY` to be told (it holds no content, only that the inbox is up).
#[tauri::command]
pub fn inbox_shown() -> Result<(), ApiError> {
    tracing::info!(seconds = crate::started().elapsed().as_secs_f64(), "inbox interactive");
    if let Some(path) = std::env::var_os("CONFIDE_BENCH_READY") {
        std::fs::write(&path, b"ready\n").map_err(|e| ApiError {
            code: confide_core::ErrorCode::Other,
            message: format!("cannot tell the benchmark the inbox is up: {e}"),
        })?;
    }
    Ok(())
}

/// Syncs the shared mailboxes, emitting `sync_progress` events as batches land, then keeps
/// watching them (IDLE): `inbox_changed` says when pushed mail has been synced.
#[tauri::command]
pub async fn sync_now(app: AppHandle, state: State<'_, AppState>) -> Result<SyncReport, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let mut total = SyncReport::default();
    for account in accounts::list(&session.store).await?.into_iter().filter(|a| a.kind == AccountKind::Shared) {
        let emit = |p: &SyncProgress| {
            crate::events::sync_progress(&app, p.clone());
        };
        let r = sync_account(&session.store, &account, &emit).await?;
        total.folders += r.folders;
        total.unchanged_folders += r.unchanged_folders;
        total.fetched += r.fetched;
        total.added += r.added;
        total.removed += r.removed;
        total.resets += r.resets;
    }
    crate::services::start_after_sync(&app, &session.store, &state).await?;
    Ok(total)
}

#[tauri::command]
pub async fn conversation_view(
    app: AppHandle,
    state: State<'_, AppState>,
    request: ConversationRequest,
) -> Result<ConversationView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let view = if request.again {
        reading::show_conversation(&session, request.id).await?
    } else {
        reading::open_conversation(&session, request.id).await?
    };
    if view.summary.channel == confide_core::conversations::Channel::Webchat {
        // An opened chat no longer counts as waiting for this advisor.
        crate::tray::refresh(&app).await;
    }
    Ok(view)
}

/// Queues, sends and files a reply; on success the shared mailbox is synced so the Sent copy
/// joins the conversation. Before that, a quick sync looks for a colleague's reply sent since
/// the advisor opened the conversation.
#[tauri::command]
pub async fn send_reply(
    state: State<'_, AppState>,
    picked: State<'_, std::sync::Arc<crate::library::Picked>>,
    request: ReplyRequest,
) -> Result<SendOutcome, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    if !request.send_anyway {
        refresh_shared(&session).await?;
        conversations::check_no_reply_since(&session.store, request.conversation_id, request.seen_message_id).await?;
    }
    let attachments = crate::library::attachments(&picked, &request.attachments).await?;
    match reply::queue_reply_with(&session, request.conversation_id, &request.body, &attachments).await? {
        reply::Queued::Outbox(id) => deliver_and_sync(&session, id).await,
        reply::Queued::ForReview(_) => Ok(SendOutcome { item: None, for_review: true }),
    }
}

#[tauri::command]
pub async fn retry_reply(state: State<'_, AppState>, request: RetryRequest) -> Result<SendOutcome, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    deliver_and_sync(&session, request.id).await
}

pub(crate) async fn deliver_and_sync(session: &staff::Session, id: i64) -> Result<SendOutcome, ApiError> {
    let item = reply::deliver(session, id).await?;
    if item.is_none() {
        // The reply is already sent and filed; a failed refresh only delays its appearance.
        if let Err(e) = refresh_shared(session).await {
            tracing::warn!(code = ?e.code, "sync after sending failed");
        }
    }
    Ok(SendOutcome { item, for_review: false })
}

/// A sync of the shared mailboxes without progress events (one round trip per unchanged
/// folder with QRESYNC).
async fn refresh_shared(session: &staff::Session) -> Result<(), ApiError> {
    for account in accounts::list(&session.store).await?.into_iter().filter(|a| a.kind == AccountKind::Shared) {
        sync_account(&session.store, &account, &|_| {}).await?;
    }
    Ok(())
}

/// Sets the pseudonym a service user is known by on a conversation (instead of contact details).
#[tauri::command]
pub async fn set_pseudonym(
    state: State<'_, AppState>,
    request: crate::api::PseudonymRequest,
) -> Result<ConversationView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    conversations::set_pseudonym(&session, request.id, &request.pseudonym).await?;
    Ok(reading::conversation(&session, request.id).await?)
}

/// Declines a third party's request about someone: closed, and on the audit log.
#[tauri::command]
pub async fn decline_third_party(
    state: State<'_, AppState>,
    request: RetryRequest,
) -> Result<ConversationView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    confide_mail::triage::decline_third_party(&session, request.id).await?;
    Ok(reading::conversation(&session, request.id).await?)
}

/// Claims, releases, sets the status of or flags a conversation on the server, where
/// colleagues' desktops see it.
#[tauri::command]
pub async fn mark_conversation(state: State<'_, AppState>, request: MarkRequest) -> Result<ConversationView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    confide_mail::triage::mark(&session, request.id, &request.mark).await?;
    Ok(reading::conversation(&session, request.id).await?)
}

/// Adds an internal note to a conversation, for the line's staff (never the service user).
#[tauri::command]
pub async fn add_note(state: State<'_, AppState>, request: NoteRequest) -> Result<ConversationView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let server = confide_mail::records::ImapRecords::of(&session.store);
    confide_core::notes::add(&session, &server, request.id, &request.text).await?;
    Ok(reading::conversation(&session, request.id).await?)
}

/// Saves an attachment where the person chooses, in the system's own save dialog (opened from
/// here: the webview has no dialog or file-system access). Nothing is saved anywhere else.
#[tauri::command]
pub async fn save_attachment(
    app: AppHandle,
    state: State<'_, AppState>,
    request: AttachmentRequest,
) -> Result<SaveOutcome, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let (name, bytes) = reading::attachment(&session, request.message_id, request.index).await?;
    save_as(&app, "Save attachment", reading::suggested_name(name.as_deref()), bytes).await
}

/// Asks where to save in the system's dialog, then writes there (owner-only); `saved_as` is
/// null when the person cancels.
pub(crate) async fn save_as(
    app: &AppHandle,
    title: &str,
    name: String,
    bytes: Vec<u8>,
) -> Result<SaveOutcome, ApiError> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title(title).set_file_name(name).save_file(move |path| {
        let _ = tx.send(path);
    });
    let Some(chosen) = rx.await.ok().flatten() else { return Ok(SaveOutcome { saved_as: None }) };
    let path =
        chosen.into_path().map_err(|_| invalid("that place cannot be saved to; choose a folder on this computer"))?;
    let shown = path.file_name().map(|n| n.to_string_lossy().into_owned());
    tokio::task::spawn_blocking(move || confide_mail::reading::write_attachment(&path, &bytes))
        .await
        .map_err(|_| invalid("the file could not be saved"))?
        .map_err(|e| invalid(&format!("the file could not be saved there ({})", e.kind())))?;
    Ok(SaveOutcome { saved_as: shown })
}

fn invalid(message: &str) -> ApiError {
    confide_core::CoreError::Invalid(message.to_owned()).into()
}

/// Runs the sent-folder guard now.
#[tauri::command]
pub async fn guard_now(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<confide_mail::guard::GuardReport, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(confide_services::guard::run_now(&crate::services::events(&app), &session.store, &state.guard).await?)
}

#[tauri::command]
pub async fn personal_account(state: State<'_, AppState>) -> Result<PersonalAccountInfo, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let account = accounts::list(&session.store).await?.into_iter().find(|a| a.kind == AccountKind::Personal);
    Ok(PersonalAccountInfo { account, provider: provider_name(&session.store).await? })
}

async fn provider_name(store: &confide_core::Store) -> Result<Option<String>, ApiError> {
    Ok(confide_mail::personal::provider(store).await?.map(|s| confide_mail::oauth::provider_name(&s.issuer)))
}

/// Checks the sign-in, keeps the mailbox (`confide_mail::personal::save`), and starts guarding.
#[tauri::command]
pub async fn save_personal_account(
    app: AppHandle,
    state: State<'_, AppState>,
    request: PersonalAccountRequest,
) -> Result<PersonalAccountInfo, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let setup = confide_mail::personal::PersonalSetup {
        address: request.address,
        username: request.username,
        imap_host: request.imap_host,
        imap_port: request.imap_port,
        imap_security: request.imap_security,
        sign_in: match request.with_provider {
            true => confide_mail::personal::PersonalSignIn::Provider,
            false => confide_mail::personal::PersonalSignIn::Password(request.password),
        },
        folder_names: request.folder_names,
    };
    let account = confide_mail::personal::save(
        &session.store,
        setup,
        crate::signin::opener(&app),
        confide_mail::oauth::BROWSER_WAIT,
    )
    .await?;
    confide_services::guard::ensure_running(&crate::services::events(&app), &session.store, &state.guard).await?;
    Ok(PersonalAccountInfo { account: Some(account), provider: provider_name(&session.store).await? })
}

#[tauri::command]
pub async fn retention_status(state: State<'_, AppState>) -> Result<RetentionStatus, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(RetentionStatus { last_run: confide_core::retention_record::last_run(&session.store).await? })
}

/// The retention record, statistics and holds (managers only; the core refuses anyone else).
#[tauri::command]
pub async fn records_view(state: State<'_, AppState>) -> Result<records::RecordsView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(records::view(&session).await?)
}

/// The audit log, checked end to end, and its newest entries (managers only).
#[tauri::command]
pub async fn audit_view(state: State<'_, AppState>) -> Result<confide_core::audit::AuditView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(confide_core::audit::view(&session).await?)
}

/// The whole team's audit log on the server, checked author by author (managers only). This
/// desktop's new entries are sent first, so the check includes them.
#[tauri::command]
pub async fn audit_team(state: State<'_, AppState>) -> Result<confide_core::audit::TeamAuditCheck, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    confide_core::audit::publish(&session, &ImapRecords::of(&session.store)).await?;
    Ok(confide_core::audit::check_team_log(&session, &ImapRecords::of(&session.store)).await?)
}

/// Saves the record or the statistics as CSV where the manager chooses.
#[tauri::command]
pub async fn export_records(
    app: AppHandle,
    state: State<'_, AppState>,
    request: ExportRequest,
) -> Result<SaveOutcome, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    let csv = records::export(&session, request.what).await?;
    let name = match request.what {
        records::Export::Record => "retention-record.csv",
        records::Export::Statistics => "statistics.csv",
    };
    save_as(&app, "Export", name.to_owned(), csv.into_bytes()).await
}

/// Puts a conversation on legal hold (with a reason), or lifts the hold when `reason` is null.
#[tauri::command]
pub async fn set_hold(state: State<'_, AppState>, request: HoldRequest) -> Result<ConversationView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    confide_mail::triage::set_hold(&session, request.id, request.reason.as_deref()).await?;
    Ok(reading::conversation(&session, request.id).await?)
}

#[tauri::command]
pub async fn team_view(state: State<'_, AppState>) -> Result<confide_core::team::TeamView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(confide_core::team::view(&session, &ImapRecords::of(&session.store)).await?)
}

/// A manager's change to the directory: found it, add a colleague's card, or remove a leaver.
#[tauri::command]
pub async fn team_change(
    state: State<'_, AppState>,
    request: TeamChangeRequest,
) -> Result<confide_core::team::TeamView, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    match request {
        TeamChangeRequest::Found => {
            confide_core::team::found(&session, &ImapRecords::of(&session.store)).await?;
        }
        TeamChangeRequest::Add { card } => {
            let member = confide_core::team::parse_card(&card, session.preset())?;
            confide_core::team::add(&session, &ImapRecords::of(&session.store), member).await?;
        }
        TeamChangeRequest::Remove { signing_key } => {
            confide_core::team::remove(&session, &ImapRecords::of(&session.store), &signing_key).await?;
        }
        TeamChangeRequest::Reviewed { signing_key, reviewed } => {
            confide_core::team::set_reviewed(&session, &ImapRecords::of(&session.store), &signing_key, reviewed)
                .await?;
        }
    }
    Ok(confide_core::team::view(&session, &ImapRecords::of(&session.store)).await?)
}

/// Who is who by key, from the team directory, so the UI can name a claim's or an audit
/// entry's author.
#[tauri::command]
pub async fn team_names(state: State<'_, AppState>) -> Result<TeamNames, ApiError> {
    let session = staff::session(&state.store().await?).await?;
    Ok(TeamNames { names: confide_core::team::known_names(&session.store, &ImapRecords::of(&session.store)).await? })
}
