use super::*;
use crate::policy::Catalog;

fn preset() -> Preset {
    Catalog::builtin().get("respect-mal-current").unwrap().clone()
}

const MICROSOFT: &str = r#"
address = "helpline@charity.org.uk"
provider = "microsoft"
tenant = "charity.org.uk"
client_id = "0b5c1f6e-0000-4000-8000-000000000001"

[[lines]]
address = "phoneline@charity.org.uk"
line_id = "phoneline"
"#;

#[test]
fn a_microsoft_365_file_fills_in_the_servers_the_scopes_and_the_tenant() {
    let c = parse(MICROSOFT).unwrap();
    let a = account("shared", &c, Some(&preset())).unwrap();
    assert_eq!((a.imap_host.as_str(), a.imap_port, a.imap_security), ("outlook.office365.com", 993, Security::Tls));
    assert_eq!((a.smtp_host.as_str(), a.smtp_port, a.smtp_security), ("smtp.office365.com", 587, Security::Starttls));
    assert_eq!(a.username, "helpline@charity.org.uk");
    let SignIn::OAuth(s) = &a.sign_in else { panic!("a provider account signs in with OAuth") };
    assert_eq!(s.issuer, "https://login.microsoftonline.com/charity.org.uk/v2.0");
    assert_eq!(s.client_id, "0b5c1f6e-0000-4000-8000-000000000001");
    assert!(s.scopes.iter().any(|x| x.ends_with("IMAP.AccessAsUser.All")));
    assert_eq!(a.lines.len(), 1);
}

#[test]
fn an_issuer_needs_servers_and_a_password_server_signs_in_with_a_password() {
    let mut c = Connection {
        address: "helpline@lab.test".into(),
        provider: "https://id.example.org".into(),
        client_id: Some("confide".into()),
        ..Connection::default()
    };
    let e = account("shared", &c, Some(&preset())).unwrap_err().to_string();
    assert!(e.contains("give the IMAP server as HOST:PORT"), "{e}");
    c.imap = Some("mail.example.org:993".into());
    c.smtp = Some("mail.example.org:587".into());
    let a = account("shared", &c, Some(&preset())).unwrap();
    assert_eq!((a.imap_security, a.smtp_security), (Security::Tls, Security::Starttls));
    // A lab or an odd port: TLS for IMAP unless 143, STARTTLS for SMTP unless 465, or as said.
    c.imap = Some("127.0.0.1:1993".into());
    c.smtp = Some("mail.example.org:465".into());
    let a = account("shared", &c, Some(&preset())).unwrap();
    assert_eq!((a.imap_security, a.smtp_security), (Security::Tls, Security::Tls));
    c.imap = Some("mail.example.org:143".into());
    c.smtp_security = Some(Security::Starttls);
    let a = account("shared", &c, Some(&preset())).unwrap();
    assert_eq!((a.imap_security, a.smtp_security), (Security::Starttls, Security::Starttls));
    c.provider = "password".into();
    assert_eq!(account("shared", &c, Some(&preset())).unwrap().sign_in, SignIn::Password);
}

#[test]
fn what_would_fail_later_is_refused_now_in_words() {
    let ok = parse(MICROSOFT).unwrap();
    let said = |c: Connection| account("shared", &c, Some(&preset())).unwrap_err().to_string();
    assert!(said(Connection { client_id: None, ..ok.clone() }).contains("client id) is missing"));
    assert!(said(Connection { provider: "yahoo".into(), ..ok.clone() }).contains("not a provider Confide knows"));
    assert!(said(Connection { provider: "http://id.example.org".into(), ..ok.clone() }).contains("not a provider"));
    assert!(said(Connection { address: "helpline".into(), ..ok.clone() }).contains("shared mailbox's address"));
    let other_line = vec![LineAddress { address: "x@charity.org.uk".into(), line_id: "gardening".into() }];
    assert!(said(Connection { lines: other_line, ..ok.clone() }).contains("has no service line \"gardening\""));
    let bad_port = Connection { provider: "password".into(), imap: Some("mail:imap".into()), ..ok };
    assert!(said(bad_port).contains("write the IMAP server as HOST:PORT"));
    let typo = parse("address = \"a@b\"\nprovder = \"google\"\n").unwrap_err();
    assert!(typo.contains("not as expected"), "{typo}");
}
