// Steps several end-to-end tests share.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const artifacts = join(root, "tests/artifacts");
export const labEnv = "/var/lib/confide-lab/accounts.env";

/** The lab's ports, CA and passwords (tests/lab/up writes them). */
export function readLab() {
  return Object.fromEntries(readFileSync(labEnv, "utf8").trim().split("\n").map((l) => l.split(/=(.*)/s).slice(0, 2)));
}

/** Removes the team directory and the team's audit log from the lab's shared mailbox: each
 * test's manager is a new key, and a directory a previous test founded would not be theirs. */
export function forgetTeam() {
  for (const folder of ["Confide/Team", "Confide/Audit"]) {
    try {
      execFileSync("doveadm", ["-c", "/var/lib/confide-lab/dovecot/dovecot.conf", "mailbox", "delete", "-u", "helpline@lab.test", folder], { stdio: "ignore" });
    } catch {
      // Not there yet.
    }
  }
}

/** A new store with the lab's shared mailbox set up through the CLI, as a helpline would. */
export function storeWithSharedMailbox(lab, prefix) {
  const store = join(mkdtempSync(join(tmpdir(), prefix)), "store");
  execFileSync(
    join(root, "target/debug/confide"),
    ["--data-dir", store, "account", "add", "--id", "helpline", "--kind", "shared", "--address", "helpline@lab.test",
      "--imap", `127.0.0.1:${lab.LAB_IMAPS_PORT}`, "--smtp", `127.0.0.1:${lab.LAB_SUBMISSION_PORT}`, "--ca-file", lab.LAB_CA,
      "--line", "phoneline@lab.test=phoneline", "--line", "mensadvice@lab.test=mens_advice", "--password-stdin"],
    { input: lab.LAB_HELPLINE_PASSWORD },
  );
  return store;
}

/** Walks the first-run screens as a new staff member (an advisor on both lines unless told) on respect-mal-current. */
export async function firstRun(s, { shots = false, role = "advisor", lines = ["phoneline", "mens_advice"] } = {}) {
  await s.waitForText("h1", "Set up Confide");
  await s.waitForText("fieldset", "Respect Phoneline and Men's Advice Line (current policy)");
  if (shots) await s.screenshot(artifacts, "01-first-run");
  await s.click('input[value="respect-mal-current"]');
  await s.type("input[maxlength='80']", "Ash");
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
export async function managerWithTeam(s) {
  await firstRun(s, { role: "manager" });
  await s.waitForText(".sync-status", "new messages", 60000);
  await s.clickText(".topbar button", "Team");
  await s.clickText(".team button", "Start the team directory");
  await s.waitForText(".team-table", "Ash");
  await s.clickText(".team > button", "Close");
}

/** Delivers `message` (headers and body) from `sender` to the lab's Phoneline address through
 * Postfix, as a service user's mail arrives. */
export function mailToPhoneline(lab, sender, message) {
  const smtp = `import smtplib, sys; s = smtplib.SMTP("127.0.0.1", ${lab.LAB_SMTP_PORT}); s.sendmail("${sender}", ["phoneline@lab.test"], sys.stdin.read()); s.quit()`;
  execFileSync("python3", ["-c", smtp], { input: message });
}
