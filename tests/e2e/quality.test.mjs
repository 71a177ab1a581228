// Issue 8, quality monitoring through the real window: a manager answers a service user's
// email, draws a sample of the last 30 days' replies, reviews their own reply with the service
// user's name, address, number and email address masked, scores it against the rubric, and
// sees the review in the per-advisor summary.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { forgetTeam, mailToPhoneline, managerWithTeam, needsLab, readLab, storeWithSharedMailbox } from "./flows.mjs";
import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");
const artifacts = join(root, "tests/artifacts");

test("issue8 a manager samples and reviews a reply, masked", { timeout: 180000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  forgetTeam();
  const lab = readLab();
  const store = storeWithSharedMailbox(lab, "confide-e2e-quality-");
  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: store } });
  const s = await Session.create(driver.base, app);
  const js = (script) => s.cmd("POST", "/execute/sync", { script, args: [] });
  try {
    await managerWithTeam(s);

    const sender = `qa${Date.now()}@example.org`;
    mailToPhoneline(lab, sender, `From: Wendell Okafor <${sender}>\r\nTo: phoneline@lab.test\r\nSubject: Help\r\n\r\nI am Wendell Okafor of 14 Larkspur Road, LS6 2AB, on 07700 900123.\r\n`);
    await s.waitForText(".rows", sender, 30000);
    await s.clickText(".row", sender);
    await s.waitForText(".reply", "Send reply");
    await s.type(".reply textarea", "Dear Wendell, thank you for writing to us.");
    await s.clickText(".reply button", "Send reply");
    await s.waitForText(".conv-title + p", "2 messages", 60000);

    await s.clickText(".screens button", "Quality");
    await s.clickText(".qa-sample button", "Draw sample");
    await s.waitForText(".qa-list .status", "sampled", 30000);
    await s.waitForText(".qa-items", "Ash");
    await js("[...document.querySelectorAll('.qa-items li')].find((li) => li.textContent.startsWith('Ash')).querySelector('button').click()");
    await s.waitForText(".qa-conversation", "[name]", 30000);
    const shown = await s.text(await s.find(".qa-conversation"));
    for (const canary of ["Wendell", "Okafor", "Larkspur", "LS6", "07700", sender]) assert.ok(!shown.includes(canary), `${canary} shown for review: ${shown}`);
    for (const radio of await s.findAll('.rubric input[value="4"]')) await s.cmd("POST", `/element/${radio}/click`, {});
    await s.type(".qa-review textarea", "Warm; give the opening hours next time.");
    await s.screenshot(artifacts, "16-quality-review");
    await s.clickText(".qa-review button", "Keep review");
    await s.waitForText(".qa-summary", "Ash", 30000);
    await s.waitForText(".qa-summary", "4.0");
  } finally {
    await s.close();
    driver.stop();
  }
});
