//! Letters on the shared mailbox: a team leader's import becomes records of the preset's
//! `letter` class in its folder (`Confide/Letters`), sealed to exactly the roles the preset
//! names (the management team only, in respect-mal-current): one record per scanned file, then
//! the letter's own small record pointing at them. Responses and the destruction of the paper
//! original are records of their own. Nothing is kept on the desktop; retention expires the
//! records in their folder by their class (`expire_records`).

use base64::Engine;
use confide_core::letters::{self, preview, LetterDetails, LetterPart, LetterView, ScanKind, ScanRef};
use confide_core::staff::Session;
use confide_core::CoreError;

use crate::progress::{OnProgress, Progress};
use crate::records::{self, SCAN_PART};
use crate::MailError;

/// Imports one letter from its scanned files (as read from where the team leader picked or
/// dropped them, or from the scanner's folder). Every file is checked and counted before
/// anything goes to the server, so a bad file stops the import with nothing half-kept.
/// Returns the letter's reference.
pub async fn import(session: &Session, details: &LetterDetails, files: &[Vec<u8>]) -> Result<String, MailError> {
    import_with_progress(session, details, files, &|_| {}).await
}

/// As [`import`], telling `progress` as each scan goes to the server (a scanned letter of many
/// pages is megabytes to encrypt and send).
pub async fn import_with_progress(
    session: &Session,
    details: &LetterDetails,
    files: &[Vec<u8>],
    progress: OnProgress<'_>,
) -> Result<String, MailError> {
    letters::check_import(session, details, files.len())?;
    // Each scan is a step, and filing the letter that points at them the last.
    let of = files.len() as u32 + 1;
    let mut kinds = Vec::with_capacity(files.len());
    for bytes in files {
        let kind = letters::detect(bytes)?;
        let pages = preview::page_count(kind, bytes)?;
        kinds.push((kind, pages));
    }
    let now = session.store.now_ts();
    let line = Some(details.line.as_str());
    let mut scans = vec![];
    for (n, (bytes, (kind, pages))) in files.iter().zip(kinds).enumerate() {
        progress(Progress {
            step: n as u32 + 1,
            of,
            doing: format!("Encrypting scan {} of {} and sending it to the mail server", n + 1, files.len()),
        });
        let header =
            records::put_part(session, "letter", line, now, &letters::scan_body(kind, bytes), Some(SCAN_PART)).await?;
        scans.push(ScanRef { record: header.id, kind, pages });
    }
    progress(Progress { step: of, of, doing: "Filing the letter".into() });
    let reference = letters::new_reference(session);
    let part = LetterPart::Letter {
        reference: reference.clone(),
        line: details.line.clone(),
        received_on: details.received_on.trim().to_owned(),
        summary: details.summary.trim().to_owned(),
        scans,
        imported_by: session.profile.display_name.clone(),
    };
    records::put(session, "letter", line, now, &serde_json::to_vec(&part).expect("parts serialise")).await?;
    confide_core::audit::append(&session.store, "letter_imported", &reference).await?;
    if details.original_destroyed {
        original_destroyed(session, &reference, &details.line).await?;
    }
    Ok(reference)
}

/// What an import from files did.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Imported {
    pub reference: String,
    /// The files removed from this computer once the letter was on the server.
    pub removed: Vec<String>,
    /// Files that could not be removed, with why: the person must remove them by hand.
    pub problems: Vec<String>,
}

/// Imports a letter from files on this computer (picked, dropped, or waiting in the scanner's
/// folder) and then, if `remove`, removes them securely: only once the letter is on the server.
pub async fn import_files(
    session: &Session,
    details: &LetterDetails,
    paths: &[std::path::PathBuf],
    remove: bool,
    progress: OnProgress<'_>,
) -> Result<Imported, MailError> {
    let mut files = Vec::with_capacity(paths.len());
    for p in paths {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        files.push(std::fs::read(p).map_err(|e| CoreError::Invalid(format!("cannot read {name}: {e}")))?);
    }
    let reference = import_with_progress(session, details, &files, progress).await?;
    let (mut removed, mut problems) = (vec![], vec![]);
    if remove {
        for p in paths {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            match letters::source::remove_securely(p) {
                Ok(()) => removed.push(name),
                Err(e) => problems.push(format!("{name}: {e}")),
            }
        }
    }
    Ok(Imported { reference, removed, problems })
}

