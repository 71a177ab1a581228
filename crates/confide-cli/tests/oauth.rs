//! Issue 22: signing in with OAuth 2.0 headless, by the device flow, at the lab's real provider
//! (node's oidc-provider), whose tokens Dovecot checks by introspection; then a timer's job on the
//! stored refresh token alone; and a revoked sign-in, which stops with "Sign in ... again" and
//! is refused at the provider exactly once, however often the job runs after.
// The keyring lock is held across awaits on purpose (see `common::one_at_a_time`).
#![allow(clippy::await_holding_lock)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use confide_mail::lab::Lab;

mod common;
use common::confide;

/// How many times the lab's provider has refused a token request so far.
fn refusals(lab: &Lab) -> usize {
    let log = std::fs::read_to_string(lab.dir.join("log/oidc.log")).unwrap_or_default();
    log.lines().filter(|l| l.starts_with("grant.error invalid_grant")).count()
}

/// The access tokens the lab's provider has issued so far, oldest first (its log names them).
fn issued(lab: &Lab) -> Vec<String> {
    let log = std::fs::read_to_string(lab.dir.join("log/oidc.log")).unwrap_or_default();
    log.lines().filter_map(|l| l.strip_prefix("access_token.issued ")).map(str::to_owned).collect()
}

/// `confide account add` for the lab's helpline mailbox, signing in at the lab's provider.
fn add_shared(lab: &Lab, data: &std::path::Path) -> Command {
    let mut add = confide(data);
    add.args(["account", "add", "--id", "shared", "--kind", "shared", "--address", "helpline@lab.test"])
        .arg("--imap")
        .arg(format!("127.0.0.1:{}", lab.var("LAB_IMAPS_PORT")))
        .args(["--smtp", "127.0.0.1:1587", "--ca-file", lab.var("LAB_CA")])
        .args(["--line", "phoneline@lab.test=phoneline", "--line", "mensadvice@lab.test=mens_advice"])
        .args(["--oauth", lab.var("LAB_OIDC_ISSUER"), "--client-id", lab.var("LAB_OIDC_CLIENT")])
        .args(["--scope", "openid", "--scope", "offline_access", "--scope", "mail"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    add
}

#[tokio::test]
async fn issue22_account_added_by_device_flow_syncs_over_oauth_and_a_revoked_sign_in_is_tried_once() {
    let Some(lab) =
        Lab::get("issue22_account_added_by_device_flow_syncs_over_oauth_and_a_revoked_sign_in_is_tried_once")
    else {
        return;
    };
    let _keyring = common::one_at_a_time();
    // The standing helpline mailbox: a team a window test founded there is not this desktop's.
    lab.forget_team("helpline");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::manager_store(&data).await;

    // The shared mailbox signs in as itself; the person allows it on "another device" (the
    // lab's approve.py plays them at the provider's own pages).
    let issuer = lab.var("LAB_OIDC_ISSUER").to_owned();
    let mut add = add_shared(&lab, &data).spawn().unwrap();
    let mut told = String::new();
    let mut stderr = BufReader::new(add.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "the command ended before showing a code: {told}");
        told.push_str(&line);
        if let Some(url) = line.trim().strip_prefix("Or open: ") {
            break url.to_owned();
        }
    };
    assert!(told.contains("enter the code"), "{told}");
    let approve = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/lab/oidc/approve.py");
    let ok =
        Command::new("python3").args([approve, &url, "helpline@lab.test", &lab.password("helpline")]).output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let added = add.wait_with_output().unwrap();
    assert!(added.status.success(), "{told}{}", String::from_utf8_lossy(&added.stdout));

    // No password anywhere: the keyring holds the refresh token, not the mailbox's password.
    let vault = confide_vault::Vault::new(
        std::sync::Arc::new(confide_vault::OsKeyring::new(confide_core::paths::KEYRING_SERVICE)),
        confide_core::paths::keyring_profile(&data),
    );
    let refresh = vault.account_password("shared").unwrap().expect("the sign-in is kept").to_string();
    assert_ne!(refresh, lab.password("helpline"));

    // The timer's job, on the refresh token alone: the whole shared mailbox over OAUTHBEARER,
    // logging all it can, while every process's arguments and environment are read over and
    // over. Neither the refresh token nor any access token the provider issued meanwhile (its
    // log names them) reaches the log, a file, or the process table.
    let issued_before = issued(&lab).len();
    let mut job = confide(&data)
        .arg("sync")
        .env("CONFIDE_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = String::new();
            pipe.read_to_string(&mut bytes).unwrap();
            bytes
        })
    };
    let (out, log) = (drain(Box::new(job.stdout.take().unwrap())), drain(Box::new(job.stderr.take().unwrap())));
    let mut table = vec![];
    while job.try_wait().unwrap().is_none() {
        table.extend(common::process_table());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let (out, log, status) = (out.join().unwrap(), log.join().unwrap(), job.wait().unwrap());
    assert!(status.success(), "{out}{log}");
    assert!(log.contains("TRACE") || log.contains("DEBUG"), "the job did not log at its most verbose");
    assert!(!log.contains("Bearer ") && !log.contains("access_token"), "a token is in the job's log");
    let access = issued(&lab).split_off(issued_before);
    assert!(!access.is_empty(), "the job signed in with no new access token");
    for (what, token) in std::iter::once(("the refresh token", refresh.as_str()))
        .chain(access.iter().map(|t| ("an access token", t.as_str())))
    {
        assert!(!log.contains(token) && !out.contains(token), "{what} is in the job's output");
        assert!(common::files_holding(tmp.path(), token.as_bytes()).is_empty(), "{what} is in a file");
        assert!(!table.windows(token.len()).any(|w| w == token.as_bytes()), "{what} is in the process table");
    }
    let added: usize =
        out.split("added=").nth(1).and_then(|n| n.split(' ').next()).and_then(|n| n.parse().ok()).unwrap();
    assert!(added > 60, "{out}");
    let dovecot = std::fs::read_to_string(lab.dir.join("log/dovecot.log")).unwrap_or_default();
    assert!(
        dovecot.lines().any(|l| l.contains("method=OAUTHBEARER") && l.contains("user=<helpline@lab.test>")),
        "no OAUTHBEARER login in Dovecot's log"
    );

    // Revoked at the provider (as an admin, or a changed password, would): the job stops, says
    // what to do, and exits non-zero; the provider refuses it once; later runs do not ask again.
    let revoked = Command::new("curl")
        .args(["-s", "-X", "POST", &format!("{issuer}/token/revocation"), "-d", "client_id=confide-lab", "-d"])
        .arg(format!("token={refresh}"))
        .output()
        .unwrap();
    assert!(revoked.status.success());
    let before = refusals(&lab);
    for _ in 0..2 {
        let run = confide(&data).arg("sync").output().unwrap();
        let said = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success());
        assert!(said.contains("Sign in to 127.0.0.1:1980 again"), "{said}");
    }
    assert_eq!(refusals(&lab) - before, 1, "the revoked sign-in was tried more than once");
    assert!(vault.account_password("shared").unwrap().is_none(), "a refused sign-in is not kept");
}

