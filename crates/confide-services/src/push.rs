//! New mail within seconds: an IDLE watch per shared mailbox (confide-mail does the IMAP), a
//! change waking one sync and `inbox_changed`; a second watch on the state folder follows
//! colleagues' claims, status and flags without a sync. A conversation a colleague has claimed
//! from this person is told in a notification that names the colleague and nothing else.

use std::time::Duration;

use confide_core::accounts::{self, AccountKind};
use confide_core::Store;
use confide_mail::idle::{watch, Watch, WatchEvent};
use confide_mail::records::ImapRecords;
use confide_mail::sync::sync_account;
use confide_mail::MailError;
use tokio::sync::{mpsc, Mutex};

use crate::EventSink;

/// Changes that arrive this close together are one sync.
const SETTLE: Duration = Duration::from_millis(300);

/// Starts watching every shared mailbox, once; later calls do nothing.
pub async fn ensure_watching(
    events: &EventSink,
    store: &Store,
    watches: &Mutex<Option<Vec<Watch>>>,
) -> Result<(), MailError> {
    let mut guard = watches.lock().await;
    if guard.is_some() {
        return Ok(());
    }
    let (tx, rx) = mpsc::unbounded_channel::<()>();
    let (state_tx, state_rx) = mpsc::unbounded_channel::<()>();
    let mut started = Vec::new();
    for account in accounts::list(store).await?.into_iter().filter(|a| a.kind == AccountKind::Shared) {
        let Ok(secret) = confide_mail::connect::account_secret(store, &account) else {
            continue;
        };
        let tx = tx.clone();
        started.push(watch(account.clone(), secret.clone(), "INBOX".into(), move |event| match event {
            WatchEvent::Changed => {
                let _ = tx.send(());
            }
            WatchEvent::Disconnected { error, retry_in } => {
                tracing::warn!(retry_in_s = retry_in.as_secs(), "the push connection dropped: {}", error.kind());
            }
        })?);
        let state_tx = state_tx.clone();
        started.push(watch(account, secret, "Confide/State".into(), move |event| {
            if let WatchEvent::Changed = event {
                let _ = state_tx.send(());
            }
        })?);
    }
    *guard = Some(started);
    tokio::spawn(follow_mail(events.clone(), store.clone(), rx));
    tokio::spawn(follow_state(events.clone(), store.clone(), state_rx));
    Ok(())
}

/// Waits for a burst of changes to end, and swallows it.
async fn settled(rx: &mut mpsc::UnboundedReceiver<()>) -> bool {
    if rx.recv().await.is_none() {
        return false;
    }
    tokio::time::sleep(SETTLE).await;
    while rx.try_recv().is_ok() {}
    true
}

async fn follow_mail(events: EventSink, store: Store, mut rx: mpsc::UnboundedReceiver<()>) {
    while settled(&mut rx).await {
        let mine = confide_core::inbox::claimed_by_me(&store).await.unwrap_or_default();
        let changed = sync_shared(&store).await;
        if changed > 0 {
            events.inbox_changed(changed);
        }
        notify_taken_over(&events, &store, &mine).await;
        notify_mentions(&events, &store).await;
        notify_decisions(&events, &store).await;
    }
}

/// Tells someone whose replies are reviewed what became of one, naming the conversation by its
/// line and number only.
async fn notify_decisions(events: &EventSink, store: &Store) {
    let decided = match confide_core::review::take_decided(store).await {
        Ok(d) => d,
        Err(e) => return tracing::warn!("reviews could not be checked for decisions: {e}"),
    };
    let preset = confide_core::staff::active_preset(store).await.ok();
    for (conversation, line, approved) in decided {
        let line = preset
            .as_ref()
            .and_then(|p| p.lines.iter().find(|l| l.id == line))
            .map_or(line.clone(), |l| l.name.clone());
        let title =
            if approved { "Your reply was approved and sent" } else { "Your reply was returned with a comment" };
        events.notify(title, &format!("{line}, conversation {conversation}. Open Confide to read it."));
    }
}

