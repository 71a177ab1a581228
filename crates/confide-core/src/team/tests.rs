use std::sync::Arc;

use confide_vault::{KeyPolicy, MemorySecrets, SigningKey, Vault};

use super::*;

pub(crate) struct Person {
    pub(crate) key: SigningKey,
    pub(crate) member: Member,
    pub(crate) identity: confide_vault::StaffIdentity,
    /// How claims name this person: their encryption identity's fingerprint.
    claim_fingerprint: String,
}

pub(crate) fn person(name: &str, role: RoleKind, lines: &[&str]) -> Person {
    let vault = Vault::new(Arc::new(MemorySecrets::default()), name);
    let key = vault.signing_key().unwrap();
    let identity = vault.staff_identity(KeyPolicy::CreateIfMissing).unwrap();
    let age_recipient = identity.recipient().to_string();
    let member = Member {
        name: name.into(),
        role,
        lines: lines.iter().map(|l| l.to_string()).collect(),
        age_recipient,
        signing_key: key.public_hex(),
        reviewed: false,
    };
    Person { key, member, claim_fingerprint: identity.fingerprint(), identity }
}

pub(crate) fn add(by: &Person, who: &Person, at: i64) -> Entry {
    sign(Change::Add { member: who.member.clone() }, &by.key, at)
}

fn names(members: &[Member]) -> Vec<&str> {
    members.iter().map(|m| m.name.as_str()).collect()
}

#[test]
fn a_manager_founds_the_team_adds_and_removes_and_recipients_follow_role_and_line() {
    let (ann, bob, cy) = (
        person("Ann", RoleKind::Manager, &[]),
        person("Bob", RoleKind::Advisor, &["phoneline"]),
        person("Cy", RoleKind::Advisor, &["mens_advice"]),
    );
    let entries = vec![
        add(&ann, &ann, 1),
        add(&ann, &bob, 2),
        add(&ann, &cy, 3),
        sign(Change::Remove { signing_key: cy.member.signing_key.clone() }, &ann.key, 4),
    ];
    assert_eq!(first_root(&entries).as_deref(), Some(ann.member.signing_key.as_str()));
    let dir = resolve(&entries, &ann.member.signing_key);
    assert!(dir.ignored.is_empty(), "{:?}", dir.ignored);
    assert_eq!(names(&dir.members), ["Ann", "Bob"]);
    assert_eq!(names(&dir.removed), ["Cy"], "a leaver is shown as such");
    // A record on the Men's Advice Line is for the managers only now that Cy has left.
    assert_eq!(dir.recipients(None, Some("mens_advice")), std::slice::from_ref(&ann.member.age_recipient));
    assert_eq!(
        dir.recipients(None, Some("phoneline")),
        [ann.member.age_recipient.clone(), bob.member.age_recipient.clone()]
    );
    assert_eq!(dir.recipients(Some(RoleKind::Manager), None), std::slice::from_ref(&ann.member.age_recipient));
    // Applied in time order, whatever order the server lists them in.
    let mut shuffled = entries.clone();
    shuffled.reverse();
    assert_eq!(resolve(&shuffled, &ann.member.signing_key), dir);
}

#[test]
fn forged_and_unauthorised_entries_are_ignored_and_reported() {
    let (ann, bob, eve) = (
        person("Ann", RoleKind::Manager, &[]),
        person("Bob", RoleKind::Advisor, &["phoneline"]),
        person("Eve", RoleKind::Manager, &[]),
    );
    let mut tampered = add(&ann, &bob, 3);
    if let Change::Add { member } = &mut tampered.change {
        member.role = RoleKind::Manager;
    }
    let entries = vec![
        add(&ann, &ann, 1),
        add(&ann, &bob, 2),
        tampered,
        // A valid age key and a valid signature, but no manager signed it.
        add(&eve, &eve, 4),
        // An advisor adding someone.
        add(&bob, &eve, 5),
    ];
    let dir = resolve(&entries, &ann.member.signing_key);
    assert_eq!(names(&dir.members), ["Ann", "Bob"]);
    assert_eq!(dir.members[1].role, RoleKind::Advisor, "the tampered promotion did not count");
    assert_eq!(dir.ignored.len(), 3, "{:?}", dir.ignored);
    assert!(dir.ignored[0].contains("not validly signed"));
    assert!(dir.ignored[1].contains("not signed by a manager"));
    assert!(
        dir.recipients(None, None).iter().all(|r| *r != eve.member.age_recipient),
        "a forged member receives nothing"
    );
}

