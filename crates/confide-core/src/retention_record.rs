//! The retention record: an append-only account of what was moved or destroyed. Entries carry
//! counts, places (folder names, never addresses) and day-precision dates, nothing else.

use serde::Serialize;
use ts_rs::TS;

use crate::{CoreError, Store};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RecordEntry {
    /// Unix seconds.
    #[ts(type = "number")]
    pub at: i64,
    pub action: String,
    pub record_class: Option<String>,
    pub from_place: String,
    pub to_place: String,
    #[ts(type = "number")]
    pub count: i64,
    #[ts(type = "number | null")]
    pub oldest: Option<i64>,
    #[ts(type = "number | null")]
    pub newest: Option<i64>,
}

/// Dates are kept to the day: enough for a policy check, too coarse to point at one message.
fn day(ts: Option<i64>) -> Option<i64> {
    ts.map(|t| t - t.rem_euclid(86_400))
}

/// Appends an entry, stamped with the time it really happened ([`Store::recorded_ts`]), whatever
/// `entry.at` says: a rehearsal at a pretended time is recorded when it ran.
pub async fn append(store: &Store, entry: &RecordEntry) -> Result<(), CoreError> {
    let (oldest, newest) = (day(entry.oldest), day(entry.newest));
    let at = store.recorded_ts();
    sqlx::query!(
        "INSERT INTO retention_record (at, action, record_class, from_place, to_place, count, oldest, newest) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        at,
        entry.action,
        entry.record_class,
        entry.from_place,
        entry.to_place,
        entry.count,
        oldest,
        newest
    )
    .execute(store.pool())
    .await?;
    Ok(())
}

/// The newest entries first.
pub async fn recent(store: &Store, limit: i64) -> Result<Vec<RecordEntry>, CoreError> {
    Ok(sqlx::query_as!(
        RecordEntry,
        "SELECT at, action, record_class, from_place, to_place, count, oldest, newest FROM retention_record ORDER BY id DESC LIMIT ?",
        limit
    )
    .fetch_all(store.pool())
    .await?)
}

/// The latest retention run, complete or not.
pub async fn last_run(store: &Store) -> Result<Option<RecordEntry>, CoreError> {
    Ok(sqlx::query_as!(
        RecordEntry,
        "SELECT at, action, record_class, from_place, to_place, count, oldest, newest FROM retention_record
         WHERE action IN ('run', 'run_incomplete') ORDER BY id DESC LIMIT 1"
    )
    .fetch_optional(store.pool())
    .await?)
}
