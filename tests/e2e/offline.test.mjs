// Issue 10: losing the mail server is a clear, lasting state in the window, not a one-off
// error: the inbox says it is offline, keeps what is stored here on screen, and clears the
// state by itself once the server answers again. The server is the real lab; the network
// between is a TCP relay the test can cut.
import assert from "node:assert/strict";
import { createServer, connect } from "node:net";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { firstRun, freshMailbox, mailToPhoneline, needsLab, readLab, storeWithSharedMailbox } from "./flows.mjs";
import { Session, freePort, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");
const artifacts = join(root, "tests/artifacts");

/** Relays a local port to the lab's IMAPS port until cut. */
function relay(port, target) {
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect(target, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(s);
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((ok) =>
    server.listen(port, "127.0.0.1", () =>
      ok({
        cut: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    ),
  );
}

test("issue10 the inbox shows it is offline while the mail server cannot be reached, and recovers", { timeout: 180000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  const lab = readLab();
  const mailbox = freshMailbox("offline");
  const sender = `offline${Date.now()}@example.org`;
  mailToPhoneline(lab, sender, `From: ${sender}\r\nTo: phoneline@lab.test\r\nSubject: Before the outage\r\n\r\nStill readable offline.\r\n`, mailbox.address);
  const port = await freePort();
  let link = await relay(port, Number(lab.LAB_IMAPS_PORT));
  const store = storeWithSharedMailbox(lab, "confide-e2e-offline-", mailbox, { imapPort: port });
  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: store } });
  const s = await Session.create(driver.base, app);
  try {
    await firstRun(s);
    await s.waitForText(".rows", sender, 60000);

    await link.cut();
    await s.clickText("button", "Sync now");
    await s.waitForText(".offline-notice", "Offline: Confide cannot reach the mail server", 30000);
    // What is stored here stays on screen, and opens.
    await s.clickText(".row", sender);
    await s.waitForText(".conv-title + p", "1 message");
    await s.screenshot(artifacts, "10-offline");

    link = await relay(port, Number(lab.LAB_IMAPS_PORT));
    await s.clickText(".offline-notice button", "Try now");
    await s.waitForText(".sync-status", "Up to date", 30000);
    assert.equal((await s.findAll(".offline-notice")).length, 0, "the offline notice stays after the server is back");
  } finally {
    await s.close();
    driver.stop();
    await link.cut();
  }
});
