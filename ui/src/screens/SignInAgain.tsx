import { useEffect, useState } from "react";
import { listen } from "@tauri-apps/api/event";
import { signInAgain } from "../bindings/commands";
import { asApiError, sentence } from "../errors";

/** Shown when a mailbox's sign-in at its provider is gone: signs in again in the person's own
 * browser (where their password and any second factor are asked), then syncs. */
export function SignInAgain({ message, onDone }: { message: string; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [address, setAddress] = useState("");
  const [status, setStatus] = useState("");

  useEffect(() => {
    const off = listen<string>("sign_in_address", (e) => setAddress(e.payload));
    return () => {
      off.then((f) => f());
    };
  }, []);

  const start = () => {
    setBusy(true);
    setStatus("Your browser has opened the sign-in page. Sign in there, then come back here.");
    signInAgain()
      .then(() => {
        setStatus("");
        onDone();
      })
      .catch((e) => setStatus(sentence(asApiError(e).message)))
      .finally(() => {
        setBusy(false);
        setAddress("");
      });
  };

  return (
    <div className="notice sign-in-notice" role="status">
      <p>{sentence(message)}</p>
      <button onClick={start} disabled={busy}>
        Sign in again
      </button>
      {status && <p className="muted">{status}</p>}
      {busy && address && (
        <p className="muted">
          If no browser opened, copy this address into one: <code className="sign-in-address">{address}</code>
        </p>
      )}
    </div>
  );
}
