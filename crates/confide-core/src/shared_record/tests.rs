use confide_vault::VaultError;

use super::*;
use crate::policy::Catalog;
use crate::team::tests::{add, person, Person};
use crate::team::{resolve, sign, Change};

struct Team {
    ann: Person,
    bob: Person,
    cy: Person,
    dir: Directory,
}

/// Ann manages; Bob advises on the Respect Phoneline, Cy on the Men's Advice Line.
fn team() -> Team {
    let ann = person("Ann", RoleKind::Manager, &[]);
    let bob = person("Bob", RoleKind::Advisor, &["phoneline"]);
    let cy = person("Cy", RoleKind::Advisor, &["mens_advice"]);
    let dir = resolve(&[add(&ann, &ann, 1), add(&ann, &bob, 2), add(&ann, &cy, 3)], &ann.member.signing_key);
    Team { ann, bob, cy, dir }
}

fn preset() -> Preset {
    Catalog::builtin().get("respect-mal-current").unwrap().clone()
}

fn seal_as(by: &Person, dir: &Directory, class: &str, line: Option<&str>, body: &[u8]) -> Vec<u8> {
    let to = readers(&preset(), dir, class, line).unwrap();
    seal(class, line, 1_700_000_000, body, &by.key, &to).unwrap().1
}

#[test]
fn a_letter_opens_with_the_managers_key_and_with_no_advisors() {
    let t = team();
    let sealed = seal_as(&t.bob, &t.dir, "letter", Some("phoneline"), b"letter-canary-51c2");
    assert!(!sealed.windows(18).any(|w| w == b"letter-canary-51c2"));
    let opened = open(&sealed, &t.ann.identity, &t.dir).unwrap();
    assert_eq!(opened.body, b"letter-canary-51c2");
    assert_eq!((opened.header.class.as_str(), opened.header.line.as_deref()), ("letter", Some("phoneline")));
    for advisor in [&t.bob, &t.cy] {
        let err = open(&sealed, &advisor.identity, &t.dir).unwrap_err();
        assert!(matches!(err, CoreError::Vault(VaultError::NotForYou)), "{err}");
    }
}

#[test]
fn a_transcript_is_for_its_lines_staff_and_the_managers_only() {
    let t = team();
    let sealed = seal_as(&t.cy, &t.dir, "webchat", Some("mens_advice"), b"chat");
    assert!(open(&sealed, &t.ann.identity, &t.dir).is_ok());
    assert!(open(&sealed, &t.cy.identity, &t.dir).is_ok());
    assert!(matches!(open(&sealed, &t.bob.identity, &t.dir), Err(CoreError::Vault(VaultError::NotForYou))));
    // The audit log is the managers'.
    let audit = seal_as(&t.bob, &t.dir, AUDIT_CLASS, None, b"[]");
    assert!(open(&audit, &t.ann.identity, &t.dir).is_ok());
    assert!(open(&audit, &t.bob.identity, &t.dir).is_err());
}

#[test]
fn a_leaver_gets_nothing_new_and_nobody_is_refused() {
    let t = team();
    let entries = [
        add(&t.ann, &t.ann, 1),
        add(&t.ann, &t.cy, 2),
        sign(Change::Remove { signing_key: t.cy.member.signing_key.clone() }, &t.ann.key, 3),
    ];
    let dir = resolve(&entries, &t.ann.member.signing_key);
    let sealed = seal_as(&t.ann, &dir, "webchat", Some("mens_advice"), b"after Cy left");
    assert!(matches!(open(&sealed, &t.cy.identity, &dir), Err(CoreError::Vault(VaultError::NotForYou))));
    // With no directory there is no one to encrypt to: refused, not written to nobody.
    let err = readers(&preset(), &Directory::default(), "letter", None).unwrap_err();
    assert!(err.to_string().contains("nobody in the team directory"), "{err}");
    assert!(readers(&preset(), &dir, "no_such_class", None).is_err());
}

#[test]
fn a_changed_body_or_an_outsiders_record_is_not_trusted() {
    let t = team();
    let stranger = person("Stranger", RoleKind::Manager, &[]);
    let to = readers(&preset(), &t.dir, "letter", None).unwrap();
    let (_, forged) = seal("letter", None, 1, b"forged", &stranger.key, &to).unwrap();
    let err = open(&forged, &t.ann.identity, &t.dir).unwrap_err();
    assert!(err.to_string().contains("not in the team directory"), "{err}");

    // Re-encrypt Bob's signed header over a different body: the hash no longer matches.
    let (_, sealed) = seal("letter", None, 1, b"original", &t.bob.key, &to).unwrap();
    let mut plain = confide_vault::open(&sealed, &t.ann.identity).unwrap();
    let at = plain.len() - b"original".len();
    plain.truncate(at);
    plain.extend_from_slice(b"replaced");
    let tampered = confide_vault::seal(&plain, &to).unwrap();
    let err = open(&tampered, &t.ann.identity, &t.dir).unwrap_err();
    assert!(err.to_string().contains("damaged"), "{err}");
}
