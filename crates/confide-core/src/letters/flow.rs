//! Letters in the record store: a team leader's import becomes records of the preset's `letter`
//! class (`Confide/Letters`), sealed to exactly the roles the preset names (the management team
//! only, in respect-mal-current): one record per scanned file, then the letter's own small
//! record pointing at them. Responses and the destruction of the paper original are records of
//! their own. Nothing is kept on the desktop; retention expires the records by their class.

use base64::Engine;

use super::{
    assemble, check_import, detect, new_reference, preview, read_scan_body, response_class, scan_body, source,
    LetterDetails, LetterPart, LetterView, ScanKind, ScanRef,
};
use crate::policy::RoleKind;
use crate::progress::{OnProgress, Progress};
use crate::record_store::{self as records, classes, RecordStore, SCAN_PART};
use crate::staff::Session;
use crate::{CoreError, Refusal};

fn part_body(part: &LetterPart) -> Vec<u8> {
    serde_json::to_vec(part).expect("parts serialise")
}

/// Imports one letter from its scanned files (as read from where the team leader picked or
/// dropped them, or from the scanner's folder). Every file is checked and counted before
/// anything is kept, so a bad file stops the import with nothing half-kept. Tells `progress`
/// as each scan goes (a scanned letter of many pages is megabytes to encrypt and send).
/// Returns the letter's reference.
pub async fn import<S: RecordStore>(
    session: &Session,
    server: &S,
    details: &LetterDetails,
    files: &[Vec<u8>],
    progress: OnProgress<'_>,
) -> Result<String, S::Error> {
    check_import(session, details, files.len())?;
    // Each scan is a step, and filing the letter that points at them the last.
    let of = files.len() as u32 + 1;
    let mut kinds = Vec::with_capacity(files.len());
    for bytes in files {
        let kind = detect(bytes)?;
        kinds.push((kind, preview::page_count(kind, bytes)?));
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
        let body = scan_body(kind, bytes);
        let header = records::put_part(session, server, classes::LETTER, line, now, &body, Some(SCAN_PART)).await?;
        scans.push(ScanRef { record: header.id, kind, pages });
    }
    progress(Progress { step: of, of, doing: "Filing the letter".into() });
    let reference = new_reference(session);
    let part = LetterPart::Letter {
        reference: reference.clone(),
        line: details.line.clone(),
        received_on: details.received_on.trim().to_owned(),
        summary: details.summary.trim().to_owned(),
        scans,
        imported_by: session.profile.display_name.clone(),
    };
    records::put(session, server, classes::LETTER, line, now, &part_body(&part)).await?;
    crate::audit::append(&session.store, "letter_imported", &reference).await?;
    if details.original_destroyed {
        original_destroyed(session, server, &reference, &details.line).await?;
    }
    Ok(reference)
}

