//! `confide bench all`: every benchmark in turn, each in a process of its own (so one's
//! memory and threads do not colour the next), their last lines gathered into a table.

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

use anyhow::Context;

pub struct AllBench {
    pub messages: usize,
    pub sessions: usize,
    pub out: Option<PathBuf>,
}

pub fn run(opts: AllBench) -> anyhow::Result<ExitCode> {
    let n = opts.messages.to_string();
    let sessions = opts.sessions.to_string();
    let exchange = ["--server", "exchange-like"];
    let runs: [(&str, Vec<&str>); 8] = [
        ("sync", vec!["sync", "--messages", &n]),
        ("resync", vec!["resync", "--messages", &n]),
        ("sync exchange-like", [&["sync", "--messages", &n][..], &exchange].concat()),
        ("resync exchange-like", [&["resync", "--messages", &n][..], &exchange].concat()),
        ("inbox", vec!["inbox", "--conversations", &n]),
        ("retention", vec!["retention", "--messages", &n]),
        ("gateway", vec!["gateway", "--sessions", &sessions]),
        ("app", vec!["app"]),
    ];
    let me = std::env::current_exe()?;
    let mut rows = vec![];
    let mut failed = false;
    for (name, args) in runs {
        eprintln!("== bench {}", args.join(" "));
        let out = Command::new(&me)
            .arg("bench")
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .output()
            .with_context(|| format!("cannot run bench {name}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        match text.lines().rev().find(|l| l.starts_with("bench ")) {
            Some(line) if out.status.success() => {
                println!("{line}");
                rows.push(row(&args.join(" "), line));
            }
            _ => {
                failed = true;
                rows.push(format!("| `bench {}` | failed ({}) |", args.join(" "), out.status));
            }
        }
    }
    let table = table(&rows);
    println!("\n{table}");
    if let Some(path) = opts.out {
        std::fs::write(&path, &table).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("table written to {}", path.display());
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// One benchmark's figures (`bench NAME: key=value ...`) as a table row.
fn row(command: &str, line: &str) -> String {
    let figures = line.split_once(": ").map(|(_, f)| f).unwrap_or(line);
    format!("| `bench {command}` | {} |", figures.split_whitespace().collect::<Vec<_>>().join(", "))
}

fn table(rows: &[String]) -> String {
    let mut t = String::from("| benchmark | figures (peer measured in the same run where there is one) |\n|---|---|\n");
    for r in rows {
        t.push_str(r);
        t.push('\n');
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_last_line_becomes_a_row() {
        assert_eq!(
            row("sync --messages 10", "bench sync: messages=10 confide_s=0.10 mbsync_s=0.20 ratio=0.50"),
            "| `bench sync --messages 10` | messages=10, confide_s=0.10, mbsync_s=0.20, ratio=0.50 |"
        );
        assert!(table(&["| a | b |".into()]).ends_with("| a | b |\n"));
    }
}
