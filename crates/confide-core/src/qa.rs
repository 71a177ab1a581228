//! Quality monitoring: managers sample advisors' replies (email replies, webchat transcripts)
//! and score them against the preset's rubric. The sample is random, stratified by advisor and
//! channel (and month, for a rate), and reproducible: an item's place in its stratum is the
//! SHA-256 of the seed and the item, so the same seed over the same replies gives the same
//! sample whatever order they are found in. Reviews are records of their own class, sealed to
//! the managers, holding scores and comments but nothing of the conversation, so they outlive
//! it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::CoreError;

mod flow;
pub mod mask;

pub use flow::{export_summary, review_view, reviews, sample, save_review};

/// The retention class reviews are kept in.
pub const REVIEW_CLASS: &str = crate::record_store::classes::QA_REVIEW;

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct SampleRequest {
    /// `YYYY-MM-DD`, inclusive.
    pub from: String,
    pub to: String,
    /// `email`, `webchat`.
    pub channels: Vec<String>,
    /// A rate: this many replies per advisor per month (per channel).
    pub per_advisor_per_month: Option<u32>,
    /// Or a count in all, spread over advisors and channels in proportion.
    pub count: Option<u32>,
    /// To draw a sample again; a new one is chosen when absent.
    pub seed: Option<String>,
}

/// A reply that could be sampled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SampleItem {
    /// `email:<message>` or `webchat:<record>`: where to find it, naming no one.
    pub key: String,
    pub channel: String,
    /// The advisor's key fingerprint; empty when the reply was not sent from Confide.
    pub advisor: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Unix seconds.
    #[ts(type = "number")]
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Stratum {
    pub advisor: String,
    pub channel: String,
    /// Empty when the sample is a count rather than a monthly rate.
    pub month: String,
    #[ts(type = "number")]
    pub available: usize,
    #[ts(type = "number")]
    pub chosen: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Sample {
    pub seed: String,
    pub items: Vec<SampleItem>,
    pub strata: Vec<Stratum>,
}

/// Checks a request: a period in order, known channels, exactly one of a rate and a count.
pub fn check(req: &SampleRequest) -> Result<(time::Date, time::Date), CoreError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = |s: &str| {
        time::Date::parse(s.trim(), &format)
            .map_err(|_| CoreError::Invalid("give the period's dates as YYYY-MM-DD".into()))
    };
    let (from, to) = (date(&req.from)?, date(&req.to)?);
    if to < from {
        return Err(CoreError::Invalid("the period ends before it starts".into()));
    }
    if req.channels.is_empty() || req.channels.iter().any(|c| c != "email" && c != "webchat") {
        return Err(CoreError::Invalid("choose email replies, webchats, or both".into()));
    }
    match (req.per_advisor_per_month, req.count) {
        (Some(n), None) | (None, Some(n)) if n > 0 => Ok((from, to)),
        _ => Err(CoreError::Invalid("give either a number per advisor per month or a number in all".into())),
    }
}

/// A new seed, for a sample drawn for the first time.
pub fn new_seed() -> String {
    hex::encode(rand::random::<[u8; 8]>())
}

fn rank(seed: &str, key: &str) -> [u8; 32] {
    Sha256::digest(format!("{seed}\n{key}").as_bytes()).into()
}

/// Draws the sample from every reply in the period (`candidates`).
pub fn draw(candidates: Vec<SampleItem>, req: &SampleRequest, seed: &str) -> Sample {
    let monthly = req.per_advisor_per_month.is_some();
    let mut strata: BTreeMap<(String, String, String), Vec<SampleItem>> = BTreeMap::new();
    for c in candidates {
        let month = if monthly { c.month.clone() } else { String::new() };
        strata.entry((c.advisor.clone(), c.channel.clone(), month)).or_default().push(c);
    }
    let sizes: Vec<usize> = strata.values().map(Vec::len).collect();
    let quotas: Vec<usize> = match (req.per_advisor_per_month, req.count) {
        (Some(rate), _) => sizes.iter().map(|n| (*n).min(rate as usize)).collect(),
        (None, Some(count)) => proportional(&sizes, count as usize),
        (None, None) => vec![0; sizes.len()],
    };
    let mut out = Sample { seed: seed.to_owned(), items: vec![], strata: vec![] };
    for (((advisor, channel, month), mut items), quota) in strata.into_iter().zip(quotas) {
        items.sort_by_cached_key(|i| rank(seed, &i.key));
        out.strata.push(Stratum { advisor, channel, month, available: items.len(), chosen: quota });
        out.items.extend(items.into_iter().take(quota));
    }
    out.items.sort_by(|a, b| {
        (a.advisor.as_str(), a.channel.as_str(), a.at).cmp(&(b.advisor.as_str(), b.channel.as_str(), b.at))
    });
    out
}

