//! A record store in memory, for unit tests of the features' rules and flows: it keeps what it
//! is given exactly as the IMAP store would (sealed, by folder and class), and counts what it
//! is asked, so a test can tell a read that wrote.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::{Fetched, Outgoing, RecordStore, TeamEntries, Which, SCAN_PART};
use crate::team::Entry;
use crate::CoreError;

#[derive(Debug, Clone)]
struct Kept {
    uid: u32,
    folder: String,
    class: String,
    id: String,
    part: Option<String>,
    sealed: Vec<u8>,
}

#[derive(Default)]
pub struct MemoryRecords {
    records: Mutex<Vec<Kept>>,
    team: Mutex<Vec<Entry>>,
    next_uid: AtomicUsize,
    writes: AtomicUsize,
}

impl MemoryRecords {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many appends, removals and directory entries this store has taken.
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }

    /// The folders holding records, for tests that check where a class's records went.
    pub fn folders(&self) -> Vec<String> {
        let mut out: Vec<String> = self.records.lock().expect("lock").iter().map(|k| k.folder.clone()).collect();
        out.dedup();
        out
    }
}

impl RecordStore for MemoryRecords {
    type Error = CoreError;

    async fn append(&self, folder: &str, record: Outgoing<'_>) -> Result<(), CoreError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        let uid = self.next_uid.fetch_add(1, Ordering::SeqCst) as u32 + 1;
        self.records.lock().expect("lock").push(Kept {
            uid,
            folder: folder.to_owned(),
            class: record.header.class.clone(),
            id: record.header.id.clone(),
            part: record.part.map(str::to_owned),
            sealed: record.sealed.to_vec(),
        });
        Ok(())
    }

    async fn fetch(&self, folder: &str, class: &str, which: Which) -> Result<Vec<Fetched>, CoreError> {
        let kept = self.records.lock().expect("lock");
        Ok(kept
            .iter()
            .filter(|k| k.folder == folder && k.class == class)
            .filter(|k| match &which {
                Which::Small => k.part.as_deref() != Some(SCAN_PART),
                Which::Ids(ids) => ids.contains(&k.id),
            })
            .map(|k| Fetched { uid: k.uid, sealed: k.sealed.clone() })
            .collect())
    }

    async fn remove(&self, folder: &str, class: &str, id: &str) -> Result<bool, CoreError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        let mut kept = self.records.lock().expect("lock");
        let before = kept.len();
        kept.retain(|k| !(k.folder == folder && k.class == class && k.id == id));
        Ok(kept.len() != before)
    }

    async fn team_entries(&self) -> Result<TeamEntries, CoreError> {
        Ok(TeamEntries { entries: self.team.lock().expect("lock").clone(), unreadable: vec![] })
    }

    async fn append_team_entry(&self, entry: &Entry) -> Result<(), CoreError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.team.lock().expect("lock").push(entry.clone());
        Ok(())
    }
}
