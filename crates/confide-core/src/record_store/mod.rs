//! The record store: where the team's sealed records and its directory are kept. Features put,
//! list and remove records through [`RecordStore`], as time comes through a `Clock`: over IMAP
//! in the shared mailbox's `Confide/...` folders (`confide-mail`), or in memory for unit tests
//! ([`memory::MemoryRecords`]). Sealing to the right readers and opening with this desktop's key
//! happen here, once, so no feature can keep a record that skips them.

pub mod classes;
mod content;
pub mod memory;

pub use content::{MailContent, ReadConversation, ReadMessage, ServerLocation};

use std::future::Future;

use crate::policy::Preset;
use crate::shared_record::{self, Header, SharedRecord};
use crate::staff::Session;
use crate::team::Entry;
use crate::CoreError;

/// Marks a record that is a large file (a letter's scan), so lists of a class leave it out and
/// fetch it only when someone looks at it. It says nothing about what is in it.
pub const SCAN_PART: &str = "scan";

/// Which records of a class to fetch.
#[derive(Debug, Clone)]
pub enum Which {
    /// Every record but large parts.
    Small,
    /// The records with these ids, parts included.
    Ids(Vec<String>),
}

/// A record as the store hands it back: its place there, and its ciphertext.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The store's number for it (the IMAP UID), for reports that must point at one.
    pub uid: u32,
    pub sealed: Vec<u8>,
}

/// A sealed record on its way to the store.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub header: &'a Header,
    pub sealed: &'a [u8],
    /// `Some(SCAN_PART)` for a large part that lists leave out.
    pub part: Option<&'a str>,
}

/// The team directory's entries as the store holds them, and a note for each thing in its
/// place that is not an entry (reported, never trusted).
#[derive(Debug, Clone, Default)]
pub struct TeamEntries {
    pub entries: Vec<Entry>,
    pub unreadable: Vec<String>,
}

/// Where records are kept. `folder` is a record class's folder as the preset names it
/// (`Confide/Letters`); the store spells it as its server needs.
pub trait RecordStore: Sync {
    /// The store's own errors, which keep what they are (a sign-in to do again, a server that
    /// cannot be reached) so the person is told the right thing.
    type Error: From<CoreError> + Send;

