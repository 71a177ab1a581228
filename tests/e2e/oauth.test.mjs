// Issue 22 through the real window: a shared mailbox that signs in with the helpline's provider
// (the lab's oidc-provider) has lost its sign-in (signed out here, as a revoked one ends: nothing
// kept). The inbox says so and offers to sign in again; the person signs in in their own browser
// (Debian's chromium, opened by the app through $BROWSER), the inbox syncs, and a reply goes out
// over SMTP with the token (XOAUTH2, no password anywhere). Then the
// advisor's personal mailbox signs in with the same provider (Exchange Online takes no
// passwords), and the sent-folder guard checks it over OAuth.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { axeViolations, doveadm, firstRun, forgetTeam, launchChromium, mailToPhoneline, needsLab, readLab, storeWithOAuthSharedMailbox } from "./flows.mjs";
import { Session, startDriver } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.CONFIDE_APP ?? join(root, "target/debug/confide-app");
const artifacts = join(root, "tests/artifacts");
const dovecotLog = "/var/lib/confide-lab/log/dovecot.log";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The address the app opened in "the browser" after `n` earlier ones. */
async function opened_after(file, n) {
  for (let i = 0; i < 200; i++) {
    const lines = existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean) : [];
    if (lines.length > n) return lines[n];
    await sleep(100);
  }
  throw new Error("the app opened no browser");
}

/** The person at the provider's pages in their browser: signs in and allows access. */
async function signInAt(chromium, url, email, password, shot) {
  const page = await chromium.newPage();
  await page.goto(url);
  // The provider's own page, as the person sees it in their browser (the README shows it).
  if (shot) await page.screenshot({ path: join(artifacts, `${shot}.png`) });
  await page.fill('input[name="login"]', email);
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
  await page.click('button[value="yes"]');
  await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback/);
  assert.match(await page.textContent("body"), /Signed in/);
  await page.close();
}

/** A reply, submitted with the token: Postfix logs the SASL method and who signed in, and the
 * shared Sent holds it. */
async function replyWithToken(s, lab) {
  const sender = `oauth${Date.now()}@example.org`;
  const canary = `oauthreply${Date.now()}`;
  mailToPhoneline(lab, sender, `From: ${sender}\r\nTo: phoneline@lab.test\r\nSubject: Please call\r\n\r\nCan someone call me?\r\n`);
  await s.clickText("button", "Sync now");
  await s.waitForText(".rows", sender, 60000);
  await s.clickText(".row", sender);
  await s.waitForText(".reply button", "Send reply");
  await s.type(".reply textarea", `We will call you today. ${canary}`);
  await s.clickText(".reply button", "Send reply");
  await s.waitForText(".conv-title + p", "2 messages", 60000);
  const submitted = readFileSync("/var/lib/confide-lab/log/postfix.log", "utf8");
  assert.match(submitted, /sasl_method=XOAUTH2, sasl_username=helpline@lab\.test/, "the reply was not submitted with the token");
  const sent = doveadm("search", "-u", "helpline@lab.test", "mailbox", "Sent", "body", canary).trim();
  assert.ok(sent.length > 0, "the shared Sent holds the reply");
}

