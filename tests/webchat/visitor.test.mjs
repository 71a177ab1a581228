// Issue 7 through a real browser: Debian's chromium, driven by playwright-core, plays a
// visitor on the gateway's own page; a WebSocket client with an advisor's credential stands in
// for the advisor's desktop. The page passes axe-core; the chat works both ways; the quick exit
// leaves for the neutral page with nothing left behind in the browser profile; the gateway's
// files hold none of the chat text.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import WebSocket from "ws";
import { ANY_RECIPIENT, filesContaining, startGateway, visitorPage } from "./gateway.mjs";

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, "../..");
const artifacts = join(root, "tests/artifacts");


test("issue7 a visitor chats through the widget, and the quick exit leaves nothing behind", { timeout: 120000 }, async () => {
  const { gw, profile, context, sam, page } = await visitorPage("confide-webchat-e2e-");
  try {
    await page.getByRole("heading", { name: "Chat with an advisor" }).waitFor();

    // Accessibility: axe-core over the page before and during the chat.
    const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
    const axeCheck = async () => {
      await page.evaluate(axeSource);
      const result = await page.evaluate(async () => await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] }));
      return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    };
    assert.deepEqual(await axeCheck(), [], "accessibility violations on the start screen");

    await page.getByText("Monday to Friday, 9am to 5pm").waitFor();
    await page.getByRole("link", { name: "Read our confidentiality policy" }).waitFor();
    // Keyboard only: the line is chosen and the chat started without a mouse.
    await page.getByRole("radio", { name: "Respect Phoneline" }).focus();
    await page.keyboard.press("ArrowDown");
    await page.getByText("Monday to Friday, 9am to 8pm").waitFor();
    await page.keyboard.press("ArrowUp");
    await page.getByText("Monday to Friday, 9am to 5pm").waitFor();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Start chat");
    await page.keyboard.press("Enter");
    await page.getByText("You are number 1 in the queue").waitFor();

    const waiting = await sam.next();
    assert.equal(waiting.type, "waiting");
    sam.send({ type: "accept", chat: waiting.chat });
    assert.equal((await sam.next()).type, "assigned");
    assert.equal((await sam.next()).type, "history");
    await page.getByText("Sam has joined the chat.").waitFor();

    await page.getByLabel("Your message").fill("visitor-canary-5e21 I need to talk");
    await page.keyboard.press("Enter");
    const said = await sam.next();
    assert.equal(said.text, "visitor-canary-5e21 I need to talk");
    sam.send({ type: "say", chat: waiting.chat, text: "advisor-canary-90b4 I am here to listen" });
    await page.getByRole("log").getByText("advisor-canary-90b4 I am here to listen").waitFor();
    assert.deepEqual(await axeCheck(), [], "accessibility violations during the chat");
    await page.screenshot({ path: join(artifacts, "13-webchat-visitor.png") });

    // Large text: at 200% the page still shows the message box without sideways scrolling.
    await page.evaluate(() => (document.documentElement.style.fontSize = "200%"));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways at 200% text (${overflow}px)`);

    // Quick exit with Esc twice: the neutral page replaces the chat; going back does not return to it.
    const before = await page.evaluate(() => history.length);
    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");
    await page.waitForURL(gw.origin + "/healthz");
    assert.equal(await page.evaluate(() => history.length), before, "the quick exit added a history entry");
    const left = await page.evaluate(async () => ({
      local: localStorage.length,
      session: sessionStorage.length,
      dbs: (await indexedDB.databases()).length,
      cookie: document.cookie,
    }));
    assert.deepEqual(left, { local: 0, session: 0, dbs: 0, cookie: "" });
    assert.deepEqual(await context.cookies(), []);
    // The advisor hears the visitor has gone, with the chat handed over to archive.
    const handed = [await sam.next(), await sam.next(), await sam.next()].map((f) => f.type);
    assert.deepEqual(handed, ["assigned", "history", "ended"]);
    sam.close();
  } finally {
    await context.close();
    gw.proc.kill("SIGINT");
  }
  for (const canary of ["visitor-canary-5e21", "advisor-canary-90b4"]) {
    assert.deepEqual(filesContaining(profile, canary), [], `${canary} is in the browser profile`);
    assert.deepEqual(filesContaining(gw.dataDir, canary), [], `${canary} is in the gateway's files`);
  }
});

test("issue7 a page on a foreign origin cannot open a chat", { timeout: 60000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), "confide-webchat-e2e-"));
  const gw = await startGateway(work, { credential: "x", recipients: [ANY_RECIPIENT] });
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/ws/visitor`, { headers: { Origin: "https://evil.example" } });
    const status = await new Promise((ok) => ws.on("unexpected-response", (_req, res) => ok(res.statusCode)));
    assert.equal(status, 403);
  } finally {
    gw.proc.kill("SIGINT");
  }
});
