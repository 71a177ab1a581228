// Issue 3: the real window syncs the lab's shared mailbox, lists conversations by line, and
// shows a hostile HTML message in the empty sandbox with its remote images blocked.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { firstRun } from "./flows.mjs";
import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");
const cli = join(root, "target/debug/confide");
const artifacts = join(root, "tests/artifacts");
const labEnv = "/var/lib/confide-lab/accounts.env";

test("issue3 the window syncs the shared mailbox and shows hostile HTML safely", { timeout: 180000, skip: !existsSync(labEnv) && "needs the mail lab" }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  const lab = Object.fromEntries(readFileSync(labEnv, "utf8").trim().split("\n").map((l) => l.split(/=(.*)/s).slice(0, 2)));
  const store = join(mkdtempSync(join(tmpdir(), "confide-e2e-sync-")), "store");
  execFileSync(
    cli,
    ["--data-dir", store, "account", "add", "--id", "helpline", "--kind", "shared", "--address", "helpline@lab.test",
      "--imap", `127.0.0.1:${lab.LAB_IMAPS_PORT}`, "--smtp", `127.0.0.1:${lab.LAB_SUBMISSION_PORT}`, "--ca-file", lab.LAB_CA,
      "--line", "phoneline@lab.test=phoneline", "--line", "mensadvice@lab.test=mens_advice", "--password-stdin"],
    { input: lab.LAB_HELPLINE_PASSWORD },
  );
  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: store } });
  const s = await Session.create(driver.base, app);
  try {
    await firstRun(s);
    await s.waitForText(".sync-status", "new messages", 60000);
    await s.waitForText(".list-head", "conversations");
    await s.screenshot(artifacts, "04-inbox-synced");

    await s.clickText(".nav-item", "Men's Advice Line");
    await s.waitForText(".rows", "news1@example.net");
    await s.clickText(".row", "news1@example.net");
    await s.waitForText(".notice", "remote image");
    const frame = await s.find("iframe.mail-html");
    const sandbox = await s.cmd("GET", `/element/${frame}/attribute/sandbox`);
    assert.equal(sandbox, "", "the mail frame must have the empty sandbox");
    await s.screenshot(artifacts, "05-hostile-html");
    // The page itself was not touched by the message's script.
    const alerts = await s.cmd("POST", "/execute/sync", { script: "return document.title", args: [] });
    assert.equal(alerts, "Confide");
  } finally {
    await s.close();
    driver.proc.kill();
  }
});
