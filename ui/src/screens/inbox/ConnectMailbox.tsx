import { useEffect, useState } from "react";
import type { Connection } from "../../bindings/Connection";
import type { Offered } from "../../bindings/Offered";
import type { StaffProfile } from "../../bindings/StaffProfile";
import { connectSharedMailbox, connectionOffered, stopSignIn } from "../../bindings/commands";
import { asApiError, sentence } from "../../errors";
import { SignInAddress, useSignInAddress } from "../SignInAgain";

type Kind = "microsoft" | "google" | "issuer" | "password";

const KINDS: { kind: Kind; label: string; hint: string }[] = [
  { kind: "microsoft", label: "Microsoft 365", hint: "Outlook and Exchange Online: you sign in with your work account." },
  { kind: "google", label: "Google Workspace", hint: "Gmail for organisations: you sign in with your work account." },
  { kind: "issuer", label: "Another sign-in service", hint: "Your helpline's own OpenID provider." },
  { kind: "password", label: "A password", hint: "Your helpline's own mail server (not Microsoft 365 or Google)." },
];

const kindOf = (provider: string): Kind =>
  provider === "microsoft" || provider === "google" || provider === "password" ? provider : "issuer";

/** What the person is signing in with, in their words. */
export function providerLabel(c: Connection): string {
  const kind = kindOf(c.provider);
  if (kind === "issuer") {
    try {
      return new URL(c.provider).host;
    } catch {
      return c.provider;
    }
  }
  return kind === "password" ? "your helpline's mail server" : KINDS.find((k) => k.kind === kind)!.label;
}

const empty: Connection = {
  address: "",
  provider: "microsoft",
  tenant: null,
  client_id: null,
  scopes: [],
  imap: null,
  smtp: null,
  imap_security: null,
  smtp_security: null,
  username: null,
  ca_file: null,
  lines: [],
  folder_names: { sent: null, trash: null },
};

/** Connecting this desktop to the helpline's shared mailbox: as the helpline's IT set it up on
 * this computer (one button), or by filling in what IT gave. A provider's sign-in happens in
 * the person's own browser; the mailbox is kept only once its server accepts the sign-in. */
export function ConnectMailbox({ profile, onDone }: { profile: StaffProfile; onDone: () => void }) {
  const [offered, setOffered] = useState<Offered | null | undefined>(undefined);
  const [editing, setEditing] = useState(false);
  const [c, setC] = useState<Connection>(empty);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [address, setAddress] = useSignInAddress();

  useEffect(() => {
    connectionOffered()
      .then((o) => {
        setOffered(o);
        if (o) setC(o.connection);
        else setEditing(true);
      })
      .catch((e) => {
        setOffered(null);
        setEditing(true);
        setStatus(sentence(asApiError(e).message));
      });
  }, []);

  const kind = kindOf(c.provider);
  const set = (patch: Partial<Connection>) => setC((old) => ({ ...old, ...patch }));
  const lineAddress = (id: string) => c.lines.find((l) => l.line_id === id)?.address ?? "";
  const setLineAddress = (id: string, address: string) =>
    set({ lines: [...c.lines.filter((l) => l.line_id !== id), ...(address.trim() ? [{ address, line_id: id }] : [])] });

  const connect = (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setStatus(kind === "password" ? "Checking the password with the mail server…" : "Your browser has opened the sign-in page. Sign in there, then come back here.");
    connectSharedMailbox({ connection: c, password })
      .then(() => {
        setStatus("");
        onDone();
      })
      .catch((err) => setStatus(sentence(asApiError(err).message)))
      .finally(() => {
        setBusy(false);
        setAddress("");
        setPassword("");
      });
  };

  if (offered === undefined) return null;
  const label = providerLabel(c);
  return (
    <form className="notice connect-mailbox" onSubmit={connect} aria-labelledby="connect-title">
      <h2 id="connect-title">Connect the helpline's shared mailbox</h2>
      {offered && !editing && (
        <p>
          Your helpline's IT has set this computer up for <strong>{c.address}</strong>, signing in with {label}.{" "}
          <button type="button" className="link" onClick={() => setEditing(true)}>
            Change these settings
          </button>
        </p>
      )}
      {editing && (
        <>
          <fieldset>
            <legend>How the shared mailbox signs in</legend>
            {KINDS.map((k) => (
              <label key={k.kind} className="choice">
                <input
                  type="radio"
                  name="provider"
                  value={k.kind}
                  checked={kind === k.kind}
                  onChange={() => set({ provider: k.kind === "issuer" ? "https://" : k.kind })}
                />
                <span>
                  <strong>{k.label}</strong>
                  <span className="muted"> · {k.hint}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <div className="form-grid">
            <label>
              Shared mailbox address
              <input type="email" value={c.address} onChange={(e) => set({ address: e.target.value })} required autoComplete="off" />
            </label>
            {kind === "issuer" && (
              <label>
                Sign-in service address
                <input type="url" value={c.provider} onChange={(e) => set({ provider: e.target.value })} required />
              </label>
            )}
            {kind === "microsoft" && (
              <label>
                Directory (tenant): your helpline's domain
                <input value={c.tenant ?? ""} onChange={(e) => set({ tenant: e.target.value || null })} placeholder="charity.org.uk" />
              </label>
            )}
            {kind !== "password" && (
              <label>
                App registration (client id), from your IT
                <input value={c.client_id ?? ""} onChange={(e) => set({ client_id: e.target.value || null })} required autoComplete="off" />
              </label>
            )}
            {(kind === "issuer" || kind === "password") && (
              <>
                <label>
                  Incoming mail server (IMAP), as host:port
                  <input value={c.imap ?? ""} onChange={(e) => set({ imap: e.target.value || null })} placeholder="mail.example.org:993" required />
                </label>
                <label>
                  Outgoing mail server (SMTP), as host:port
                  <input value={c.smtp ?? ""} onChange={(e) => set({ smtp: e.target.value || null })} placeholder="mail.example.org:587" required />
                </label>
              </>
            )}
            {profile.preset.lines.length > 1 &&
              profile.preset.lines.map((l) => (
                <label key={l.id}>
                  Address for {l.name} (if it has its own)
                  <input type="email" value={lineAddress(l.id)} onChange={(e) => setLineAddress(l.id, e.target.value)} autoComplete="off" />
                </label>
              ))}
          </div>
        </>
      )}
      {kind === "password" && (
        <label className="field">
          The shared mailbox's password (kept only in this computer's keyring)
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="off" />
        </label>
      )}
      <button type="submit" disabled={busy}>
        {kind === "password" ? "Connect" : `Sign in with ${label}`}
      </button>
      {busy && kind !== "password" && (
        <button type="button" className="secondary" onClick={() => stopSignIn()}>
          Stop signing in
        </button>
      )}
      {status && (
        <p className="muted" role="status">
          {status}
        </p>
      )}
      {busy && <SignInAddress address={address} />}
    </form>
  );
}