/// `count` spread over strata of `sizes` in proportion (largest remainders), none above its size.
fn proportional(sizes: &[usize], count: usize) -> Vec<usize> {
    let total: usize = sizes.iter().sum();
    if total == 0 {
        return vec![0; sizes.len()];
    }
    let count = count.min(total);
    let mut quotas: Vec<usize> = sizes.iter().map(|s| s * count / total).collect();
    let mut rest: Vec<(usize, usize)> = sizes.iter().enumerate().map(|(i, s)| (s * count % total, i)).collect();
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut left = count - quotas.iter().sum::<usize>();
    for (_, i) in rest {
        if left == 0 {
            break;
        }
        if quotas[i] < sizes[i] {
            quotas[i] += 1;
            left -= 1;
        }
    }
    quotas
}

/// One criterion of the rubric, scored 1 (poor) to 5 (excellent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Criterion {
    pub id: String,
    pub label: String,
}

/// The rubric for a helpline whose preset names none.
pub fn default_rubric() -> Vec<Criterion> {
    [
        ("safety", "Risk recognised and acted on"),
        ("accuracy", "Information accurate and relevant"),
        ("tone", "Respectful, warm and non-judgemental"),
        ("confidentiality", "Confidentiality kept (nothing about anyone else revealed)"),
        ("next_steps", "Clear next steps for the service user"),
    ]
    .into_iter()
    .map(|(id, label)| Criterion { id: id.into(), label: label.into() })
    .collect()
}

/// A manager's review of one sampled reply: scores and a comment, never the content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Review {
    pub key: String,
    pub channel: String,
    pub advisor: String,
    pub month: String,
    pub seed: String,
    /// Criterion id to score (1 to 5).
    pub scores: BTreeMap<String, u8>,
    pub comment: String,
    /// Filled in when kept.
    #[serde(default)]
    pub reviewer: String,
    #[serde(default)]
    #[ts(type = "number")]
    pub at: i64,
}

/// Checks scores against the rubric: every criterion scored 1 to 5, nothing else.
pub fn check_review(review: &Review, rubric: &[Criterion]) -> Result<(), CoreError> {
    let all_scored = rubric.iter().all(|c| review.scores.get(&c.id).is_some_and(|s| (1..=5).contains(s)));
    if !all_scored || review.scores.len() != rubric.len() {
        return Err(CoreError::Invalid("score every part of the rubric from 1 to 5".into()));
    }
    if review.comment.chars().count() > 2000 {
        return Err(CoreError::Invalid("keep the comment under 2,000 characters".into()));
    }
    Ok(())
}

/// One message of a conversation under review, masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ReviewLine {
    /// From the service user (rather than the helpline).
    pub incoming: bool,
    pub text: String,
    /// Part of the reply being reviewed.
    pub sampled: bool,
    #[ts(type = "number")]
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ReviewView {
    pub key: String,
    pub channel: String,
    pub subject: String,
    pub lines: Vec<ReviewLine>,
}

/// An advisor's reviews in a month, for supervision.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AdvisorMonth {
    pub advisor: String,
    pub month: String,
    #[ts(type = "number")]
    pub reviews: usize,
    /// Criterion id to the mean score.
    pub means: BTreeMap<String, f64>,
}

/// Reviews summed up per advisor per month.
pub fn summary(reviews: &[Review]) -> Vec<AdvisorMonth> {
    let mut groups: BTreeMap<(String, String), Vec<&Review>> = BTreeMap::new();
    for r in reviews {
        groups.entry((r.advisor.clone(), r.month.clone())).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|((advisor, month), rs)| {
            let mut sums: BTreeMap<String, (f64, usize)> = BTreeMap::new();
            for r in &rs {
                for (c, s) in &r.scores {
                    let e = sums.entry(c.clone()).or_default();
                    e.0 += f64::from(*s);
                    e.1 += 1;
                }
            }
            let means = sums.into_iter().map(|(c, (sum, n))| (c, (sum / n as f64 * 10.0).round() / 10.0)).collect();
            AdvisorMonth { advisor, month, reviews: rs.len(), means }
        })
        .collect()
}

/// The summary as CSV for a supervision meeting: advisor names, months, counts and means.
pub fn summary_csv(rows: &[AdvisorMonth], rubric: &[Criterion], names: &BTreeMap<String, String>) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::from("advisor,month,reviews");
    for c in rubric {
        out.push(',');
        out.push_str(&quote(&c.label));
    }
    out.push('\n');
    for r in rows {
        let name = names.get(&r.advisor).cloned().unwrap_or_else(|| {
            if r.advisor.is_empty() {
                "not sent from Confide".into()
            } else {
                format!("key {}", r.advisor)
            }
        });
        out.push_str(&format!("{},{},{}", quote(&name), r.month, r.reviews));
        for c in rubric {
            out.push(',');
            if let Some(m) = r.means.get(&c.id) {
                out.push_str(&format!("{m:.1}"));
            }
        }
        out.push('\n');
    }
    out
}

/// `YYYY-MM` of a unix time.
pub fn month_of(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .map(|d| format!("{:04}-{:02}", d.year(), d.month() as u8))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
