import { useEffect, useState } from "react";
import { onSignInAddress } from "../bindings/events";
import { signInAgain } from "../bindings/commands";
import { asApiError, sentence } from "../errors";

/** Shown when a mailbox's sign-in at its provider is gone: signs in again in the person's own
 * browser (where their password and any second factor are asked), then syncs. */
export function SignInAgain({ message, onDone }: { message: string; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [address, setAddress] = useSignInAddress();
  const [status, setStatus] = useState("");

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
      {busy && <SignInAddress address={address} />}
    </div>
  );
}

/** The provider's page the app is showing in the browser, as the app sends it. */
export function useSignInAddress(): [string, (a: string) => void] {
  const [address, setAddress] = useState("");
  useEffect(() => {
    const off = onSignInAddress((e) => setAddress(e.payload));
    return () => {
      off.then((f) => f());
    };
  }, []);
  return [address, setAddress];
}

export function SignInAddress({ address }: { address: string }) {
  if (!address) return null;
  return (
    <p className="muted">
      If no browser opened, copy this address into one: <code className="sign-in-address">{address}</code>
    </p>
  );
}
