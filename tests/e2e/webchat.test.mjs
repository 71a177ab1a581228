// Issue 7, the whole journey: a visitor in Debian's chromium (playwright-core) chats on the
// gateway's page with an advisor in the real Confide window. The desktop takes chats once given
// the gateway and a credential (kept in the keyring); the visitor appears as waiting, is
// accepted, gets the reply; the advisor ends the chat; the transcript goes to Confide/Webchat
// sealed to the line's staff, and neither the server's copy nor the gateway's files hold the
// words in the clear. The waiting visitor is announced by a desktop notification (watched on the
// session bus) that names the line and nothing the visitor wrote; the advisor raises a risk flag
// on the chat.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { forgetTeam, launchChromium, managerWithTeam, needsLab, readLab, startTrayWatcher, storeWithSharedMailbox, takeChats } from "./flows.mjs";
import { Session, startDriver } from "./webdriver.mjs";
import { startGateway } from "../webchat/gateway.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");
const confide = join(root, "target/debug/confide");
const artifacts = join(root, "tests/artifacts");
const dove = (...args) => execFileSync("doveadm", ["-c", "/var/lib/confide-lab/dovecot/dovecot.conf", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
/** Messages in the lab's Confide/Webchat (0 before the first transcript makes the folder). */
function transcripts() {
  try {
    return Number(dove("mailbox", "status", "-u", "helpline@lab.test", "messages", "Confide/Webchat").match(/messages=(\d+)/)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

test("issue7 a visitor in a browser chats with an advisor in the Confide window", { timeout: 240000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  forgetTeam();
  const archivedBefore = transcripts();
  const work = mkdtempSync(join(tmpdir(), "confide-e2e-webchat-"));
  const store = storeWithSharedMailbox(readLab(), "confide-e2e-webchat-");
  // Issue 10: the tray indicator counts the chats that need the advisor.
  const tray = await startTrayWatcher();
  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: store } });
  const s = await Session.create(driver.base, app);
  let gateway;
  let browser;
  // What the app asks the desktop's notification service to show (no service runs here: the
  // bus still carries the call, which is what the test needs to see).
  let notified = "";
  const monitor = spawn("dbus-monitor", ["--session", "interface='org.freedesktop.Notifications'"], { stdio: ["ignore", "pipe", "ignore"] });
  monitor.stdout.on("data", (d) => (notified += d));
  try {
    // A manager founds the team, so the transcript has readers.
    await managerWithTeam(s);

    const recipients = execFileSync(confide, ["--data-dir", store, "team", "recipients", "--class", "webchat", "--line", "phoneline"], { encoding: "utf8" }).trim().split("\n");
    const credential = randomBytes(32).toString("hex");
    const cfg = await startGateway(work, { credential, recipients, advisor: "Ash", lines: ["phoneline"] });
    gateway = cfg.proc;
    const port = cfg.port;

    await takeChats(s, port, credential);

    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(cfg.origin + "/");
    await page.getByRole("button", { name: "Start chat" }).click();
    await page.getByText("You are number 1 in the queue").waitFor();
    await page.getByLabel("Your message").fill("e2e-chat-canary-61aa I need someone to talk to");
    await page.getByRole("button", { name: "Send" }).click();

    await s.waitForText(".waiting-chats", "Respect Phoneline, waiting since", 30000);
    for (let i = 0; i < 50 && !notified.includes("A visitor is waiting to chat"); i++) await new Promise((r) => setTimeout(r, 200));
    assert.match(notified, /A visitor is waiting to chat/, "a desktop notification for the waiting visitor");
    assert.match(notified, /Respect Phoneline: open Confide to accept/);
    assert.doesNotMatch(notified, /e2e-chat-canary-61aa/, "the notification shows nothing the visitor wrote");
    await tray.waitForLabel("1");
    await s.clickText(".waiting-chats button", "Accept");
    await s.waitForText(".chat-log", "e2e-chat-canary-61aa", 30000);
    // Accepted and open in front of the advisor: nothing waits for them any more.
    await tray.waitForLabel("");
    await s.clickText(".risks-summary", "Risk flags");
    await s.clickText(".risks button", "Imminent threat to life");
    await s.waitForText('.risks button[aria-pressed="true"]', "Imminent threat to life");
    // Issue 24: a note for the team on the chat, never sent to the visitor.
    await s.type(".note-box textarea", "chat-note-e2e-9a1 ask about travel plans");
    await s.clickText(".notes button", "Add note");
    await s.waitForText(".note", "chat-note-e2e-9a1", 30000);
    await s.screenshot(join(root, "tests/artifacts"), "24-chat-note");
    await page.getByText("Ash has joined the chat.").waitFor();
    await s.type("#chat-input", "e2e-reply-canary-0c3b You can talk to me here.");
    await s.clickText(".chat-compose button", "Send");
    await page.getByRole("log").getByText("e2e-reply-canary-0c3b You can talk to me here.").waitFor();
    await page.getByLabel("Your message").fill("thank you");
    await page.getByRole("button", { name: "Send" }).click();
    await s.waitForText(".chat-log", "thank you", 30000);
    // Read as it arrives, in the open chat: the tray does not count it.
    await tray.waitForLabel("");
    await s.screenshot(artifacts, "14-webchat-desktop");

    await s.clickText(".chat-compose button", "End chat");
    await page.getByText("The advisor ended the chat.").waitFor();
    assert.equal(await page.getByText("chat-note-e2e-9a1").count(), 0, "the visitor saw the team's note");
    await s.waitForText(".chat", "This chat is over for you", 30000);
    // The transcript reaches the shared mailbox's record folder, sealed.
    const deadline = Date.now() + 30000;
    let archived = archivedBefore;
    while (Date.now() < deadline && archived === archivedBefore) {
      archived = transcripts();
      if (archived === archivedBefore) await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(archived, archivedBefore + 1, "one transcript in Confide/Webchat");
    for (const canary of ["e2e-chat-canary-61aa", "e2e-reply-canary-0c3b"]) {
      assert.equal(dove("search", "-u", "helpline@lab.test", "mailbox", "Confide/Webchat", "body", canary).trim(), "", `${canary} readable on the server`);
      for (const f of readdirSync(join(work, "gateway"))) {
        assert.ok(!readFileSync(join(work, "gateway", f)).includes(canary), `${canary} in the gateway's ${f}`);
      }
    }
  } finally {
    monitor.kill();
    tray.stop();
    await browser?.close();
    gateway?.kill("SIGINT");
    await s.close();
    driver.stop();
  }
});
