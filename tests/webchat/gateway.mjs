// Starting the built gateway for a browser test: a configuration on a free port in a fresh
// directory, the process, and its address once it listens. Shared by the widget's tests and
// the window test that chats through the app.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import WebSocket from "ws";

const root = resolve(import.meta.dirname, "../..");
const gatewayBin = process.env.CONFIDE_WEBCHAT ?? join(root, "target/debug/confide-webchat");

const LINES = {
  phoneline: { name: "Respect Phoneline", hours: "Monday to Friday, 9am to 5pm" },
  mens_advice: { name: "Men's Advice Line", hours: "Monday to Friday, 9am to 8pm" },
};

/**
 * Starts a gateway in `work` serving `lines` (ids), encrypting to `recipients`, with one
 * advisor (`advisor`, on the Phoneline) holding `credential`. Resolves once it listens.
 * The port is taken below the kernel's ephemeral range (32768 and up), where an outgoing
 * connection of another process could hold it, and tried again if it was taken meanwhile
 * (CI failed once on "Address already in use").
 */
export async function startGateway(work, options) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePortBelowEphemeral();
    try {
      return await startOn(port, work, options);
    } catch (e) {
      if (!e.addressInUse || attempt === 5) throw e;
    }
  }
}

async function startOn(port, work, { credential, recipients, advisor = "Sam", lines = ["phoneline", "mens_advice"] }) {
  const origin = `http://127.0.0.1:${port}`;
  const dataDir = join(work, "gateway");
  const config = join(work, "gateway.toml");
  const quoted = recipients.map((r) => `"${r}"`).join(", ");
  const lineBlocks = lines.map((id) => `[[lines]]\nid = "${id}"\nname = "${LINES[id].name}"\nhours = "${LINES[id].hours}"\nrecipients = [${quoted}]\n`).join("\n");
  writeFileSync(
    config,
    `listen = "127.0.0.1:${port}"
data_dir = "${dataDir}"
allowed_origins = ["${origin}"]
policy_url = "${origin}/healthz"
quick_exit_url = "${origin}/healthz"

${lineBlocks}
[[advisors]]
name = "${advisor}"
lines = ["phoneline"]
credential_sha256 = "${createHash("sha256").update(credential).digest("hex")}"
`,
  );
  const proc = spawn(gatewayBin, ["serve", "--config", config], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d) => {
    stderr += d;
    process.stderr.write(d);
  });
  await new Promise((ok, fail) => {
    proc.stdout.on("data", (d) => String(d).includes("listening") && ok());
    proc.on("exit", (code) => {
      const e = new Error(`the gateway exited (${code}): ${stderr.trim()}`);
      e.addressInUse = stderr.includes("Address already in use");
      fail(e);
    });
  });
  return { proc, origin, port, dataDir };
}

/** A port in 20000..32767 that nothing listens on now. */
async function freePortBelowEphemeral() {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12768);
    const free = await new Promise((ok) => {
      const srv = createServer();
      srv.once("error", () => ok(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => ok(true)));
    });
    if (free) return port;
  }
}

/** Every file under `dir` that holds `needle`. */
export function filesContaining(dir, needle) {
  const hits = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p, { throwIfNoEntry: false });
      if (!s) continue;
      if (s.isDirectory()) walk(p);
      else if (s.isFile() && readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}

/** An advisor's connection: frames arrive in a queue the test takes from in order. */
export function advisor(port, credential) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/advisor`, { headers: { Authorization: `Bearer ${credential}` } });
  const frames = [];
  const waiters = [];
  ws.on("message", (m) => {
    const f = JSON.parse(String(m));
    if (f.type === "typing" || f.type === "colleagues") return;
    const w = waiters.shift();
    if (w) w(f);
    else frames.push(f);
  });
  return {
    ready: new Promise((ok) => ws.on("open", ok)),
    next: () => (frames.length ? Promise.resolve(frames.shift()) : new Promise((ok) => waiters.push(ok))),
    send: (f) => ws.send(JSON.stringify(f)),
    close: () => ws.close(),
  };
}

/** Any well-formed recipient, for tests that never read what the gateway keeps. */
export const ANY_RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

/**
 * A gateway in a new folder, an advisor (Sam) connected to it, and a visitor's page on it in
 * Debian's chromium with a profile of its own (kept, to be read after the browser closes).
 * The caller closes `context` and kills `gw.proc`.
 */
export async function visitorPage(prefix) {
  const { chromium } = await import("playwright-core");
  const work = mkdtempSync(join(tmpdir(), prefix));
  const credential = randomBytes(32).toString("hex");
  const gw = await startGateway(work, { credential, recipients: [ANY_RECIPIENT] });
  try {
    const profile = join(work, "browser-profile");
    const browser = process.env.CONFIDE_CHROMIUM ?? "/usr/bin/chromium";
    const context = await chromium.launchPersistentContext(profile, { executablePath: browser, headless: true, args: ["--no-sandbox"] });
    const sam = advisor(gw.port, credential);
    await sam.ready;
    const page = await context.newPage();
    await page.goto(gw.origin + "/");
    return { work, gw, profile, context, sam, page, credential };
  } catch (e) {
    gw.proc.kill("SIGINT");
    throw e;
  }
}
