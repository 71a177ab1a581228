// Issue 9 through the real window (respect-mal-current, whose policy keeps no contact details):
// a manager is told so and records the service user by a pseudonym instead; then finds what is
// held about them by that pseudonym (subject access) and erases it everywhere.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { forgetTeam, mailToPhoneline, managerWithTeam, needsLab, readLab, storeWithSharedMailbox } from "./flows.mjs";
import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");
const artifacts = join(root, "tests/artifacts");
const dove = (...args) => execFileSync("doveadm", ["-c", "/var/lib/confide-lab/dovecot/dovecot.conf", ...args], { encoding: "utf8" });

test("issue9 a pseudonym instead of contact details, then subject access and erasure", { timeout: 180000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  forgetTeam();
  const lab = readLab();
  const store = storeWithSharedMailbox(lab, "confide-e2e-people-");
  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: store } });
  const s = await Session.create(driver.base, app);
  try {
    await managerWithTeam(s);

    const sender = `sar${Date.now()}@example.org`;
    mailToPhoneline(lab, sender, `From: Wendell Okafor <${sender}>\r\nTo: phoneline@lab.test\r\nSubject: Leaflets\r\n\r\nPlease post me your leaflets.\r\n`);
    await s.waitForText(".rows", sender, 30000);
    await s.clickText(".row", sender);
    await s.clickText(".more-actions summary", "More");
    await s.clickText(".disclosure-toggle button", "Keep contact details");
    await s.waitForText(".contact-form", "keeps no contact details");
    await s.type('.contact-form input[name="pseudonym"]', "Bluebird");
    await s.clickText(".contact-form button", "Use this pseudonym");
    await s.waitForText(".disclosure-toggle", "Known here as Bluebird", 30000);
    await s.waitForText(".conv-title + p", "known as Bluebird");

    await s.clickText(".screens button", "Contacts");
    await s.waitForText(".people", "None.", 30000);
    await s.type('.subject-access input[name="query"]', "Bluebird");
    await s.clickText(".subject-access button", "Find");
    // The search opens every record folder the manager may read; give it time on a busy lab.
    await s.waitForText(".subject-access", "1 conversation", 60000);
    await s.screenshot(artifacts, "17-subject-access");
    await s.clickText(".subject-access button", "Erase all of this");
    await s.clickText(".subject-access button", "Erase everywhere, for good");
    await s.waitForText(".subject-access", "Erased: 1 conversation ", 30000);
    assert.equal(dove("search", "-u", "helpline@lab.test", "mailbox", "INBOX", "from", sender).trim(), "", "gone from the server");
  } finally {
    await s.close();
    driver.stop();
  }
});
