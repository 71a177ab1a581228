//! The shared triage state: claims, status and risk flags as signed entries in the record store
//! (`Confide/State` on the shared mailbox), each sealed to the staff of its conversation's line
//! (or, before the team directory exists, to its author alone), and resolved the same way on
//! every desktop: in the store's order, the first claim wins. The server needs nothing but
//! APPEND and FETCH, so it works where keywords are refused (Exchange Online), and it holds no
//! readable triage metadata: outside the encryption a state entry shows its class and date.
//! Legal holds and line moves are still keywords (`mailstore`).

mod local;
mod resolve;

use serde::{Deserialize, Serialize};

pub use resolve::{fold, Author, Triage};

use crate::conversations::Status;
use crate::policy::RoleKind;
use crate::record_store::{self as records, RecordStore, Which};
use crate::shared_record;
use crate::staff::Session;
use crate::team::{self, Directory};
use crate::CoreError;

/// The class of state entries (not a retention class: entries go with their conversation).
pub const STATE_CLASS: &str = "state";

/// One change to a conversation's triage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    Claim,
    Release,
    Status { status: Status },
    Risk { category: String, raised: bool },
}

/// Which conversation an entry is about, as any desktop holding it can find it: its messages'
/// Message-IDs, and their places in the shared mailbox (folder, UIDVALIDITY, UID) for mail
/// that has none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadRef {
    pub message_ids: Vec<String>,
    pub places: Vec<(String, u32, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    thread: ThreadRef,
    change: Change,
}

/// The directory state entries are sealed to and opened against: before a team exists, this
/// desktop alone (its entries are then its own to read, and no colleague is known to share
/// them with).
fn directory_or_me(session: &Session, dir: Directory) -> Result<Directory, CoreError> {
    if !dir.members.is_empty() {
        return Ok(dir);
    }
    Ok(Directory { members: vec![team::card(session)?], ..Directory::default() })
}

/// Records `change` to an email conversation for every desktop on its line, then follows the
/// state (so a claim that lost a race shows the colleague who won it). A claim of a
/// conversation a colleague holds is refused, unless a manager makes it: they release it first.
pub async fn record<S: RecordStore>(
    session: &Session,
    server: &S,
    conversation_id: i64,
    change: Change,
) -> Result<(), S::Error> {
    let store = &session.store;
    let (thread, line, assignee) = local::about(store, conversation_id).await?;
    if thread.message_ids.is_empty() && thread.places.is_empty() {
        return Err(CoreError::Invalid(
            "this conversation is not on the shared mailbox, so it cannot be marked there".into(),
        )
        .into());
    }
    let me = store.identity().fingerprint();
    if let (Change::Claim, Some(holder)) = (&change, &assignee) {
        if *holder != me && session.profile.role != RoleKind::Manager {
            let dir = team::directory(store, server).await?;
            let who = team::names(&dir).get(holder).cloned().unwrap_or_else(|| "a colleague".into());
            return Err(CoreError::Invalid(format!(
                "{who} has this conversation; they release it before anyone else can claim it"
            ))
            .into());
        }
    }
    let dir = directory_or_me(session, team::directory(store, server).await?)?;
    let mut keys = dir.recipients(None, Some(&line));
    keys.push(store.identity().recipient().to_string());
    keys.sort();
    keys.dedup();
    let recipients: Vec<confide_vault::Recipient> = keys.iter().filter_map(|k| k.parse().ok()).collect();
    let body = serde_json::to_vec(&Entry { thread, change }).expect("entries serialise");
    let now = store.now_ts();
    records::put_to(session, server, STATE_CLASS, Some(&line), now, &body, None, &recipients).await?;
    follow(session, server).await?;
    Ok(())
}

/// Reads every state entry this desktop may open, resolves them in the store's order, and
/// sets each conversation's claim, status and risk flags here. Returns how many conversations
/// it set. A step of sync's, after the mail.
pub async fn follow<S: RecordStore>(session: &Session, server: &S) -> Result<usize, S::Error> {
    let store = &session.store;
    let dir = directory_or_me(session, team::directory(store, server).await?)?;
    let folder = records::class_folder(session.preset(), STATE_CLASS)?;
    let mut fetched = server.fetch(&folder, STATE_CLASS, Which::Small).await?;
    fetched.sort_by_key(|f| f.uid);
    let categories: Vec<&str> = session.preset().exceptions.iter().map(|c| c.id.as_str()).collect();
    let mut state: std::collections::BTreeMap<i64, Triage> = Default::default();
    for f in fetched {
        // Another line's entries, or one not trusted: nothing of them is used.
        let Ok(record) = shared_record::open(&f.sealed, store.identity(), &dir) else { continue };
        let Ok(entry) = serde_json::from_slice::<Entry>(&record.body) else { continue };
        let Some(conversation) = local::conversation_of(store, &entry.thread).await? else { continue };
        let Some(author) = dir.members.iter().chain(&dir.removed).find(|m| m.signing_key == record.header.author)
        else {
            continue;
        };
        let by = team::age_fingerprint(&author.age_recipient);
        // A leaver's manager role ended with them.
        let manager =
            author.role == RoleKind::Manager && dir.members.iter().any(|m| m.signing_key == author.signing_key);
        fold(state.entry(conversation).or_default(), Author { fingerprint: &by, manager }, &entry.change, &categories);
    }
    Ok(local::apply(store, &state).await?)
}