#[test]
fn a_removed_manager_can_sign_nothing_more_and_only_the_pinned_root_founds() {
    let (ann, dee, bob) = (
        person("Ann", RoleKind::Manager, &[]),
        person("Dee", RoleKind::Manager, &[]),
        person("Bob", RoleKind::Advisor, &["phoneline"]),
    );
    let entries = vec![
        add(&ann, &ann, 1),
        add(&ann, &dee, 2),
        sign(Change::Remove { signing_key: dee.member.signing_key.clone() }, &ann.key, 3),
        add(&dee, &bob, 4),
    ];
    let dir = resolve(&entries, &ann.member.signing_key);
    assert_eq!(names(&dir.members), ["Ann"]);
    assert_eq!(dir.ignored.len(), 1);
    // The founder removed by another manager cannot found the team a second time.
    let again = vec![
        add(&ann, &ann, 1),
        add(&ann, &dee, 2),
        sign(Change::Remove { signing_key: ann.member.signing_key.clone() }, &dee.key, 3),
        add(&ann, &ann, 4),
    ];
    let dir = resolve(&again, &ann.member.signing_key);
    assert_eq!(names(&dir.members), ["Dee"]);
    assert_eq!(names(&dir.removed), ["Ann"]);
    // Another desktop that pinned Dee as its root sees a different founding, and says so.
    let other = resolve(&entries, &dee.member.signing_key);
    assert!(other.ignored.iter().any(|i| i.contains("adding Ann")), "{:?}", other.ignored);
}

#[test]
fn members_record_their_own_acceptance_and_no_one_else_can() {
    let (ann, bob, eve) = (
        person("Ann", RoleKind::Manager, &[]),
        person("Bob", RoleKind::Advisor, &["phoneline"]),
        person("Eve", RoleKind::Advisor, &[]),
    );
    let mut forged = sign(Change::Accepted { version: "current-1".into() }, &bob.key, 5);
    forged.by = ann.member.signing_key.clone();
    let entries = vec![
        add(&ann, &ann, 1),
        add(&ann, &bob, 2),
        sign(Change::Accepted { version: "current-1".into() }, &bob.key, 3),
        sign(Change::Accepted { version: "current-1".into() }, &eve.key, 4),
        forged,
    ];
    let dir = resolve(&entries, &ann.member.signing_key);
    assert_eq!(
        dir.acceptances,
        vec![Acceptance { signing_key: bob.member.signing_key.clone(), version: "current-1".into(), at: 3 }]
    );
    assert_eq!(dir.ignored.len(), 2, "{:?}", dir.ignored);
    assert!(dir.ignored[0].contains("not from a member"));
    assert!(dir.ignored[1].contains("not validly signed"));
}

#[test]
fn names_answer_for_both_keys_and_mark_leavers() {
    let (ann, bob) = (person("Ann", RoleKind::Manager, &[]), person("Bob", RoleKind::Advisor, &["phoneline"]));
    let dir = resolve(
        &[
            add(&ann, &ann, 1),
            add(&ann, &bob, 2),
            sign(Change::Remove { signing_key: bob.member.signing_key.clone() }, &ann.key, 3),
        ],
        &ann.member.signing_key,
    );
    let by_key = super::names(&dir);
    assert_eq!(by_key.get(&ann.claim_fingerprint).map(String::as_str), Some("Ann"));
    assert_eq!(by_key.get(&ann.member.signing_key).map(String::as_str), Some("Ann"));
    assert_eq!(by_key.get(&bob.member.signing_key).map(String::as_str), Some("Bob (left)"));
}

#[test]
fn issue24_the_reviewed_mark_leaves_entries_signed_before_it_unchanged() {
    let ash = person("Ash", RoleKind::Advisor, &["phoneline"]);
    let json = serde_json::to_string(&ash.member).unwrap();
    assert!(!json.contains("reviewed"), "an unmarked member's entry changed: {json}");
    assert!(!serde_json::from_str::<Member>(&json).unwrap().reviewed);
    let marked = serde_json::to_string(&Member { reviewed: true, ..ash.member.clone() }).unwrap();
    assert!(serde_json::from_str::<Member>(&marked).unwrap().reviewed);
    // Listed again with the mark, by a manager: the last entry stands.
    let mia = person("Mia", RoleKind::Manager, &[]);
    let entries = [
        sign(Change::Add { member: mia.member.clone() }, &mia.key, 1),
        sign(Change::Add { member: ash.member.clone() }, &mia.key, 2),
        sign(Change::Add { member: Member { reviewed: true, ..ash.member.clone() } }, &mia.key, 3),
    ];
    let dir = resolve(&entries, &mia.member.signing_key);
    assert!(dir.members.iter().any(|m| m.name == "Ash" && m.reviewed));
    assert!(dir.ignored.is_empty());
}
