//! The unified inbox: one list of conversations across channels and service lines, read a
//! page at a time so a list of 100k conversations costs what one screenful costs.
//!
//! Without a search the list is newest activity first, paged by (last activity, id). With a
//! search it is the conversations whose messages match, newest matching message first: the
//! full-text index is walked backwards and stops once the page is full, so a word found in
//! most messages costs no more than a rare one. Counts stop at [`TOTAL_CAP`] ("1,000+"), for
//! the same reason.

use std::collections::HashSet;

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::conversations::{Channel, Status};
use crate::staff::Session;
use crate::CoreError;

mod claims;
mod fts;
pub use claims::{claimed_by_me, taken_over};
use fts::fts_query;

/// Counts stop here: beyond it a number helps nobody and costs a full scan.
pub const TOTAL_CAP: i64 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AssigneeFilter {
    Mine,
    Unassigned,
    Others,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InboxFilter {
    pub line_id: Option<String>,
    pub channel: Option<Channel>,
    pub status: Option<Status>,
    pub assignee: Option<AssigneeFilter>,
    /// Only conversations with (true) or without (false) a risk flag.
    pub flagged: Option<bool>,
    /// Words to find in subjects, correspondents and bodies.
    pub search: Option<String>,
    /// The snoozed conversations (true) instead of the open list, which leaves them out until
    /// they are due. A search finds snoozed ones too.
    pub snoozed: Option<bool>,
    /// The conversations of blocked senders (true) instead of the inbox, which leaves them out.
    pub blocked: Option<bool>,
    /// Page size; at most 500.
    pub limit: Option<u32>,
    /// Where the previous page ended (its `next`). With a search, a conversation can show up
    /// again on a later page (it has older matches too): a list keeps its first place.
    pub after: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConversationSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub channel: Channel,
    pub line_id: String,
    pub status: String,
    pub subject: String,
    pub correspondent: String,
    pub preview: String,
    pub assignee: Option<String>,
    pub risk_flags: Vec<String>,
    pub unread: bool,
    #[ts(type = "number")]
    pub message_count: i64,
    /// Unix seconds.
    #[ts(type = "number")]
    pub last_activity_at: i64,
    /// Snoozed until (unix seconds), while that is still to come.
    #[ts(type = "number | null")]
    pub snoozed_until: Option<i64>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct InboxPage {
    pub conversations: Vec<ConversationSummary>,
    /// How many conversations the filter matches, up to [`TOTAL_CAP`]; on the first page only.
    #[ts(type = "number | null")]
    pub total: Option<i64>,
    /// The total stopped counting at the cap: there are more.
    pub total_capped: bool,
    /// Pass as `after` for the next page; none when this was the last.
    pub next: Option<String>,
}

/// The filter's values as bound parameters, shared by the list and search queries.
struct Bound<'a> {
    line: Option<&'a str>,
    channel: Option<&'a str>,
    status: Option<&'a str>,
    assignee: Option<&'static str>,
    me: String,
    flagged: Option<bool>,
    /// The line firewall: the lines the person works on (JSON), in every query.
    lines: String,
    /// The snoozed view, and the time that says whether a snooze is still to come.
    snoozed: bool,
    now: i64,
    blocked: bool,
}

impl<'a> Bound<'a> {
    fn new(session: &Session, filter: &'a InboxFilter) -> Bound<'a> {
        Bound {
            line: filter.line_id.as_deref(),
            channel: filter.channel.map(Channel::as_str),
            status: filter.status.map(Status::as_str),
            assignee: filter.assignee.map(|a| match a {
                AssigneeFilter::Mine => "mine",
                AssigneeFilter::Unassigned => "unassigned",
                AssigneeFilter::Others => "others",
            }),
            me: session.store.identity().fingerprint(),
            flagged: filter.flagged,
            lines: session.lines_json(),
            snoozed: filter.snoozed.unwrap_or(false),
            now: session.store.now_ts(),
            blocked: filter.blocked.unwrap_or(false),
        }
    }
}

pub async fn page(session: &Session, filter: &InboxFilter) -> Result<InboxPage, CoreError> {
    let limit = filter.limit.unwrap_or(100).clamp(1, 500) as usize;
    let bound = Bound::new(session, filter);
    match filter.search.as_deref().map(fts_query).filter(|q| !q.is_empty()) {
        Some(fts) => search_page(session, &bound, &fts, limit, filter.after.as_deref()).await,
        None => list_page(session, &bound, limit, filter.after.as_deref()).await,
    }
}

async fn list_page(
    session: &Session,
    b: &Bound<'_>,
    limit: usize,
    after: Option<&str>,
) -> Result<InboxPage, CoreError> {
    let (at, id) = match after {
        None => (None, None),
        Some(c) => {
            let (at, id) = c.strip_prefix("a:").and_then(|c| c.split_once(':')).ok_or_else(bad_cursor)?;
            (Some(at.parse::<i64>().map_err(|_| bad_cursor())?), Some(id.parse::<i64>().map_err(|_| bad_cursor())?))
        }
    };
    let lim = limit as i64;
    // `+line_id`: the line firewall's IN list would otherwise take SQLite to the by-line index,
    // then sort every visible conversation for one page (100k: p95 11 ms); walking the
    // activity index newest first stops after a page (the same 100k: under 1 ms).
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", channel, line_id, status, subject, correspondent, preview, assignee, risk_flags,
                  unread AS "unread: bool", message_count, last_activity_at, snoozed_until
           FROM conversations
           WHERE (?1 IS NULL OR line_id = ?1) AND (?2 IS NULL OR channel = ?2) AND (?3 IS NULL OR status = ?3)
             AND (?4 IS NULL OR (?4 = 'mine' AND assignee = ?5) OR (?4 = 'unassigned' AND assignee IS NULL)
                  OR (?4 = 'others' AND assignee IS NOT NULL AND assignee != ?5))
             AND (?6 IS NULL OR (risk_flags != '[]') = ?6)
             AND (?7 IS NULL OR (last_activity_at, id) < (?7, ?8))
             AND +line_id IN (SELECT value FROM json_each(?10))
             AND (coalesce(snoozed_until, 0) > ?12) = ?11
             AND blocked = ?13
           ORDER BY last_activity_at DESC, id DESC
           LIMIT ?9"#,
        b.line,
        b.channel,
        b.status,
        b.assignee,
        b.me,
        b.flagged,
        at,
        id,
        lim,
        b.lines,
        b.snoozed,
        b.now,
        b.blocked
    )
    .fetch_all(session.store.pool())
    .await?;
    let now = b.now;
    let conversations: Vec<ConversationSummary> = rows
        .into_iter()
        .map(|r| {
            summary(
                r.id,
                r.channel,
                r.line_id,
                r.status,
                r.subject,
                r.correspondent,
                r.preview,
                r.assignee,
                &r.risk_flags,
                r.unread,
                r.message_count,
                r.last_activity_at,
                r.snoozed_until.filter(|u| *u > now),
            )
        })
        .collect();
    let next = (conversations.len() == limit)
        .then(|| conversations.last().map(|c| format!("a:{}:{}", c.last_activity_at, c.id)))
        .flatten();
    let (total, total_capped) = if after.is_none() { list_total(session, b).await? } else { (None, false) };
    Ok(InboxPage { conversations, total, total_capped, next })
}

async fn list_total(session: &Session, b: &Bound<'_>) -> Result<(Option<i64>, bool), CoreError> {
    let cap = TOTAL_CAP + 1;
    let n = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!: i64" FROM (SELECT 1 FROM conversations
           WHERE (?1 IS NULL OR line_id = ?1) AND (?2 IS NULL OR channel = ?2) AND (?3 IS NULL OR status = ?3)
             AND (?4 IS NULL OR (?4 = 'mine' AND assignee = ?5) OR (?4 = 'unassigned' AND assignee IS NULL)
                  OR (?4 = 'others' AND assignee IS NOT NULL AND assignee != ?5))
             AND (?6 IS NULL OR (risk_flags != '[]') = ?6)
             AND line_id IN (SELECT value FROM json_each(?8))
             AND (coalesce(snoozed_until, 0) > ?10) = ?9
             AND blocked = ?11
           LIMIT ?7)"#,
        b.line,
        b.channel,
        b.status,
        b.assignee,
        b.me,
        b.flagged,
        cap,
        b.lines,
        b.snoozed,
        b.now,
        b.blocked
    )
    .fetch_one(session.store.pool())
    .await?;
    Ok((Some(n.min(TOTAL_CAP)), n > TOTAL_CAP))
}

