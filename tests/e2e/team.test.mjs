// Issue 6: the team directory through the real window. A manager starts the directory on the
// shared mailbox and sees themselves in it with their key's fingerprint, the founder's
// fingerprint to compare, and their own card to hand on.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { firstRun, forgetTeam, needsLab, readLab, storeWithSharedMailbox } from "./flows.mjs";
import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");
const artifacts = join(root, "tests/artifacts");

test("issue6 a manager starts the team directory", { timeout: 180000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  forgetTeam();
  const store = storeWithSharedMailbox(readLab(), "confide-e2e-team-");
  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: store } });
  const s = await Session.create(driver.base, app);
  try {
    await firstRun(s, { role: "manager" });
    await s.waitForText(".sync-status", "new messages", 60000);
    await s.clickText(".screens button", "Team");
    await s.waitForText(".team", "has not been started yet");
    await s.clickText(".team button", "Start the team directory");
    await s.waitForText(".team-table", "Ash");
    await s.waitForText(".team-table", "Manager");
    const mine = await s.text(await s.find(".team section code"));
    const founder = await s.text(await s.find("code.founder"));
    assert.match(mine, /^[0-9a-f]{16}$/);
    assert.equal(founder, mine, "this manager founded it");
    await s.waitForText(".team-table", mine);
    // Reopened, the Team screen has recorded this manager's acceptance of the agreement.
    await s.clickText(".team > button", "Close");
    await s.clickText(".screens button", "Team");
    await s.waitForText(".team-table", "current-1");
    await s.screenshot(artifacts, "11-team-directory");
    await s.clickText(".team > button", "Close");
    // The audit log (founding the team is on it) goes to the server sealed to the managers,
    // and the manager's Records screen checks the team's log there.
    await s.clickText(".screens button", "Retention record");
    await s.waitForText(".team-audit", "all verified", 30000);
    await s.waitForText(".team-audit", "by 1 person");
  } finally {
    await s.close();
    driver.stop();
  }
});
