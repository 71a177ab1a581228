//! Disclosure decisions in the record store: the report in the preset's report class and the
//! anonymous summary in `disclosure_summary`, both sealed to the classes' readers (the
//! managers), and reviews beside the summary.

use serde::Serialize;
use ts_rs::TS;

use super::{
    awaiting_review, check_review, decide, may_review, report_class, DisclosureInput, Outcome, Part, Person, Report,
    Review, Summary, SUMMARY_CLASS,
};
use crate::record_store::{self as records, RecordStore};
use crate::staff::Session;
use crate::CoreError;

fn my_key(session: &Session) -> Result<String, CoreError> {
    Ok(crate::team::card(session)?.signing_key)
}

fn part_body(part: &Part) -> Vec<u8> {
    serde_json::to_vec(part).expect("parts serialise")
}

/// Records a decision: the report, then its anonymous summary. Returns the incident's id.
pub async fn record<S: RecordStore>(
    session: &Session,
    server: &S,
    input: &DisclosureInput,
) -> Result<String, S::Error> {
    let dir = crate::team::directory(&session.store, server).await?;
    let class = report_class(session.preset())?;
    if session.preset().retention_class(SUMMARY_CLASS).is_none() {
        return Err(CoreError::Invalid(
            "this policy has no record class for the anonymous disclosure reports (disclosure_summary)".into(),
        )
        .into());
    }
    let id = crate::shared_record::new_id();
    let (report, summary) = decide(session, &dir, input, &my_key(session)?, id.clone())?;
    let line = Some(input.line.as_str());
    let at = report.decided_at;
    records::put(session, server, class, line, at, &part_body(&Part::Report(report))).await?;
    records::put(session, server, SUMMARY_CLASS, line, at, &part_body(&Part::Summary(summary))).await?;
    crate::audit::append(&session.store, "disclosure_recorded", &id).await?;
    Ok(id)
}

/// What a manager sees: every incident's anonymous summary, the reports still kept, the reviews,
/// and which incidents await review.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct DisclosuresView {
    pub summaries: Vec<Summary>,
    pub reports: Vec<Report>,
    pub reviews: Vec<Review>,
    /// Ids of incidents with no review yet.
    pub awaiting_review: Vec<String>,
}

pub async fn view<S: RecordStore>(session: &Session, server: &S) -> Result<DisclosuresView, S::Error> {
    let mut out = DisclosuresView::default();
    let mut classes = vec![SUMMARY_CLASS];
    if let Ok(c) = report_class(session.preset()) {
        classes.push(c);
    }
    for class in classes {
        for listed in records::list(session, server, class).await? {
            let Ok(record) = listed.record else { continue };
            match serde_json::from_slice::<Part>(&record.body) {
                Ok(Part::Report(r)) => out.reports.push(r),
                Ok(Part::Summary(s)) => out.summaries.push(s),
                Ok(Part::Review(r)) => out.reviews.push(r),
                Err(_) => {}
            }
        }
    }
    out.awaiting_review = awaiting_review(&out.summaries, &out.reviews).into_iter().map(|s| s.id.clone()).collect();
    Ok(out)
}

/// Reviews an incident, as someone who was not involved in it.
pub async fn review<S: RecordStore>(
    session: &Session,
    server: &S,
    id: &str,
    outcome: Outcome,
    comment: &str,
) -> Result<(), S::Error> {
    may_review(session)?;
    let current = view(session, server).await?;
    let summary = current
        .summaries
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| CoreError::Invalid("that incident is not here".into()))?;
    let me = my_key(session)?;
    check_review(session, &me, summary, &current.reviews)?;
    let review = Review {
        disclosure: id.to_owned(),
        reviewer: Person { name: session.profile.display_name.clone(), key: me },
        outcome,
        comment: comment.trim().to_owned(),
        at: session.store.now_ts(),
    };
    let at = review.at;
    records::put(session, server, SUMMARY_CLASS, Some(&summary.line), at, &part_body(&Part::Review(review))).await?;
    crate::audit::append(&session.store, "disclosure_reviewed", id).await?;
    Ok(())
}
