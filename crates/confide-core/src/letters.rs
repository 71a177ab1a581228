//! Postal letters, scanned in by a team leader. What a letter is, as kept in shared records of
//! the preset's `letter` class (readers: the roles the preset names, e.g. the management team
//! only): the scans themselves (one record per file), and small records that point at them: the
//! letter (reference, line, date received, a short summary), each typed response, and the
//! destruction of the paper original. Nothing of a letter is kept on a desktop; pages are
//! rendered for viewing in memory (`preview`).
//!
//! This module is the letter's shape and its checks; `flow` keeps the records in a record store.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::record_store::classes;
use crate::staff::Session;
use crate::{CoreError, Refusal};

mod flow;
pub use flow::{import, import_files, list, original_destroyed, page, respond, Imported};

pub mod preview;
pub mod source;

/// The file types a scanner produces that Confide keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ScanKind {
    Pdf,
    Png,
    Jpeg,
    Tiff,
}

impl ScanKind {
    pub fn mime(self) -> &'static str {
        match self {
            ScanKind::Pdf => "application/pdf",
            ScanKind::Png => "image/png",
            ScanKind::Jpeg => "image/jpeg",
            ScanKind::Tiff => "image/tiff",
        }
    }
}

/// The kind of scan by its first bytes (never by its name, which a scanner or a person chose).
pub fn detect(bytes: &[u8]) -> Result<ScanKind, CoreError> {
    let kind = match bytes {
        [b'%', b'P', b'D', b'F', b'-', ..] => ScanKind::Pdf,
        [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, ..] => ScanKind::Png,
        [0xff, 0xd8, 0xff, ..] => ScanKind::Jpeg,
        [b'I', b'I', 42, 0, ..] | [b'M', b'M', 0, 42, ..] => ScanKind::Tiff,
        _ => return Err(CoreError::Invalid("that file is not a PDF, PNG, JPEG or TIFF scan".into())),
    };
    Ok(kind)
}

/// One scanned file of a letter, as its record names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ScanRef {
    /// The shared record holding the file.
    pub record: String,
    pub kind: ScanKind,
    pub pages: u32,
}

/// The small records of a letter, inside the encryption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum LetterPart {
    Letter {
        reference: String,
        line: String,
        received_on: String,
        summary: String,
        scans: Vec<ScanRef>,
        imported_by: String,
    },
    Response {
        reference: String,
        text: String,
        by: String,
    },
    OriginalDestroyed {
        reference: String,
        by: String,
    },
}

/// A scan's record body: the kind, a newline, the file's bytes (binary: a scan can be megabytes).
pub fn scan_body(kind: ScanKind, bytes: &[u8]) -> Vec<u8> {
    let tag = serde_json::to_string(&kind).expect("kinds serialise");
    let mut out = Vec::with_capacity(bytes.len() + 8);
    out.extend_from_slice(tag.trim_matches('"').as_bytes());
    out.push(b'\n');
    out.extend_from_slice(bytes);
    out
}

/// The kind and bytes of a scan record's body.
pub fn read_scan_body(body: &[u8]) -> Result<(ScanKind, &[u8]), CoreError> {
    let damaged = || CoreError::Invalid("a scan on the server is damaged".into());
    let cut = body.iter().position(|b| *b == b'\n').ok_or_else(damaged)?;
    let kind: ScanKind =
        serde_json::from_str(&format!("\"{}\"", std::str::from_utf8(&body[..cut]).map_err(|_| damaged())?))
            .map_err(|_| damaged())?;
    Ok((kind, &body[cut + 1..]))
}

/// What a team leader gives when importing a letter.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct LetterDetails {
    pub line: String,
    /// `YYYY-MM-DD`.
    pub received_on: String,
    /// Short, and about the letter, not the writer: it is what managers scan the list by.
    pub summary: String,
    /// The paper original has been destroyed (recorded with who and when).
    #[serde(default)]
    pub original_destroyed: bool,
}

/// Longest summary kept: a line or two, not a transcription.
pub const SUMMARY_MAX: usize = 200;

/// Checks who may import and what they gave: team leaders and managers import; the line must be
/// the preset's; the date a real one, not in the future; the summary present and short.
pub fn check_import(session: &Session, details: &LetterDetails, files: usize) -> Result<(), CoreError> {
    use crate::policy::RoleKind;
    if session.profile.role == RoleKind::Advisor {
        return Err(CoreError::Refused(Refusal::Role {
            allowed: "a team leader or a manager".into(),
            action: "scan letters in".into(),
        }));
    }
    if files == 0 {
        return Err(CoreError::Invalid("choose the scanned pages of the letter first".into()));
    }
    if !session.preset().lines.iter().any(|l| l.id == details.line) {
        return Err(CoreError::Invalid("that is not one of this helpline's service lines".into()));
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let received = time::Date::parse(details.received_on.trim(), &format)
        .map_err(|_| CoreError::Invalid("give the date the letter arrived as YYYY-MM-DD".into()))?;
    if received > session.store.clock().now().date() {
        return Err(CoreError::Invalid("the date the letter arrived is in the future".into()));
    }
    let summary = details.summary.trim();
    if summary.is_empty() || summary.chars().count() > SUMMARY_MAX {
        return Err(CoreError::Invalid(format!(
            "give a short summary of the letter (at most {SUMMARY_MAX} characters, and no names or addresses)"
        )));
    }
    if session.preset().retention_class(classes::LETTER).is_none() {
        return Err(CoreError::Refused(Refusal::NotInPolicy("keeps no record class for letters".into())));
    }
    Ok(())
}

/// A new letter reference: the date and a random part, so desktops never collide.
pub fn new_reference(session: &Session) -> String {
    let d = session.store.clock().now().date();
    format!(
        "L-{:04}{:02}{:02}-{}",
        d.year(),
        d.month() as u8,
        d.day(),
        hex::encode(rand::random::<[u8; 2]>()).to_uppercase()
    )
}

/// The class a response to a letter is kept in: `letter_response` where the preset has one
/// (older policies keep responses two months), else with the letter.
pub fn response_class(session: &Session) -> &'static str {
    if session.preset().retention_class(classes::LETTER_RESPONSE).is_some() {
        classes::LETTER_RESPONSE
    } else {
        classes::LETTER
    }
}

