//! Scans on this computer before import: the office scanner's folder, and removing a scanned
//! file once its letter is safely on the server. Removal overwrites the file's bytes and syncs
//! before unlinking, so the scan is not left readable in the freed blocks of an ordinary
//! filesystem. (On a copy-on-write filesystem or an SSD the old blocks may survive in places
//! the operating system controls; full-disk encryption is what covers those.)

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::{CoreError, Store};

/// The scanner's folder this desktop watches, if one is set.
pub async fn scanner_folder(store: &Store) -> Result<Option<PathBuf>, CoreError> {
    Ok(sqlx::query_scalar!("SELECT scanner_folder FROM letter_settings WHERE id = 1")
        .fetch_optional(store.pool())
        .await?
        .map(PathBuf::from))
}

/// Sets the scanner's folder (it must exist).
pub async fn set_scanner_folder(store: &Store, folder: &Path) -> Result<(), CoreError> {
    if !folder.is_dir() {
        return Err(CoreError::Invalid("that is not a folder on this computer".into()));
    }
    let text = folder.to_string_lossy().into_owned();
    sqlx::query!("INSERT INTO letter_settings (id, scanner_folder) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET scanner_folder = excluded.scanner_folder", text)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// A file the scanner is still writing is left for the next look.
const SETTLED: Duration = Duration::from_secs(2);

/// The scans waiting in the scanner's folder (not its subfolders), oldest first: files whose
/// first bytes make them a PDF, PNG, JPEG or TIFF, left alone for a moment, and not hidden or
/// partial (`.part`, `~`).
pub fn waiting_in(dir: &Path) -> Result<Vec<PathBuf>, CoreError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| CoreError::Invalid(format!("cannot look in the scanner's folder: {e}")))?;
    let now = SystemTime::now();
    let mut found = vec![];
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() || name.starts_with('.') || name.ends_with(".part") || name.ends_with('~') {
            continue;
        }
        let modified = meta.modified().unwrap_or(now);
        if now.duration_since(modified).unwrap_or_default() < SETTLED {
            continue;
        }
        let mut head = [0u8; 8];
        let n = std::fs::File::open(&path).and_then(|mut f| std::io::Read::read(&mut f, &mut head)).unwrap_or(0);
        if super::detect(&head[..n]).is_ok() {
            found.push((modified, path));
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

/// Overwrites a scanned file with zeros, syncs it, and removes it.
pub fn remove_securely(path: &Path) -> Result<(), CoreError> {
    let fail = |e: std::io::Error| {
        CoreError::Invalid(format!("the scanned file could not be removed ({e}); remove it by hand"))
    };
    let len = std::fs::metadata(path).map_err(fail)?.len();
    let mut f = std::fs::OpenOptions::new().write(true).open(path).map_err(fail)?;
    let zeros = vec![0u8; 64 * 1024];
    let mut left = len;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        f.write_all(&zeros[..n]).map_err(fail)?;
        left -= n as u64;
    }
    f.sync_all().map_err(fail)?;
    drop(f);
    std::fs::remove_file(path).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_settled_scans_are_waiting_and_removal_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let scan = dir.path().join("scan0001.pdf");
        std::fs::write(&scan, b"%PDF-1.4 letter-canary").unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"not a scan").unwrap();
        std::fs::write(dir.path().join(".hidden.pdf"), b"%PDF-1.4").unwrap();
        assert!(waiting_in(dir.path()).unwrap().is_empty(), "just written: the scanner may still be at it");
        let old = SystemTime::now() - Duration::from_secs(10);
        for name in ["scan0001.pdf", "notes.txt", ".hidden.pdf"] {
            std::fs::File::options().write(true).open(dir.path().join(name)).unwrap().set_modified(old).unwrap();
        }
        assert_eq!(waiting_in(dir.path()).unwrap(), vec![scan.clone()]);
        remove_securely(&scan).unwrap();
        assert!(!scan.exists());
        assert!(waiting_in(dir.path()).unwrap().is_empty());
    }
}
