//! Anonymous statistics, added to before a conversation is destroyed.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::{CoreError, Store};

/// A conversation that destroying the given rows (message ids) leaves empty.
struct Ending {
    id: i64,
    month: String,
    channel: String,
    line_id: String,
    status: String,
    risk_flags: String,
    counted: bool,
}

async fn ending(tx: &mut SqliteConnection, rows: &[i64]) -> Result<Vec<Ending>, CoreError> {
    let json = serde_json::to_string(rows).expect("numbers serialise");
    Ok(sqlx::query_as!(
        Ending,
        r#"SELECT c.id AS "id!", strftime('%Y-%m', c.created_at, 'unixepoch') AS "month!: String", c.channel, c.line_id, c.status, c.risk_flags,
                  EXISTS (SELECT 1 FROM retention_counted k WHERE k.conversation_id = c.id) AS "counted!: bool"
           FROM conversations c
           WHERE c.id IN (SELECT conversation_id FROM messages WHERE id IN (SELECT value FROM json_each(?1)))
             AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.id NOT IN (SELECT value FROM json_each(?1)))"#,
        json
    )
    .fetch_all(&mut *tx)
    .await?)
}

/// Adds the conversations that destroying `rows` will leave empty to the statistics, unless an
/// earlier (interrupted) run already did, and marks them counted, in one transaction. Returns
/// how many were newly counted.
pub(crate) async fn count_before_destroying(tx: &mut SqliteConnection, rows: &[i64]) -> Result<usize, CoreError> {
    let ending: Vec<Ending> = ending(tx, rows).await?.into_iter().filter(|c| !c.counted).collect();
    // Summed here first: a run ends thousands of conversations, but they fall into a few
    // dozen (month, channel, line, category, outcome) rows, and each upsert is a round trip.
    let mut sums: BTreeMap<(String, String, String, String, String), i64> = BTreeMap::new();
    for c in &ending {
        let flags: Vec<String> = serde_json::from_str(&c.risk_flags).unwrap_or_default();
        for category in std::iter::once("all".to_owned()).chain(flags) {
            *sums.entry((c.month.clone(), c.channel.clone(), c.line_id.clone(), category, c.status.clone())).or_default() += 1;
        }
    }
    for ((month, channel, line_id, category, outcome), n) in sums {
        sqlx::query!(
            "INSERT INTO statistics (month, channel, line_id, category, outcome, count) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (month, channel, line_id, category, outcome) DO UPDATE SET count = count + excluded.count",
            month,
            channel,
            line_id,
            category,
            outcome,
            n
        )
        .execute(&mut *tx)
        .await?;
    }
    let ids = serde_json::to_string(&ending.iter().map(|c| c.id).collect::<Vec<_>>()).expect("numbers serialise");
    sqlx::query!("INSERT INTO retention_counted (conversation_id) SELECT value FROM json_each(?)", ids).execute(&mut *tx).await?;
    Ok(ending.len())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct StatRow {
    pub month: String,
    pub channel: String,
    pub line_id: String,
    pub category: String,
    pub outcome: String,
    #[ts(type = "number")]
    pub count: i64,
}

/// The statistics as they stand: what was destroyed, counted; nothing else.
pub async fn all(store: &Store) -> Result<Vec<StatRow>, CoreError> {
    Ok(sqlx::query_as!(StatRow, "SELECT month, channel, line_id, category, outcome, count FROM statistics ORDER BY month, channel, line_id, category, outcome")
        .fetch_all(store.pool())
        .await?)
}
