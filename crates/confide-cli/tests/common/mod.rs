//! What the CLI tests share: running the built `confide` on a data directory, and adding a lab
//! account through it as a helpline would (password on standard input).
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

use confide_mail::lab::Lab;

pub fn confide(data: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_confide"));
    c.arg("--data-dir").arg(data);
    c
}

/// `confide account add` for a lab user; panics if the CLI refuses.
pub fn add_account(lab: &Lab, data: &std::path::Path, id: &str, kind: &str, user: &str) {
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