    /// Keeps one record, dated by its header (retention counts from there).
    fn append(&self, folder: &str, record: Outgoing<'_>) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// The records of `class` in `folder`; anything else there is left out.
    fn fetch(
        &self,
        folder: &str,
        class: &str,
        which: Which,
    ) -> impl Future<Output = Result<Vec<Fetched>, Self::Error>> + Send;

    /// Removes the record of `class` with this id at once; whether it was there.
    fn remove(&self, folder: &str, class: &str, id: &str) -> impl Future<Output = Result<bool, Self::Error>> + Send;

    fn team_entries(&self) -> impl Future<Output = Result<TeamEntries, Self::Error>> + Send;

    /// Adds one signed entry to the directory (entries are never changed).
    fn append_team_entry(&self, entry: &Entry) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// The folder records of `class` are kept in (see [`classes`]).
pub fn class_folder(preset: &Preset, class: &str) -> Result<String, CoreError> {
    classes::folder(preset, class)
}

/// Seals `body` as a record of `class` on `line` to exactly the staff the preset and the team
/// directory allow, and keeps it. Refused when nobody may read it yet.
pub async fn put<S: RecordStore>(
    session: &Session,
    server: &S,
    class: &str,
    line: Option<&str>,
    created_at: i64,
    body: &[u8],
) -> Result<Header, S::Error> {
    put_part(session, server, class, line, created_at, body, None).await
}

/// The same, for a record marked as a large part (`SCAN_PART`) that lists leave out.
pub async fn put_part<S: RecordStore>(
    session: &Session,
    server: &S,
    class: &str,
    line: Option<&str>,
    created_at: i64,
    body: &[u8],
    part: Option<&str>,
) -> Result<Header, S::Error> {
    let dir = crate::team::directory(&session.store, server).await?;
    let recipients = shared_record::readers(session.preset(), &dir, class, line)?;
    put_to(session, server, class, line, created_at, body, part, &recipients).await
}

/// Seals and keeps a record to readers its own feature has chosen (the triage state: the
/// staff of a conversation's line, whatever their role).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn put_to<S: RecordStore>(
    session: &Session,
    server: &S,
    class: &str,
    line: Option<&str>,
    created_at: i64,
    body: &[u8],
    part: Option<&str>,
    recipients: &[confide_vault::Recipient],
) -> Result<Header, S::Error> {
    let key = session.store.vault().signing_key().map_err(CoreError::from)?;
    let (header, sealed) = shared_record::seal(class, line, created_at, body, &key, recipients)?;
    let folder = class_folder(session.preset(), class)?;
    server.append(&folder, Outgoing { header: &header, sealed: &sealed, part }).await?;
    Ok(header)
}

/// Keeps a record for the staff of `line` as the team directory lists them (managers
/// included) and this desktop, dated now: the team's shared material about a line (canned
/// replies, blocked senders, leaflets; a leaflet's file is a large `part`).
pub(crate) async fn put_for_line<S: RecordStore>(
    session: &Session,
    server: &S,
    (class, line): (&str, &str),
    body: &[u8],
    part: Option<&str>,
) -> Result<Header, S::Error> {
    let store = &session.store;
    let dir = crate::team::directory(store, server).await?;
    let mut keys = dir.recipients(None, Some(line));
    keys.push(store.identity().recipient().to_string());
    keys.sort();
    keys.dedup();
    let recipients: Vec<confide_vault::Recipient> = keys.iter().filter_map(|k| k.parse().ok()).collect();
    put_to(session, server, class, Some(line), store.now_ts(), body, part, &recipients).await
}

/// A record as listed: opened with this desktop's key, or why it could not be.
#[derive(Debug)]
pub struct Listed {
    pub uid: u32,
    pub record: Result<SharedRecord, CoreError>,
}

/// Every record of `class` but large parts, each opened with this desktop's key. Records for
/// other staff come back as `NotForYou`; callers show nothing of them.
pub async fn list<S: RecordStore>(session: &Session, server: &S, class: &str) -> Result<Vec<Listed>, S::Error> {
    list_which(session, server, class, Which::Small).await
}

/// The records of `class` this desktop could open (large parts left out), in the store's
/// order: what resolves a library whose last entry for each thing stands.
pub async fn opened_in_order<S: RecordStore>(
    session: &Session,
    server: &S,
    class: &str,
) -> Result<Vec<SharedRecord>, S::Error> {
    let mut listed: Vec<_> =
        list(session, server, class).await?.into_iter().filter_map(|l| l.record.ok().map(|r| (l.uid, r))).collect();
    listed.sort_by_key(|(uid, _)| *uid);
    Ok(listed.into_iter().map(|(_, r)| r).collect())
}

/// The records of `class` with these ids (large parts included), opened with this desktop's key.
pub async fn list_ids<S: RecordStore>(
    session: &Session,
    server: &S,
    class: &str,
    ids: Vec<String>,
) -> Result<Vec<Listed>, S::Error> {
    list_which(session, server, class, Which::Ids(ids)).await
}

async fn list_which<S: RecordStore>(
    session: &Session,
    server: &S,
    class: &str,
    which: Which,
) -> Result<Vec<Listed>, S::Error> {
    let dir = crate::team::directory(&session.store, server).await?;
    let folder = class_folder(session.preset(), class)?;
    let fetched = server.fetch(&folder, class, which).await?;
    let identity = session.store.identity();
    Ok(fetched
        .into_iter()
        .map(|f| Listed { uid: f.uid, record: shared_record::open(&f.sealed, identity, &dir) })
        .collect())
}

/// Removes one record now, by its id: for records kept "until" something happens (an address
/// until the literature is sent). Returns whether it was there.
pub async fn remove<S: RecordStore>(session: &Session, server: &S, class: &str, id: &str) -> Result<bool, S::Error> {
    let folder = class_folder(session.preset(), class)?;
    server.remove(&folder, class, id).await
}
