//! The retention engine's run: expired email destroyed on the server, then locally.
//!
//! Order, for crash safety: the shared mailbox is brought up to date (sync), personal copies
//! are moved into it (the guard, where the preset covers personal folders), expired messages
//! are expunged from every server folder, and only then are the local copies destroyed. A kill
//! at any point leaves a state the next run completes; nothing that has not expired is
//! touched, because every deletion is tested against the preset's period by the store's clock.

use std::collections::HashSet;

use confide_core::accounts::{self, AccountKind};
use confide_core::policy::Place;
use confide_core::retention::{self, Expired};
use confide_core::retention_record::{self, RecordEntry};
use confide_core::{mailstore, staff, Store};
use serde::Serialize;
use ts_rs::TS;

use crate::expire_server::{expunge_server, locations_of};
use crate::{guard, sync, MailError};
use confide_core::progress::{OnProgress, Progress};

/// What a run did (or, dry, would do).
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct RetentionReport {
    pub dry_run: bool,
    /// The class that was applied and its period, as the preset says.
    pub class: String,
    pub period: String,
    #[ts(type = "number")]
    pub expired_messages: usize,
    #[ts(type = "number")]
    pub local_conversations_removed: usize,
    #[ts(type = "number")]
    pub server_messages_removed: usize,
    /// Expired helpline copies removed from advisors' personal folders (ones the guard could
    /// not move).
    #[ts(type = "number")]
    pub personal_messages_removed: usize,
    /// Shared records (letters, transcripts, referrals...) past their class's period, removed
    /// from their record folders (or, dry, that would be).
    #[ts(type = "number")]
    pub records_removed: usize,
    /// Conversations of other channels kept only on desktops (webchat: the chat's one server
    /// copy is its record) removed from this desktop by their own class (or, dry, that would be).
    #[ts(type = "number")]
    pub chats_removed: usize,
    /// Conversations a manager has put on legal hold: kept, whatever their age.
    #[ts(type = "number")]
    pub held_conversations: usize,
    /// The triage state folder compacted (a manager's run): snapshots written, entries removed.
    pub state: confide_core::triage_state::Compacted,
    pub problems: Vec<String>,
}

/// The steps of a run, in order, as its [`Progress`] words them.
const STEPS: [&str; 6] = [
    "Bringing the shared mailbox up to date",
    "Removing expired records and chats",
    "Finding what has expired",
    "Adding to the anonymous statistics",
    "Removing expired mail from the mail server",
    "Removing expired mail from this computer",
];

/// One retention run for email (the class named `email` in the active preset).
pub async fn run(store: &Store, dry_run: bool) -> Result<RetentionReport, MailError> {
    run_with_progress(store, dry_run, &|_| {}).await
}

