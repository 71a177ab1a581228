//! The `confide` binary as a user runs it.

use std::process::Command;

fn confide() -> Command {
    Command::new(env!("CARGO_BIN_EXE_confide"))
}

#[test]
fn issue2_help_lists_the_commands() {
    let out = confide().arg("--help").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    for cmd in ["status", "account", "policy"] {
        assert!(text.contains(cmd), "--help does not list {cmd}:\n{text}");
    }
}

#[test]
fn issue2_without_a_keyring_the_store_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // No session bus at all: the Secret Service cannot be reached.
    let out = confide()
        .args(["--data-dir", data.to_str().unwrap(), "status"])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/confide-test-bus")
        .env("HOME", tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("cannot reach the system keyring"), "{stderr}");
    assert!(stderr.contains("will not open its store"), "{stderr}");
    assert!(!data.exists(), "the data folder was created");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().map(|e| e.path()).collect();
    assert!(left.is_empty(), "files were written: {left:?}");
}

#[test]
fn issue2_policy_check_names_the_line_of_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let good = concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/acevo.toml");
    let bad = tmp.path().join("bad.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(good).unwrap().replace("period = \"12 months\"", "period = \"a year\""),
    )
    .unwrap();
    let out = confide().args(["policy", "check", good, bad.to_str().unwrap()]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!out.status.success());
    assert!(text.contains("acevo.toml: ok"), "{text}");
    assert!(text.contains("bad.toml, line ") && text.contains("\"a year\" is not a period"), "{text}");
}
