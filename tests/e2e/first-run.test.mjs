// Issue 2: the built app, in a real window under Xvfb, with the real keyring: first run asks
// for the policy, name and role, shows the agreement, and only then the inbox. Without a
// keyring the window says so and nothing is written. Screenshots go to tests/artifacts/.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { firstRun } from "./flows.mjs";
import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");
const artifacts = join(root, "tests/artifacts");

test("issue2 first run: policy, name and role, agreement, then the inbox", { timeout: 120000 }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  const data = mkdtempSync(join(tmpdir(), "confide-e2e-"));
  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: join(data, "store") } });
  const s = await Session.create(driver.base, app);
  try {
    await firstRun(s, { shots: true });
    await s.waitForText(".nav", "Men's Advice Line");
    await s.waitForText(".topbar", "Ash · Helpline Advisor");
    await s.waitForText(".list", "0 conversations");
    await s.waitForText(".sync-status", "No shared mailbox is connected yet.");
    await s.screenshot(artifacts, "03-inbox");
  } finally {
    await s.close();
    driver.stop();
  }
  assert.ok(existsSync(join(data, "store", "confide.db")), "the store was created");
});

test("issue2 without a keyring the window refuses and writes nothing", { timeout: 60000 }, async () => {
  const data = mkdtempSync(join(tmpdir(), "confide-e2e-nokeyring-"));
  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: join(data, "store"), DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent/confide-bus" },
  });
  let s;
  try {
    s = await Session.create(driver.base, app);
    await s.waitForText("h1", "Confide cannot open its store");
    await s.waitForText("[role=alert]", "Cannot reach the system keyring");
    await s.screenshot(artifacts, "00-keyring-refused");
  } finally {
    await s?.close();
    driver.stop();
  }
  assert.ok(!existsSync(join(data, "store")), "nothing may be written without the keyring");
});
