import { WebchatSettings } from "./LiveChat";
import { useEffect, useState } from "react";
import type { Account } from "../bindings/Account";
import type { GuardReport } from "../bindings/GuardReport";
import type { Security } from "../bindings/Security";
import { guardNow, personalAccount, savePersonalAccount } from "../bindings/commands";
import { asApiError, sentence } from "../errors";
import { SignInAddress, useSignInAddress } from "./SignInAgain";

/** What a guard run did, in one sentence an advisor can read at a glance. */
export function guardSummary(r: GuardReport): string {
  const parts: string[] = [];
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  if (r.moved_sent > 0) parts.push(`${n(r.moved_sent, "reply", "replies")} moved from your personal Sent to the helpline's Sent`);
  if (r.moved_deleted > 0)
    parts.push(`${n(r.moved_deleted, "deleted helpline message", "deleted helpline messages")} moved from your personal Trash to the helpline's Trash`);
  if (r.left_unmatched > 0) parts.push(`${n(r.left_unmatched, "message was", "messages were")} left because they cannot be matched safely`);
  return parts.length > 0 ? `${parts.join("; ")}.` : "Nothing of the helpline's was in your personal mailbox.";
}

/** The advisor's personal mailbox, which the sent-folder guard keeps clear of helpline mail. */
export function Settings({ onClose }: { onClose: () => void }) {
  const [account, setAccount] = useState<Account | null>(null);
  const [form, setForm] = useState({ address: "", username: "", imap_host: "", imap_port: "993", imap_security: "tls" as Security, password: "", sent: "", trash: "" });
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  // The shared mailbox's provider (Microsoft 365, Google...), which this mailbox signs in with too.
  const [provider, setProvider] = useState<string | null>(null);
  const [withProvider, setWithProvider] = useState(false);
  const [address, setAddress] = useSignInAddress();

  useEffect(() => {
    personalAccount()
      .then((r) => {
        setAccount(r.account);
        setProvider(r.provider);
        setWithProvider(r.provider !== null && (r.account === null || r.account.sign_in.kind !== "password"));
        if (r.account)
          setForm((f) => ({
            ...f,
            address: r.account!.address,
            username: r.account!.username,
            imap_host: r.account!.imap_host,
            imap_port: String(r.account!.imap_port),
            imap_security: r.account!.imap_security,
            sent: r.account!.folder_names.sent ?? "",
            trash: r.account!.folder_names.trash ?? "",
          }));
      })
      .catch((e) => setStatus(sentence(asApiError(e).message)));
  }, []);

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const save = () => {
    setBusy(true);
    setStatus(withProvider ? "Your browser has opened the sign-in page. Sign in there, then come back here." : "Checking the login…");
    const { sent, trash, ...rest } = form;
    const folder_names = { sent: sent.trim() || null, trash: trash.trim() || null };
    savePersonalAccount({ ...rest, username: form.username || null, imap_port: Number(form.imap_port), with_provider: withProvider, folder_names })
      .then((r) => {
        setAccount(r.account);
        setForm((f) => ({ ...f, password: "" }));
        setStatus("Saved. Confide now keeps helpline mail out of this mailbox.");
      })
      .catch((e) => setStatus(sentence(asApiError(e).message)))
      .finally(() => {
        setBusy(false);
        setAddress("");
      });
  };
  const check = () => {
    setBusy(true);
    setStatus("Checking your personal mailbox…");
    guardNow()
      .then((r) => setStatus([guardSummary(r), ...r.problems.map(sentence)].join(" ")))
      .catch((e) => setStatus(sentence(asApiError(e).message)))
      .finally(() => setBusy(false));
  };

  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title" className="conv-title">
        Your personal mailbox
      </h2>
      <p className="muted">
        When you answer helpline mail from Outlook or webmail, a copy can land in your own Sent or Deleted Items, outside the
        helpline's retention. Confide moves those copies into the helpline's mailbox and leaves your private mail alone.
      </p>
      <div className="form-grid">
        <label className="field">
          Email address
          <input value={form.address} onChange={set("address")} autoComplete="off" />
        </label>
        <label className="field">
          User name (if not the address)
          <input value={form.username} onChange={set("username")} autoComplete="off" />
        </label>
        <label className="field">
          IMAP server
          <input value={form.imap_host} onChange={set("imap_host")} autoComplete="off" />
        </label>
        <label className="field">
          Port
          <input value={form.imap_port} onChange={set("imap_port")} inputMode="numeric" />
        </label>
        <label className="field">
          Security
          <select value={form.imap_security} onChange={set("imap_security")}>
            <option value="tls">TLS (usually port 993)</option>
            <option value="starttls">STARTTLS (usually port 143)</option>
          </select>
        </label>
        {provider && (
          <label className="field">
            Sign in
            <select value={withProvider ? "provider" : "password"} onChange={(e) => setWithProvider(e.target.value === "provider")}>
              <option value="provider">With {provider}, in your browser</option>
              <option value="password">With a password</option>
            </select>
          </label>
        )}
        {!withProvider && (
          <label className="field">
            Password {account ? "(leave empty to keep it)" : ""}
            <input type="password" value={form.password} onChange={set("password")} autoComplete="off" />
          </label>
        )}
        <label className="field">
          Sent folder's name, if not in English
          <input value={form.sent} onChange={set("sent")} placeholder="Sent Items" autoComplete="off" />
        </label>
        <label className="field">
          Deleted items folder's name, if not in English
          <input value={form.trash} onChange={set("trash")} placeholder="Deleted Items" autoComplete="off" />
        </label>
      </div>
      <p className="muted">
        {withProvider
          ? `You sign in at ${provider}'s own page; this computer's keyring keeps the sign-in, and never your password.`
          : "The password is kept in this computer's keyring, nowhere else."}
      </p>
      <button onClick={save} disabled={busy || !form.address || !form.imap_host || (!withProvider && !account && !form.password)}>
        {withProvider ? `Sign in with ${provider} and save` : "Save"}
      </button>{" "}
      <button className="secondary" onClick={check} disabled={busy || !account}>
        Check now
      </button>{" "}
      <button className="secondary" onClick={onClose}>
        Close
      </button>
      {status && (
        <p className="muted" role="status">
          {status}
        </p>
      )}
      {busy && withProvider && <SignInAddress address={address} />}
      <WebchatSettings />
    </section>
  );
}
