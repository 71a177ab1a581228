import { useEffect, useRef, useState } from "react";
import type { OfferedReply } from "../../bindings/OfferedReply";
import { cannedOffered } from "../../bindings/commands";
import { useLoad } from "../../data";

type Props = { conversationId: number; onPick: (text: string) => void; onClose: () => void };

/** The line's canned replies for this conversation, filled in for it: type to narrow, arrows
 * and Enter to choose, Escape to go back to the reply. */
export function CannedPicker({ conversationId, onPick, onClose }: Props) {
  const offered = useLoad(() => cannedOffered({ id: conversationId, again: true }), [conversationId]);
  const [query, setQuery] = useState("");
  const [at, setAt] = useState(0);
  const search = useRef<HTMLInputElement>(null);
  useEffect(() => search.current?.focus(), []);
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const shown: OfferedReply[] = (offered.data ?? []).filter((r) =>
    words.every((w) => r.title.toLowerCase().includes(w) || r.text.toLowerCase().includes(w)),
  );
  const choose = (r: OfferedReply | undefined) => r && onPick(r.text);
  return (
    <div className="canned-picker" role="dialog" aria-label="Canned replies">
      <input
        ref={search}
        type="search"
        aria-label="Find a canned reply"
        placeholder="Find a canned reply"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setAt(0);
        }}
        onKeyDown={(e) => {
          if (e.key === "Escape") onClose();
          else if (e.key === "ArrowDown") setAt((a) => Math.min(a + 1, shown.length - 1));
          else if (e.key === "ArrowUp") setAt((a) => Math.max(a - 1, 0));
          else if (e.key === "Enter") choose(shown[at]);
          else return;
          e.preventDefault();
        }}
      />
      {offered.error && (
        <p className="error" role="alert">
          {offered.error}
        </p>
      )}
      {offered.data && shown.length === 0 && (
        <p className="muted">
          {offered.data.length === 0 ? "This line has no canned replies yet; team leaders and managers write them." : "None matches."}
        </p>
      )}
      <ul className="canned-list">
        {shown.map((r, i) => (
          <li key={r.reply}>
            <button className={i === at ? "canned-item active" : "canned-item"} aria-current={i === at} onClick={() => choose(r)}>
              <strong>{r.title}</strong>
              <span className="muted">{r.text.slice(0, 140)}</span>
            </button>
          </li>
        ))}
      </ul>
      <button className="small secondary" onClick={onClose}>
        Close
      </button>
    </div>
  );
}
