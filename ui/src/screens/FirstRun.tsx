import { useState } from "react";
import type { PresetChoice } from "../bindings/PresetChoice";
import type { RoleKind } from "../bindings/RoleKind";
import type { SetupState } from "../bindings/SetupState";
import { saveProfile } from "../bindings/commands";
import { asApiError } from "../errors";

export function FirstRun({ presets, onDone }: { presets: PresetChoice[]; onDone: (s: SetupState) => void }) {
  const [presetId, setPresetId] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<RoleKind | "">("");
  const [lines, setLines] = useState<string[]>([]);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const preset = presets.find((p) => p.id === presetId);
  const manager = role === "manager";

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!preset || !role) return;
    setBusy(true);
    saveProfile({ preset_id: preset.id, display_name: name, role, lines: manager ? preset.lines.map((l) => l.id) : lines })
      .then(onDone)
      .catch((err) => setError(asApiError(err).message))
      .finally(() => setBusy(false));
  };

  return (
    <main className="centre">
      <form className="card wide" onSubmit={submit} aria-labelledby="setup-title">
        <h1 id="setup-title">Set up Confide</h1>
        <p className="muted">Choose the confidentiality policy your helpline works to, then tell us who you are.</p>
        <fieldset>
          <legend>Your helpline's policy</legend>
          {presets.map((p) => (
            <label key={p.id} className="choice">
              <input
                type="radio"
                name="preset"
                value={p.id}
                checked={presetId === p.id}
                onChange={() => {
                  setPresetId(p.id);
                  setRole("");
                  // One line needs no choosing.
                  setLines(p.lines.length === 1 ? [p.lines[0].id] : []);
                }}
              />
              <span>
                <strong>{p.name}</strong>
                <span className="muted"> · {p.organisation}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <label className="field">
          Your work name (a first name, or a name you choose for safety: your replies are signed with it)
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} required autoComplete="off" />
        </label>
        <label className="field">
          Your role
          <select value={role} onChange={(e) => setRole(e.target.value as RoleKind)} required disabled={!preset}>
            <option value="">{preset ? "Choose a role" : "Choose a policy first"}</option>
            {preset?.roles.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        {preset && role && !manager && preset.lines.length > 1 && (
          <fieldset className="lines">
            <legend>The service lines you work on</legend>
            <p className="muted">You will see only these lines' conversations. A manager works on every line.</p>
            {preset.lines.map((l) => (
              <label key={l.id} className="choice">
                <input
                  type="checkbox"
                  value={l.id}
                  checked={lines.includes(l.id)}
                  onChange={(e) => setLines(e.target.checked ? [...lines, l.id] : lines.filter((x) => x !== l.id))}
                />
                <span>
                  <strong>{l.name}</strong>
                  <span className="muted"> · {l.description}</span>
                </span>
              </label>
            ))}
          </fieldset>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !preset || !role || !name.trim() || (!manager && lines.length === 0)}>
          Continue to the confidentiality agreement
        </button>
      </form>
    </main>
  );
}
