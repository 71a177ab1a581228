// Issue 22 through the real window: a shared mailbox that signs in with the helpline's provider
// (the lab's oidc-provider) has lost its sign-in (signed out here, as a revoked one ends: nothing
// kept). The inbox says so and offers to sign in again; the person signs in in their own browser
// (Debian's chromium, opened by the app through $BROWSER), and the inbox syncs.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { firstRun, launchChromium, needsLab, readLab, storeWithOAuthSharedMailbox } from "./flows.mjs";
import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");
const artifacts = join(root, "tests/artifacts");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("issue22 the window signs a mailbox in again in the person's own browser", { timeout: 240000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  const lab = readLab();
  const store = await storeWithOAuthSharedMailbox(lab, "confide-e2e-oauth-");
  const out = execFileSync(join(root, "target/debug/confide"), ["--data-dir", store, "account", "sign-out", "--id", "helpline"], { encoding: "utf8" });
  assert.match(out, /signed out: its sign-in is gone from the keyring and revoked at the provider/);

  // The system browser, as the app opens it: a script that hands the address to this test.
  const dir = mkdtempSync(join(tmpdir(), "confide-e2e-browser-"));
  const opened = join(dir, "opened");
  const browser = join(dir, "browser");
  writeFileSync(browser, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`);
  chmodSync(browser, 0o700);

  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: store, BROWSER: browser } });
  const s = await Session.create(driver.base, app);
  const chromium = await launchChromium();
  try {
    await firstRun(s);
    await s.waitForText(".sign-in-notice", "Sign in to 127.0.0.1:1980 again", 60000);
    await s.screenshot(artifacts, "22-sign-in-again");
    await s.clickText(".sign-in-notice button", "Sign in again");
    let url = "";
    for (let i = 0; i < 200 && !url; i++) {
      if (existsSync(opened)) url = readFileSync(opened, "utf8").trim();
      else await sleep(100);
    }
    assert.ok(url.startsWith(`${lab.LAB_OIDC_ISSUER}/auth?`), `the app opened ${url}`);
    assert.match(url, /code_challenge_method=S256/);

    const page = await chromium.newPage();
    await page.goto(url);
    await page.fill('input[name="login"]', "helpline@lab.test");
    await page.fill('input[name="password"]', lab.LAB_HELPLINE_PASSWORD);
    await page.click('button[type="submit"]');
    await page.click('button[value="yes"]');
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback/);
    assert.match(await page.textContent("body"), /Signed in/);

    await s.waitForText(".sync-status", "new messages", 60000);
    assert.equal((await s.findAll(".sign-in-notice")).length, 0, "the notice goes once signed in");
  } finally {
    await chromium.close();
    await s.close();
    driver.stop();
  }
});