/** The system browser, as the app opens it: a script that hands each address to the test. */
function fakeBrowser() {
  const dir = mkdtempSync(join(tmpdir(), "confide-e2e-browser-"));
  const opened = join(dir, "opened");
  const browser = join(dir, "browser");
  writeFileSync(browser, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`);
  chmodSync(browser, 0o700);
  return { dir, opened, browser };
}

test("issue22 a new desktop connects the shared mailbox as the helpline's IT set it up, in the person's browser", { timeout: 240000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  const lab = readLab();
  forgetTeam();
  const { dir, opened, browser } = fakeBrowser();
  const store = join(dir, "store");
  // What the helpline's IT puts on each computer once: no password, no token, only where and how.
  const connection = join(dir, "connection.toml");
  writeFileSync(
    connection,
    [
      `address = "helpline@lab.test"`,
      `provider = "${lab.LAB_OIDC_ISSUER}"`,
      `client_id = "${lab.LAB_OIDC_CLIENT}"`,
      `scopes = ["openid", "offline_access", "mail"]`,
      `imap = "127.0.0.1:${lab.LAB_IMAPS_PORT}"`,
      `smtp = "127.0.0.1:${lab.LAB_SUBMISSION_PORT}"`,
      `ca_file = "${lab.LAB_CA}"`,
      `lines = [{ address = "phoneline@lab.test", line_id = "phoneline" }, { address = "mensadvice@lab.test", line_id = "mens_advice" }]`,
    ].join("\n"),
  );

  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: store, BROWSER: browser, CONFIDE_CONNECTION: connection } });
  const s = await Session.create(driver.base, app);
  const chromium = await launchChromium();
  try {
    await firstRun(s);
    await s.waitForText(".connect-mailbox", "Your helpline's IT has set this computer up for helpline@lab.test", 60000);
    await s.screenshot(artifacts, "22c-connect-shared-mailbox");
    // What IT set, as the form a person could change it in (a helpline without the file fills it in).
    await s.clickText(".connect-mailbox button", "Change these settings");
    await s.waitForText(".connect-mailbox fieldset", "Another sign-in service");
    assert.equal(await s.cmd("GET", `/element/${await s.find('input[name="provider"][value="issuer"]')}/selected`), true);
    assert.equal(await s.cmd("GET", `/element/${await s.find('.connect-mailbox input[type="url"]')}/property/value`), lab.LAB_OIDC_ISSUER);
    assert.equal((await s.findAll('.connect-mailbox input[type="password"]')).length, 0, "a provider's sign-in asks no password here");
    await s.screenshot(artifacts, "22c-connect-settings");
    assert.deepEqual(await axeViolations(s, "connect the shared mailbox"), []);

    // The person closes the browser half-way: they stop the sign-in, and nothing is kept.
    await s.clickText(".connect-mailbox button", "Sign in with 127.0.0.1:1980");
    await opened_after(opened, 0);
    await s.cmd("POST", "/execute/sync", { script: "document.querySelector('.connect-mailbox button.secondary').scrollIntoView()", args: [] });
    await s.clickText(".connect-mailbox button", "Stop signing in");
    await s.waitForText(".connect-mailbox [role=status]", "The sign-in was stopped before it finished, and nothing was kept", 30000);
    await s.clickText("button", "Sync now");
    await s.waitForText(".connect-mailbox", "Your helpline's IT has set this computer up", 30000);

    // Signed in for real: from the click to the first inbox page.
    const started = Date.now();
    await s.clickText(".connect-mailbox button", "Sign in with 127.0.0.1:1980");
    const url = await opened_after(opened, 1);
    assert.ok(url.startsWith(`${lab.LAB_OIDC_ISSUER}/auth?`) && /code_challenge_method=S256/.test(url), url);
    await signInAt(chromium, url, "helpline@lab.test", lab.LAB_HELPLINE_PASSWORD, "22e-provider-sign-in");
    await s.waitForText(".sync-status", "new messages", 60000);
    await s.waitForText(".rows .row", "", 30000);
    console.log(`issue22: from "Sign in" to the first inbox page: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal((await s.findAll(".connect-mailbox")).length, 0, "the offer goes once connected");
    await s.screenshot(artifacts, "22d-connected");

    await replyWithToken(s, lab);
  } finally {
    await chromium.close();
    await s.close();
    driver.stop();
  }
});

test("issue22 the window signs a mailbox in again in the person's own browser", { timeout: 240000, skip: needsLab }, async () => {
  assert.ok(process.env.CONFIDE_TEST_KEYRING, "run under tests/with-keyring");
  const lab = readLab();
  const store = await storeWithOAuthSharedMailbox(lab, "confide-e2e-oauth-");
  const out = execFileSync(join(root, "target/debug/confide"), ["--data-dir", store, "account", "sign-out", "--id", "helpline"], { encoding: "utf8" });
  assert.match(out, /signed out: its sign-in is gone from the keyring and revoked at the provider/);

  const { opened, browser } = fakeBrowser();

  const driver = await startDriver({ env: { CONFIDE_DATA_DIR: store, BROWSER: browser } });
  const s = await Session.create(driver.base, app);
  const chromium = await launchChromium();
  try {
    await firstRun(s);
    await s.waitForText(".sign-in-notice", "Sign in to 127.0.0.1:1980 again", 60000);
    await s.screenshot(artifacts, "22-sign-in-again");
    await s.clickText(".sign-in-notice button", "Sign in again");
    const url = await opened_after(opened, 0);
    assert.ok(url.startsWith(`${lab.LAB_OIDC_ISSUER}/auth?`), `the app opened ${url}`);
    assert.match(url, /code_challenge_method=S256/);

    await signInAt(chromium, url, "helpline@lab.test", lab.LAB_HELPLINE_PASSWORD);
    await s.waitForText(".sync-status", "new messages", 60000);
    assert.equal((await s.findAll(".sign-in-notice")).length, 0, "the notice goes once signed in");

    await replyWithToken(s, lab);

    // The personal mailbox, with the shared mailbox's provider: no password field at all.
    await s.clickText(".screens button", "Settings");
    await s.type(".form-grid label:nth-child(1) input", "advisor1@lab.test");
    await s.type(".form-grid label:nth-child(3) input", "127.0.0.1");
    await s.cmd("POST", `/element/${await s.find(".form-grid label:nth-child(4) input")}/clear`, {});
    await s.type(".form-grid label:nth-child(4) input", lab.LAB_IMAPS_PORT);
    assert.equal((await s.findAll('.form-grid input[type="password"]')).length, 0);
    await s.screenshot(artifacts, "22b-personal-with-provider");
    await s.clickText("section button", "Sign in with 127.0.0.1:1980 and save");
    const personal = await opened_after(opened, 1);
    await signInAt(chromium, personal, "advisor1@lab.test", lab.LAB_ADVISOR1_PASSWORD);
    await s.waitForText("[role=status]", "Saved.", 30000);
    const logins = () => (readFileSync(dovecotLog, "utf8").match(/user=<advisor1@lab\.test>, method=OAUTHBEARER/g) ?? []).length;
    const before = logins();
    await s.clickText("section button", "Check now");
    await s.waitForText("[role=status]", "your personal", 30000);
    assert.ok(logins() > before, "the guard signed in to the personal mailbox with a token");
  } finally {
    await chromium.close();
    await s.close();
    driver.stop();
  }
});
