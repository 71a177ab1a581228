import { useState } from "react";
import type { SetupState } from "../bindings/SetupState";
import { acceptAgreement } from "../bindings/commands";
import { asApiError } from "../errors";

type NeedsAgreement = Extract<SetupState, { state: "needs_agreement" }>;

export function Agreement({ state, onDone }: { state: NeedsAgreement; onDone: (s: SetupState) => void }) {
  const [read, setRead] = useState(false);
  const [error, setError] = useState("");
  const accept = () =>
    acceptAgreement({ version: state.agreement.version })
      .then(onDone)
      .catch((e) => setError(asApiError(e).message));
  return (
    <main className="centre">
      <section className="card wide" aria-labelledby="agreement-title">
        <h1 id="agreement-title">Confidentiality agreement</h1>
        <p className="muted">
          {state.preset.name} · version {state.agreement.version} · {state.display_name}, {state.role_name}
        </p>
        {state.previously_accepted && (
          <p className="notice" role="status">
            The policy has changed since you accepted version {state.previously_accepted}. Please read it again.
          </p>
        )}
        <div className="agreement" tabIndex={0} aria-label="Agreement text">
          {state.agreement.text}
        </div>
        <p className="muted">You must accept this agreement before Confide shows you any information.</p>
        <label className="choice">
          <input type="checkbox" checked={read} onChange={(e) => setRead(e.target.checked)} />
          <span>I have read the confidentiality policy and agree to keep to it</span>
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button onClick={accept} disabled={!read}>
          Accept and continue
        </button>
      </section>
    </main>
  );
}
