//! The shared triage state: claims, status and risk flags as signed entries in the record store
//! (`Confide/State` on the shared mailbox), each sealed to the staff of its conversation's line
//! and its author (before the directory lists anyone, to its author alone), and resolved the same way on
//! every desktop: in the store's order, the first claim wins. The server needs nothing but
//! APPEND and FETCH, so it works where keywords are refused (Exchange Online), and it holds no
//! readable triage metadata: outside the encryption a state entry shows its class and date.
//! Who wrote each reply, legal holds and line moves are entries too. A move is sealed to the
//! whole team and names the thread by hashed Message-IDs and places only (no sender's domain
//! for other lines' staff): a desktop whose lines gain the conversation learns where to fetch
//! it, one whose lines do not learns to pass it over (`mailstore::lines`). A member added later
//! gets the moves made before them in one entry from the manager who adds them.

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
pub const STATE_CLASS: &str = crate::record_store::classes::STATE;

/// One change to a conversation's triage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    Claim,
    Release,
    Status {
        status: Status,
    },
    Risk {
        category: String,
        raised: bool,
    },
    /// The entry's author wrote the reply the thread reference's first Message-ID names (for
    /// quality sampling).
    Authored,
    /// A legal hold placed or lifted (counts only from a manager). Sealed to the whole team,
    /// and naming the conversation by its places alone (no Message-ID, which can name a
    /// sender's domain): every desktop's retention must leave it alone, another line's too.
    Hold {
        held: bool,
    },
    /// Put on another service line (a manager's move, or a router's first routing).
    Line {
        line: String,
    },
    /// The line moves made before a member joined, for them: each applies as a `Line` by the
    /// manager who added them.
    Moves {
        moves: Vec<(ThreadRef, String)>,
    },
}

/// A message's place in the shared mailbox: folder, UIDVALIDITY, UID.
type Place = (String, u32, u32);

/// Which conversation an entry is about, as any desktop holding it can find it: its messages'
/// Message-IDs, and their places in the shared mailbox (folder, UIDVALIDITY, UID) for mail
/// that has none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadRef {
    pub message_ids: Vec<String>,
    pub places: Vec<Place>,
    /// SHA-256 of the Message-IDs, where the entry is sealed beyond the conversation's line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_hashes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    thread: ThreadRef,
    change: Change,
}

/// The directory state entries are sealed to and opened against, with this desktop in it even
/// before the team lists it (before the team exists, or before a manager has added this
/// person): its own entries are then its own to read, signed by a key it holds, and no
/// colleague's desktop trusts them until the directory lists it.
fn with_me(session: &Session, mut dir: Directory) -> Result<Directory, CoreError> {
    let me = team::card(session)?;
    if !dir.members.iter().any(|m| m.signing_key == me.signing_key) {
        dir.members.push(me);
    }
    Ok(dir)
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
    if let Change::Hold { .. } = change {
        return record_hold(session, server, thread, &line, change).await;
    }
    if let Change::Line { line: to } = change.clone() {
        let hashed = ThreadRef {
            id_hashes: thread.message_ids.iter().map(|id| crate::mailstore::id_hash(id)).collect(),
            message_ids: vec![],
            places: thread.places,
        };
        let dir = with_me(session, team::directory(store, server).await?)?;
        let mut keys = dir.recipients(None, None);
        keys.push(store.identity().recipient().to_string());
        seal_and_keep(session, server, &to, &keys, &Entry { thread: hashed, change }).await?;
        follow(session, server).await?;
        return Ok(());
    }
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
    write(session, server, &line, Entry { thread, change }).await?;
    follow(session, server).await?;
    Ok(())
}

