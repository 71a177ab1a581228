// Issue 10: when a colleague claims a conversation this advisor had claimed, a desktop
// notification says so (naming the colleague, nothing of the conversation), so two people do
// not answer one caller. The colleague's claim is made on the real server as their desktop
// would make it: their claim keyword in place of this advisor's.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { doveadm, firstRun, freshMailbox, mailToPhoneline, needsLab, readLab, storeWithSharedMailbox } from "./flows.mjs";
import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");

test("issue10 a conversation a colleague takes over is told in a desktop notification", { timeout: 180000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  const lab = readLab();
  const mailbox = freshMailbox("claims");
  const sender = `claims${Date.now()}@example.org`;
  mailToPhoneline(lab, sender, `From: ${sender}\r\nTo: phoneline@lab.test\r\nSubject: claims-canary-5e21\r\n\r\nPlease call back.\r\n`, mailbox.address);
  const store = storeWithSharedMailbox(lab, "confide-e2e-claims-", mailbox);
  // What the app asks the desktop's notification service to show, as the bus carries it.
  let notified = "";
  const monitor = spawn("dbus-monitor", ["--session", "interface='org.freedesktop.Notifications'"], { stdio: ["ignore", "pipe", "ignore"] });
  monitor.stdout.on("data", (d) => (notified += d));
  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: store } });
  const s = await Session.create(driver.base, app);
  try {
    await firstRun(s);
    await s.waitForText(".rows", sender, 60000);
    await s.clickText(".row", sender);
    await s.clickText(".claim button", "Claim");
    await s.waitForText(".claim", "Claimed by you", 30000);

    // A colleague's desktop claims it: their keyword replaces this advisor's on the server.
    const flags = doveadm("-f", "flow", "fetch", "-u", mailbox.address, "flags", "mailbox", "INBOX", "all");
    const mine = flags.match(/Confide\.Claim\.[A-Za-z0-9]+/)?.[0];
    assert.ok(mine, `the claim is on the server: ${flags}`);
    doveadm("flags", "remove", "-u", mailbox.address, mine, "mailbox", "INBOX", "all");
    doveadm("flags", "add", "-u", mailbox.address, "Confide.Claim.0123456789abcdef", "mailbox", "INBOX", "all");

    for (let i = 0; i < 100 && !notified.includes("A conversation you claimed was taken over"); i++) await new Promise((r) => setTimeout(r, 200));
    assert.match(notified, /A conversation you claimed was taken over/, "a desktop notification for the claim");
    assert.match(notified, /A colleague has claimed it now/);
    assert.doesNotMatch(notified, new RegExp(`claims-canary-5e21|${sender}`), "the notification names nothing of the conversation");
  } finally {
    monitor.kill();
    await s.close();
    driver.stop();
  }
});
