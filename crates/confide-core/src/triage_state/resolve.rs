//! Resolving state entries into a conversation's triage: pure, and the same on every desktop
//! given the entries in the same (the store's) order.

use std::collections::BTreeSet;

use super::Change;
use crate::conversations::Status;

/// A conversation's triage as its entries leave it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Triage {
    /// The encryption-key fingerprint of whoever holds the claim.
    pub assignee: Option<String>,
    /// As last set; `None` until someone sets one.
    pub status: Option<Status>,
    pub risks: BTreeSet<String>,
    /// On legal hold: no retention run, on any desktop, destroys it.
    pub held: bool,
    /// The service line the last move put it on; `None` if it was never moved.
    pub line: Option<String>,
    /// Snoozed until (unix seconds), and when it was snoozed: the last snooze stands.
    pub snooze: Option<(i64, i64)>,
}

impl Triage {
    /// The status shown: as set, else in progress while someone holds it, else new.
    pub fn shown_status(&self) -> Status {
        match (self.status, &self.assignee) {
            (Some(s), _) => s,
            (None, Some(_)) => Status::InProgress,
            (None, None) => Status::New,
        }
    }
}

/// Who wrote an entry: their encryption-key fingerprint (what a claim names), whether the
/// directory lists them as a manager, and whether the preset lets their role route mail.
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    pub fingerprint: &'a str,
    pub manager: bool,
    pub routes: bool,
}

/// Applies one entry. The first claim wins: a claim while someone else holds it counts for
/// nothing, unless a manager makes it (a manager reassigns work: someone off sick); only the
/// holder, or a manager, releases it. A risk flag must be one of the preset's exception
/// categories. A line move counts from a manager, or from someone whose role routes mail (who
/// may move only mail not yet on a line: checked when they make it).
pub fn fold(state: &mut Triage, by: Author<'_>, change: &Change, categories: &[&str]) {
    let holds = state.assignee.as_deref() == Some(by.fingerprint);
    match change {
        Change::Claim if state.assignee.is_none() || holds || by.manager => {
            state.assignee = Some(by.fingerprint.to_owned())
        }
        Change::Claim => {}
        Change::Release if holds || by.manager => state.assignee = None,
        Change::Release => {}
        Change::Status { status } => state.status = Some(*status),
        Change::Risk { category, raised } if categories.contains(&category.as_str()) => {
            if *raised {
                state.risks.insert(category.clone());
            } else {
                state.risks.remove(category);
            }
        }
        Change::Risk { .. }
        | Change::Authored
        | Change::Note { .. }
        | Change::ForReview { .. }
        | Change::Review { .. } => {}
        Change::Snooze { until, at } => state.snooze = until.map(|u| (u, *at)),
        Change::Hold { held } if by.manager => state.held = *held,
        Change::Hold { .. } => {}
        Change::Line { line } if by.manager || by.routes => state.line = Some(line.clone()),
        // Expanded into `Line`s by whoever reads them (`follow`); a snapshot is a base, not a
        // step (`fold_conversation`).
        Change::Line { .. } | Change::Moves { .. } | Change::Snapshot { .. } => {}
    }
}

