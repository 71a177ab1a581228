// Issue 10: the whole journey through the real window, as a helpline would try it before
// trusting it with callers, on a shared mailbox of the test's own (time moves on at the end,
// and must not expire other tests' mail). A manager sets up and founds the team; an email
// arrives, is claimed and answered (the shared Sent has the reply, the personal Sent does not);
// a reply sent from outside lands in advisor1's personal Sent and the guard moves it; a visitor
// chats from chromium and is answered; a letter from the scanner folder is imported; a reply
// is sampled and reviewed. Then time moves on seven months: the headless retention run (the
// timer's command, same engine as the app's schedule) removes everything expired, everywhere,
// and the window shows it gone.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { doveadm, freshMailbox, launchChromium, mailToPhoneline, managerWithTeam, needsLab, readLab, setPersonalMailbox, storeWithSharedMailbox, takeChats } from "./flows.mjs";
import { pdf } from "./pdf.mjs";
import { Session, startDriver } from "./webdriver.mjs";
import { startGateway } from "../webchat/gateway.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");
const confide = join(root, "target/debug/confide");
const artifacts = join(root, "tests/artifacts");
const shot = (s, name) => s.screenshot(artifacts, `j${name}`);
/** How many messages in a folder hold `text` anywhere (0 when the folder does not exist). */
function found(user, folder, text) {
  try {
    return doveadm("search", "-u", user, "mailbox", folder, "text", text).trim().split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
}
const folders = (user) => doveadm("-f", "flow", "mailbox", "list", "-u", user).trim().split("\n").filter(Boolean);

test("issue10 the whole journey through the real window, then retention removes everything expired", { timeout: 600000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  const lab = readLab();
  const shared = freshMailbox("journey");
  const store = storeWithSharedMailbox(lab, "confide-e2e-journey-", shared);
  const stamp = Date.now().toString(36);
  const canary = { mail: `jmail${stamp}`, reply: `jreply${stamp}`, outside: `joutside${stamp}`, chat: `jchat${stamp}`, letter: `jletter${stamp}` };
  const scanner = mkdtempSync(join(tmpdir(), "confide-e2e-journey-scanner-"));
  const scan = join(scanner, "scan0001.pdf");
  writeFileSync(scan, pdf(1, canary.letter));
  const past = new Date(Date.now() - 10000);
  utimesSync(scan, past, past);
  execFileSync(confide, ["--data-dir", store, "letters", "scanner-folder", scanner]);

  // The caller's email is waiting when the desktop first syncs.
  const sender = `caller${stamp}@example.org`;
  mailToPhoneline(lab, sender, `From: Robin Vale <${sender}>\r\nTo: phoneline@lab.test\r\nSubject: Can someone call me\r\n\r\nPlease help, ${canary.mail}.\r\n`, shared.address);
  for (let i = 0; i < 100 && found(shared.address, "INBOX", canary.mail) === 0; i++) await new Promise((r) => setTimeout(r, 100));

  let driver = await startDriver({ env: { CONFIDE_DATA_DIR: store } });
  let s = await Session.create(driver.base, app);
  let gateway;
  let browser;
  try {
    // 1. First run (preset, role, agreement) and the team founded.
    await managerWithTeam(s);
    await shot(s, "01-set-up");

    // 2. The email is claimed and answered from the helpline's address.
    await s.waitForText(".rows", sender, 30000);
    await s.clickText(".row", sender);
    await s.clickText(".claim button", "Claim");
    await s.waitForText(".claim", "Claimed by you", 30000);
    await s.type(".reply textarea", `Dear Robin, we can call you this afternoon. ${canary.reply}`);
    await s.clickText(".reply button", "Send reply");
    await s.waitForText(".conv-title + p", "2 messages", 60000);
    await shot(s, "02-claimed-and-answered");
    assert.equal(found(shared.address, "Sent", canary.reply), 1, "the shared Sent holds the reply");
    assert.equal(found("advisor1@lab.test", "Sent", canary.reply), 0, "no personal Sent holds it");

    // 3. A reply sent from outside Confide lands in advisor1's personal Sent; the guard moves it.
    const outsideId = `outside-${stamp}@lab.test`;
    execFileSync("doveadm", ["-c", "/var/lib/confide-lab/dovecot/dovecot.conf", "save", "-u", "advisor1@lab.test", "-m", "Sent"], {
      input: `From: Respect Phoneline <phoneline@lab.test>\r\nTo: ${sender}\r\nSubject: Re: Can someone call me\r\nMessage-ID: <${outsideId}>\r\n\r\nSent from Outlook. ${canary.outside}\r\n`,
    });
    await setPersonalMailbox(s, lab);
    await s.waitForText(".guard-notice", "moved from your personal Sent to the helpline's Sent", 30000);
    await shot(s, "03-guard-moved");
    await s.clickText("section button", "Close");
    assert.equal(found("advisor1@lab.test", "Sent", canary.outside), 0, "the personal copy is gone");
    assert.equal(found(shared.address, "Sent", canary.outside), 1, "the shared Sent holds it");

    // 4. A visitor chats from chromium and the advisor answers.
    const recipients = execFileSync(confide, ["--data-dir", store, "team", "recipients", "--class", "webchat", "--line", "phoneline"], { encoding: "utf8" }).trim().split("\n");
    const credential = randomBytes(32).toString("hex");
    const work = mkdtempSync(join(tmpdir(), "confide-e2e-journey-gateway-"));
    const cfg = await startGateway(work, { credential, recipients, advisor: "Ash", lines: ["phoneline"] });
    gateway = cfg.proc;
    await takeChats(s, cfg.port, credential);
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(cfg.origin + "/");
    await page.getByRole("button", { name: "Start chat" }).click();
    await page.getByLabel("Your message").fill(`I am scared to go home ${canary.chat}`);
    await page.getByRole("button", { name: "Send" }).click();
    await s.clickText(".waiting-chats button", "Accept");
    await s.waitForText(".chat-log", canary.chat, 30000);
    await s.type("#chat-input", "You can talk to me here. Are you safe right now?");
    await s.clickText(".chat-compose button", "Send");
    await page.getByRole("log").getByText("Are you safe right now?").waitFor();
    await shot(s, "04-webchat");
    await s.clickText(".chat-compose button", "End chat");
    await s.waitForText(".chat", "This chat is over for you", 30000);
    for (let i = 0; i < 60 && folders(shared.address).every((f) => f !== "Confide/Webchat"); i++) await new Promise((r) => setTimeout(r, 500));
    assert.ok(folders(shared.address).includes("Confide/Webchat"), "the transcript is archived");

    // 5. A letter from the office scanner's folder is imported.
    await s.clickText(".screens button", "Letters");
    await s.waitForText(".scan-files", "scan0001.pdf (scanner)", 30000);
    await s.click(".scan-files input[type=checkbox]");
    await s.type('.letter-import input[name="summary"]', "Asks for a call back");
    await s.clickText(".letter-import button", "Import letter");
    await s.waitForText(".letter-import .status", "Removed from this computer: scan0001.pdf", 60000);
    await shot(s, "05-letter");

    // 6. A manager samples the replies and reviews one, masked.
    await s.clickText(".screens button", "Quality");
    await s.clickText(".qa-sample button", "Draw sample");
    await s.waitForText(".qa-items", "Ash", 30000);
    await s.cmd("POST", "/execute/sync", { script: "[...document.querySelectorAll('.qa-items li')].find((li) => li.textContent.startsWith('Ash')).querySelector('button').click()", args: [] });
    await s.waitForText(".qa-conversation", "[name]", 30000);
    assert.ok(!(await s.text(await s.find(".qa-conversation"))).includes("Robin"), "the caller's name is masked");
    for (const radio of await s.findAll('.rubric input[value="4"]')) await s.cmd("POST", `/element/${radio}/click`, {});
    await s.clickText(".qa-review button", "Keep review");
    await s.waitForText(".qa-summary", "4.0", 30000);
    await shot(s, "06-review");

    // The manager runs retention now, from the window (the mailbox is the journey's own):
    // its steps show as it goes, and today nothing has expired.
    await s.clickText(".screens button", "Retention record");
    await s.clickText(".records button", "Run retention now");
    await s.waitForText(".retention-run", "Retention ran: nothing had expired.", 60000);
    await s.waitForText(".record-table", "Retention run");
  } finally {
    await browser?.close();
    gateway?.kill("SIGINT");
    await s.close();
    driver.stop();
  }

  // 7. Time moves on seven months: the timer's retention run, with its clock set there.
  const later = new Date(Date.now() + 213 * 86400000).toISOString().replace(/\.\d+Z$/, "Z");
  const run = execFileSync(confide, ["--data-dir", store, "retention", "run", "--now", later], { encoding: "utf8" });
  console.log(run.trim());
  assert.match(run, /problems=0/);
  for (const [what, text] of Object.entries(canary)) {
    for (const folder of folders(shared.address)) assert.equal(found(shared.address, folder, text), 0, `${what} still on the server in ${folder}`);
    for (const folder of folders("advisor1@lab.test")) assert.equal(found("advisor1@lab.test", folder, text), 0, `${what} still in advisor1's ${folder}`);
  }
  // The window agrees: the conversation is gone, and the record shows the run.
  driver = await startDriver({ env: { CONFIDE_DATA_DIR: store } });
  s = await Session.create(driver.base, app);
  try {
    await s.waitForText("h1", "Inbox", 30000);
    await s.waitForText(".list-head", "conversation", 30000);
    const rows = await s.cmd("POST", "/execute/sync", { script: "return document.querySelector('.rows').textContent", args: [] });
    assert.ok(!rows.includes(`caller${stamp}`), "the expired conversation is gone from the window");
    await s.clickText(".screens button", "Retention record");
    await s.waitForText(".records", "Expired and destroyed", 30000);
    await shot(s, "07-after-retention");
  } finally {
    await s.close();
    driver.stop();
  }
});
