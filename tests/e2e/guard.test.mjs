// Issue 4: the sent-folder guard through the real window. A reply sent "as" the helpline
// from another mail client left its copy in advisor1's personal Sent; once advisor1's mailbox
// is set up in the app, the copy is moved to the helpline's Sent and the advisor is told.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { firstRun, needsLab, readLab, setPersonalMailbox, storeWithSharedMailbox } from "./flows.mjs";
import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");
const artifacts = join(root, "tests/artifacts");
const doveadm = (...args) => execFileSync("doveadm", ["-c", "/var/lib/confide-lab/dovecot/dovecot.conf", ...args], { encoding: "utf8" });
const ids = (user, folder) => doveadm("-f", "flow", "fetch", "-u", `${user}@lab.test`, "hdr.message-id", "mailbox", folder, "all");

test("issue4 the window moves a helpline reply out of the advisor's personal Sent", { timeout: 180000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  const lab = readLab();
  const store = storeWithSharedMailbox(lab, "confide-e2e-guard-");
  // What Outlook leaves behind: the copy of a reply sent as the helpline, in the personal Sent.
  const id = `outside-${Date.now()}@lab.test`;
  execFileSync("doveadm", ["-c", "/var/lib/confide-lab/dovecot/dovecot.conf", "save", "-u", "advisor1@lab.test", "-m", "Sent"], {
    input: `From: Respect Phoneline <phoneline@lab.test>\r\nTo: caller@example.org\r\nSubject: Re: your call\r\nMessage-ID: <${id}>\r\n\r\nWe will ring you back.\r\n`,
  });
  assert.match(ids("advisor1", "Sent"), new RegExp(id));

  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: store } });
  const s = await Session.create(driver.base, app);
  try {
    await firstRun(s);
    await s.waitForText(".sync-status", "new messages", 60000);
    await setPersonalMailbox(s, lab);
    await s.waitForText(".guard-notice", "moved from your personal Sent to the helpline's Sent", 30000);
    await s.screenshot(artifacts, "07-guard-moved");
    await s.clickText("section button", "Close");
  } finally {
    await s.close();
    driver.stop();
  }
  assert.doesNotMatch(ids("advisor1", "Sent"), new RegExp(id), "the personal copy should be gone");
  assert.match(ids("helpline", "Sent"), new RegExp(id), "the helpline's Sent should hold it");
});
