//! Test helpers for the mail lab (`tests/lab/up`): its accounts, and `doveadm` for arranging
//! server-side situations (UIDVALIDITY changes, expunges, bulk mail). Built only with the
//! `lab` feature, for tests.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use confide_core::accounts::{Account, AccountKind, LineAddress, Security};

mod mailbox;
mod sign_in;
mod throttler;
pub use throttler::Throttler;

pub struct Lab {
    env: HashMap<String, String>,
    pub dir: PathBuf,
    /// Which of the lab's servers this handle talks to.
    pub server: Server,
    /// Users made by [`Lab::fresh_user`]: name -> password.
    fresh: std::sync::Mutex<HashMap<String, String>>,
}

/// The lab's IMAP servers: the ordinary Dovecot, the exchange-like one
/// (`tests/lab/dovecot-exchange.conf.in`: no CONDSTORE, QRESYNC, SPECIAL-USE or keywords;
/// Exchange's folder names) and the gmail-like one (`tests/lab/dovecot-gmail.conf.in`: an
/// `\All` view, an expunge outside Trash only archives). The same users; mail of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    Standard,
    ExchangeLike,
    GmailLike,
}

impl Lab {
    /// The same lab, talking to its exchange-like server.
    pub fn exchange_like(&self) -> Lab {
        self.on(Server::ExchangeLike)
    }

    /// The same lab, talking to its gmail-like server.
    pub fn gmail_like(&self) -> Lab {
        self.on(Server::GmailLike)
    }