/// Issue 22: a person who refuses consent, a provider that cannot be reached, and a wrong
/// tenant each get a sentence, and nothing is stored: no account, no secret in the keyring.
#[tokio::test]
async fn issue22_consent_refused_a_wrong_tenant_or_an_unreachable_provider_is_said_and_nothing_is_stored() {
    let Some(lab) =
        Lab::get("issue22_consent_refused_a_wrong_tenant_or_an_unreachable_provider_is_said_and_nothing_is_stored")
    else {
        return;
    };
    let _keyring = common::one_at_a_time();
    // The standing helpline mailbox: a team a window test founded there is not this desktop's.
    lab.forget_team("helpline");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::manager_store(&data).await;
    let add = |issuer: &str| {
        let mut c = confide(&data);
        c.args(["account", "add", "--id", "shared", "--kind", "shared", "--address", "helpline@lab.test"])
            .arg("--imap")
            .arg(format!("127.0.0.1:{}", lab.var("LAB_IMAPS_PORT")))
            .args(["--smtp", "127.0.0.1:1587", "--oauth", issuer, "--client-id", lab.var("LAB_OIDC_CLIENT")])
            .args(["--scope", "openid", "--scope", "offline_access", "--scope", "mail"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    };

    let mut refused = add(lab.var("LAB_OIDC_ISSUER")).spawn().unwrap();
    let mut stderr = BufReader::new(refused.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no code was shown");
        if let Some(url) = line.trim().strip_prefix("Or open: ") {
            break url.to_owned();
        }
    };
    let approve = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/lab/oidc/approve.py");
    let password = lab.password("helpline");
    let deny =
        Command::new("python3").args([approve, &url, "helpline@lab.test", &password, "--deny"]).output().unwrap();
    assert!(deny.status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(!refused.wait().unwrap().success());
    assert!(rest.contains("did not allow the sign-in: access was not allowed"), "{rest}");

    let unreachable = add("http://127.0.0.1:9").output().unwrap();
    let said = String::from_utf8_lossy(&unreachable.stderr);
    assert!(!unreachable.status.success());
    assert!(said.contains("cannot reach the sign-in service 127.0.0.1:9"), "{said}");

    // A wrong tenant: the provider is there, but the helpline's directory is not.
    let tenant = add(&format!("{}/no-such-tenant", lab.var("LAB_OIDC_ISSUER"))).output().unwrap();
    let said = String::from_utf8_lossy(&tenant.stderr);
    assert!(!tenant.status.success());
    assert!(said.contains("does not know the helpline's organisation"), "{said}");
    assert!(said.contains("check the tenant"), "{said}");

    let listed = confide(&data).args(["account", "list"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "", "an account was kept");
    let vault = confide_vault::Vault::new(
        std::sync::Arc::new(confide_vault::OsKeyring::new(confide_core::paths::KEYRING_SERVICE)),
        confide_core::paths::keyring_profile(&data),
    );
    assert!(vault.account_password("shared").unwrap().is_none(), "a secret was kept");
}

/// Issue 22: signing in in a browser, by the authorization code with PKCE, its answer taken on a
/// loopback port: an answer with another state is turned away (and the wait goes on), the real
/// one signs the account in, and the shared mailbox syncs on the token.
#[tokio::test]
async fn issue22_a_browser_sign_in_uses_pkce_turns_away_a_forged_answer_and_syncs() {
    let Some(lab) = Lab::get("issue22_a_browser_sign_in_uses_pkce_turns_away_a_forged_answer_and_syncs") else {
        return;
    };
    let _keyring = common::one_at_a_time();
    // The standing helpline mailbox: a team a window test founded there is not this desktop's.
    lab.forget_team("helpline");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::manager_store(&data).await;
    let issuer = lab.var("LAB_OIDC_ISSUER").to_owned();
    // The browser here is approve.py, run by the test: nothing is opened.
    let mut add = add_shared(&lab, &data).arg("--browser").env("BROWSER", "true").spawn().unwrap();
    let mut told = String::new();
    let mut stderr = BufReader::new(add.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "the command ended before showing an address: {told}");
        told.push_str(&line);
        if line.starts_with(&issuer) {
            break line.trim().to_owned();
        }
    };
    assert!(url.contains("code_challenge_method=S256") && url.contains("state="), "{url}");
    let redirect = url.split("redirect_uri=").nth(1).unwrap().split('&').next().unwrap().replace("%3A", ":");
    let redirect = redirect.replace("%2F", "/");
    assert!(redirect.starts_with("http://127.0.0.1:") && redirect.ends_with("/callback"), "{redirect}");

    let get = |to: &str| {
        let out = Command::new("curl").args(["-s", "-o", "/dev/null", "-w", "%{http_code}", to]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(get(&format!("{redirect}?code=forged&state=not-this-sign-in")), "400", "a forged answer was taken");

    let approve = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/lab/oidc/approve.py");
    let ok =
        Command::new("python3").args([approve, &url, "helpline@lab.test", &lab.password("helpline")]).output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let answer = String::from_utf8_lossy(&ok.stdout).trim().to_owned();
    assert!(answer.starts_with(&redirect) && answer.contains("code="), "the provider answered {answer}");
    assert_eq!(get(&answer), "200", "the browser is told the sign-in is done");
    let added = add.wait().unwrap();
    std::io::Read::read_to_string(&mut stderr, &mut told).unwrap();
    assert!(added.success(), "{told}");

    let sync = confide(&data).arg("sync").output().unwrap();
    assert!(sync.status.success(), "{}", String::from_utf8_lossy(&sync.stderr));
    assert!(String::from_utf8_lossy(&sync.stdout).contains("added="));
}
