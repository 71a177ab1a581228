// A small W3C WebDriver client (fetch only) for driving the real Confide window through
// tauri-driver and WebKitWebDriver. Nothing here knows about Confide.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** A port nobody is listening on, so parallel runs never share a driver. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function startDriver({ env }) {
  // Each test's window remembers its size in a folder of its own, beside its store.
  if (env.CONFIDE_DATA_DIR && !env.XDG_CONFIG_HOME) env.XDG_CONFIG_HOME = `${env.CONFIDE_DATA_DIR}-config`;
  const port = await freePort();
  const nativePort = await freePort();
  const proc = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort), "--native-driver", "/usr/bin/WebKitWebDriver"], {
    // The app turns WebKit's DMA-BUF renderer off (less memory without a GPU), but under Xvfb
    // WebKitWebDriver's screenshots then take minutes: the window tests keep it on.
    env: { WEBKIT_DISABLE_DMABUF_RENDERER: "0", ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  proc.stderr.on("data", (d) => (log += d));
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/status`);
      return { proc, base: `http://127.0.0.1:${port}`, log: () => log, stop: () => stopAll(proc, env) };
    } catch {
      await sleep(100);
    }
  }
  proc.kill();
  throw new Error(`tauri-driver did not start: ${log}`);
}

/**
 * Stops the driver and any app it started (found by the environment this run gave it). An app
 * whose window stayed open after the session ended would otherwise outlive the test, holding
 * the test's output pipe open and its IMAP connections to the lab.
 */
function stopAll(proc, env) {
  proc.kill();
  const marker = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const stray = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmd.includes("confide-app") && marker.every((m) => environ.includes(m))) stray.push(Number(pid));
    } catch {
      /* gone, or not ours to read */
    }
  }
  for (const pid of stray) process.kill(pid, "SIGKILL");
  if (stray.length) console.log(`stopped ${stray.length} app process(es) that outlived their WebDriver session`);
  return stray.length;
}

export class Session {
  static async create(base, application) {
    const caps = { capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application } } } };
    const value = await call(base, "POST", "/session", caps);
    return new Session(base, value.sessionId);
  }
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }
  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }
  async find(css) {
    const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return v[ELEMENT];
  }
  async findAll(css) {
    const v = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return v.map((e) => e[ELEMENT]);
  }
  async text(el) {
    return this.cmd("GET", `/element/${el}/text`);
  }
  async click(css) {
    await this.cmd("POST", `/element/${await this.find(css)}/click`, {});
  }
  async type(css, text) {
    await this.cmd("POST", `/element/${await this.find(css)}/value`, { text });
  }
  /** Clicks the first element matching css whose text contains `text`. */
  async clickText(css, text) {
    const el = await this.waitForText(css, text);
    await this.cmd("POST", `/element/${el}/click`, {});
  }
  /** Waits until an element matching css contains the text. */
  async waitForText(css, text, ms = 20000) {
    const end = Date.now() + ms;
    let last = "";
    while (Date.now() < end) {
      try {
        for (const el of await this.findAll(css)) {
          last = await this.text(el);
          if (last.includes(text)) return el;
        }
      } catch {
        /* the page may be re-rendering */
      }
      await sleep(150);
    }
    throw new Error(`timed out waiting for "${text}" in ${css} (last: "${last}")`);
  }
  async screenshot(dir, name) {
    mkdirSync(dir, { recursive: true });
    const b64 = await this.cmd("GET", "/screenshot");
    writeFileSync(`${dir}/${name}.png`, Buffer.from(b64, "base64"));
  }
  async close() {
    await this.cmd("DELETE", "", undefined).catch(() => {});
  }
}

async function call(base, method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const j = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${JSON.stringify(j.value ?? j)}`);
  return j.value;
}
