import { useState } from "react";
import type { Leaflet } from "../../bindings/Leaflet";
import { leafletAdd, leafletRemove, leaflets } from "../../bindings/commands";
import { useLoad } from "../../data";
import { asApiError, sentence } from "../../errors";
import { LineSelect } from "../CannedLibrary";

export const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`);

/** The lines' leaflets (PDFs or images advisors attach to replies): team leaders and managers
 * add them from a file and remove them; kept encrypted on the server for the line's staff. */
export function Leaflets({ lines, canEdit }: { lines: { id: string; name: string }[]; canEdit: boolean }) {
  const list = useLoad(leaflets, []);
  const [line, setLine] = useState(lines[0]?.id ?? "");
  const [title, setTitle] = useState("");
  const [busy, setBusy] = useState(false);
  const [failed, setError] = useState("");
  const error = failed || list.error;
  const lineName = (id: string) => lines.find((l) => l.id === id)?.name ?? id;
  const done = (p: Promise<Leaflet[]>, after?: () => void) => {
    setBusy(true);
    p.then((l) => {
      list.set(l);
      setError("");
      after?.();
    })
      .catch((e) => setError(sentence(asApiError(e).message)))
      .finally(() => setBusy(false));
  };
  return (
    <div className="leaflets" aria-labelledby="leaflets-title">
      <h3 id="leaflets-title">Leaflets</h3>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ul className="leaflet-entries">
        {list.data?.map((l) => (
          <li key={l.leaflet}>
            <strong>{l.title}</strong> · {lineName(l.line)} · {l.file_name} ({size(l.size)}), added by {l.by || "someone"}{" "}
            {canEdit && (
              <button className="small secondary" disabled={busy} onClick={() => done(leafletRemove({ leaflet: l.leaflet }))}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {list.data?.length === 0 && <p className="empty">No leaflets yet.</p>}
      {canEdit && (
        <div className="canned-form">
          <LineSelect lines={lines} value={line} onChange={setLine} />
          <label className="field">
            Title advisors will see
            <input value={title} onChange={(e) => setTitle(e.target.value)} />
          </label>
          <button disabled={busy || !title.trim()} onClick={() => done(leafletAdd({ line, title }), () => setTitle(""))}>
            {busy ? "Encrypting and saving…" : "Choose the file (PDF, PNG or JPEG) and add it"}
          </button>
        </div>
      )}
    </div>
  );
}
