//! What a manager sees of retention, and exports: the retention record, the anonymous
//! statistics and the holds. Nothing here identifies anyone, so the CSV a manager saves may
//! sit in an ordinary file; hold reasons are the exception and are not exported.

use serde::Serialize;
use time::OffsetDateTime;
use ts_rs::TS;

use super::hold::{self, Hold};
use super::stats::{self, StatRow};
use crate::retention_record::{self, RecordEntry};
use crate::staff::Session;
use crate::CoreError;

/// Enough for years of daily runs on screen; the export has everything.
const SHOWN: i64 = 500;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RecordsView {
    /// Newest first.
    pub entries: Vec<RecordEntry>,
    pub statistics: Vec<StatRow>,
    pub holds: Vec<Hold>,
}

/// Which table an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Export {
    Record,
    Statistics,
}

fn manager(session: &Session) -> Result<(), CoreError> {
    session.require_manager("see the retention record and the statistics")
}

pub async fn view(session: &Session) -> Result<RecordsView, CoreError> {
    manager(session)?;
    Ok(RecordsView {
        entries: retention_record::recent(&session.store, SHOWN).await?,
        statistics: stats::all(&session.store).await?,
        holds: hold::list(session).await?,
    })
}

/// The whole table as CSV (a header line, then one line per row), for a spreadsheet.
pub async fn export(session: &Session, what: Export) -> Result<String, CoreError> {
    manager(session)?;
    let (csv, record) = match what {
        Export::Record => (record_csv(&retention_record::recent(&session.store, i64::MAX).await?), "retention_record"),
        Export::Statistics => (statistics_csv(&stats::all(&session.store).await?), "statistics"),
    };
    crate::audit::append(&session.store, "exported", record).await?;
    Ok(csv)
}

/// Oldest first, as a record is read.
pub fn record_csv(newest_first: &[RecordEntry]) -> String {
    let mut out = String::from("at,action,class,from,to,count,oldest,newest\r\n");
    for e in newest_first.iter().rev() {
        let row = [
            stamp(Some(e.at), false),
            e.action.clone(),
            e.record_class.clone().unwrap_or_default(),
            e.from_place.clone(),
            e.to_place.clone(),
            e.count.to_string(),
            stamp(e.oldest, true),
            stamp(e.newest, true),
        ];
        push_row(&mut out, &row);
    }
    out
}

pub fn statistics_csv(rows: &[StatRow]) -> String {
    let mut out = String::from("month,channel,line,category,outcome,count\r\n");
    for r in rows {
        push_row(
            &mut out,
            &[
                r.month.clone(),
                r.channel.clone(),
                r.line_id.clone(),
                r.category.clone(),
                r.outcome.clone(),
                r.count.to_string(),
            ],
        );
    }
    out
}

fn push_row(out: &mut String, fields: &[String]) {
    let cells: Vec<String> = fields.iter().map(|f| cell(f)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// RFC 4180 quoting, and a leading apostrophe on anything a spreadsheet would run as a formula
/// (a folder name is the server's to choose).
fn cell(field: &str) -> String {
    let field = match field.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{field}"),
        _ => field.to_owned(),
    };
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

fn stamp(ts: Option<i64>, day_only: bool) -> String {
    let Some(t) = ts.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok()) else { return String::new() };
    let (d, h, m) = (t.date(), t.hour(), t.minute());
    match day_only {
        true => format!("{d}"),
        false => format!("{d} {h:02}:{m:02} UTC"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at: i64, action: &str, from: &str, count: i64) -> RecordEntry {
        RecordEntry {
            at,
            action: action.into(),
            record_class: Some("email".into()),
            from_place: from.into(),
            to_place: String::new(),
            count,
            oldest: Some(1_767_225_600),
            newest: None,
        }
    }

    #[test]
    fn the_record_is_exported_oldest_first_with_day_dates() {
        let csv = record_csv(&[entry(1_780_000_000, "run", "", 3), entry(1_779_990_000, "expired", "shared INBOX", 3)]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "at,action,class,from,to,count,oldest,newest");
        assert_eq!(lines[1], "2026-05-28 17:40 UTC,expired,email,shared INBOX,,3,2026-01-01,");
        assert!(lines[2].starts_with("2026-05-28 20:26 UTC,run,email,,,3,"));
        assert_eq!(lines.len(), 4, "one line per entry and a final line break");
    }

    #[test]
    fn cells_are_quoted_and_cannot_become_formulas() {
        assert_eq!(cell("Sent, old"), "\"Sent, old\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("INBOX"), "INBOX");
    }

    #[test]
    fn statistics_export_has_one_line_per_row() {
        let rows = vec![StatRow {
            month: "2026-01".into(),
            channel: "email".into(),
            line_id: "mal".into(),
            category: "all".into(),
            outcome: "closed".into(),
            count: 12,
        }];
        assert_eq!(
            statistics_csv(&rows),
            "month,channel,line,category,outcome,count\r\n2026-01,email,mal,all,closed,12\r\n"
        );
    }
}
