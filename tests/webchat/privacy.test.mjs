// Issue 29 through Debian's chromium: what a visitor's browser keeps after a chat, and the
// chat at the zoom levels people really use. A quick exit cannot erase the browser's history,
// so the page's title must say nothing and the visitor is told how to cover their tracks; and
// at 200% and 400% zoom the message box, Send and Quick exit stay in view while they type.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { chromium } from "playwright-core";
import { advisor, ANY_RECIPIENT, filesContaining, startGateway, visitorPage } from "./gateway.mjs";

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, "../..");
const browserPath = process.env.CONFIDE_CHROMIUM ?? "/usr/bin/chromium";
const artifacts = join(root, "tests/artifacts");


/** Rows of a query on one of the profile's SQLite files (read after the browser has closed). */
function sqlite(file, sql) {
  if (!existsSync(file)) return [];
  const py = "import json, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(json.dumps(c.execute(sys.argv[2]).fetchall()))";
  return JSON.parse(execFileSync("python3", ["-c", py, file, sql], { encoding: "utf8" }));
}

/** The visitor starts a chat on the Phoneline and the advisor accepts it. */
async function chatWith(page, sam) {
  await page.getByRole("button", { name: "Start chat" }).click();
  const waiting = await sam.next();
  sam.send({ type: "accept", chat: waiting.chat });
  assert.equal((await sam.next()).type, "assigned");
  assert.equal((await sam.next()).type, "history");
  await page.getByText("Sam has joined the chat.").waitFor();
  return waiting.chat;
}

test("issue29 the browser's history keeps no chat title, and the visitor is told to cover their tracks", { timeout: 120000 }, async () => {
  const { gw, profile, context, sam, page } = await visitorPage("confide-webchat-history-");
  try {
    assert.equal(await page.title(), "Information");
    // Before the first message: how to keep the visit private.
    await page.getByText("Cover your tracks").waitFor();
    assert.ok(await page.getByText("private (incognito) window").isVisible());
    const chat = await chatWith(page, sam);
    await page.getByLabel("Your message").fill("history-canary-29 hello");
    await page.keyboard.press("Enter");
    assert.equal((await sam.next()).text, "history-canary-29 hello");
    sam.send({ type: "say", chat, text: "advisor-history-canary-29" });
    await page.getByRole("log").getByText("advisor-history-canary-29").waitFor();
    await page.getByRole("button", { name: "Quick exit" }).click();
    await page.waitForURL(gw.origin + "/healthz");
    sam.close();
  } finally {
    await context.close();
    gw.proc.kill("SIGINT");
  }
  const history = sqlite(join(profile, "Default/History"), "SELECT url, title FROM urls");
  const visit = history.find(([url]) => url === gw.origin + "/");
  assert.ok(visit, `the browser's history was not written, so this test would prove nothing: ${JSON.stringify(history)}`);
  assert.equal(visit[1], "Information", "the history keeps the page's title");
  for (const [url, title] of history) assert.ok(!/chat|advisor|helpline/i.test(title), `${url} is in the history as "${title}"`);
  const icons = sqlite(join(profile, "Default/Favicons"), "SELECT page_url FROM icon_mapping");
  assert.deepEqual(icons.filter(([u]) => u.includes(String(gw.port))), [], "an icon is kept beside the chat's address");
  for (const words of ["Chat with an advisor", "history-canary-29", "advisor-history-canary-29"]) {
    assert.deepEqual(filesContaining(profile, words), [], `"${words}" is in the browser profile`);
  }
});

for (const zoom of [2, 4]) {
  test(`issue29 at ${zoom * 100}% zoom the message box, Send and Quick exit stay in view`, { timeout: 120000 }, async () => {
    const work = mkdtempSync(join(tmpdir(), "confide-webchat-zoom-"));
    const credential = randomBytes(32).toString("hex");
    const gw = await startGateway(work, { credential, recipients: [ANY_RECIPIENT] });
    const browser = await chromium.launch({ executablePath: browserPath, headless: true, args: ["--no-sandbox"] });
    try {
      // Browser zoom on a 1280x800 screen: the page lays out in a viewport zoom times smaller.
      const page = await browser.newPage({ viewport: { width: 1280 / zoom, height: 800 / zoom }, deviceScaleFactor: zoom });
      const sam = advisor(gw.port, credential);
      await sam.ready;
      await page.goto(gw.origin + "/");
      const chat = await chatWith(page, sam);
      const box = page.getByLabel("Your message");
      for (let i = 1; i <= 12; i++) {
        await box.fill(`visitor line ${i}`);
        await page.keyboard.press("Enter");
        await sam.next();
        sam.send({ type: "say", chat, text: `advisor line ${i}, a little longer so that it wraps at a large zoom` });
        await page.getByRole("log").getByText(`advisor line ${i},`).waitFor();
      }
      // Focus stayed in the box since the last Enter, and the advisor's last words have just
      // arrived: nothing here scrolls the box back into view, as a person's next keystroke would.
      const inView = await page.evaluate(() => {
        const seen = (el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 0.5 && r.right <= innerWidth + 0.5;
        };
        const send = [...document.querySelectorAll("button")].find((b) => b.textContent === "Send");
        // The advisor's newest words show above the message box, not behind it.
        const newest = [...document.querySelectorAll(".confide-log li")].pop().getBoundingClientRect();
        const compose = document.querySelector(".confide-compose").getBoundingClientRect();
        return {
          box: seen(document.getElementById("confide-input")),
          send: seen(send),
          exit: seen(document.querySelector(".confide-exit")),
          newest: newest.bottom > 0 && newest.bottom <= compose.top + 0.5,
          focus: document.activeElement?.id,
        };
      });
      await page.screenshot({ path: join(artifacts, `29-webchat-zoom-${zoom * 100}.png`) });
      await page.keyboard.type("still typing");
      assert.deepEqual(inView, { box: true, send: true, exit: true, newest: true, focus: "confide-input" });
      // Reading back through the conversation by keyboard: the log takes focus.
      const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
      await page.evaluate(axeSource);
      for (const runOnly of [["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"], { type: "rule", values: ["scrollable-region-focusable"] }]) {
        const result = await page.evaluate(async (only) => await window.axe.run(document, { runOnly: only }), runOnly);
        assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), []);
      }
      sam.close();
    } finally {
      await browser.close();
      gw.proc.kill("SIGINT");
    }
  });
}
