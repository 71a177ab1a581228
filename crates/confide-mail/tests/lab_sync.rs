//! Sync against the real lab (Dovecot over TLS), with the real keyring.

use std::sync::Arc;

use confide_core::accounts::{self, AccountKind, Security};
use confide_core::conversations::Channel;
use confide_core::inbox::{self, InboxFilter};
use confide_core::mailstore;
use confide_core::policy::{Catalog, RoleKind};
use confide_core::store::StoreConfig;
use confide_core::{paths, staff, Store, SystemClock};
use confide_mail::lab::Lab;
use confide_mail::sync::sync_account;
use confide_mail::MailError;
use confide_vault::{OsKeyring, Vault};

async fn store(dir: &std::path::Path) -> Store {
    let vault = Vault::new(Arc::new(OsKeyring::new(paths::KEYRING_SERVICE)), paths::keyring_profile(dir));
    let store = Store::open(StoreConfig {
        data_dir: dir.into(),
        vault,
        clock: Arc::new(SystemClock),
        catalog: Catalog::builtin(),
    })
    .await
    .unwrap();
    // A manager: sees every line, and mail not yet on one (the seed has a message to no address).
    staff::save_profile(&store, "respect-mal-current", "Tester", RoleKind::Manager).await.unwrap();
    staff::accept_agreement(&store, "current-1").await.unwrap();
    store
}

fn quiet(_: &confide_mail::sync::SyncProgress) {}

#[tokio::test]
async fn issue3_sync_mirrors_the_shared_mailbox_and_a_resync_changes_nothing() {
    let Some(lab) = Lab::get("issue3_sync_mirrors_the_shared_mailbox_and_a_resync_changes_nothing") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let store = store(&tmp.path().join("data")).await;
    let account = lab.account("helpline", "helpline", AccountKind::Shared);
    accounts::save(&store, &account, &lab.password("helpline")).await.unwrap();

    let first = sync_account(&store, &account, &quiet).await.unwrap();
    let mut server_total = 0;
    // Confide's own record folders (the team directory, say) are not mail and are not synced.
    for folder in lab.folders("helpline").into_iter().filter(|f| !confide_mail::folders::is_record_folder(f)) {
        let server = lab.server_uids("helpline", &folder);
        server_total += server.len();
        assert_eq!(mailstore::local_uids(&store, "helpline", &folder).await.unwrap(), server, "folder {folder}");
    }
    assert_eq!(first.added, server_total);
    assert!(server_total > 60, "the seeded mailbox looks empty: {server_total}");

    // Threads: a reply in Sent joins the enquiry it answers; lines come from the To address.
    let session = staff::session(&store).await.unwrap();
    let all = inbox::page(&session, &InboxFilter { limit: Some(500), ..Default::default() }).await.unwrap();
    assert!(all.conversations.iter().any(|c| c.message_count >= 3), "no three-message thread was formed");
    let lines: std::collections::HashSet<_> = all.conversations.iter().map(|c| c.line_id.as_str()).collect();
    assert!(lines.contains("phoneline") && lines.contains("mens_advice"), "{lines:?}");
    let found = inbox::page(
        &session,
        &InboxFilter { search: Some("children".into()), channel: Some(Channel::Email), ..Default::default() },
    )
    .await
    .unwrap();
    assert!(found.total.unwrap_or(0) > 0, "full-text search found nothing");

    // A no-change resync is one EXAMINE per folder (QRESYNC) and changes nothing.
    let again = sync_account(&store, &account, &quiet).await.unwrap();
    assert_eq!((again.added, again.removed, again.resets, again.unchanged_folders), (0, 0, 0, again.folders));
}

#[tokio::test]
async fn issue3_new_mail_expunges_and_a_uidvalidity_change_are_followed() {
    let Some(lab) = Lab::get("issue3_new_mail_expunges_and_a_uidvalidity_change_are_followed") else { return };
    let user = lab.fresh_user("uv");
    let user = user.as_str();
    lab.bulk_import(user, 30, "uv");
    let tmp = tempfile::tempdir().unwrap();
    let store = store(&tmp.path().join("data")).await;
    let account = lab.account("shared", user, AccountKind::Shared);
    accounts::save(&store, &account, &lab.password(user)).await.unwrap();
    sync_account(&store, &account, &quiet).await.unwrap();
    assert_eq!(mailstore::local_uids(&store, "shared", "INBOX").await.unwrap().len(), 30);

    // New mail and an expunge on the server.
    lab.bulk_import(user, 5, "later");
    lab.doveadm(&[
        "expunge",
        "-u",
        &format!("{user}@lab.test"),
        "mailbox",
        "INBOX",
        "header",
        "Subject",
        "uv message 7",
    ]);
    let r = sync_account(&store, &account, &quiet).await.unwrap();
    assert_eq!((r.added, r.removed), (5, 1));
    assert_eq!(mailstore::local_uids(&store, "shared", "INBOX").await.unwrap(), lab.server_uids(user, "INBOX"));

    // The server renumbers the folder: the local copy is emptied and fetched again, once.
    let address = format!("{user}@lab.test");
    let status = lab.doveadm(&["-f", "flow", "mailbox", "status", "-u", &address, "uidvalidity", "INBOX"]);
    let current: u64 = status.trim().rsplit('=').next().unwrap().parse().unwrap();
    lab.doveadm(&["mailbox", "update", "-u", &address, "--uid-validity", &(current + 1).to_string(), "INBOX"]);
    let r = sync_account(&store, &account, &quiet).await.unwrap();
    assert_eq!((r.resets, r.added), (1, 34));
    let count = sqlx::query_scalar!("SELECT count(*) FROM messages").fetch_one(store.pool()).await.unwrap();
    assert_eq!(count, 34, "messages were duplicated across the UIDVALIDITY change");
}

