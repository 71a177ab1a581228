// Issue 10: the window opens as large and where it was left, even after the app was killed
// rather than closed (helpline desktops are often just switched off).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");

test("issue10 the window comes back at the size and place it was left, after a kill", { timeout: 120000 }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  const data = mkdtempSync(join(tmpdir(), "confide-e2e-window-"));
  const config = join(data, "config");
  const saved = join(config, "confide", "window.json");
  // As a previous session left it.
  mkdirSync(join(config, "confide"), { recursive: true });
  writeFileSync(saved, JSON.stringify({ x: 40, y: 30, width: 1010, height: 650, maximized: false }));
  const env = { CONFIDE_DATA_DIR: join(data, "store"), XDG_CONFIG_HOME: config };

  let driver = await startDriver({ env });
  let s = await Session.create(driver.base, app);
  try {
    await s.waitForText("h1", "Set up Confide");
    const rect = await s.cmd("GET", "/window/rect");
    assert.deepEqual([rect.width, rect.height], [1010, 650], `restored size: ${JSON.stringify(rect)}`);
    // The person makes it smaller; the app is then killed, not closed.
    await s.cmd("POST", "/window/rect", { width: 880, height: 560 });
    await sleep(1500);
  } finally {
    // Killed: the session's end and the driver's stop take the app down with SIGKILL.
    driver.stop();
  }
  const after = JSON.parse(readFileSync(saved, "utf8"));
  assert.deepEqual([after.width, after.height], [880, 560], `saved: ${JSON.stringify(after)}`);

  driver = await startDriver({ env: { ...env } });
  s = await Session.create(driver.base, app);
  try {
    await s.waitForText("h1", "Set up Confide");
    const rect = await s.cmd("GET", "/window/rect");
    assert.deepEqual([rect.width, rect.height], [880, 560], `size after the kill: ${JSON.stringify(rect)}`);
  } finally {
    await s.close();
    driver.stop();
  }
  assert.ok(!existsSync(join(data, "store", "window.json")), "geometry is kept out of the data folder");
});