/// Syncs every shared mailbox; how many conversations' messages came or went.
async fn sync_shared(store: &Store) -> usize {
    let mut changed = 0;
    let shared = accounts::list(store).await.unwrap_or_default().into_iter().filter(|a| a.kind == AccountKind::Shared);
    for account in shared {
        match sync_account(store, &account, &|_| {}).await {
            Ok(r) => changed += r.added + r.removed,
            Err(e) => tracing::warn!("a sync after a push failed: {}", e.kind()),
        }
    }
    changed
}

/// Follows the triage state each time the state folder changes: a colleague's claim shows
/// within seconds, with no mail sync. A line move that puts a thread on this desktop's lines
/// needs its mail: then a sync fetches it.
async fn follow_state(events: EventSink, store: Store, mut rx: mpsc::UnboundedReceiver<()>) {
    while settled(&mut rx).await {
        let Ok(session) = confide_core::staff::session(&store).await else { continue };
        let mine = confide_core::inbox::claimed_by_me(&store).await.unwrap_or_default();
        let mut changed = match confide_core::triage_state::follow(&session, &ImapRecords::of(&store)).await {
            Ok(changed) => changed,
            Err(e) => {
                tracing::warn!("the triage state could not be followed: {}", e.kind());
                continue;
            }
        };
        if !confide_core::mailstore::wanted_places(&store).await.unwrap_or_default().is_empty() {
            changed += sync_shared(&store).await;
        }
        changed += send_approved(&session).await;
        if changed > 0 {
            events.inbox_changed(changed);
            notify_taken_over(&events, &store, &mine).await;
        }
        notify_mentions(&events, &store).await;
        notify_decisions(&events, &store).await;
    }
}

/// Sends the replies this desktop approved whose approval counts and that are not queued yet
/// (an approval interrupted before its reply was queued); returns how many went.
async fn send_approved(session: &confide_core::staff::Session) -> usize {
    let queued = match confide_mail::review::queue_approved(session).await {
        Ok(q) => q,
        Err(e) => {
            tracing::warn!("approved replies could not be queued: {}", e.kind());
            return 0;
        }
    };
    let mut sent = 0;
    for id in queued {
        match confide_mail::reply::deliver(session, id).await {
            Ok(None) => sent += 1,
            Ok(Some(_)) => tracing::warn!("an approved reply is waiting in the outbox to be sent again"),
            Err(e) => tracing::warn!("an approved reply could not be sent: {}", e.kind()),
        }
    }
    sent
}

/// Tells the person when a colleague has claimed a conversation they had claimed, so two
/// people do not answer one caller.
async fn notify_taken_over(events: &EventSink, store: &Store, mine: &[i64]) {
    let taken = match confide_core::inbox::taken_over(store, mine).await {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => return,
        Err(e) => return tracing::warn!("claims could not be compared after a sync: {e}"),
    };
    let names = confide_core::team::known_names(store, &ImapRecords::of(store)).await.unwrap_or_default();
    for (_, colleague) in taken {
        let who = names.get(&colleague).map_or("A colleague", String::as_str);
        let body = format!("{who} has claimed it now. Open Confide to see which.");
        events.notify("A conversation you claimed was taken over", &body);
    }
}

/// Tells the person a colleague's note mentions them, naming the conversation only by its line
/// and number (a notification can be read over a shoulder, or from a locked screen).
async fn notify_mentions(events: &EventSink, store: &Store) {
    let mentions = match confide_core::notes::take_mentions(store).await {
        Ok(m) => m,
        Err(e) => return tracing::warn!("notes could not be checked for mentions: {e}"),
    };
    let preset = confide_core::staff::active_preset(store).await.ok();
    for (conversation, line) in mentions {
        let line = preset
            .as_ref()
            .and_then(|p| p.lines.iter().find(|l| l.id == line))
            .map_or(line.clone(), |l| l.name.clone());
        events.notify(
            "A colleague mentioned you in a note",
            &format!("{line}, conversation {conversation}. Open Confide to read it."),
        );
    }
}