/// As [`run`], telling `progress` as each step begins (the app shows it; a run over a year of
/// mail takes seconds to minutes).
pub async fn run_with_progress(
    store: &Store,
    dry_run: bool,
    progress: OnProgress<'_>,
) -> Result<RetentionReport, MailError> {
    let mut phase = Phases::start(progress);
    let preset = staff::active_preset(store).await?;
    let Some(class) = retention::class_for_channel(&preset.retention, "email").cloned() else {
        return Ok(RetentionReport {
            dry_run,
            class: "email".into(),
            period: "no retention class in this policy".into(),
            ..Default::default()
        });
    };
    let mut report =
        RetentionReport { dry_run, class: class.id.clone(), period: class.period.to_string(), ..Default::default() };
    let shared: Vec<_> = accounts::list(store).await?.into_iter().filter(|a| a.kind == AccountKind::Shared).collect();
    // Syncing changes nothing on the server, so a dry run does it too: its answer is then
    // about the mailbox as it is.
    // Set when the shared mailbox cannot be brought up to date or cleared: then nothing is
    // destroyed locally (the next sync would bring it back). Personal mailboxes' problems are
    // reported but block nothing else.
    let mut blocked = false;
    for account in &shared {
        if let Err(e) = sync::sync_account(store, account, &|_| {}).await {
            blocked = true;
            report.problems.push(format!("The shared mailbox could not be brought up to date first ({}); its server copies will be removed on the next run.", e.kind()));
        }
    }
    if !dry_run && class.delete_from.iter().any(|p| matches!(p, Place::PersonalSent | Place::PersonalDeleted)) {
        let all = accounts::list(store).await?;
        match guard::shared_identity(store, &all).await {
            Ok((shared_account, identity)) => {
                let identity = std::sync::Arc::new(identity);
                match guard::run_with(store, &all, &shared_account, identity.clone()).await {
                    Ok(g) => report.problems.extend(g.problems),
                    Err(e) => report.problems.push(format!("Personal mailboxes could not be checked: {}.", e.kind())),
                }
                expire_personal_copies(store, &class, &all, &identity, &mut report).await?;
            }
            Err(e) => report.problems.push(format!("Personal mailboxes could not be checked: {}.", e.kind())),
        }
    }
    phase.next("sync and guard");
    expire_records(store, preset, dry_run, &mut report).await?;
    expire_local_channels(store, preset, dry_run, &mut report).await?;
    phase.next("record folders and chats");
    let expired = retention::expired_email(store, preset, &class).await?;
    report.expired_messages = expired.len();
    let (held, held_at) = retention::hold::held(store).await?;
    report.held_conversations = held;
    phase.next("find expired");
    if dry_run {
        return Ok(report);
    }
    // Counted before the server is touched: see `retention::count_expiring`.
    if !blocked {
        retention::count_expiring(store, &class, &expired).await?;
    }
    phase.next("statistics");
    if class.delete_from.contains(&Place::SharedMailbox) && !blocked {
        let now = store.clock().now();
        for account in &shared {
            let password = crate::connect::account_secret(store, account)?;
            let mine: Vec<&Expired> = expired.iter().collect();
            let (acct, period) = (account.clone(), class.period.clone());
            let located = locations_of(&mine, &account.id);
            let keep: HashSet<(String, u32)> =
                held_at.iter().filter(|p| p.account == account.id).map(|p| (p.folder.clone(), p.uid)).collect();
            let decided = mailstore::all_local_uids(store, &account.id).await?;
            let result = tokio::task::spawn_blocking(move || {
                expunge_server(&acct, &password, &located, &keep, &decided, &period, now)
            })
            .await
            .map_err(|_| MailError::Worker)?;
            match result {
                Ok(per_folder) => {
                    for (folder, count) in per_folder.into_iter().filter(|(_, c)| *c > 0) {
                        report.server_messages_removed += count;
                        let entry = RecordEntry {
                            at: store.now_ts(),
                            action: "expired".into(),
                            record_class: Some(class.id.clone()),
                            from_place: format!("shared {folder}"),
                            to_place: String::new(),
                            count: count as i64,
                            oldest: None,
                            newest: None,
                        };
                        retention_record::append(store, &entry).await?;
                    }
                }
                Err(e) => {
                    blocked = true;
                    report.problems.push(format!(
                        "The shared mailbox's expired mail could not all be removed ({}); the next run tries again.",
                        e.kind()
                    ));
                }
            }
        }
    }
    phase.next("server expunge");
    // Local copies go only once the server's have: otherwise the next sync would bring them back.
    if !blocked {
        report.local_conversations_removed = retention::destroy_local(store, &class, &expired).await?.conversations;
    }
    phase.next("local destruction");
    if !shared.is_empty() {
        compact_state(store, &class.period, !blocked, &mut report).await;
    }
    if report.expired_messages > 0 || report.server_messages_removed > 0 || report.personal_messages_removed > 0 {
        let what = format!(
            "{}:{} messages",
            class.id,
            report.expired_messages.max(report.server_messages_removed) + report.personal_messages_removed
        );
        confide_core::audit::append(store, "expired", &what).await?;
    }
    if held > 0 {
        let entry = RecordEntry {
            at: store.now_ts(),
            action: "held".into(),
            record_class: Some(class.id.clone()),
            from_place: String::new(),
            to_place: String::new(),
            count: held as i64,
            oldest: None,
            newest: None,
        };
        retention_record::append(store, &entry).await?;
    }
    // Every run is on the record, so "when did retention last run" always has an answer.
    let entry = RecordEntry {
        at: store.now_ts(),
        action: if report.problems.is_empty() { "run".into() } else { "run_incomplete".into() },
        record_class: Some(class.id.clone()),
        from_place: String::new(),
        to_place: String::new(),
        count: report.expired_messages as i64,
        oldest: None,
        newest: None,
    };
    retention_record::append(store, &entry).await?;
    Ok(report)
}

/// A manager's run also compacts the triage state folder (`triage_state::compact`). A
/// problem there is reported and blocks nothing: the entries stay until the next run.
async fn compact_state(
    store: &Store,
    period: &confide_core::policy::Period,
    synced: bool,
    report: &mut RetentionReport,
) {
    let Ok(session) = staff::session(store).await else { return };
    let server = crate::records::ImapRecords::of(store);
    match confide_core::triage_state::compact(&session, &server, period, synced).await {
        Ok(done) => report.state = done,
        Err(e) => report.problems.push(format!("The shared triage state could not be tidied ({}).", e.kind())),
    }
}

