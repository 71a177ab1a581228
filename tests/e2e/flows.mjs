// Steps several end-to-end tests share.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const artifacts = join(root, "tests/artifacts");
export const labEnv = "/var/lib/confide-lab/accounts.env";
/** Why a test that needs the lab is skipped here; in CI it is never skipped (it fails instead). */
export const needsLab = process.env.CI !== "true" && !existsSync(labEnv) && "needs the mail lab";

/** The lab's ports, CA and passwords (tests/lab/up writes them). */
export function readLab() {
  return Object.fromEntries(readFileSync(labEnv, "utf8").trim().split("\n").map((l) => l.split(/=(.*)/s).slice(0, 2)));
}

/** Removes the team directory and the team's audit log from the lab's shared mailbox: each
 * test's manager is a new key, and a directory a previous test founded would not be theirs. */
export function forgetTeam() {
  for (const folder of ["Confide/Team", "Confide/Audit", "Confide/State", "Confide/Library"]) {
    try {
      execFileSync("doveadm", ["-c", "/var/lib/confide-lab/dovecot/dovecot.conf", "mailbox", "delete", "-u", "helpline@lab.test", folder], { stdio: "ignore" });
    } catch {
      // Not there yet.
    }
  }
}

/** A new store with the lab's shared mailbox set up through the CLI, as a helpline would; or,
 * given `mailbox` ({ address, password }, from `freshMailbox`), that mailbox as the shared one. */
export function storeWithSharedMailbox(lab, prefix, mailbox = { address: "helpline@lab.test", password: lab.LAB_HELPLINE_PASSWORD }, { imapPort = lab.LAB_IMAPS_PORT } = {}) {
  // On the standing mailbox, a team an earlier test founded would refuse this new desktop.
  if (mailbox.address === "helpline@lab.test") forgetTeam();
  const store = join(mkdtempSync(join(tmpdir(), prefix)), "store");
  execFileSync(
    join(root, "target/debug/confide"),
    ["--data-dir", store, "account", "add", "--id", "helpline", "--kind", "shared", "--address", mailbox.address,
      "--imap", `127.0.0.1:${imapPort}`, "--smtp", `127.0.0.1:${lab.LAB_SUBMISSION_PORT}`, "--ca-file", lab.LAB_CA,
      "--line", "phoneline@lab.test=phoneline", "--line", "mensadvice@lab.test=mens_advice", "--password-stdin"],
    { input: mailbox.password },
  );
  return store;
}

/** A new store whose shared mailbox (the lab's helpline) signs in with the lab's OAuth provider,
 * set up through the CLI's browser sign-in; the "browser" is approve.py (the lab user's password
 * typed at the provider's pages), and its answer is delivered to the CLI's loopback address. */