/// A hold is the whole team's: it needs the directory, with this person in it as a manager, so
/// every desktop trusts it; and it names the conversation by its places, oldest first.
async fn record_hold<S: RecordStore>(
    session: &Session,
    server: &S,
    mut thread: ThreadRef,
    line: &str,
    change: Change,
) -> Result<(), S::Error> {
    let store = &session.store;
    let dir = team::directory(store, server).await?;
    let me = store.vault().signing_key().map_err(CoreError::from)?.public_hex();
    if !dir.members.iter().any(|m| m.signing_key == me && m.role == RoleKind::Manager) {
        return Err(CoreError::Invalid(
            "a legal hold must hold on every desktop, so it needs the team directory with you in it as a manager \
             (the Team screen)"
                .into(),
        )
        .into());
    }
    thread.message_ids.clear();
    thread.places.sort_by_key(|(folder, uidvalidity, uid)| (*uid, *uidvalidity, folder.clone()));
    let mut keys = dir.recipients(None, None);
    keys.push(store.identity().recipient().to_string());
    seal_and_keep(session, server, line, &keys, &Entry { thread, change }).await?;
    follow(session, server).await?;
    Ok(())
}

/// Records that this person wrote the reply with this Message-ID, in its conversation: the
/// managers' quality sample names its advisor from it.
pub async fn record_authored<S: RecordStore>(
    session: &Session,
    server: &S,
    conversation_id: i64,
    message_id: &str,
) -> Result<(), S::Error> {
    let (_, line, _) = local::about(&session.store, conversation_id).await?;
    let thread = ThreadRef { message_ids: vec![message_id.to_owned()], ..ThreadRef::default() };
    write(session, server, &line, Entry { thread, change: Change::Authored }).await?;
    Ok(())
}

/// Seals an entry to the staff of `line` (and its author) and keeps it.
async fn write<S: RecordStore>(session: &Session, server: &S, line: &str, entry: Entry) -> Result<(), S::Error> {
    let store = &session.store;
    let dir = with_me(session, team::directory(store, server).await?)?;
    let mut keys = dir.recipients(None, Some(line));
    keys.push(store.identity().recipient().to_string());
    seal_and_keep(session, server, line, &keys, &entry).await
}

async fn seal_and_keep<S: RecordStore>(
    session: &Session,
    server: &S,
    line: &str,
    keys: &[String],
    entry: &Entry,
) -> Result<(), S::Error> {
    let mut keys = keys.to_vec();
    keys.sort();
    keys.dedup();
    let recipients: Vec<confide_vault::Recipient> = keys.iter().filter_map(|k| k.parse().ok()).collect();
    let body = serde_json::to_vec(entry).expect("entries serialise");
    let now = session.store.now_ts();
    records::put_to(session, server, STATE_CLASS, Some(line), now, &body, None, &recipients).await?;
    Ok(())
}

/// Every state entry this desktop can open and trust, in the store's order, with its author
/// and whether they are still a member (a leaver's manager role ended with them).
async fn trusted_entries<S: RecordStore>(
    session: &Session,
    server: &S,
    dir: &Directory,
) -> Result<Vec<(Entry, team::Member, bool)>, S::Error> {
    let store = &session.store;
    let folder = records::class_folder(session.preset(), STATE_CLASS)?;
    let mut fetched = server.fetch(&folder, STATE_CLASS, Which::Small).await?;
    fetched.sort_by_key(|f| f.uid);
    let mut out = vec![];
    for f in fetched {
        // Another line's entries, or one not trusted: nothing of them is used.
        let Ok(record) = shared_record::open(&f.sealed, store.identity(), dir) else { continue };
        let Ok(entry) = serde_json::from_slice::<Entry>(&record.body) else { continue };
        let Some(author) = dir.members.iter().chain(&dir.removed).find(|m| m.signing_key == record.header.author)
        else {
            continue;
        };
        let current = dir.members.iter().any(|m| m.signing_key == author.signing_key);
        out.push((entry, author.clone(), current));
    }
    Ok(out)
}

