// Issue 8, letters through the real window: a manager (who may scan letters in, and read them)
// finds a two-page PDF waiting in the office scanner's folder, imports it with a summary, sees
// the scanner's copy removed, opens the letter with both pages drawn, and keeps a response.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { forgetTeam, managerWithTeam, needsLab, readLab, storeWithSharedMailbox } from "./flows.mjs";
import { pdf } from "./pdf.mjs";
import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");
const artifacts = join(root, "tests/artifacts");

test("issue8 a scanned letter is imported from the scanner folder and read by a manager", { timeout: 180000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  forgetTeam();
  const store = storeWithSharedMailbox(readLab(), "confide-e2e-letters-");
  const scanner = mkdtempSync(join(tmpdir(), "confide-e2e-scanner-"));
  const scan = join(scanner, "scan0001.pdf");
  writeFileSync(scan, pdf(2, "e2e-letter-canary-3c1f"));
  const past = new Date(Date.now() - 10000);
  utimesSync(scan, past, past);
  execFileSync(join(root, "target/debug/confide"), ["--data-dir", store, "letters", "scanner-folder", scanner]);
  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: store } });
  const s = await Session.create(driver.base, app);
  try {
    await managerWithTeam(s);

    await s.clickText(".screens button", "Letters");
    await s.waitForText(".scan-files", "scan0001.pdf (scanner)", 30000);
    await s.click(".scan-files input[type=checkbox]");
    await s.type('.letter-import input[name="summary"]', "Asks about the group programme");
    await s.click('.letter-import input[name="original_destroyed"]');
    await s.clickText(".letter-import button", "Import letter");
    await s.waitForText(".letter-import .status", "Removed from this computer: scan0001.pdf", 60000);
    assert.ok(!existsSync(scan), "the scanner's copy is gone");

    await s.waitForText(".letter-table", "Asks about the group programme", 30000);
    await s.clickText(".letter-table button", "L-");
    await s.waitForText(".letter", "Paper original destroyed, recorded by Ash");
    for (let i = 0; i < 100 && (await s.findAll(".letter-pages img")).length < 2; i++) await new Promise((r) => setTimeout(r, 200));
    assert.equal((await s.findAll(".letter-pages img")).length, 2, "both pages drawn");
    await s.type(".letter textarea", "Thank you for your letter. e2e-response-canary-81d0");
    await s.clickText(".letter button", "Keep response");
    await s.waitForText(".letter-response", "e2e-response-canary-81d0", 30000);
    await s.screenshot(artifacts, "15-letter");
  } finally {
    await s.close();
    driver.stop();
  }
});