/// Every record class kept in record folders, expired there by its own period. Problems are
/// reported and block nothing else: the next run tries again.
async fn expire_records(
    store: &Store,
    preset: &confide_core::policy::Preset,
    dry_run: bool,
    report: &mut RetentionReport,
) -> Result<(), MailError> {
    let classes: Vec<_> =
        preset.retention.iter().filter(|c| c.delete_from.contains(&Place::RecordFolders)).cloned().collect();
    let Ok(account) = crate::records::shared_account(&accounts::list(store).await?) else { return Ok(()) };
    let now = store.clock().now();
    let password = crate::connect::account_secret(store, &account)?;
    for class in classes {
        let (acct, c, password) = (account.clone(), class.clone(), password.clone());
        let outcome = tokio::task::spawn_blocking(move || {
            crate::expire_records::expire_class(&acct, &password, &c, now, dry_run)
        })
        .await
        .map_err(|_| MailError::Worker)?;
        match outcome {
            Ok(0) => {}
            Ok(n) => {
                report.records_removed += n;
                if !dry_run {
                    let entry = RecordEntry {
                        at: store.now_ts(),
                        action: "expired".into(),
                        record_class: Some(class.id.clone()),
                        from_place: format!("shared {}", class.folder()),
                        to_place: String::new(),
                        count: n as i64,
                        oldest: None,
                        newest: None,
                    };
                    retention_record::append(store, &entry).await?;
                    confide_core::audit::append(store, "expired", &format!("{}:{n} records", class.id)).await?;
                }
            }
            Err(e) => report.problems.push(format!(
                "Expired {} records could not be removed from the server ({}); the next run tries again.",
                class.id,
                e.kind()
            )),
        }
    }
    Ok(())
}

/// Conversations of the channels that live only on desktops (a class named after the channel,
/// other than email, deleted from `local`): expired here by their own class. Their server copy
/// is a record, which `expire_records` has dealt with by the same class.
async fn expire_local_channels(
    store: &Store,
    preset: &confide_core::policy::Preset,
    dry_run: bool,
    report: &mut RetentionReport,
) -> Result<(), MailError> {
    for class in preset.retention.iter().filter(|c| c.id != "email" && c.delete_from.contains(&Place::Local)) {
        if !dry_run {
            report.chats_removed += retention::expire_empty(store, class, &class.id).await?;
        }
        let expired = retention::expired(store, class, &class.id).await?;
        if expired.is_empty() {
            continue;
        }
        if dry_run {
            let mut conversations: Vec<i64> = expired.iter().map(|e| e.conversation_id).collect();
            conversations.sort_unstable();
            conversations.dedup();
            report.chats_removed += conversations.len();
            continue;
        }
        retention::count_expiring(store, class, &expired).await?;
        report.chats_removed += retention::destroy_local(store, class, &expired).await?.conversations;
        confide_core::audit::append(store, "expired", &format!("{}:{} messages", class.id, expired.len())).await?;
    }
    Ok(())
}

/// Expired helpline copies left in personal mailboxes (the guard could not move them) are
/// removed there; each folder's count goes on the record.
async fn expire_personal_copies(
    store: &Store,
    class: &confide_core::policy::RetentionClass,
    all: &[confide_core::accounts::Account],
    identity: &std::sync::Arc<guard::SharedIdentity>,
    report: &mut RetentionReport,
) -> Result<(), MailError> {
    let now = store.clock().now();
    for personal in all.iter().filter(|a| a.kind == AccountKind::Personal) {
        let (password, id, period) =
            (crate::connect::account_secret(store, personal)?, identity.clone(), class.period.clone());
        // Owned, for the blocking thread.
        let personal = personal.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            crate::expire_personal::expire_personal(&personal, &password, &id, &period, now)
        })
        .await
        .map_err(|_| MailError::Worker)?;
        match outcome {
            Ok(per_folder) => {
                for (folder, count) in per_folder {
                    report.personal_messages_removed += count;
                    let entry = RecordEntry {
                        at: store.now_ts(),
                        action: "expired".into(),
                        record_class: Some(class.id.clone()),
                        from_place: format!("personal {folder}"),
                        to_place: String::new(),
                        count: count as i64,
                        oldest: None,
                        newest: None,
                    };
                    retention_record::append(store, &entry).await?;
                }
            }
            Err(e) => report.problems.push(format!(
                "Expired helpline copies in a personal mailbox could not be removed ({}); the next run tries again.",
                e.kind()
            )),
        }
    }
    Ok(())
}

/// Phase timings, logged (counts and seconds only) so a slow run can be explained.
/// The steps of a run: each one's time to the log, the next one's start to the watcher.
struct Phases<'a> {
    since: std::time::Instant,
    step: usize,
    progress: OnProgress<'a>,
}

impl<'a> Phases<'a> {
    fn start(progress: OnProgress<'a>) -> Self {
        let phases = Phases { since: std::time::Instant::now(), step: 0, progress };
        phases.announce();
        phases
    }

    fn announce(&self) {
        if let Some(doing) = STEPS.get(self.step) {
            (self.progress)(Progress {
                step: self.step as u32 + 1,
                of: STEPS.len() as u32,
                doing: (*doing).to_owned(),
            });
        }
    }

    /// Ends the current step (`what` names it in the log) and announces the next.
    fn next(&mut self, what: &str) {
        tracing::info!(phase = what, seconds = self.since.elapsed().as_secs_f64(), "retention run");
        self.since = std::time::Instant::now();
        self.step += 1;
        self.announce();
    }
}
