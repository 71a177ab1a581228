// Issue 6, the line firewall through the real window: an advisor who works only on the Respect
// Phoneline (perpetrators) sees no Men's Advice Line (victims) conversation, and a search by a
// victim's address answers as for an address nobody has used.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { firstRun, needsLab, readLab, storeWithSharedMailbox } from "./flows.mjs";
import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");
const artifacts = join(root, "tests/artifacts");

test("issue6 an advisor on one line cannot find the other line's contacts", { timeout: 180000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  const store = storeWithSharedMailbox(readLab(), "confide-e2e-firewall-");
  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: store } });
  const s = await Session.create(driver.base, app);
  try {
    await firstRun(s, { lines: ["phoneline"] });
    await s.waitForText(".sync-status", "new messages", 60000);
    const nav = await s.text(await s.find(".nav"));
    assert.match(nav, /Respect Phoneline/);
    assert.doesNotMatch(nav, /Men's Advice Line/, "the other line is not even named");
    // news1@example.net wrote to the Men's Advice Line (the lab's seed).
    await s.type('input[type="search"]', "news1@example.net");
    await s.waitForText(".empty", "Nothing matches");
    const rows = await s.findAll(".row");
    assert.equal(rows.length, 0);
    await s.screenshot(artifacts, "10-line-firewall");
  } finally {
    await s.close();
    driver.stop();
  }
});