export async function storeWithOAuthSharedMailbox(lab, prefix) {
  forgetTeam();
  const store = join(mkdtempSync(join(tmpdir(), prefix)), "store");
  const cli = spawn(
    join(root, "target/debug/confide"),
    ["--data-dir", store, "account", "add", "--id", "helpline", "--kind", "shared", "--address", "helpline@lab.test",
      "--imap", `127.0.0.1:${lab.LAB_IMAPS_PORT}`, "--smtp", `127.0.0.1:${lab.LAB_SUBMISSION_PORT}`, "--ca-file", lab.LAB_CA,
      "--line", "phoneline@lab.test=phoneline", "--line", "mensadvice@lab.test=mens_advice",
      "--oauth", lab.LAB_OIDC_ISSUER, "--client-id", lab.LAB_OIDC_CLIENT, "--browser",
      "--scope", "openid", "--scope", "offline_access", "--scope", "mail"],
    { env: { ...process.env, BROWSER: "true" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let told = "";
  const done = new Promise((ok) => cli.on("exit", ok));
  const url = await new Promise((ok, fail) => {
    cli.stderr.on("data", (d) => {
      told += d;
      const line = told.split("\n").find((l) => l.startsWith(lab.LAB_OIDC_ISSUER));
      if (line) ok(line.trim());
    });
    cli.on("exit", () => fail(new Error(`the sign-in ended before showing its address: ${told}`)));
  });
  const answer = execFileSync("python3", [join(root, "tests/lab/oidc/approve.py"), url, "helpline@lab.test", lab.LAB_HELPLINE_PASSWORD], { encoding: "utf8" }).trim();
  await fetch(answer);
  const code = await done;
  if (code !== 0) throw new Error(`the CLI's sign-in failed: ${told}`);
  return store;
}

const labConf = "/var/lib/confide-lab/dovecot/dovecot.conf";
/** doveadm against the lab, its output as text. */
export const doveadm = (...args) => execFileSync("doveadm", ["-c", labConf, ...args], { encoding: "utf8", stdio: ["pipe", "pipe", "ignore"] });

/** A lab mailbox of the test's own, so a test that moves time on cannot expire other tests' mail. */
export function freshMailbox(prefix) {
  const user = `${prefix}-${process.pid}-${Date.now()}@lab.test`;
  const password = randomBytes(12).toString("hex");
  const hash = execFileSync("openssl", ["passwd", "-6", password], { encoding: "utf8" }).trim();
  appendFileSync("/var/lib/confide-lab/dovecot/users", `${user}:${hash}\n`);
  // Dovecot reads the changed passwd-file on a later lookup: wait until it knows the user.
  for (let i = 0; i < 100; i++) {
    try {
      doveadm("user", user);
      return { address: user, password };
    } catch {
      execFileSync("sleep", ["0.05"]);
    }
  }
  throw new Error(`the lab never learned ${user}`);
}

/** Sets up advisor1's personal mailbox in Settings (the guard then watches it). */
export async function setPersonalMailbox(s, lab) {
  await s.clickText(".screens button", "Settings");
  await s.type(".form-grid label:nth-child(1) input", "advisor1@lab.test");
  await s.type(".form-grid label:nth-child(3) input", "127.0.0.1");
  await s.cmd("POST", `/element/${await s.find(".form-grid label:nth-child(4) input")}/clear`, {});
  await s.type(".form-grid label:nth-child(4) input", lab.LAB_IMAPS_PORT);
  await s.type(".form-grid label:nth-child(6) input", lab.LAB_ADVISOR1_PASSWORD);
  await s.clickText("section button", "Save");
  await s.waitForText("[role=status]", "Saved.", 30000);
}

/** Gives the desktop the gateway's address and an advisor credential (Settings). */
export async function takeChats(s, port, credential) {
  await s.clickText(".screens button", "Settings");
  await s.type('.webchat-settings input[placeholder^="wss://"]', `ws://127.0.0.1:${port}`);
  await s.type('.webchat-settings input[type="password"]', credential);
  await s.clickText(".webchat-settings button", "Take chats");
  await s.waitForText(".webchat-settings", "now takes chats");
}

/** Debian's chromium through playwright-core (kept with the widget's browser tests). */
export async function launchChromium() {
  const pw = await import(createRequire(join(root, "tests/webchat/package.json")).resolve("playwright-core"));
  const chromium = pw.chromium ?? pw.default.chromium;
  return chromium.launch({ executablePath: process.env.CONFIDE_CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
}

/** Walks the first-run screens as a new staff member (an advisor on both lines unless told) on respect-mal-current. */
export async function firstRun(s, { shots = false, role = "advisor", lines = ["phoneline", "mens_advice"], name = "Ash" } = {}) {
  await s.waitForText("h1", "Set up Confide");
  await s.waitForText("fieldset", "Respect Phoneline and Men's Advice Line (current policy)");
  if (shots) await s.screenshot(artifacts, "01-first-run");
  await s.click('input[value="respect-mal-current"]');
  await s.type("input[maxlength='80']", name);
  await s.click(`option[value="${role}"]`);
  if (role !== "manager") for (const line of lines) await s.click(`.lines input[value="${line}"]`);
  if (shots) await s.screenshot(artifacts, "01b-first-run-lines");
  await s.click('button[type="submit"]');
  await s.waitForText("h1", "Confidentiality agreement");
  await s.waitForText(".agreement", "Respect will not inform perpetrators");
  await s.waitForText("p.muted", "version current-1");
  if (shots) await s.screenshot(artifacts, "02-agreement");
  await s.click('input[type="checkbox"]');
  await s.click("section.card > button");
  await s.waitForText("h1", "Inbox");
}


/** First run as a manager on respect-mal-current, the first sync, and the team directory
 * started: shared records (letters, transcripts, reviews) are sealed to the directory's
 * managers, so they need it. */
export async function managerWithTeam(s, { name = "Ash" } = {}) {
  await firstRun(s, { role: "manager", name });
  await s.waitForText(".sync-status", "new message", 60000);
  await s.clickText(".screens button", "Team");
  await s.clickText(".team button", "Start the team directory");
  await s.waitForText(".team-table", name);
  await s.clickText(".team > button", "Close");
}

/** Delivers `message` (headers and body) from `sender` to the lab's Phoneline address through
 * Postfix, as a service user's mail arrives (or, its envelope to `mailbox`, to a test's own
 * mailbox; the headers still say Phoneline). */
export function mailToPhoneline(lab, sender, message, mailbox = "phoneline@lab.test") {
  const smtp = `import smtplib, sys; s = smtplib.SMTP("127.0.0.1", ${lab.LAB_SMTP_PORT}); s.sendmail("${sender}", ["${mailbox}"], sys.stdin.read()); s.quit()`;
  execFileSync("python3", ["-c", smtp], { input: message });
}

/**
 * A stand-in for the desktop's tray (a StatusNotifierWatcher on the session bus), started
 * before the app so its indicator registers here; `label()` reads the number beside the icon
 * as a tray would, over the bus.
 */
export async function startTrayWatcher() {
  const proc = spawn("/usr/bin/python3", [join(import.meta.dirname, "sni-watcher.py")], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout.on("data", (d) => (out += d));
  proc.stderr.on("data", (d) => (out += d));
  for (let i = 0; i < 100 && !out.includes("ready"); i++) await new Promise((r) => setTimeout(r, 50));
  if (!out.includes("ready")) throw new Error(`the tray watcher did not start: ${out}`);
  const item = () => out.split("\n").find((l) => l.includes(" /"))?.split(" ");
  return {
    async label(ms = 20000) {
      const end = Date.now() + ms;
      while (!item() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      if (!item()) throw new Error(`no tray item registered: ${out}`);
      const [name, path] = item();
      const raw = execFileSync("gdbus", ["call", "--session", "--dest", name, "--object-path", path, "--method", "org.freedesktop.DBus.Properties.Get", "org.kde.StatusNotifierItem", "XAyatanaLabel"], { encoding: "utf8" });
      return raw.match(/<'(.*)'>/)?.[1] ?? "";
    },
    /** Waits until the label is `want`. */
    async waitForLabel(want, ms = 20000) {
      const end = Date.now() + ms;
      let last;
      while (Date.now() < end) {
        last = await this.label(ms);
        if (last === want) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`the tray's label stayed "${last}", not "${want}"`);
    },
    stop: () => proc.kill(),
  };
}

/** axe-core's WCAG 2.2 A and AA violations on the window's screen now, each as "rule (impact):
 * the first offending elements", so a failure says where to look. */
export async function axeViolations(s, screen) {
  const axe = readFileSync(createRequire(join(root, "tests/webchat/package.json")).resolve("axe-core/axe.min.js"), "utf8");
  await s.cmd("POST", "/execute/sync", { script: `${axe}; return true;`, args: [] });
  const found = await s.cmd("POST", "/execute/async", {
    script: `const done = arguments[arguments.length - 1];
      axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] })
        .then((r) => done(r.violations.map((v) => v.id + " (" + v.impact + "): " + v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", "))))
        .catch((e) => done(["axe failed: " + e]));`,
    args: [],
  });
  console.log(`${screen}: ${found.length} violation(s)`);
  return found;
}