/// A letter as a manager sees it in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LetterView {
    pub reference: String,
    pub line: String,
    pub received_on: String,
    pub summary: String,
    pub scans: Vec<ScanRef>,
    pub imported_by: String,
    /// Unix seconds.
    #[ts(type = "number")]
    pub imported_at: i64,
    pub responses: Vec<ResponseView>,
    /// Who recorded the paper original destroyed, and when (unix seconds).
    #[ts(type = "[string, number] | null")]
    pub original_destroyed: Option<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ResponseView {
    pub text: String,
    pub by: String,
    #[ts(type = "number")]
    pub at: i64,
}

/// Groups the small records (each with its date) into letters, newest first. Responses and
/// destruction records whose letter has gone (expired first) are left out.
pub fn assemble(parts: Vec<(i64, LetterPart)>) -> Vec<LetterView> {
    let mut letters: Vec<LetterView> = vec![];
    let mut rest = vec![];
    for (at, part) in parts {
        match part {
            LetterPart::Letter { reference, line, received_on, summary, scans, imported_by } => {
                letters.push(LetterView {
                    reference,
                    line,
                    received_on,
                    summary,
                    scans,
                    imported_by,
                    imported_at: at,
                    responses: vec![],
                    original_destroyed: None,
                })
            }
            other => rest.push((at, other)),
        }
    }
    rest.sort_by_key(|(at, _)| *at);
    for (at, part) in rest {
        match part {
            LetterPart::Response { reference, text, by } => {
                if let Some(l) = letters.iter_mut().find(|l| l.reference == reference) {
                    l.responses.push(ResponseView { text, by, at });
                }
            }
            LetterPart::OriginalDestroyed { reference, by } => {
                if let Some(l) = letters.iter_mut().find(|l| l.reference == reference) {
                    l.original_destroyed.get_or_insert((by, at));
                }
            }
            LetterPart::Letter { .. } => {}
        }
    }
    letters.sort_by(|a, b| b.imported_at.cmp(&a.imported_at).then_with(|| a.reference.cmp(&b.reference)));
    letters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_are_known_by_their_first_bytes() {
        assert_eq!(detect(b"%PDF-1.7\n...").unwrap(), ScanKind::Pdf);
        assert_eq!(detect(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0]).unwrap(), ScanKind::Png);
        assert_eq!(detect(&[0xff, 0xd8, 0xff, 0xe0]).unwrap(), ScanKind::Jpeg);
        assert_eq!(detect(b"II*\0rest").unwrap(), ScanKind::Tiff);
        assert_eq!(detect(b"MM\0*rest").unwrap(), ScanKind::Tiff);
        assert!(detect(b"<html><script>").is_err());
        assert!(detect(b"").is_err());
    }

    #[test]
    fn a_scan_body_keeps_its_kind_and_bytes() {
        let body = scan_body(ScanKind::Tiff, b"II*\0\npages");
        assert_eq!(read_scan_body(&body).unwrap(), (ScanKind::Tiff, &b"II*\0\npages"[..]));
        assert!(read_scan_body(b"nonsense").is_err());
    }

    #[test]
    fn responses_and_destruction_join_their_letter_and_orphans_are_dropped() {
        let letter = |r: &str| LetterPart::Letter {
            reference: r.into(),
            line: "phoneline".into(),
            received_on: "2026-11-20".into(),
            summary: "s".into(),
            scans: vec![],
            imported_by: "Tia".into(),
        };
        let parts = vec![
            (30, LetterPart::Response { reference: "L-1".into(), text: "second".into(), by: "Ann".into() }),
            (10, letter("L-1")),
            (20, LetterPart::Response { reference: "L-1".into(), text: "first".into(), by: "Ann".into() }),
            (25, LetterPart::OriginalDestroyed { reference: "L-1".into(), by: "Tia".into() }),
            (40, LetterPart::Response { reference: "L-gone".into(), text: "orphan".into(), by: "Ann".into() }),
            (50, letter("L-2")),
        ];
        let letters = assemble(parts);
        assert_eq!(letters.iter().map(|l| l.reference.as_str()).collect::<Vec<_>>(), ["L-2", "L-1"]);
        assert_eq!(letters[1].responses.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(), ["first", "second"]);
        assert_eq!(letters[1].original_destroyed, Some(("Tia".into(), 25)));
    }
}
