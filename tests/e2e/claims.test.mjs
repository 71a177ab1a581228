// Issues 10 and 23 through two real windows: an advisor's desktop and a manager's, on one shared
// mailbox and one team directory. The advisor claims a conversation (a sealed state entry, no
// keyword); the manager's desktop sees the claim and, as only a manager may, takes it over; the
// advisor's desktop then says so in a desktop notification that names the manager and nothing
// of the conversation, so two people do not answer one caller. Then the manager snoozes it
// (issue 24) and brings it back, adds a note whose mention tells the advisor, and writes a
// canned reply that the advisor sends in five keystrokes; then, with the line's leaflet
// (which a team leader added to the library), in seven; and a trainee's reply waits for the
// manager's approval before it goes.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { axeViolations, doveadm, firstRun, freshMailbox, mailToPhoneline, managerWithTeam, needsLab, readLab, storeWithSharedMailbox } from "./flows.mjs";
import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");

test("issue10 issue23 a conversation a manager takes over is told in a desktop notification", { timeout: 300000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  const lab = readLab();
  const mailbox = freshMailbox("claims");
  const sender = `claims${Date.now()}@example.org`;
  mailToPhoneline(lab, sender, `From: ${sender}\r\nTo: phoneline@lab.test\r\nSubject: claims-canary-5e21\r\n\r\nPlease call back.\r\n`, mailbox.address);
  const managerStore = storeWithSharedMailbox(lab, "confide-e2e-claims-mia-", mailbox);
  const advisorStore = storeWithSharedMailbox(lab, "confide-e2e-claims-ash-", mailbox);
  // What the advisor's app asks the desktop's notification service to show, as the bus carries it.
  let notified = "";
  const monitor = spawn("dbus-monitor", ["--session", "interface='org.freedesktop.Notifications'"], { stdio: ["ignore", "pipe", "ignore"] });
  monitor.stdout.on("data", (d) => (notified += d));
  const managerDriver = await startDriver({ env: { CONFIDE_DATA_DIR: managerStore } });
  const advisorDriver = await startDriver({ env: { CONFIDE_DATA_DIR: advisorStore } });
  const mia = await Session.create(managerDriver.base, app);
  const ash = await Session.create(advisorDriver.base, app);
  try {
    await managerWithTeam(mia, { name: "Mia" });
    await firstRun(ash);
    // The team exists and Ash is not in it yet: Ash's desktop keeps no mail until added.
    await ash.waitForText(".sync-status", "not in the team directory", 60000);
    // The manager adds the advisor from the card the advisor's Team screen shows.
    await ash.clickText(".screens button", "Team");
    await ash.waitForText(".team", "Your card");
    const card = await ash.cmd("GET", `/element/${await ash.find(".my-card")}/property/value`);
    await ash.clickText(".team > button", "Close");
    await mia.clickText(".screens button", "Team");
    await mia.waitForText(".team", "Add a colleague");
    await mia.type(".card-input", card);
    await mia.clickText(".team button", "Add to the team");
    await mia.waitForText(".team-table", "Ash");
    await mia.clickText(".team > button", "Close");

    // The advisor's next sync follows the team and brings the mail; then the advisor claims.
    await ash.clickText("button", "Sync now");
    await ash.waitForText(".rows", sender, 60000);
    await ash.clickText(".row", sender);
    await ash.clickText(".claim button", "Claim");
    await ash.waitForText(".claim", "Claimed by you", 30000);
    const flags = doveadm("-f", "flow", "fetch", "-u", mailbox.address, "flags", "mailbox", "INBOX", "all");
    assert.doesNotMatch(flags, /Confide\./, "a claim is no keyword on the server");

    // The manager's desktop sees Ash's claim, and takes it over.
    await mia.clickText("button", "Sync now");
    await mia.waitForText(".sync-status", "Up to date", 30000);
    await mia.clickText(".row", sender);
    await mia.waitForText(".claim", "Claimed by Ash", 30000);
    await mia.clickText(".claim button", "Take over");
    await mia.waitForText(".claim", "Claimed by you", 30000);

    // New mail wakes the advisor's desktop (IDLE), whose sync follows the state and tells Ash.
    mailToPhoneline(lab, sender, `From: ${sender}\r\nTo: phoneline@lab.test\r\nSubject: another\r\n\r\nHello?\r\n`, mailbox.address);
    for (let i = 0; i < 150 && !notified.includes("A conversation you claimed was taken over"); i++) await new Promise((r) => setTimeout(r, 200));
    assert.match(notified, /A conversation you claimed was taken over/, "a desktop notification for the claim");
    assert.match(notified, /Mia has claimed it now/);
    assert.doesNotMatch(notified, new RegExp(`claims-canary-5e21|${sender}`), "the notification names nothing of the conversation");

    // Issue 24: "come back to this tomorrow" takes it out of the open list for the whole line,
    // until then; the Snoozed view lists it with the day it comes back.
    await mia.clickText(".snooze-control summary", "Snooze");
    await mia.clickText(".snooze button", "Tomorrow morning");
    await mia.waitForText(".snooze", "Snoozed until", 30000);
    await mia.screenshot(join(root, "tests/artifacts"), "24-snoozed");
    assert.deepEqual(await axeViolations(mia, "a snoozed conversation"), []);
    await mia.clickText(".filters label", "Snoozed");
    await mia.waitForText(".rows", "· back ", 30000);
    await mia.clickText(".snooze button", "Bring back now");
    await mia.waitForText(".snooze-control", "Snooze", 30000);

    // Issue 24: a note for the team, plainly not part of the thread; its @mention tells Ash's
    // desktop, naming the conversation by its line and number only.
    await mia.type(".note-box textarea", "@Ash she asked for calls after 6pm only.");
    await mia.clickText(".notes button", "Add note");
    await mia.waitForText(".note", "after 6pm", 30000);
    await mia.screenshot(join(root, "tests/artifacts"), "24-note");
    assert.deepEqual(await axeViolations(mia, "a conversation with a note"), []);
    for (let i = 0; i < 150 && !notified.includes("A colleague mentioned you in a note"); i++) await new Promise((r) => setTimeout(r, 200));
    assert.match(notified, /A colleague mentioned you in a note/, "a desktop notification for the mention");
    assert.match(notified, /Respect Phoneline, conversation \d+/);
    assert.doesNotMatch(notified, new RegExp(`claims-canary-5e21|${sender}|6pm`), "the notification names nothing of the conversation");

    // Issue 24: Mia writes a canned reply for the line; Ash answers with it from the keyboard:
    // r (to the reply), Ctrl+/ (the canned replies), Enter (the first), Tab (to Send), Enter.
    const artifacts = join(root, "tests/artifacts");
    await mia.clickText(".screens button", "Library");
    await mia.waitForText(".canned-library", "Write a canned reply");
    await mia.type(".canned-form .field input", "Calling back");
    await mia.type(".canned-form .field textarea", "This is {advisor} at {line}. We will call you back today. canned-e2e-7d1");
    await mia.clickText(".canned-form button", "Add to the library");
    await mia.waitForText(".canned-entries", "Calling back", 30000);
    // And the line's signature, which every email reply starts with.
    await mia.type(".line-details textarea", "With care, {advisor}, {line}");
    await mia.clickText(".line-details button", "Save for this line");
    await mia.waitForText(".line-details", "signed", 30000);
    await mia.screenshot(artifacts, "24-canned-library");
    assert.deepEqual(await axeViolations(mia, "the canned replies library"), []);
    await mia.clickText(".canned-library > button", "Close");

    const press = (s, ...keys) =>
      s.cmd("POST", "/actions", {
        actions: [{ type: "key", id: "keyboard", actions: [...keys.map((k) => ({ type: "keyDown", value: k })), ...keys.reverse().map((k) => ({ type: "keyUp", value: k }))] }],
      });
    // Ash still has the conversation open: Mia's claim and note show there as they arrive.
    await ash.waitForText(".conv-title", "claims-canary-5e21", 30000);
    await ash.waitForText(".claim", "Claimed by Mia", 30000);
    await ash.waitForText(".note", "after 6pm", 30000);
    await press(ash, "r");
    await press(ash, "\uE009", "/");
    await ash.waitForText(".canned-picker", "Calling back", 30000);
    await ash.screenshot(artifacts, "24-canned-picker");
    assert.deepEqual(await axeViolations(ash, "the canned reply picker"), []);
    await press(ash, "\uE007");
    const box = await ash.find(".reply textarea");
    const written = await ash.cmd("GET", `/element/${box}/property/value`);
    assert.match(
      written,
      /^This is Ash at Respect Phoneline\. We will call you back today\. canned-e2e-7d1\n\nWith care, Ash, Respect Phoneline$/,
      "filled in for Ash and the line, above the signature",
    );
    await press(ash, "\uE004");
    await press(ash, "\uE007");
    await ash.waitForText(".reply", "Reply sent", 60000);

    // The line's leaflet, added to the library from a shell (the window's own "Choose the file"
    // opens the system's file dialog, which a test cannot drive); Mia's library lists it.
    const pdf = join(mkdtempSync(join(tmpdir(), "confide-e2e-leaflet-")), "safety-plan.pdf");
    writeFileSync(pdf, "%PDF-1.4\n% leaflet-e2e-3b8\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");
    execFileSync(join(root, "target/debug/confide"), ["--data-dir", managerStore, "library", "add-leaflet", "--line", "phoneline", "--title", "Safety planning", pdf]);
    await mia.clickText(".screens button", "Library");
    await mia.waitForText(".leaflet-entries", "Safety planning", 30000);
    await mia.screenshot(artifacts, "24-leaflets");
    assert.deepEqual(await axeViolations(mia, "the library's leaflets"), []);
    await mia.clickText(".canned-library > button", "Close");

    // A canned reply with the leaflet: r, Ctrl+/, Enter (the canned reply), Alt+L (the line's
    // leaflets), Enter (the first), Tab (to Send), Enter: seven keystrokes.
    await press(ash, "r");
    await press(ash, "\uE009", "/");
    await ash.waitForText(".canned-picker", "Calling back", 30000);
    await press(ash, "\uE007");
    await press(ash, "\uE00A", "l");
    await ash.waitForText(".leaflet-picker", "Safety planning", 30000);
    await ash.screenshot(artifacts, "24-leaflet-picker");
    assert.deepEqual(await axeViolations(ash, "the leaflet picker"), []);
    await press(ash, "\uE007");
    await ash.waitForText(".attached", "Safety planning (safety-plan.pdf)", 30000);
    await ash.screenshot(artifacts, "24-reply-with-leaflet");
    await press(ash, "\uE004");
    await press(ash, "\uE007");
    await ash.waitForText(".reply", "Reply sent", 60000);
    const sent = doveadm("-f", "json", "fetch", "-u", mailbox.address, "text", "mailbox", "Sent", "all");
    assert.equal(sent.match(/filename=\\?"safety-plan\.pdf/g)?.length, 1, "the reply went once, with the leaflet");

    // Review before send: Mia marks Ash's replies as reviewed (someone in training); Ash's next
    // reply waits, Mia's desktop shows it, she approves it, and it goes once.
    await mia.clickText(".screens button", "Team");
    await mia.clickText(".team-table button", "Review their replies");
    await mia.waitForText(".team-table", "Replies reviewed", 30000);
    await mia.clickText(".team > button", "Close");
    await ash.type(".reply textarea", "review-e2e-4c1 We can talk on Thursday. ");
    await ash.clickText(".reply button", "Send reply");
    await ash.waitForText(".reply", "waiting for a team leader or manager", 60000);
    await ash.waitForText(".reviews", "Waiting for review", 30000);
    await mia.waitForText(".reviews", "Waiting for review", 60000);
    await mia.cmd("POST", "/execute/sync", { script: "document.querySelector('.reviews').scrollIntoView(); return true", args: [] });
    await mia.screenshot(artifacts, "24-review");
    assert.deepEqual(await axeViolations(mia, "a reply waiting for review"), []);
    assert.equal(doveadm("search", "-u", mailbox.address, "mailbox", "Sent", "body", "review-e2e-4c1").trim(), "", "sent before approval");
    await mia.clickText(".reviews button", "Approve and send");
    await mia.waitForText(".reviews", "Approved by Mia and sent", 60000);
    await ash.waitForText(".reviews", "Approved by Mia and sent", 60000);
    for (let i = 0; i < 150 && !notified.includes("Your reply was approved and sent"); i++) await new Promise((r) => setTimeout(r, 200));
    assert.match(notified, /Your reply was approved and sent/, "Ash is told, by a desktop notification");
    assert.doesNotMatch(notified, /review-e2e-4c1/, "the notification names nothing of the reply");
    const approved = doveadm("search", "-u", mailbox.address, "mailbox", "Sent", "body", "review-e2e-4c1").trim().split("\n");
    assert.equal(approved.length, 1, "the approved reply is in the shared Sent once");
  } catch (e) {
    await mia.screenshot(join(root, "tests/artifacts"), "claims-failed-mia");
    await ash.screenshot(join(root, "tests/artifacts"), "claims-failed-ash");
    throw e;
  } finally {
    monitor.kill();
    await ash.close();
    await mia.close();
    advisorDriver.stop();
    managerDriver.stop();
  }
});
