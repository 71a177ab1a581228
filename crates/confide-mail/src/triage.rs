//! Triage marks, shared through the server so a second desktop sees them on its next sync.
//! Claims, status and risk flags are sealed state entries (`confide_core::triage_state`, kept
//! through `ImapRecords`): nothing readable on the server, and nothing a server must allow.
//! So are legal holds and line moves, so every mark works on servers that keep no keywords
//! (Exchange Online). Only the read state is an IMAP flag (`\Seen`), which every server keeps.

use std::collections::BTreeMap;

use confide_core::conversations::{self, Status};
use confide_core::mailstore;
use confide_core::staff::Session;
use confide_core::triage_state::{self, Change};
use confide_core::{accounts, CoreError};
use serde::Deserialize;
use ts_rs::TS;

use crate::connect::imap_login;
use crate::imap_quote::uid_set;
use crate::records::ImapRecords;
use crate::MailError;

/// One triage change to a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Mark {
    /// Claim it for this staff member, replacing anyone else's claim.
    Claim,
    /// Give up this staff member's claim.
    Release,
    Status {
        status: Status,
    },
    /// Raise or lower a risk flag: one of the preset's exception categories.
    Risk {
        category: String,
        raised: bool,
    },
    /// Put on or lift a legal hold (managers only; the reason is kept by `retention::hold`).
    Hold {
        held: bool,
    },
    /// Move to another service line (managers only): every desktop follows, and one whose
    /// lines lose the conversation forgets it.
    Line {
        line: String,
    },
    /// Keep it out of the open list until `until` (unix seconds), for the whole line; `None`
    /// brings it back now. Mail from the service user brings it back at once.
    Snooze {
        #[ts(type = "number | null")]
        until: Option<i64>,
    },
}

/// The state entry a mark is kept as, written at `now`.
fn state_change(mark: &Mark, now: i64) -> Change {
    match mark {
        Mark::Claim => Change::Claim,
        Mark::Release => Change::Release,
        Mark::Status { status } => Change::Status { status: *status },
        Mark::Risk { category, raised } => Change::Risk { category: category.clone(), raised: *raised },
        Mark::Hold { held } => Change::Hold { held: *held },
        Mark::Line { line } => Change::Line { line: line.clone() },
        Mark::Snooze { until } => Change::Snooze { until: *until, at: now },
    }
}

/// How far ahead a conversation may be snoozed: further than this is forgetting it.
const LONGEST_SNOOZE: i64 = 366 * 86_400;

/// Checks a mark against the preset: a risk flag must be one of its exception categories, and
/// its id must be a plain IMAP atom.
fn validate(session: &Session, mark: &Mark) -> Result<(), CoreError> {
    if matches!(mark, Mark::Hold { .. }) {
        session.require_manager("put a conversation on legal hold")?;
    }
    if let Mark::Line { line } = mark {
        if !session.preset().lines.iter().any(|l| &l.id == line)
            || !line.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(CoreError::Invalid("that is not one of this helpline's service lines".into()));
        }
    }
    if let Mark::Snooze { until: Some(until) } = mark {
        let now = session.store.now_ts();
        if *until <= now || *until > now + LONGEST_SNOOZE {
            return Err(CoreError::Invalid(
                "choose a time to come back to this between now and a year from now".into(),
            ));
        }
    }
    if let Mark::Risk { category, .. } = mark {
        let known = session.preset().exceptions.iter().any(|c| &c.id == category);
        let atom = !category.is_empty() && category.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !known || !atom {
            return Err(CoreError::Invalid("that risk flag is not one of this helpline's exception categories".into()));
        }
    }
    Ok(())
}

/// Applies `mark` to every message of the conversation in the shared mailbox, then to the
/// local copy (the next sync confirms it from the server).
pub async fn mark(session: &Session, conversation_id: i64, mark: &Mark) -> Result<(), MailError> {
    validate(session, mark)?;
    // A line move has a rule of its own about who may (which includes seeing it).
    if matches!(mark, Mark::Line { .. }) {
        conversations::check_may_move_line(session, conversation_id).await?;
    } else {
        conversations::check_visible(session, conversation_id).await?;
    }
    let store = &session.store;
    if confide_core::webchat::is_chat(store, conversation_id).await? {
        match mark {
            Mark::Risk { category, raised } => confide_core::webchat::set_risk(store, conversation_id, category, *raised).await?,
            Mark::Status { status } => confide_core::webchat::set_status(store, conversation_id, *status).await?,
            _ => {
                return Err(CoreError::Invalid(
                    "a chat stays with the advisor who took it: claims, holds, snoozes and line moves are for email (a chat can be transferred to a colleague instead)".into(),
                )
                .into())
            }
        }
        return audit(store, conversation_id, mark).await;
    }
    let change = state_change(mark, store.now_ts());
    triage_state::record(session, &ImapRecords::of(store), conversation_id, change).await?;
    audit(store, conversation_id, mark).await
}

/// Marks an email conversation read in the shared mailbox: `\Seen` on each of its messages
/// that lacks it, so colleagues' inboxes show it read too. Nothing to do costs no connection.
pub async fn mark_read(session: &Session, conversation_id: i64) -> Result<(), MailError> {
    conversations::check_visible(session, conversation_id).await?;
    let store = &session.store;
    let unseen: Vec<_> = mailstore::conversation_locations(store, conversation_id)
        .await?
        .into_iter()
        .filter(|(_, _, _, flags)| !mailstore::is_seen(flags))
        .collect();
    if unseen.is_empty() {
        return Ok(());
    }
    change_flags(store, unseen, |_| (vec!["\\Seen".to_owned()], vec![])).await
}

