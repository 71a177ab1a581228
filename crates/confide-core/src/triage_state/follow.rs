//! Following the triage state: every entry this desktop can open and trust, resolved per
//! conversation (a manager's snapshot as its base), and set on the local conversations.

use super::{fold, fold_conversation, local, with_me, Author, Change, Entry, Place, ThreadRef, Triage};
use crate::policy::RoleKind;
use crate::record_store::{self as records, RecordStore, Which};
use crate::shared_record;
use crate::staff::Session;
use crate::team::{self, Directory};

/// A state entry this desktop could open and trust: its author, whether they are still a
/// member (a leaver's manager role ended with them), and its record's id and date.
pub(super) struct Trusted {
    pub(super) entry: Entry,
    pub(super) author: team::Member,
    pub(super) current: bool,
    pub(super) id: String,
    pub(super) created_at: i64,
}

impl Trusted {
    /// Whether this is a snapshot that counts: a manager's, even one who has left since (the
    /// entries it stands for are gone from the server, so it must outlive its author's role).
    pub(super) fn snapshot_covers(&self) -> Option<&[String]> {
        match &self.entry.change {
            Change::Snapshot { covers, .. } if self.author.role == RoleKind::Manager => Some(covers),
            _ => None,
        }
    }
}

/// The ids of the entries that trusted snapshots stand for.
pub(super) fn covered(trusted: &[Trusted]) -> std::collections::HashSet<&str> {
    trusted.iter().filter_map(Trusted::snapshot_covers).flatten().map(String::as_str).collect()
}

/// Every state entry this desktop can open and trust, in the store's order.
pub(super) async fn trusted_entries<S: RecordStore>(
    session: &Session,
    server: &S,
    dir: &Directory,
) -> Result<Vec<Trusted>, S::Error> {
    let store = &session.store;
    let folder = records::class_folder(session.preset(), super::STATE_CLASS)?;
    let mut fetched = server.fetch(&folder, super::STATE_CLASS, Which::Small).await?;
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
        let (id, created_at) = (record.header.id.clone(), record.header.created_at);
        out.push(Trusted { entry, author: author.clone(), current, id, created_at });
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
    // Each conversation's entries, by who wrote them, resolved once all are read: a snapshot
    // is its base wherever it stands in the folder.
    let mut held_here: std::collections::BTreeMap<i64, Vec<(String, bool, bool, Change)>> = Default::default();
    // Threads this desktop does not hold that a move put on a line: the last move of each.
    let mut arriving: std::collections::BTreeMap<String, (ThreadRef, String)> = Default::default();
    // Other lines' conversations, by their oldest place: every place named, and the hold.
    let mut elsewhere: std::collections::BTreeMap<Place, (Vec<Place>, Triage)> = Default::default();
    let trusted = trusted_entries(session, server, &dir).await?;
    let covered = covered(&trusted);
    let me = store.identity().fingerprint();
    let mut notes = vec![];
    let mut reviews = vec![];
    for t in &trusted {
        if covered.contains(t.id.as_str())
            || (matches!(t.entry.change, Change::Snapshot { .. }) && t.snapshot_covers().is_none())
        {
            continue;
        }
        let by = team::age_fingerprint(&t.author.age_recipient);
        let manager = t.author.role == RoleKind::Manager && t.current;
        let routes = t.current && session.preset().may_route(t.author.role);
        let author = Author { fingerprint: &by, manager, routes };
        if let Change::Note { text, mentions } = &t.entry.change {
            if let Some(conversation) = local::conversation_of(store, &t.entry.thread).await? {
                let mentions_me = by != me && mentions.contains(&me);
                let (id, at) = (t.id.clone(), t.created_at);
                notes.push(local::Note { id, conversation, author: by.clone(), at, text: text.clone(), mentions_me });
            }
            continue;
        }
        if let Change::ForReview { .. } | Change::Review { .. } = &t.entry.change {
            if let Some(conversation) = local::conversation_of(store, &t.entry.thread).await? {
                reviews.push(crate::review::Seen {
                    conversation,
                    change: t.entry.change.clone(),
                    by: t.author.clone(),
                    current: t.current,
                    at: t.created_at,
                });
            }
            continue;
        }
        let changes = match &t.entry.change {
            Change::Moves { moves } if manager => {
                moves.iter().map(|(thread, line)| (thread.clone(), Change::Line { line: line.clone() })).collect()
            }
            Change::Moves { .. } => vec![],
            change => vec![(t.entry.thread.clone(), change.clone())],
        };
        for (thread, change) in changes {
            if change == Change::Authored {
                if let Some(reply) = thread.message_ids.first() {
                    local::set_author(store, reply, &by).await?;
                }
                continue;
            }
            match local::conversation_of(store, &thread).await? {
                Some(conversation) => {
                    held_here.entry(conversation).or_default().push((by.clone(), manager, routes, change))
                }
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
    let state: std::collections::BTreeMap<i64, Triage> = held_here
        .iter()
        .map(|(c, entries)| {
            let entries: Vec<(Author<'_>, &Change)> = entries
                .iter()
                .map(|(by, manager, routes, change)| {
                    (Author { fingerprint: by, manager: *manager, routes: *routes }, change)
                })
                .collect();
            (*c, fold_conversation(&entries, &categories))
        })
        .collect();
    let noted = local::keep_notes(store, &notes).await? + crate::review::keep(store, &reviews).await?;
    let held_elsewhere: Vec<Place> =
        elsewhere.into_values().filter(|(_, t)| t.held).flat_map(|(places, _)| places).collect();
    let visible = session.visible_lines();
    let (here, away): (Vec<_>, Vec<_>) = arriving.into_values().partition(|(_, line)| visible.contains(line));
    Ok(local::apply(store, &state, &held_elsewhere, (&here, &away), &visible).await? + noted)
}

/// One key per thread, whichever desktop wrote about it: its oldest Message-ID named, else its
/// first place.
pub(super) fn thread_key(thread: &ThreadRef) -> String {
    match (thread.id_hashes.last().or(thread.message_ids.last()), thread.places.first()) {
        (Some(id), _) => id.clone(),
        (None, Some((folder, uv, uid))) => format!("{folder}\n{uv}\n{uid}"),
        (None, None) => String::new(),
    }
}
