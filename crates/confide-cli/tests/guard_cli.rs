//! Issue 4: `confide guard run`, headless (for a timer), against the lab: it syncs the shared
//! mailbox, moves a personal Sent copy of a helpline reply, and a second run moves nothing.

use std::io::Write;
use std::process::{Command, Stdio};

use confide_mail::lab::Lab;

fn confide(data: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_confide"));
    c.arg("--data-dir").arg(data);
    c
}

fn add(lab: &Lab, data: &std::path::Path, id: &str, kind: &str, user: &str) {
    let mut add = confide(data)
        .args(["account", "add", "--id", id, "--kind", kind, "--address"])
        .arg(format!("{user}@lab.test"))
        .arg("--imap")
        .arg(format!("127.0.0.1:{}", lab.var("LAB_IMAPS_PORT")))
        .args(["--smtp", "127.0.0.1:1587", "--ca-file", lab.var("LAB_CA"), "--password-stdin"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(lab.password(user).as_bytes()).unwrap();
    assert!(add.wait().unwrap().success());
}

#[test]
fn issue4_guard_run_moves_a_personal_copy_once() {
    let Some(lab) = Lab::get("issue4_guard_run_moves_a_personal_copy_once") else { return };
    let (shared, personal) = (lab.fresh_user("gcli-shared"), lab.fresh_user("gcli-advisor"));
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    add(&lab, &data, "shared", "shared", &shared);
    add(&lab, &data, "personal", "personal", &personal);
    let copy = format!("From: {shared}@lab.test\r\nTo: caller@example.org\r\nSubject: Re: hi\r\nMessage-ID: <gcli-{personal}@lab.test>\r\n\r\nReply.\r\n");
    lab.import_raw(&personal, &[copy]);
    lab.doveadm(&["move", "-u", &format!("{personal}@lab.test"), "Sent", "mailbox", "INBOX", "all"]);

    let first = confide(&data).args(["guard", "run"]).output().unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stdout).contains("moved_sent=1 "), "{}", String::from_utf8_lossy(&first.stdout));
    assert_eq!((lab.message_count(&personal, "Sent"), lab.message_count(&shared, "Sent")), (0, 1));

    let second = confide(&data).args(["guard", "run"]).output().unwrap();
    assert!(String::from_utf8_lossy(&second.stdout).contains("moved_sent=0 "), "{}", String::from_utf8_lossy(&second.stdout));
    assert_eq!(lab.message_count(&shared, "Sent"), 1);
}