    /// Where this server keeps the lab's mail, under the lab's directory.
    fn mail_dir(&self) -> &'static str {
        match self.server {
            Server::Standard => "mail/lab.test",
            Server::ExchangeLike => "mail-exchange/lab.test",
            Server::GmailLike => "mail-gmail/lab.test",
        }
    }

    /// The same lab (its users and their passwords), talking to `server`.
    fn on(&self, server: Server) -> Lab {
        let fresh = self.fresh.lock().unwrap().clone();
        Lab { env: self.env.clone(), dir: self.dir.clone(), server, fresh: std::sync::Mutex::new(fresh) }
    }

    fn conf(&self) -> PathBuf {
        match self.server {
            Server::Standard => self.dir.join("dovecot/dovecot.conf"),
            Server::ExchangeLike => self.dir.join("dovecot/dovecot-exchange.conf"),
            Server::GmailLike => self.dir.join("dovecot/dovecot-gmail.conf"),
        }
    }

    /// The running lab, or `None` (with a loud note) when it is not up or there is no keyring.
    pub fn get(test: &str) -> Option<Lab> {
        let dir = PathBuf::from(std::env::var("LAB_DIR").unwrap_or_else(|_| "/var/lib/confide-lab".into()));
        let text = std::fs::read_to_string(dir.join("accounts.env")).ok();
        if text.is_none() || std::env::var_os("CONFIDE_TEST_KEYRING").is_none() {
            // In CI a skip would pass a run that tested nothing: there it fails.
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: needs the mail lab (tests/lab/up) and the keyring (tests/with-keyring), and CI must provide both"
            );
            eprintln!("SKIPPED {test}: needs the mail lab (tests/lab/up) and the keyring (tests/with-keyring)");
            return None;
        }
        let env = text?.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        Some(Lab { env, dir, server: Server::Standard, fresh: Default::default() })
    }

    pub fn var(&self, key: &str) -> &str {
        self.env.get(key).map(String::as_str).unwrap_or_else(|| panic!("lab has no {key}"))
    }

    pub fn password(&self, user: &str) -> String {
        if let Some(p) = self.fresh.lock().unwrap().get(user) {
            return p.clone();
        }
        self.var(&format!("LAB_{}_PASSWORD", user.to_ascii_uppercase())).to_owned()
    }

    /// A new, empty mailbox of its own for one test, so tests (and two test runs at once)
    /// never see each other's mail.
    pub fn fresh_user(&self, prefix: &str) -> String {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let user = format!("{prefix}-{}-{nanos}", std::process::id());
        let password = format!("{:x}", nanos.wrapping_mul(6364136223846793005));
        self.add_user(&user, &password);
        user
    }

    /// A lab user that outlives the process (a benchmark mailbox seeded once and reused): made
    /// on first use, its password kept beside the lab's own, in `bench-users.env`.
    pub fn persistent_user(&self, user: &str) -> String {
        let file = self.dir.join("bench-users.env");
        let known = std::fs::read_to_string(&file).unwrap_or_default();
        match known.lines().find_map(|l| l.strip_prefix(&format!("{user}="))) {
            // `tests/lab/up` rewrites the passwd-file with the standing accounts only.
            Some(password) if self.knows(user) => {
                self.fresh.lock().unwrap().insert(user.to_owned(), password.to_owned());
            }
            Some(password) => self.add_user(user, password),
            None => {
                let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
                let password = format!("{:x}", nanos.wrapping_mul(6364136223846793005));
                self.add_user(user, &password);
                use std::io::Write;
                let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&file).unwrap();
                f.write_all(format!("{user}={password}\n").as_bytes()).unwrap();
            }
        }
        user.to_owned()
    }

    /// Has Dovecot keep `user`'s mail as mbox, Debian's default format, instead of the lab's
    /// mdbox (`tests/lab/dovecot.conf.in` says why a benchmark wants that). Mail already stored
    /// the other way is not moved: call it before seeding.
    pub fn store_as_mbox(&self, user: &str) {
        let file = self.dir.join("dovecot/mbox-users");
        let address = format!("{user}@lab.test");
        if std::fs::read_to_string(&file).unwrap_or_default().lines().any(|l| l.starts_with(&format!("{address}:"))) {
            return;
        }
        let home = self.dir.join(self.mail_dir()).join(user);
        let line = format!(
            "{address}::confidelab:confidelab::{}::userdb_mail=mbox:~/mail:INBOX=~/mail/inbox\n",
            home.display()
        );
        use std::io::Write;
        std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .expect("the lab has an mbox-users file (run tests/lab/up)")
            .write_all(line.as_bytes())
            .unwrap();
        for _ in 0..100 {
            if self.doveadm(&["user", "-f", "mail", &address]).starts_with("mbox:") {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the lab never stored {user} as mbox")
    }

    /// Has the standard server offer `user` no IDLE (its CAPABILITY after login is plain
    /// IMAP4rev1), as some hosted servers do: Confide must then poll. Call it before the user
    /// first logs in.
    pub fn without_idle(&self, user: &str) {
        assert_eq!(self.server, Server::Standard, "only the standard server reads the per-user file");
        let address = format!("{user}@lab.test");
        let home = self.dir.join(self.mail_dir()).join(user);
        let line = format!("{address}::confidelab:confidelab::{}::userdb_imap_capability=IMAP4rev1\n", home.display());
        use std::io::Write;
        std::fs::OpenOptions::new()
            .append(true)
            .open(self.dir.join("dovecot/mbox-users"))
            .expect("the lab has a per-user file (run tests/lab/up)")
            .write_all(line.as_bytes())
            .unwrap();
        for _ in 0..100 {
            if self.doveadm(&["user", "-f", "imap_capability", &address]).trim() == "IMAP4rev1" {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the lab never took IDLE away from {user}")
    }

    /// Whether every lab server knows the user yet: each reads the passwd-file on its own
    /// schedule, and Postfix's SMTP AUTH asks the standard one whichever server a test uses.
    fn knows(&self, user: &str) -> bool {
        ["dovecot/dovecot.conf", "dovecot/dovecot-exchange.conf", "dovecot/dovecot-gmail.conf"].iter().all(|conf| {
            let out = Command::new("doveadm")
                .arg("-c")
                .arg(self.dir.join(conf))
                .args(["auth", "lookup", &format!("{user}@lab.test")])
                .output();
            out.is_ok_and(|o| o.status.success())
        })
    }

    fn add_user(&self, user: &str, password: &str) {
        let hash = Command::new("openssl").args(["passwd", "-6", password]).output().expect("openssl runs");
        let line = format!("{user}@lab.test:{}\n", String::from_utf8_lossy(&hash.stdout).trim());
        use std::io::Write;
        std::fs::OpenOptions::new()
            .append(true)
            .open(self.dir.join("dovecot/users"))
            .unwrap()
            .write_all(line.as_bytes())
            .unwrap();
        self.fresh.lock().unwrap().insert(user.to_owned(), password.to_owned());
        // Dovecot notices the changed passwd-file on a later lookup, not at once: wait for it.
        for _ in 0..100 {
            if self.knows(user) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the lab never learned the new user {user}")
    }

    /// How many messages a user's folder holds, as Dovecot counts them.
    pub fn message_count(&self, user: &str, folder: &str) -> usize {
        let out =
            self.doveadm(&["-f", "flow", "mailbox", "status", "-u", &format!("{user}@lab.test"), "messages", folder]);
        let count = out.split_whitespace().find_map(|w| w.strip_prefix("messages="));
        count.and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("doveadm mailbox status said {out:?}"))
    }

    /// An account for a lab user over IMAPS with the lab's CA.
    pub fn account(&self, id: &str, user: &str, kind: AccountKind) -> Account {
        let lines = if user == "helpline" {
            vec![
                LineAddress { address: "phoneline@lab.test".into(), line_id: "phoneline".into() },
                LineAddress { address: "mensadvice@lab.test".into(), line_id: "mens_advice".into() },
            ]
        } else {
            vec![]
        };
        Account {
            id: id.into(),
            kind,
            address: format!("{user}@lab.test"),
            username: format!("{user}@lab.test"),
            imap_host: "127.0.0.1".into(),
            imap_port: match self.server {
                Server::Standard => self.var("LAB_IMAPS_PORT"),
                Server::ExchangeLike => self.var("LAB_EXCHANGE_IMAPS_PORT"),
                Server::GmailLike => self.var("LAB_GMAIL_IMAPS_PORT"),
            }
            .parse()
            .expect("port"),
            imap_security: Security::Tls,
            smtp_host: "127.0.0.1".into(),
            smtp_port: self.var("LAB_SUBMISSION_PORT").parse().expect("port"),
            smtp_security: Security::Starttls,
            ca_file: Some(self.var("LAB_CA").into()),
            lines,
            sign_in: Default::default(),
            folder_names: Default::default(),
        }
    }

    /// Runs doveadm against the lab's Dovecot; panics with its output on failure.
    pub fn doveadm(&self, args: &[&str]) -> String {
        let conf = self.conf();
        let out = Command::new("doveadm").arg("-c").arg(&conf).args(args).output().expect("doveadm runs");
        assert!(out.status.success(), "doveadm {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Removes a lab user's mailbox altogether, indexes and caches included, so the next login
    /// starts from nothing: a benchmark's two mailboxes then start alike. (Dovecot's cache
    /// learns which headers searches use: a re-seeded mailbox answered a date search twice as
    /// fast as a new one.)
    pub fn remove_mailbox(&self, user: &str) {
        let home = self.dir.join(self.mail_dir()).join(user);
        if home.exists() {
            std::fs::remove_dir_all(&home).unwrap_or_else(|e| panic!("cannot remove {}: {e}", home.display()));
        }
    }

    /// Empties every folder of a lab user.
    pub fn empty_mailbox(&self, user: &str) {
        let u = format!("{user}@lab.test");
        self.doveadm(&["expunge", "-u", &u, "mailbox", "*", "all"]);
    }

    /// Puts `n` small generated messages into a user's INBOX through `doveadm import`.
    pub fn bulk_import(&self, user: &str, n: usize, tag: &str) {
        let raws: Vec<String> = (0..n)
            .map(|i| format!(
                "From: caller{i}@example.org\r\nTo: {user}@lab.test\r\nSubject: {tag} message {i}\r\nMessage-ID: <{tag}-{i}@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nBody of {tag} message {i}.\r\n"
            ))
            .collect();
        self.import_raw(user, &raws);
    }

    /// Puts the given raw messages into a user's INBOX through `doveadm import`, each arriving
    /// (INTERNALDATE) at its Date header, or now if it has none.
    pub fn import_raw(&self, user: &str, raws: &[String]) {
        self.import_arrived(user, raws, None);
    }

    /// As [`Lab::import_raw`], with every message arriving at `arrived` (unix seconds) instead.
    pub fn import_arrived(&self, user: &str, raws: &[String], arrived: Option<i64>) {
        self.import_into(user, "INBOX", raws, arrived);
    }

    /// Puts raw messages into one top-level folder of a user's (made if need be), as
    /// [`Lab::import_arrived`] does into INBOX: a mail client's own Sent, say.
    pub fn import_into(&self, user: &str, folder: &str, raws: &[String], arrived: Option<i64>) {
        assert!(!folder.contains(['/', '.']), "import_into takes a top-level folder");
        let tmp = tempfile_dir();
        // Maildir++, as doveadm reads it: INBOX at the top, other folders in dot-directories.
        let base = if folder == "INBOX" { tmp.clone() } else { tmp.join(format!(".{folder}")) };
        let cur = base.join("cur");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(base.join(sub)).unwrap();
            std::fs::create_dir_all(tmp.join(sub)).unwrap();
        }
        for (i, msg) in raws.iter().enumerate() {
            let path = cur.join(format!("{}.M{i}P1.lab:2,", 1_790_000_000 + i));
            std::fs::write(&path, msg).unwrap();
            // Maildir's arrival date (IMAP INTERNALDATE) is the file's mtime: make it the
            // message's Date, as if it had arrived when it was sent.
            let date = arrived.or_else(|| {
                mail_parser::MessageParser::default()
                    .parse_headers(msg.as_bytes())
                    .and_then(|m| m.date().map(|d| d.to_timestamp()))
            });
            if let Some(secs) = date.and_then(|d| u64::try_from(d).ok()) {
                let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
                std::fs::File::options().write(true).open(&path).unwrap().set_modified(at).unwrap();
            }
        }
        Command::new("chown").args(["-R", "confidelab:confidelab"]).arg(&tmp).status().unwrap();
        self.doveadm(&[
            "import",
            "-u",
            &format!("{user}@lab.test"),
            "-s",
            &format!("maildir:{}", tmp.display()),
            "",
            "mailbox",
            folder,
        ]);
        std::fs::remove_dir_all(&tmp).ok();
    }
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "confide-lab-import-{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
