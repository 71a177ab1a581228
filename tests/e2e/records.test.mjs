// Issue 5: a manager's view of retention through the real window. The retention record lists
// the runs (one run from the headless command, as a timer would), and a conversation put on
// legal hold shows its reason in the conversation and in the record view.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { forgetTeam, managerWithTeam, needsLab, readLab, storeWithSharedMailbox } from "./flows.mjs";
import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");
const artifacts = join(root, "tests/artifacts");

test("issue5 a manager sees the retention record and puts a conversation on legal hold", { timeout: 180000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  forgetTeam();
  const lab = readLab();
  const store = storeWithSharedMailbox(lab, "confide-e2e-records-");
  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: store } });
  const s = await Session.create(driver.base, app);
  try {
    // A legal hold is the team's (a sealed state entry every desktop honours): it needs the directory.
    await managerWithTeam(s);
    await s.clickText(".screens button", "Retention record");
    await s.waitForText(".records", "Retention has not run on this desktop yet.");
    await s.clickText(".records > button", "Close");

    // A run from the timer's command, dated before any lab mail, so it records a run and
    // expires nothing (the lab's seed is shared by the other tests).
    const out = execFileSync(join(root, "target/debug/confide"), ["--data-dir", store, "retention", "run", "--now", "2000-01-01T00:00:00Z"], { encoding: "utf8" });
    assert.match(out, /expired=0 /);

    await s.clickText(".nav-item", "Men's Advice Line");
    await s.clickText(".row", "news1@example.net");
    // Less frequent actions are under More in the triage bar; a held conversation says so there.
    await s.clickText(".more-actions summary", "More");
    await s.clickText(".hold button", "Put on legal hold");
    await s.type(".hold input", "Court order canary-2026/17");
    await s.clickText(".hold button", "Hold");
    await s.waitForText(".hold", "On legal hold since");
    await s.waitForText(".hold", "Court order canary-2026/17");
    await s.waitForText(".held-badge", "On legal hold");
    await s.screenshot(artifacts, "08-legal-hold");

    await s.clickText(".screens button", "Retention record");
    await s.waitForText(".record-table", "Retention run");
    await s.waitForText(".holds", "Court order canary-2026/17");
    await s.waitForText(".audit", "entries verified");
    await s.waitForText(".audit-table", "hold_placed");
    await s.screenshot(artifacts, "09-retention-record");
    await s.clickText(".holds button", "Open the conversation");
    await s.clickText(".more-actions summary", "More");
    await s.clickText(".hold button", "Lift the hold");
    await s.waitForText(".hold", "Put on legal hold");

    // Issue 6: a manager moves the conversation to the other line, and back (the lab's seed is
    // shared by the other tests). The move is on the audit log.
    await s.clickText(".move-line option", "Respect Phoneline");
    await s.waitForText(".move-line", "will no longer see this conversation");
    await s.clickText(".move-line button", "Move to Respect Phoneline");
    await s.waitForText("article > p.muted", "Respect Phoneline");
    await s.screenshot(artifacts, "12-move-line");
    await s.clickText(".move-line option", "Men's Advice Line");
    await s.clickText(".move-line button", "Move to Men's Advice Line");
    await s.waitForText("article > p.muted", "Men's Advice Line");
    await s.clickText(".screens button", "Retention record");
    await s.waitForText(".audit-table", "moved_line:mens_advice");
    // With the team directory (a hold needs it), the team's log on the server is checked too.
    await s.waitForText(".audit", "The team's log on the server");
    await s.waitForText(".audit", "all verified");
  } finally {
    await s.close();
    driver.stop();
  }
});