async fn search_page(
    session: &Session,
    b: &Bound<'_>,
    fts: &str,
    limit: usize,
    after: Option<&str>,
) -> Result<InboxPage, CoreError> {
    let before = match after {
        None => None,
        Some(c) => Some(c.strip_prefix("s:").and_then(|r| r.parse::<i64>().ok()).ok_or_else(bad_cursor)?),
    };
    let pool = session.store.pool();
    let mut hits = sqlx::query!(
        r#"SELECT m.conversation_id AS "conversation!: i64", f.rowid AS "hit!: i64"
           FROM message_fts f JOIN messages m ON m.id = f.rowid JOIN conversations c ON c.id = m.conversation_id
           WHERE message_fts MATCH ?1 AND (?2 IS NULL OR f.rowid < ?2)
             AND (?3 IS NULL OR c.line_id = ?3) AND (?4 IS NULL OR c.channel = ?4) AND (?5 IS NULL OR c.status = ?5)
             AND (?6 IS NULL OR (?6 = 'mine' AND c.assignee = ?7) OR (?6 = 'unassigned' AND c.assignee IS NULL)
                  OR (?6 = 'others' AND c.assignee IS NOT NULL AND c.assignee != ?7))
             AND (?8 IS NULL OR (c.risk_flags != '[]') = ?8)
             AND c.line_id IN (SELECT value FROM json_each(?9))
             AND (?10 = 0 OR coalesce(c.snoozed_until, 0) > ?11)
             AND c.blocked = ?12
           ORDER BY f.rowid DESC"#,
        fts,
        before,
        b.line,
        b.channel,
        b.status,
        b.assignee,
        b.me,
        b.flagged,
        b.lines,
        b.snoozed,
        b.now,
        b.blocked
    )
    .fetch(pool);
    // Walk newest match first; stop once the page is full and (first page) the count is capped.
    let want = if before.is_none() { TOTAL_CAP as usize + 1 } else { limit + 1 };
    let mut seen = HashSet::new();
    let mut order = Vec::new();
    let mut next = None;
    while let Some(row) = hits.try_next().await? {
        if seen.insert(row.conversation) {
            if order.len() == limit {
                next = Some(format!("s:{}", last_hit(&order)));
            }
            order.push((row.conversation, row.hit));
            if seen.len() >= want {
                break;
            }
        }
    }
    drop(hits);
    let found = order.len() as i64;
    order.truncate(limit);
    let ids: Vec<i64> = order.iter().map(|(c, _)| *c).collect();
    let conversations = summaries(session.store.pool(), &ids, b.now).await?;
    let (total, total_capped) =
        if before.is_none() { (Some(found.min(TOTAL_CAP)), found > TOTAL_CAP) } else { (None, false) };
    Ok(InboxPage { conversations, total, total_capped, next })
}

