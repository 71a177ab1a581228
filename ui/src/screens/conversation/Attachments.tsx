import { useEffect, useState } from "react";
import type { AttachmentChoice } from "../../bindings/AttachmentChoice";
import type { Leaflet } from "../../bindings/Leaflet";
import { leaflets, replyPickFile, replySizeLimit } from "../../bindings/commands";
import { asApiError, sentence } from "../../errors";
import { size } from "../library/Leaflets";

/** An attachment as the reply box shows it. */
export type Chosen = { choice: AttachmentChoice; name: string; size: number };

/** What a reply attaches: the line's leaflets (two clicks: "Attach a leaflet", then the
 * leaflet) or a file from this computer, with the mail server's size limit shown beside the
 * total, so a reply too large is seen before it is sent. */
export function Attachments({
  conversationId,
  line,
  chosen,
  onChange,
  disabled,
  openLeaflets,
  onAdded,
}: {
  conversationId: number;
  line: string;
  chosen: Chosen[];
  onChange: (c: Chosen[]) => void;
  disabled: boolean;
  /** Bumped by the reply box's Alt+L: the leaflets open, the first one focused. */
  openLeaflets: number;
  /** An attachment was added: the reply box takes the focus back. */
  onAdded: () => void;
}) {
  const [offered, setOffered] = useState<Leaflet[] | null>(null);
  const [limit, setLimit] = useState<number | null | undefined>(undefined);
  const [error, setError] = useState("");
  const fail = (e: unknown) => setError(sentence(asApiError(e).message));
  const pickLeaflet = () =>
    leaflets()
      .then((all) => setOffered(all.filter((l) => l.line === line)))
      .catch(fail);
  useEffect(() => {
    if (openLeaflets > 0) pickLeaflet();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [openLeaflets]);
  const add = (c: Chosen) => {
    onChange([...chosen, c]);
    setOffered(null);
    setError("");
    onAdded();
    if (limit === undefined) replySizeLimit({ id: conversationId, again: true }).then((l) => setLimit(l.bytes), () => setLimit(null));
  };
  const total = chosen.reduce((n, c) => n + c.size, 0);
  // Attachments travel base64-encoded: a third larger than the files.
  const tooLarge = limit != null && (total * 4) / 3 > limit;
  return (
    <div className="attachments-box">
      {chosen.length > 0 && (
        <ul className="attached" aria-label="Attached">
          {chosen.map((c, i) => (
            <li key={i}>
              {c.name} ({size(c.size)}){" "}
              <button className="small secondary" disabled={disabled} onClick={() => onChange(chosen.filter((_, j) => j !== i))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {chosen.length > 0 && (
        <p className={tooLarge ? "error" : "muted"} role={tooLarge ? "alert" : undefined}>
          Attachments: {size(total)}
          {limit != null && `; the helpline's mail server takes replies up to ${size(limit)}`}
          {tooLarge && ". Leave out an attachment, or send it in a second reply."}
        </p>
      )}
      {offered !== null ? (
        <div className="leaflet-picker" role="group" aria-label="The line's leaflets">
          {offered.length === 0 && <p className="muted">This line has no leaflets yet (team leaders add them in the library).</p>}
          {offered.map((l, i) => (
            <button
              key={l.leaflet}
              autoFocus={i === 0}
              className="small secondary"
              onClick={() => add({ choice: { kind: "leaflet", leaflet: l.leaflet }, name: `${l.title} (${l.file_name})`, size: l.size })}
            >
              {l.title}
            </button>
          ))}{" "}
          <button className="small secondary" onClick={() => setOffered(null)}>
            Cancel
          </button>
        </div>
      ) : (
        <p>
          <button className="small secondary" disabled={disabled} onClick={pickLeaflet}>
            Attach a leaflet (Alt+L)
          </button>{" "}
          <button
            className="small secondary"
            disabled={disabled}
            onClick={() =>
              replyPickFile()
                .then((f) => f && add({ choice: { kind: "file", id: f.id }, name: f.name, size: f.size }))
                .catch(fail)
            }
          >
            Attach a file…
          </button>
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