/// Reads every state entry this desktop may open, resolves them in the store's order, and
/// sets each conversation's claim, status and risk flags here. Returns how many conversations
/// it set. A step of sync's, after the mail.
pub async fn follow<S: RecordStore>(session: &Session, server: &S) -> Result<usize, S::Error> {
    let store = &session.store;
    let dir = with_me(session, team::directory(store, server).await?)?;
    let categories: Vec<&str> = session.preset().exceptions.iter().map(|c| c.id.as_str()).collect();
    let mut state: std::collections::BTreeMap<i64, Triage> = Default::default();
    // Threads this desktop does not hold that a move put on a line: the last move of each.
    let mut arriving: std::collections::BTreeMap<String, (ThreadRef, String)> = Default::default();
    // Other lines' conversations, by their oldest place: every place named, and the hold.
    let mut elsewhere: std::collections::BTreeMap<Place, (Vec<Place>, Triage)> = Default::default();
    for (entry, author, current) in trusted_entries(session, server, &dir).await? {
        let by = team::age_fingerprint(&author.age_recipient);
        let manager = author.role == RoleKind::Manager && current;
        let routes = current && session.preset().may_route(author.role);
        let author = Author { fingerprint: &by, manager, routes };
        let changes = match entry.change {
            Change::Moves { moves } if manager => {
                moves.into_iter().map(|(thread, line)| (thread, Change::Line { line })).collect()
            }
            Change::Moves { .. } => vec![],
            change => vec![(entry.thread, change)],
        };
        for (thread, change) in changes {
            if change == Change::Authored {
                if let Some(reply) = thread.message_ids.first() {
                    local::set_author(store, reply, &by).await?;
                }
                continue;
            }
            match local::conversation_of(store, &thread).await? {
                Some(conversation) => fold(state.entry(conversation).or_default(), author, &change, &categories),
                // A thread not held here that a move puts on a line (this one's or another's).
                None => match &change {
                    Change::Line { line } if manager || routes => {
                        arriving.insert(thread_key(&thread), (thread, line.clone()));
                    }
                    // Another line's conversation: only a hold matters here, by its places.
                    Change::Hold { .. } => {
                        let Some(first) = thread.places.first() else { continue };
                        let (places, held) =
                            elsewhere.entry(first.clone()).or_insert_with(|| (vec![], Triage::default()));
                        places.extend(thread.places.iter().cloned());
                        fold(held, author, &change, &categories);
                    }
                    _ => {}
                },
            }
        }
    }
    let held_elsewhere: Vec<Place> =
        elsewhere.into_values().filter(|(_, t)| t.held).flat_map(|(places, _)| places).collect();
    let visible = session.visible_lines();
    let (here, away): (Vec<_>, Vec<_>) = arriving.into_values().partition(|(_, line)| visible.contains(line));
    Ok(local::apply(store, &state, &held_elsewhere, (&here, &away), &visible).await?)
}

/// One key per thread, whichever desktop wrote about it: its oldest Message-ID named, else its
/// first place.
fn thread_key(thread: &ThreadRef) -> String {
    match (thread.id_hashes.last().or(thread.message_ids.last()), thread.places.first()) {
        (Some(id), _) => id.clone(),
        (None, Some((folder, uv, uid))) => format!("{folder}\n{uv}\n{uid}"),
        (None, None) => String::new(),
    }
}

/// Gives a member just added the line moves made before them, in one entry sealed to them and
/// the managers, so their desktop passes over (or fetches) moved threads from its first sync.
pub(crate) async fn share_moves<S: RecordStore>(
    session: &Session,
    server: &S,
    member: &team::Member,
) -> Result<(), S::Error> {
    let store = &session.store;
    let dir = with_me(session, team::directory(store, server).await?)?;
    let mut moves = vec![];
    for (entry, author, current) in trusted_entries(session, server, &dir).await? {
        if !current {
            continue;
        }
        match entry.change {
            Change::Line { line } if session.preset().may_route(author.role) => moves.push((entry.thread, line)),
            Change::Moves { moves: earlier } if author.role == RoleKind::Manager => moves.extend(earlier),
            _ => {}
        }
    }
    if moves.is_empty() {
        return Ok(());
    }
    let mut keys = dir.recipients(Some(RoleKind::Manager), None);
    keys.push(member.age_recipient.clone());
    keys.push(store.identity().recipient().to_string());
    let entry = Entry { thread: ThreadRef::default(), change: Change::Moves { moves } };
    seal_and_keep(session, server, crate::policy::NOT_ON_A_LINE, &keys, &entry).await
}