/// What an import from files did.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Imported {
    pub reference: String,
    /// The files removed from this computer once the letter was kept.
    pub removed: Vec<String>,
    /// Files that could not be removed, with why: the person must remove them by hand.
    pub problems: Vec<String>,
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Imports a letter from files on this computer (picked, dropped, or waiting in the scanner's
/// folder) and then, if `remove`, removes them securely: only once the letter is kept.
pub async fn import_files<S: RecordStore>(
    session: &Session,
    server: &S,
    details: &LetterDetails,
    paths: &[std::path::PathBuf],
    remove: bool,
    progress: OnProgress<'_>,
) -> Result<Imported, S::Error> {
    let mut files = Vec::with_capacity(paths.len());
    for p in paths {
        let name = file_name(p);
        files.push(std::fs::read(p).map_err(|e| CoreError::Invalid(format!("cannot read {name}: {e}")))?);
    }
    let reference = import(session, server, details, &files, progress).await?;
    let (mut removed, mut problems) = (vec![], vec![]);
    if remove {
        for p in paths {
            match source::remove_securely(p) {
                Ok(()) => removed.push(file_name(p)),
                Err(e) => problems.push(format!("{}: {e}", file_name(p))),
            }
        }
    }
    Ok(Imported { reference, removed, problems })
}

/// The letters this person may read, with their responses, newest first. Someone outside the
/// letter class's readers gets an empty list: the records exist, but nothing of them is theirs.
pub async fn list<S: RecordStore>(session: &Session, server: &S) -> Result<Vec<LetterView>, S::Error> {
    let mut parts = vec![];
    let mut kept = vec![classes::LETTER];
    if response_class(session) != "letter" {
        kept.push(response_class(session));
    }
    for class in kept {
        for listed in records::list(session, server, class).await? {
            let Ok(record) = listed.record else { continue };
            if let Ok(part) = serde_json::from_slice::<LetterPart>(&record.body) {
                parts.push((record.header.created_at, part));
            }
        }
    }
    Ok(assemble(parts))
}

fn readable_line(letters: &[LetterView], reference: &str) -> Result<String, CoreError> {
    letters
        .iter()
        .find(|l| l.reference == reference)
        .map(|l| l.line.clone())
        .ok_or_else(|| CoreError::Invalid("that letter is not here (it may have expired)".into()))
}

/// One page of a letter, as a `data:` address for the window (drawn in memory; nothing is
/// written). Looking is audited.
pub async fn page<S: RecordStore>(
    session: &Session,
    server: &S,
    reference: &str,
    scan: &str,
    index: u32,
) -> Result<String, S::Error> {
    let letters = list(session, server).await?;
    readable_line(&letters, reference)?;
    if !letters.iter().any(|l| l.reference == reference && l.scans.iter().any(|s| s.record == scan)) {
        return Err(CoreError::Invalid("that scan is not part of this letter".into()).into());
    }
    let listed = records::list_ids(session, server, classes::LETTER, vec![scan.to_owned()]).await?;
    let record = listed
        .into_iter()
        .next()
        .ok_or_else(|| CoreError::Invalid("that scan is no longer on the server".into()))?
        .record?;
    let (kind, bytes): (ScanKind, Vec<u8>) = {
        let (k, b) = read_scan_body(&record.body)?;
        (k, b.to_vec())
    };
    // Drawing a page of a large scan is seconds of CPU: off the async runtime.
    let drawn = tokio::task::spawn_blocking(move || preview::page(kind, &bytes, index))
        .await
        .map_err(|_| CoreError::Invalid("the page could not be drawn".into()))??;
    crate::audit::append(&session.store, "letter_viewed", reference).await?;
    Ok(format!("data:{};base64,{}", drawn.mime, base64::engine::general_purpose::STANDARD.encode(drawn.data)))
}

/// Keeps a typed response with its letter, in the class the preset keeps responses in.
pub async fn respond<S: RecordStore>(
    session: &Session,
    server: &S,
    reference: &str,
    text: &str,
) -> Result<(), S::Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CoreError::Invalid("write the response first".into()).into());
    }
    let line = readable_line(&list(session, server).await?, reference)?;
    let part = LetterPart::Response {
        reference: reference.to_owned(),
        text: text.to_owned(),
        by: session.profile.display_name.clone(),
    };
    let class = response_class(session);
    records::put(session, server, class, Some(&line), session.store.now_ts(), &part_body(&part)).await?;
    crate::audit::append(&session.store, "letter_responded", reference).await?;
    Ok(())
}

/// Records that the paper original has been destroyed, by whom and when. The team leader who
/// scanned it in says so at import (they cannot read the letter back afterwards); a manager can
/// say so later.
pub async fn original_destroyed<S: RecordStore>(
    session: &Session,
    server: &S,
    reference: &str,
    line: &str,
) -> Result<(), S::Error> {
    if session.profile.role == RoleKind::Advisor {
        return Err(CoreError::Refused(Refusal::Role {
            allowed: "a team leader or a manager".into(),
            action: "deal with paper letters".into(),
        })
        .into());
    }
    let part =
        LetterPart::OriginalDestroyed { reference: reference.to_owned(), by: session.profile.display_name.clone() };
    records::put(session, server, classes::LETTER, Some(line), session.store.now_ts(), &part_body(&part)).await?;
    crate::audit::append(&session.store, "letter_original_destroyed", reference).await?;
    Ok(())
}
