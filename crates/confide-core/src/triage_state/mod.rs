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
//! gets the moves made before them in one entry from the manager who adds them. `follow.rs`
//! resolves what a desktop can open; `compact.rs` keeps the folder the size of the live
//! conversations (a manager's snapshots, and entries about expired conversations removed).

mod compact;
mod follow;
mod local;
mod resolve;

use serde::{Deserialize, Serialize};

pub use compact::{compact, Compacted};
pub use follow::follow;
use follow::{covered, thread_key, trusted_entries, Trusted};
pub use resolve::{fold, fold_conversation, Author, Triage};

use crate::conversations::Status;
use crate::policy::RoleKind;
use crate::record_store::{self as records, RecordStore};
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
    /// Kept out of the open list until `until` (unix seconds; `None` wakes it now), for the
    /// whole line: "come back to this on ...". `at` is when it was snoozed: mail that came in
    /// after it wakes the conversation on every desktop.
    Snooze {
        until: Option<i64>,
        at: i64,
    },
    /// An internal note for the line's staff, never sent to the service user; `mentions` are
    /// the encryption-key fingerprints of the colleagues it names (`@work name`).
    Note {
        text: String,
        mentions: Vec<String>,
    },
    /// A reply by someone whose replies are reviewed, waiting for a team leader or manager of
    /// the line (`crate::review`). `draft` names it across its decision.
    ForReview {
        draft: String,
        text: String,
        /// The library's leaflets it attaches, by id.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        leaflets: Vec<String>,
    },
    /// A team leader's or manager's decision on a draft: the first one counts.
    Review {
        draft: String,
        decision: crate::review::Decision,
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
    /// A manager's summary of a conversation's claim, status and risk flags, standing for the
    /// entries it names (`covers`, by record id), which are then removed from the server: the
    /// folder's size follows the live conversations, not their history (`compact`).
    Snapshot {
        assignee: Option<String>,
        status: Option<Status>,
        risks: std::collections::BTreeSet<String>,
        covers: Vec<String>,
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

/// The decisions that stand, from what this desktop can open: the last line move of each
/// thread and the last hold of each conversation, each with its author's signing key.
struct Standing {
    moves: std::collections::BTreeMap<String, (ThreadRef, String, String)>,
    holds: std::collections::BTreeMap<String, (ThreadRef, bool, String)>,
}

async fn standing<S: RecordStore>(session: &Session, server: &S, dir: &Directory) -> Result<Standing, S::Error> {
    let mut out = Standing { moves: Default::default(), holds: Default::default() };
    for t in trusted_entries(session, server, dir).await? {
        if !t.current {
            continue;
        }
        let by = t.author.signing_key.clone();
        match t.entry.change {
            Change::Line { line } if session.preset().may_route(t.author.role) => {
                out.moves.insert(thread_key(&t.entry.thread), (t.entry.thread, line, by));
            }
            Change::Moves { moves } if t.author.role == RoleKind::Manager => {
                for (thread, line) in moves {
                    out.moves.insert(thread_key(&thread), (thread, line, by.clone()));
                }
            }
            Change::Hold { held } if t.author.role == RoleKind::Manager => {
                out.holds.insert(thread_key(&t.entry.thread), (t.entry.thread, held, by));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Seals `moves` (one entry) and each held conversation (an entry each) to `keys` again.
async fn reseal<S: RecordStore>(
    session: &Session,
    server: &S,
    keys: &[String],
    moves: Vec<(ThreadRef, String)>,
    holds: Vec<ThreadRef>,
) -> Result<usize, S::Error> {
    let kept = moves.len() + holds.len();
    if !moves.is_empty() {
        let entry = Entry { thread: ThreadRef::default(), change: Change::Moves { moves } };
        seal_and_keep(session, server, crate::policy::NOT_ON_A_LINE, keys, &entry).await?;
    }
    for thread in holds {
        let entry = Entry { thread, change: Change::Hold { held: true } };
        seal_and_keep(session, server, crate::policy::NOT_ON_A_LINE, keys, &entry).await?;
    }
    Ok(kept)
}

/// Gives a member just added the decisions made before them, sealed to them and the managers:
/// the line moves (so their desktop passes over, or fetches, moved threads from its first
/// sync) and the holds that stand (so their retention never sweeps held mail).
pub(crate) async fn share_standing<S: RecordStore>(
    session: &Session,
    server: &S,
    member: &team::Member,
) -> Result<(), S::Error> {
    let store = &session.store;
    let dir = with_me(session, team::directory(store, server).await?)?;
    let now = standing(session, server, &dir).await?;
    let moves = now.moves.into_values().map(|(thread, line, _)| (thread, line)).collect();
    let holds = now.holds.into_values().filter(|(_, held, _)| *held).map(|(thread, _, _)| thread).collect();
    let mut keys = dir.recipients(Some(RoleKind::Manager), None);
    keys.push(member.age_recipient.clone());
    keys.push(store.identity().recipient().to_string());
    reseal(session, server, &keys, moves, holds).await?;
    Ok(())
}

/// Before a member leaves, the manager removing them signs again the decisions of theirs that
/// still stand (see [`Standing`]), sealed to the whole team. A leaver's entries stop counting
/// (their key may outlive their job), and without this a colleague added later would store a
/// thread they had moved off that line, and a hold they had placed would stop keeping its
/// conversation. Returns how many decisions were kept.
pub(crate) async fn adopt_standing<S: RecordStore>(
    session: &Session,
    server: &S,
    leaver: &str,
) -> Result<usize, S::Error> {
    let store = &session.store;
    let dir = with_me(session, team::directory(store, server).await?)?;
    let now = standing(session, server, &dir).await?;
    let moves = now.moves.into_values().filter(|(_, _, by)| by == leaver).map(|(t, line, _)| (t, line)).collect();
    let holds = now.holds.into_values().filter(|(_, held, by)| *held && by == leaver).map(|(t, _, _)| t).collect();
    let mut keys = dir.recipients(None, None);
    keys.push(store.identity().recipient().to_string());
    reseal(session, server, &keys, moves, holds).await
}
