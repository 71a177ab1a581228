//! The lab's mailboxes as a test reads and arranges them, with doveadm (never with the code
//! under test): what a folder holds, the server's folder names, saving a message as a mail
//! client would, and clearing a standing mailbox of an earlier test's team.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::Command;

use confide_core::accounts::Account;

use super::{Lab, Server};

impl Lab {
    /// Where this server keeps sent mail: `Sent` on Dovecot, Exchange's `Sent Items`, Gmail's
    /// `[Gmail]/Sent Mail`.
    pub fn sent_folder(&self) -> &'static str {
        match self.server {
            Server::Standard => "Sent",
            Server::ExchangeLike => "Sent Items",
            Server::GmailLike => "[Gmail]/Sent Mail",
        }
    }

    /// Where this server keeps deleted mail: `Trash`, Exchange's `Deleted Items`, Gmail's
    /// `[Gmail]/Trash`.
    pub fn trash_folder(&self) -> &'static str {
        match self.server {
            Server::Standard => "Trash",
            Server::ExchangeLike => "Deleted Items",
            Server::GmailLike => "[Gmail]/Trash",
        }
    }

    /// The standard server of the same lab: where Postfix delivers mail sent to lab addresses.
    pub fn standard(&self) -> Lab {
        self.on(Server::Standard)
    }

    /// Removes a standing mailbox's team directory (and the team's log and state), which the
    /// window tests leave behind: a test's new desktop is then not refused as an outsider.
    pub fn forget_team(&self, user: &str) {
        for folder in ["Confide/Team", "Confide/Audit", "Confide/State"] {
            let _ = Command::new("doveadm")
                .arg("-c")
                .arg(self.conf())
                .args(["mailbox", "delete", "-u", &format!("{user}@lab.test"), folder])
                .output();
        }
    }

    /// Saves one message into a user's folder (any depth) as a mail client's "save a copy"
    /// would, with `doveadm save`.
    pub fn save_into(&self, user: &str, folder: &str, raw: &str) {
        use std::io::Write;
        let mut child = Command::new("doveadm")
            .arg("-c")
            .arg(self.conf())
            .args(["save", "-u", &format!("{user}@lab.test"), "-m", folder])
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("doveadm runs");
        child.stdin.take().expect("a pipe").write_all(raw.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "doveadm save: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Moves the messages of a user's folder that `query` (doveadm's search words) matches to
    /// `to`, as a mail client would: a copy, then an expunge. (A `doveadm move` on the
    /// gmail-like server would also archive them, which a move on Gmail does not.)
    pub fn move_matching(&self, user: &str, to: &str, from: &str, query: &[&str]) {
        let u = format!("{user}@lab.test");
        let with = |verb: &str, extra: &[&str]| {
            let mut args = vec![verb, "-u", &u];
            args.extend_from_slice(extra);
            args.extend_from_slice(&["mailbox", from]);
            args.extend_from_slice(query);
            self.doveadm(&args);
        };
        with("copy", &[to]);
        with("expunge", &[]);
    }

    /// The server's UIDs in a folder, read with doveadm (not with the code under test).
    pub fn server_uids(&self, user: &str, folder: &str) -> HashSet<u32> {
        let out =
            self.doveadm(&["-f", "flow", "fetch", "-u", &format!("{user}@lab.test"), "uid", "mailbox", folder, "all"]);
        out.lines().filter_map(|l| l.trim().strip_prefix("uid=")).filter_map(|u| u.parse().ok()).collect()
    }

    /// How many messages anywhere in a user's mailbox contain `text` in their body: every
    /// folder, and on the gmail-like server its All Mail and the archive LIST hides.
    pub fn count_anywhere(&self, user: &str, text: &str) -> usize {
        let all = self.doveadm(&["search", "-u", &format!("{user}@lab.test"), "body", text]).lines().count();
        all + if self.server == Server::GmailLike { self.count_body(user, "Archived", text) } else { 0 }
    }

    /// How many messages an expunge outside Trash has left in the gmail-like server's archive
    /// (still in its All Mail, as on Gmail); 0 on the other servers, where an expunge deletes.
    pub fn archived(&self, user: &str) -> usize {
        if self.server != Server::GmailLike {
            return 0;
        }
        self.server_uids(user, "Archived").len()
    }

    /// How many messages in a user's folder contain `text` in their body.
    pub fn count_body(&self, user: &str, folder: &str, text: &str) -> usize {
        self.doveadm(&["search", "-u", &format!("{user}@lab.test"), "mailbox", folder, "body", text]).lines().count()
    }

    /// Gives this process's token source for `account` an access token the server has never
    /// issued, that the client believes good for an hour: the server refuses it, as it does a
    /// token that expired early or was revoked alone.
    pub fn stale_token(&self, store: &confide_core::Store, account: &Account) {
        let confide_core::accounts::SignIn::OAuth(settings) = &account.sign_in else { panic!("not an OAuth account") };
        let source = crate::oauth::TokenSource::of(store.vault(), account, settings);
        source.prime(zeroize::Zeroizing::new("stale-access-token".into()), std::time::Duration::from_secs(3600));
    }

    /// How many messages in a user's folder carry the keyword `keyword`, read with doveadm.
    pub fn count_keyword(&self, user: &str, folder: &str, keyword: &str) -> usize {
        self.doveadm(&["search", "-u", &format!("{user}@lab.test"), "mailbox", folder, "keyword", keyword])
            .lines()
            .count()
    }

    /// The Message-IDs in a user's folder, sorted, read with doveadm.
    pub fn message_ids(&self, user: &str, folder: &str) -> Vec<String> {
        let out = self.doveadm(&[
            "-f",
            "flow",
            "fetch",
            "-u",
            &format!("{user}@lab.test"),
            "hdr.message-id",
            "mailbox",
            folder,
            "all",
        ]);
        let mut ids: Vec<String> = out
            .lines()
            .filter_map(|l| l.split_once('<').map(|(_, r)| r.trim_end_matches('>').trim().to_owned()))
            .collect();
        ids.sort();
        ids
    }

    /// Every message in a user's folder as the server holds it (headers and body), read with
    /// doveadm: for tests that check what a message carries (its attachments).
    pub fn raw_messages(&self, user: &str, folder: &str) -> Vec<String> {
        let out =
            self.doveadm(&["-f", "json", "fetch", "-u", &format!("{user}@lab.test"), "text", "mailbox", folder, "all"]);
        let rows: Vec<std::collections::HashMap<String, String>> = serde_json::from_str(&out).expect("doveadm's JSON");
        rows.into_iter().filter_map(|mut r| r.remove("text")).collect()
    }

    /// Where this lab server keeps a user's mail on disk, for tests that read what it stores.
    pub fn storage_of(&self, user: &str) -> PathBuf {
        self.dir.join(self.mail_dir()).join(user)
    }

    pub fn folders(&self, user: &str) -> Vec<String> {
        self.doveadm(&["mailbox", "list", "-u", &format!("{user}@lab.test")]).lines().map(str::to_owned).collect()
    }
}