#[tokio::test]
async fn issue3_a_server_without_tls_is_refused_before_any_password_is_sent() {
    // A one-line fake server that offers no STARTTLS; a unit-level stand-in for a misconfigured
    // server, since the lab (rightly) always offers TLS.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        use std::io::{BufRead, BufReader, Write};
        let (mut s, _) = listener.accept().unwrap();
        s.write_all(b"* OK IMAP4rev1 ready\r\n").unwrap();
        let mut seen = Vec::new();
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut line = String::new();
        while r.read_line(&mut line).unwrap_or(0) > 0 {
            seen.push(line.clone());
            if let Some(tag) = line.split(' ').next() {
                let _ = s.write_all(format!("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n").as_bytes());
            }
            line.clear();
        }
        seen
    });
    let mut account = {
        confide_core::accounts::Account {
            id: "x".into(),
            kind: AccountKind::Shared,
            address: "x@lab.test".into(),
            username: "x@lab.test".into(),
            imap_host: String::new(),
            imap_port: 0,
            imap_security: Security::Starttls,
            smtp_host: "127.0.0.1".into(),
            smtp_port: 1,
            smtp_security: Security::Starttls,
            ca_file: None,
            lines: vec![],
            sign_in: Default::default(),
            folder_names: Default::default(),
        }
    };
    account.imap_host = "127.0.0.1".into();
    account.imap_port = port;
    account.imap_security = Security::Starttls;
    let err = confide_mail::connect::imap_login(&account, &"secret-password-canary".into()).expect_err("refused");
    assert!(matches!(err, MailError::NoTls { .. }), "{err}");
    assert!(err.to_string().contains("will not send your password"), "{err}");
    let seen = server.join().unwrap();
    assert!(!seen.concat().contains("secret-password-canary"), "the password was sent: {seen:?}");
}

#[tokio::test]
async fn issue3_an_attachment_is_decoded_and_written_only_where_asked() {
    let Some(lab) = Lab::get("issue3_an_attachment_is_decoded_and_written_only_where_asked") else { return };
    let user = lab.fresh_user("attach");
    let raw = "From: a@example.org\r\nTo: x@lab.test\r\nSubject: with a file\r\nMIME-Version: 1.0\r\n\
               Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
               --b\r\nContent-Type: application/pdf; name=\"../../report.pdf\"\r\nContent-Disposition: attachment; filename=\"../../report.pdf\"\r\n\
               Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IKYXR0YWNobWVudC1ib2R5Cg==\r\n--b--\r\n";
    lab.import_raw(&user, &[raw.to_owned()]);
    let tmp = tempfile::tempdir().unwrap();
    let store = store(&tmp.path().join("data")).await;
    let account = lab.account("attach", &user, AccountKind::Shared);
    accounts::save(&store, &account, &lab.password(&user)).await.unwrap();
    sync_account(&store, &account, &quiet).await.unwrap();
    let session = staff::session(&store).await.unwrap();
    let id = inbox::page(&session, &InboxFilter::default()).await.unwrap().conversations[0].id;
    let view = confide_mail::reading::conversation(&session, id).await.unwrap();
    let message = &view.messages[0];
    assert_eq!(message.attachments.len(), 1);

    let (name, bytes) = confide_mail::reading::attachment(&session, message.id, 0).await.unwrap();
    assert_eq!(bytes, b"%PDF-1.4\n%\xc7\xec\x8f\xa2\nattachment-body\n");
    let suggested = confide_mail::reading::suggested_name(name.as_deref());
    assert_eq!(suggested, "report.pdf", "a folder part in the name must not survive");
    let target = tmp.path().join("chosen").join(&suggested);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    confide_mail::reading::write_attachment(&target, &bytes).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(confide_mail::reading::attachment(&session, message.id, 5).await.is_err());
}
