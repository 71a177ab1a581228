//! The resource library (issue 24): each line's leaflets (safety planning, legal advice, what
//! the line can do), PDFs or images a team leader or manager adds once and an advisor attaches
//! to a reply in two clicks. Kept encrypted on the server for the line's staff, in the team's
//! library: a leaflet is a small entry (its title, file name, type and size) that lists show,
//! and its file, a large part fetched only when attached. Removing a leaflet removes its file
//! from the server; its entry's history stays. Leaflets hold no service user's details and
//! are kept while in use.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::policy::RoleKind;
use crate::record_store::{self as records, classes, RecordStore, SCAN_PART};
use crate::staff::Session;
use crate::{team, CoreError};

/// Larger than this is not a leaflet (and would not go by email): a technical bound, not
/// the policy's.
pub const LARGEST: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Entry {
    Leaflet {
        leaflet: String,
        line: String,
        title: String,
        file_name: String,
        content_type: String,
        size: u64,
        /// The record id of its file.
        file: String,
    },
    Removed {
        leaflet: String,
        line: String,
    },
}

/// A leaflet in the library.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Leaflet {
    pub leaflet: String,
    pub line: String,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    #[ts(type = "number")]
    pub size: u64,
    /// Who added it (their name in the team).
    pub by: String,
    #[ts(skip)]
    #[serde(skip)]
    file: String,
}

/// The type of a leaflet's file from its first bytes: PDF, PNG or JPEG, or none of them.
pub fn content_type(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [b'%', b'P', b'D', b'F', b'-', ..] => Some("application/pdf"),
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        _ => None,
    }
}

fn may_edit(session: &Session, line: &str) -> Result<(), CoreError> {
    if session.profile.role == RoleKind::Advisor {
        return Err(CoreError::Invalid("team leaders and managers keep the line's leaflets".into()));
    }
    if !session.visible_lines().iter().any(|l| l == line) {
        return Err(CoreError::Invalid("that is not one of your service lines".into()));
    }
    Ok(())
}

/// Adds a leaflet to a line's library: its file first (a large part), then the entry naming it.
pub async fn add<S: RecordStore>(
    session: &Session,
    server: &S,
    line: &str,
    (title, file_name): (&str, &str),
    bytes: &[u8],
) -> Result<String, S::Error> {
    may_edit(session, line)?;
    let title = title.trim();
    if title.is_empty() {
        return Err(CoreError::Invalid("give the leaflet a title advisors will recognise".into()).into());
    }
    let content_type = content_type(bytes)
        .ok_or_else(|| CoreError::Invalid("a leaflet is a PDF, PNG or JPEG file; this file is none of them".into()))?;
    if bytes.len() > LARGEST {
        return Err(CoreError::Invalid(format!(
            "this file is {}; a leaflet can be at most {} to go by email",
            megabytes(bytes.len() as u64),
            megabytes(LARGEST as u64)
        ))
        .into());
    }
    let file = records::put_for_line(session, server, (classes::LEAFLET, line), bytes, Some(SCAN_PART)).await?;
    let leaflet = crate::shared_record::new_id();
    let file_name = std::path::Path::new(file_name.trim())
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| !n.is_empty())
        .unwrap_or("leaflet")
        .to_owned();
    let entry = Entry::Leaflet {
        leaflet: leaflet.clone(),
        line: line.to_owned(),
        title: title.to_owned(),
        file_name,
        content_type: content_type.to_owned(),
        size: bytes.len() as u64,
        file: file.id,
    };
    let body = serde_json::to_vec(&entry).expect("entries serialise");
    records::put_for_line(session, server, (classes::LEAFLET, line), &body, None).await?;
    crate::audit::append(&session.store, "leaflet_added", &format!("line:{line}")).await?;
    Ok(leaflet)
}

/// Takes a leaflet out of the library and its file off the server.
pub async fn remove<S: RecordStore>(session: &Session, server: &S, leaflet: &str) -> Result<(), S::Error> {
    let found = find(session, server, leaflet).await?;
    may_edit(session, &found.line)?;
    let entry = Entry::Removed { leaflet: leaflet.to_owned(), line: found.line.clone() };
    let body = serde_json::to_vec(&entry).expect("entries serialise");
    records::put_for_line(session, server, (classes::LEAFLET, &found.line), &body, None).await?;
    records::remove(session, server, classes::LEAFLET, &found.file).await?;
    crate::audit::append(&session.store, "leaflet_removed", &format!("line:{}", found.line)).await?;
    Ok(())
}

/// The leaflets on this person's lines, by title: each as last added by a current team leader
/// or manager; removed ones left out.
pub async fn list<S: RecordStore>(session: &Session, server: &S) -> Result<Vec<Leaflet>, S::Error> {
    let dir = team::directory(&session.store, server).await?;
    let names = team::names(&dir);
    let listed = records::opened_in_order(session, server, classes::LEAFLET).await?;
    let visible = session.visible_lines();
    let mut out: BTreeMap<String, Option<Leaflet>> = BTreeMap::new();
    for record in listed {
        let Ok(entry) = serde_json::from_slice::<Entry>(&record.body) else { continue };
        let line = match &entry {
            Entry::Leaflet { line, .. } | Entry::Removed { line, .. } => line.clone(),
        };
        if !dir.leads(&record.header.author, &line)
            || !visible.contains(&line)
            || record.header.line.as_deref() != Some(line.as_str())
        {
            continue;
        }
        let by = names.get(&record.header.author).cloned().unwrap_or_default();
        match entry {
            Entry::Leaflet { leaflet, line, title, file_name, content_type, size, file } => {
                let l = Leaflet { leaflet: leaflet.clone(), line, title, file_name, content_type, size, by, file };
                out.insert(leaflet, Some(l));
            }
            Entry::Removed { leaflet, .. } => {
                out.insert(leaflet, None);
            }
        }
    }
    let mut leaflets: Vec<Leaflet> = out.into_values().flatten().collect();
    leaflets.sort_by_key(|l| l.title.to_lowercase());
    Ok(leaflets)
}

async fn find<S: RecordStore>(session: &Session, server: &S, leaflet: &str) -> Result<Leaflet, S::Error> {
    Ok(list(session, server)
        .await?
        .into_iter()
        .find(|l| l.leaflet == leaflet)
        .ok_or_else(|| CoreError::Invalid("that leaflet is no longer in the library".into()))?)
}

/// A leaflet of `line` with its file, for a reply on that line.
pub async fn file<S: RecordStore>(
    session: &Session,
    server: &S,
    leaflet: &str,
    line: &str,
) -> Result<(Leaflet, Vec<u8>), S::Error> {
    let found = find(session, server, leaflet).await?;
    if found.line != line {
        return Err(CoreError::Invalid(format!("\"{}\" is another line's leaflet", found.title)).into());
    }
    let record = records::list_ids(session, server, classes::LEAFLET, vec![found.file.clone()])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| CoreError::Invalid(format!("the file of \"{}\" is no longer on the server", found.title)))?
        .record?;
    Ok((found, record.body))
}

/// A size as people read it: "2.4 MB", "310 KB".
pub fn megabytes(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn issue24_a_leaflet_is_a_pdf_or_an_image_by_its_first_bytes() {
        assert_eq!(super::content_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(super::content_type(b"\x89PNG\r\n\x1a\n"), Some("image/png"));
        assert_eq!(super::content_type(b"\xff\xd8\xff\xe0"), Some("image/jpeg"));
        assert_eq!(super::content_type(b"<html>"), None);
        assert_eq!(super::megabytes(2_516_582), "2.4 MB");
        assert_eq!(super::megabytes(317_000), "310 KB");
    }
}