/// The summaries of the given conversations, in the order given (missing ones left out).
pub(crate) async fn summaries(
    pool: &sqlx::SqlitePool,
    ids: &[i64],
    now: i64,
) -> Result<Vec<ConversationSummary>, CoreError> {
    let json = serde_json::to_string(ids).expect("numbers serialise");
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", channel, line_id, status, subject, correspondent, preview, assignee, risk_flags,
                  unread AS "unread: bool", message_count, last_activity_at, snoozed_until
           FROM conversations WHERE id IN (SELECT value FROM json_each(?1))"#,
        json
    )
    .fetch_all(pool)
    .await?;
    let mut by_id: std::collections::HashMap<i64, ConversationSummary> = rows
        .into_iter()
        .map(|r| {
            (
                r.id,
                summary(
                    r.id,
                    r.channel,
                    r.line_id,
                    r.status,
                    r.subject,
                    r.correspondent,
                    r.preview,
                    r.assignee,
                    &r.risk_flags,
                    r.unread,
                    r.message_count,
                    r.last_activity_at,
                    r.snoozed_until.filter(|u| *u > now),
                ),
            )
        })
        .collect();
    Ok(ids.iter().filter_map(|c| by_id.remove(c)).collect())
}

fn last_hit(order: &[(i64, i64)]) -> i64 {
    order.last().map_or(0, |(_, hit)| *hit)
}

fn bad_cursor() -> CoreError {
    CoreError::Invalid("that page of the inbox no longer exists; go back to the top of the list".into())
}

#[allow(clippy::too_many_arguments)]
fn summary(
    id: i64,
    channel: String,
    line_id: String,
    status: String,
    subject: String,
    correspondent: String,
    preview: String,
    assignee: Option<String>,
    risk_flags: &str,
    unread: bool,
    message_count: i64,
    last_activity_at: i64,
    snoozed_until: Option<i64>,
) -> ConversationSummary {
    let risk_flags = serde_json::from_str(risk_flags).unwrap_or_default();
    ConversationSummary {
        id,
        channel: Channel::stored(&channel),
        line_id,
        status,
        subject,
        correspondent,
        preview,
        assignee,
        risk_flags,
        unread,
        message_count,
        last_activity_at,
        snoozed_until,
    }
}