/// Adds and removes flags on messages in the shared mailbox, one SELECT and at most two STOREs
/// per folder, then on the local copy (the next sync confirms it from the server). `change`
/// gets the flags a folder's messages carry now. Only system flags (`\Seen`), which every
/// server keeps, go this way.
async fn change_flags(
    store: &confide_core::Store,
    locations: Vec<(String, String, u32, String)>,
    change: impl Fn(&[&str]) -> (Vec<String>, Vec<String>),
) -> Result<(), MailError> {
    let mut groups: BTreeMap<(String, String), Vec<(u32, String)>> = BTreeMap::new();
    for (account, folder, uid, flags) in locations {
        groups.entry((account, folder)).or_default().push((uid, flags));
    }
    let all = accounts::list(store).await?;
    for ((account_id, folder), messages) in groups {
        let account = all
            .iter()
            .find(|a| a.id == account_id)
            .cloned()
            .ok_or_else(|| MailError::NoPassword(account_id.clone()))?;
        let password = crate::connect::account_secret(store, &account)?;
        let present: Vec<&str> = messages.iter().flat_map(|(_, f)| f.split_whitespace()).collect();
        let (add, remove) = change(&present);
        let uids: Vec<u32> = messages.iter().map(|(u, _)| *u).collect();
        let (f, store_add, store_remove) = (folder.clone(), add.clone(), remove.clone());
        let uidvalidity = tokio::task::spawn_blocking(move || -> Result<u32, MailError> {
            let mut imap = imap_login(&account, &password)?;
            let mbox = imap.select(&f)?;
            let set = uid_set(&uids);
            if !store_remove.is_empty() {
                imap.uid_store(&set, format!("-FLAGS.SILENT ({})", store_remove.join(" ")))?;
            }
            if !store_add.is_empty() {
                imap.uid_store(&set, format!("+FLAGS.SILENT ({})", store_add.join(" ")))?;
            }
            let _ = imap.logout();
            Ok(mbox.uid_validity.unwrap_or(0))
        })
        .await
        .map_err(|_| MailError::Worker)??;
        let changes: Vec<(u32, String)> = messages
            .iter()
            .map(|(uid, flags)| {
                let mut kept: Vec<&str> = flags
                    .split_whitespace()
                    .filter(|k| !remove.iter().any(|r| r == k) && !add.iter().any(|a| a == k))
                    .collect();
                kept.extend(add.iter().map(String::as_str));
                (*uid, kept.join(" "))
            })
            .collect();
        mailstore::update_flags(store, &account_id, &folder, uidvalidity, &changes).await?;
    }
    Ok(())
}

async fn audit(store: &confide_core::Store, conversation_id: i64, mark: &Mark) -> Result<(), MailError> {
    let action = match mark {
        Mark::Claim => "claimed".to_owned(),
        Mark::Release => "released".to_owned(),
        Mark::Status { status } => format!("status:{}", status.as_str()),
        Mark::Risk { category, raised } => format!("risk_{}:{category}", if *raised { "raised" } else { "lowered" }),
        Mark::Hold { held } => if *held { "hold_placed" } else { "hold_lifted" }.to_owned(),
        Mark::Line { line } => format!("moved_line:{line}"),
        Mark::Snooze { until: Some(until) } => format!("snoozed_until:{until}"),
        Mark::Snooze { until: None } => "woken".to_owned(),
    };
    confide_core::audit::append(store, &action, &format!("conversation:{conversation_id}")).await?;
    Ok(())
}

/// Puts a conversation on legal hold with its reason (`None` lifts it): the hold entry on the
/// server first, where every desktop's retention sees it, then the reason, kept on this desktop.
pub async fn set_hold(session: &Session, conversation_id: i64, reason: Option<&str>) -> Result<(), MailError> {
    use confide_core::retention::hold;
    match reason {
        Some(reason) => {
            if reason.trim().is_empty() {
                return Err(
                    CoreError::Invalid("give the reason for the hold (for example, the court order)".into()).into()
                );
            }
            mark(session, conversation_id, &Mark::Hold { held: true }).await?;
            hold::hold(session, conversation_id, reason).await?;
        }
        None => {
            mark(session, conversation_id, &Mark::Hold { held: false }).await?;
            hold::release(session, conversation_id).await?;
        }
    }
    Ok(())
}

/// Declines a third party's request about someone (the helpline does not act on them): the
/// conversation is closed and the decline goes on the audit log.
pub async fn decline_third_party(session: &Session, conversation_id: i64) -> Result<(), MailError> {
    mark(session, conversation_id, &Mark::Status { status: Status::Closed }).await?;
    confide_core::audit::append(&session.store, "third_party_declined", &format!("conversation:{conversation_id}"))
        .await?;
    Ok(())
}

/// Claims the conversation for this staff member (refused while a colleague holds it).
pub async fn claim(session: &Session, conversation_id: i64) -> Result<(), MailError> {
    mark(session, conversation_id, &Mark::Claim).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue23_every_mark_is_a_state_entry_none_a_keyword() {
        let closed = state_change(&Mark::Status { status: Status::Closed }, 0);
        assert_eq!(closed, Change::Status { status: Status::Closed });
        let moved = state_change(&Mark::Line { line: "mens_advice".into() }, 0);
        assert_eq!(moved, Change::Line { line: "mens_advice".into() });
        assert_eq!(state_change(&Mark::Hold { held: true }, 0), Change::Hold { held: true });
        let snoozed = state_change(&Mark::Snooze { until: Some(900) }, 100);
        assert_eq!(snoozed, Change::Snooze { until: Some(900), at: 100 }, "written with the time it was made");
    }
}