/// A conversation's entries, in the store's order, resolved: from its manager's snapshot if
/// there is one (the entries it stands for are already left out), then every other entry in
/// order, a colleague's written while the snapshot was being made included. The caller passes
/// only snapshots it trusts (a manager's).
pub fn fold_conversation(entries: &[(Author<'_>, &Change)], categories: &[&str]) -> Triage {
    let mut state = entries
        .iter()
        .find_map(|(_, change)| match change {
            Change::Snapshot { assignee, status, risks, .. } => {
                Some(Triage { assignee: assignee.clone(), status: *status, risks: risks.clone(), ..Triage::default() })
            }
            _ => None,
        })
        .unwrap_or_default();
    for (by, change) in entries {
        fold(&mut state, *by, change, categories);
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(entries: &[(&str, Change)]) -> Triage {
        let mut t = Triage::default();
        for (by, change) in entries {
            let author = Author { fingerprint: by, manager: *by == "mia", routes: *by == "rui" };
            fold(&mut t, author, change, &["child_protection"]);
        }
        t
    }

    #[test]
    fn issue23_a_snapshot_is_the_base_and_what_it_did_not_see_still_applies() {
        let snapshot = Change::Snapshot {
            assignee: Some("ash".into()),
            status: Some(Status::Waiting),
            risks: ["child_protection".to_owned()].into(),
            covers: vec!["e1".into(), "e2".into()],
        };
        let (ash, bea) = (
            Author { fingerprint: "ash", manager: false, routes: false },
            Author { fingerprint: "bea", manager: false, routes: false },
        );
        let mia = Author { fingerprint: "mia", manager: true, routes: false };
        // Bea's claim was written while the snapshot was made (an earlier UID, not covered).
        let t = fold_conversation(&[(bea, &Change::Claim), (mia, &snapshot)], &["child_protection"]);
        assert_eq!(t.assignee.as_deref(), Some("ash"), "the first claim (in the snapshot) still wins");
        assert_eq!(t.shown_status(), Status::Waiting);
        let release = Change::Release;
        let t = fold_conversation(&[(mia, &snapshot), (ash, &release), (bea, &Change::Claim)], &["child_protection"]);
        assert_eq!(t.assignee.as_deref(), Some("bea"));
        assert_eq!(t.risks.len(), 1);
    }

    #[test]
    fn issue24_the_last_snooze_stands_and_a_wake_clears_it() {
        let snooze = |until: Option<i64>, at: i64| Change::Snooze { until, at };
        assert_eq!(run(&[("ash", snooze(Some(500), 100))]).snooze, Some((500, 100)));
        assert_eq!(run(&[("ash", snooze(Some(500), 100)), ("bea", snooze(Some(900), 200))]).snooze, Some((900, 200)));
        assert_eq!(run(&[("ash", snooze(Some(500), 100)), ("bea", snooze(None, 200))]).snooze, None);
    }

    #[test]
    fn issue23_only_a_managers_hold_counts() {
        assert!(!run(&[("ash", Change::Hold { held: true })]).held);
        assert!(run(&[("mia", Change::Hold { held: true }), ("ash", Change::Hold { held: false })]).held);
        assert!(!run(&[("mia", Change::Hold { held: true }), ("mia", Change::Hold { held: false })]).held);
    }

    #[test]
    fn issue23_a_line_move_counts_from_a_manager_or_a_router_and_the_last_one_stands() {
        let to = |l: &str| Change::Line { line: l.into() };
        assert_eq!(run(&[("ash", to("mens_advice"))]).line, None);
        assert_eq!(run(&[("rui", to("phoneline"))]).line.as_deref(), Some("phoneline"));
        let t = run(&[("rui", to("phoneline")), ("mia", to("mens_advice")), ("ash", to("phoneline"))]);
        assert_eq!(t.line.as_deref(), Some("mens_advice"));
    }

    #[test]
    fn issue23_a_manager_reassigns_a_claimed_conversation() {
        let t = run(&[("ash", Change::Claim), ("mia", Change::Claim)]);
        assert_eq!(t.assignee.as_deref(), Some("mia"));
        let t = run(&[("ash", Change::Claim), ("mia", Change::Release), ("bea", Change::Claim)]);
        assert_eq!(t.assignee.as_deref(), Some("bea"));
    }

    #[test]
    fn issue23_the_first_claim_wins_and_only_its_holder_releases_it() {
        let t = run(&[("ash", Change::Claim), ("bea", Change::Claim)]);
        assert_eq!(t.assignee.as_deref(), Some("ash"));
        assert_eq!(t.shown_status(), Status::InProgress);
        let t = run(&[("ash", Change::Claim), ("bea", Change::Release), ("bea", Change::Claim)]);
        assert_eq!(t.assignee.as_deref(), Some("ash"), "a release by someone else is nothing");
        let t = run(&[("ash", Change::Claim), ("ash", Change::Release), ("bea", Change::Claim)]);
        assert_eq!(t.assignee.as_deref(), Some("bea"));
    }

    #[test]
    fn issue23_status_and_flags_follow_the_last_entry_and_unknown_flags_count_for_nothing() {
        let waiting = Change::Status { status: Status::Waiting };
        let raise = |c: &str| Change::Risk { category: c.into(), raised: true };
        let t = run(&[("ash", waiting), ("bea", raise("child_protection")), ("bea", raise("made_up"))]);
        assert_eq!(t.shown_status(), Status::Waiting);
        assert_eq!(t.risks.iter().collect::<Vec<_>>(), ["child_protection"]);
        let lower = Change::Risk { category: "child_protection".into(), raised: false };
        let closed = Change::Status { status: Status::Closed };
        let t = run(&[("ash", raise("child_protection")), ("ash", lower), ("bea", closed)]);
        assert!(t.risks.is_empty());
        assert_eq!(t.shown_status(), Status::Closed);
        assert_eq!(Triage::default().shown_status(), Status::New);
    }
}
