// The mail lab's OAuth 2.0 / OpenID provider: node's oidc-provider (OpenID-certified), with the
// lab's own users and passwords, for Confide's sign-in tests. Dovecot checks the access tokens it
// issues by introspection (tests/lab/dovecot.conf.in). Loopback only, plain HTTP: a lab.
//
//   node provider.mjs LAB_DIR PORT
//
// Clients: `confide-lab` (a native app: public, PKCE, loopback redirect on any port, the device
// flow, refresh tokens) and `dovecot` (introspection only; its secret is made once and kept in
// LAB_DIR/oidc/dovecot-secret). The login page checks the lab's passwords (accounts.env); the
// consent page can be refused. LAB_OIDC_ACCESS_TTL (seconds) shortens access tokens for tests.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { Provider } from "oidc-provider";

const [labDir = "/var/lib/confide-lab", port = "1980"] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const env = Object.fromEntries(
  readFileSync(join(labDir, "accounts.env"), "utf8").trim().split("\n").map((l) => l.split(/=(.*)/s).slice(0, 2)),
);
// user@lab.test -> password, for every lab account (fresh test users are added to the passwd
// file, not here: they sign in with a password, as before).
const passwords = new Map();
for (const [k, v] of Object.entries(env)) {
  const m = k.match(/^LAB_(.+)_USER$/);
  if (m) passwords.set(v, env[`LAB_${m[1]}_PASSWORD`]);
}

const dir = join(labDir, "oidc");
mkdirSync(dir, { recursive: true, mode: 0o700 });
const secretFile = join(dir, "dovecot-secret");
if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(24).toString("hex"), { mode: 0o600 });
const dovecotSecret = readFileSync(secretFile, "utf8").trim();

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "confide-lab",
      application_type: "native",
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
      response_types: ["code"],
      redirect_uris: ["http://127.0.0.1/callback"],
    },
    // The same app with access tokens that live four seconds: a test sees one run out in the
    // middle of a sync, as an hour's token does in a long one.
    {
      client_id: "confide-lab-short",
      application_type: "native",
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
      response_types: ["code"],
      redirect_uris: ["http://127.0.0.1/callback"],
    },
    { client_id: "dovecot", client_secret: dovecotSecret, grant_types: [], response_types: [], redirect_uris: [] },
  ],
  scopes: ["openid", "offline_access", "email", "mail"],
  claims: { email: ["email"] },
  async findAccount(_ctx, id) {
    if (!passwords.has(id)) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, email: id }) };
  },
  features: {
    devInteractions: { enabled: false },
    deviceFlow: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: {
    AccessToken: (_ctx, _token, client) =>
      client?.clientId === "confide-lab-short" ? 4 : Number(process.env.LAB_OIDC_ACCESS_TTL ?? 600),
    RefreshToken: 30 * 24 * 3600,
    DeviceCode: 600,
    Interaction: 600,
    Session: 3600,
    Grant: 30 * 24 * 3600,
  },
  // A lab on loopback: refresh tokens for the native client without a consent prompt's
  // rotation rules, as Microsoft and Google issue them.
  rotateRefreshToken: false,
  pkce: { required: () => true },
  cookies: { keys: [randomBytes(16).toString("hex")] },
});
provider.proxy = false;

const page = (title, body) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

async function form(req) {
  let body = "";
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

/** The login and consent pages: a real check of the lab's password, and a consent that can be refused. */
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params, session } = details;
  if (req.method === "GET") {
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    if (prompt.name === "login") {
      return res.end(
        page(
          "Sign in to the lab",
          `<form method="post" action="/interaction/${uid}"><label>Email <input name="login" autocomplete="username"></label>
           <label>Password <input name="password" type="password" autocomplete="current-password"></label>
           <button type="submit">Sign in</button></form>`,
        ),
      );
    }
    return res.end(
      page(
        "Allow access",
        `<p>${esc(params.client_id)} asks to read and send mail as ${esc(session?.accountId)} (${esc(params.scope)}).</p>
         <form method="post" action="/interaction/${uid}"><button name="consent" value="yes" type="submit">Allow</button>
         <button name="consent" value="no" type="submit">Deny</button></form>`,
      ),
    );
  }
  const input = await form(req);
  if (prompt.name === "login") {
    const ok = passwords.has(input.login) && passwords.get(input.login) === input.password;
    const result = ok ? { login: { accountId: input.login } } : { error: "access_denied", error_description: "wrong email or password" };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }
  if (input.consent !== "yes") {
    return provider.interactionFinished(req, res, { error: "access_denied", error_description: "consent not granted" });
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(" "));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(" "));
  }
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

// What the tests count: each refused token request, by its error (never a token).
provider.on("grant.error", (_ctx, err) => console.log(`grant.error ${err.error}`));
// The access tokens it issues (opaque: the id is the token), so the secrets tests can look for
// each in Confide's files, logs and process table. A lab provider's log, never a real one's.
provider.on("access_token.saved", (token) => console.log(`access_token.issued ${token.jti}`));
provider.on("grant.success", (ctx) => console.log(`grant.success ${ctx.oidc.params?.grant_type ?? ""}`));

const callback = provider.callback();
createServer((req, res) => {
  if (req.url.startsWith("/interaction/")) {
    interaction(req, res).catch((e) => {
      res.statusCode = 400;
      res.end(page("Sign-in failed", `<p>${esc(e.message)}</p>`));
    });
    return;
  }
  callback(req, res);
}).listen(Number(port), "127.0.0.1", () => console.log(`lab oidc: ${issuer}`));