/// The letters this person may read, with their responses, newest first. Someone outside the
/// letter class's readers gets an empty list: the records exist, but nothing of them is theirs.
pub async fn list(session: &Session) -> Result<Vec<LetterView>, MailError> {
    let mut parts = vec![];
    let mut classes = vec!["letter"];
    if letters::response_class(session) != "letter" {
        classes.push(letters::response_class(session));
    }
    for class in classes {
        for listed in records::list(session, class).await? {
            let Ok(record) = listed.record else { continue };
            if let Ok(part) = serde_json::from_slice::<LetterPart>(&record.body) {
                parts.push((record.header.created_at, part));
            }
        }
    }
    Ok(letters::assemble(parts))
}

/// One page of a letter, as a `data:` address for the window (drawn in memory; nothing is
/// written). Looking is audited.
pub async fn page(session: &Session, reference: &str, scan: &str, index: u32) -> Result<String, MailError> {
    let letter = list(session)
        .await?
        .into_iter()
        .find(|l| l.reference == reference)
        .ok_or_else(|| CoreError::Invalid("that letter is not here (it may have expired)".into()))?;
    if !letter.scans.iter().any(|s| s.record == scan) {
        return Err(CoreError::Invalid("that scan is not part of this letter".into()).into());
    }
    let listed = records::list_ids(session, "letter", vec![scan.to_owned()]).await?;
    let record = listed
        .into_iter()
        .next()
        .ok_or_else(|| CoreError::Invalid("that scan is no longer on the server".into()))?
        .record?;
    let (kind, bytes): (ScanKind, Vec<u8>) = {
        let (k, b) = letters::read_scan_body(&record.body)?;
        (k, b.to_vec())
    };
    let drawn = tokio::task::spawn_blocking(move || preview::page(kind, &bytes, index))
        .await
        .map_err(|_| MailError::Worker)??;
    confide_core::audit::append(&session.store, "letter_viewed", reference).await?;
    Ok(format!("data:{};base64,{}", drawn.mime, base64::engine::general_purpose::STANDARD.encode(drawn.data)))
}

fn readable_letter(letters: &[LetterView], reference: &str) -> Result<String, MailError> {
    letters
        .iter()
        .find(|l| l.reference == reference)
        .map(|l| l.line.clone())
        .ok_or_else(|| CoreError::Invalid("that letter is not here (it may have expired)".into()).into())
}

/// Keeps a typed response with its letter, in the class the preset keeps responses in.
pub async fn respond(session: &Session, reference: &str, text: &str) -> Result<(), MailError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CoreError::Invalid("write the response first".into()).into());
    }
    let line = readable_letter(&list(session).await?, reference)?;
    let part = LetterPart::Response {
        reference: reference.to_owned(),
        text: text.to_owned(),
        by: session.profile.display_name.clone(),
    };
    let class = letters::response_class(session);
    records::put(
        session,
        class,
        Some(&line),
        session.store.now_ts(),
        &serde_json::to_vec(&part).expect("parts serialise"),
    )
    .await?;
    confide_core::audit::append(&session.store, "letter_responded", reference).await?;
    Ok(())
}

/// Records that the paper original has been destroyed, by whom and when. The team leader who
/// scanned it in says so at import (they cannot read the letter back afterwards); a manager can
/// say so later.
pub async fn original_destroyed(session: &Session, reference: &str, line: &str) -> Result<(), MailError> {
    if session.profile.role == confide_core::policy::RoleKind::Advisor {
        return Err(CoreError::Invalid("only a team leader or a manager deals with paper letters".into()).into());
    }
    let part =
        LetterPart::OriginalDestroyed { reference: reference.to_owned(), by: session.profile.display_name.clone() };
    records::put(
        session,
        "letter",
        Some(line),
        session.store.now_ts(),
        &serde_json::to_vec(&part).expect("parts serialise"),
    )
    .await?;
    confide_core::audit::append(&session.store, "letter_original_destroyed", reference).await?;
    Ok(())
}
