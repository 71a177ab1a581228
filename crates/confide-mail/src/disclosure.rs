//! Disclosure decisions on the shared mailbox: the report in the preset's report class and the
//! anonymous summary in `disclosure_summary`, both sealed to the classes' readers (the
//! managers), and reviews beside the summary. See `confide_core::disclosure` for the rules.

use confide_core::disclosure::{self, DisclosureInput, Outcome, Part, Person, Report, Review, Summary, SUMMARY_CLASS};
use confide_core::staff::Session;
use confide_core::CoreError;
use serde::Serialize;
use ts_rs::TS;

use crate::MailError;

fn my_key(session: &Session) -> Result<String, MailError> {
    Ok(confide_core::team::card(session)?.signing_key)
}

/// Records a decision: the report, then its anonymous summary. Returns the incident's id.
pub async fn record(session: &Session, input: &DisclosureInput) -> Result<String, MailError> {
    let dir = crate::team::directory(&session.store).await?;
    let class = disclosure::report_class(session.preset())?;
    if session.preset().retention_class(SUMMARY_CLASS).is_none() {
        return Err(CoreError::Invalid(
            "this policy has no record class for the anonymous disclosure reports (disclosure_summary)".into(),
        )
        .into());
    }
    let id = confide_core::shared_record::new_id();
    let (report, summary) = disclosure::decide(session, &dir, input, &my_key(session)?, id.clone())?;
    let line = Some(input.line.as_str());
    crate::records::put(
        session,
        class,
        line,
        report.decided_at,
        &serde_json::to_vec(&Part::Report(report.clone())).expect("parts serialise"),
    )
    .await?;
    crate::records::put(
        session,
        SUMMARY_CLASS,
        line,
        report.decided_at,
        &serde_json::to_vec(&Part::Summary(summary)).expect("parts serialise"),
    )
    .await?;
    confide_core::audit::append(&session.store, "disclosure_recorded", &id).await?;
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

pub async fn view(session: &Session) -> Result<DisclosuresView, MailError> {
    let mut out = DisclosuresView::default();
    let mut classes = vec![SUMMARY_CLASS];
    if let Ok(c) = disclosure::report_class(session.preset()) {
        classes.push(c);
    }
    for class in classes {
        for listed in crate::records::list(session, class).await? {
            let Ok(record) = listed.record else { continue };
            match serde_json::from_slice::<Part>(&record.body) {
                Ok(Part::Report(r)) => out.reports.push(r),
                Ok(Part::Summary(s)) => out.summaries.push(s),
                Ok(Part::Review(r)) => out.reviews.push(r),
                Err(_) => {}
            }
        }
    }
    out.awaiting_review =
        disclosure::awaiting_review(&out.summaries, &out.reviews).into_iter().map(|s| s.id.clone()).collect();
    Ok(out)
}

/// Reviews an incident, as someone who was not involved in it.
pub async fn review(session: &Session, id: &str, outcome: Outcome, comment: &str) -> Result<(), MailError> {
    disclosure::may_review(session)?;
    let current = view(session).await?;
    let summary = current
        .summaries
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| CoreError::Invalid("that incident is not here".into()))?;
    let me = my_key(session)?;
    disclosure::check_review(session, &me, summary, &current.reviews)?;
    let review = Review {
        disclosure: id.to_owned(),
        reviewer: Person { name: session.profile.display_name.clone(), key: me },
        outcome,
        comment: comment.trim().to_owned(),
        at: session.store.now_ts(),
    };
    crate::records::put(
        session,
        SUMMARY_CLASS,
        Some(&summary.line),
        review.at,
        &serde_json::to_vec(&Part::Review(review)).expect("parts serialise"),
    )
    .await?;
    confide_core::audit::append(&session.store, "disclosure_reviewed", id).await?;
    Ok(())
}
