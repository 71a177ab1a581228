import { useShortcut } from "../keys";
import { useEffect, useRef, useState } from "react";
import type { ConversationSummary } from "../bindings/ConversationSummary";

/** Every row has the same height (4.75 times the text size: 76 px at 16 px, and twice that at
 * 200% text), so the list knows where each one is without measuring. */
const rowHeight = () => Math.round(4.75 * (parseFloat(getComputedStyle(document.documentElement).fontSize) || 16));
/** Rows drawn beyond the visible ones, so fast scrolling shows no gaps. */
const OVERSCAN = 8;

type Props = {
  rows: ConversationSummary[];
  selectedId: number | null;
  onSelect: (c: ConversationSummary) => void;
  /** Called when the reader nears the last loaded row: time to fetch the next page. */
  onNearEnd: () => void;
  me: string;
  lineName: (id: string) => string;
  searching: boolean;
};

/**
 * A virtualised list: only the rows in view (and a few either side) are in the page, so 100k
 * conversations scroll as smoothly as 100. Arrow keys move the selection.
 */
export function ConversationList({ rows, selectedId, onSelect, onNearEnd, me, lineName, searching }: Props) {
  const box = useRef<HTMLDivElement>(null);
  // Read again on each drawing: the text size can change while the window is open.
  const ROW = rowHeight();
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const resize = new ResizeObserver(() => setHeight(el.clientHeight));
    resize.observe(el);
    return () => resize.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((top + height) / ROW) + OVERSCAN);

  useEffect(() => {
    if (rows.length > 0 && last >= rows.length - OVERSCAN) onNearEnd();
  }, [last, rows.length, onNearEnd]);

  const move = (delta: number) => {
    const at = rows.findIndex((r) => r.id === selectedId);
    const next = rows[Math.min(rows.length - 1, Math.max(0, at + delta))];
    if (!next) return;
    onSelect(next);
    const el = box.current;
    const y = rows.indexOf(next) * ROW;
    if (el && (y < el.scrollTop || y + ROW > el.scrollTop + el.clientHeight)) el.scrollTop = y - el.clientHeight / 2;
  };

  // j and k anywhere in the window, as arrow keys do in the list.
  useShortcut("j", () => move(1));
  useShortcut("k", () => move(-1));

  return (
    <div
      ref={box}
      className="rows"
      role="listbox"
      aria-label={searching ? "Conversations matching the search, newest match first" : "Conversations, newest first"}
      // Only a row that is drawn: the open conversation may have left the list (snoozed) or
      // scrolled out of the rows drawn.
      aria-activedescendant={rows.slice(first, last).some((r) => r.id === selectedId) ? `conv-${selectedId}` : undefined}
      tabIndex={0}
      onScroll={(e) => setTop(e.currentTarget.scrollTop)}
      onKeyDown={(e) => {
        if (e.key === "ArrowDown" || e.key === "ArrowUp") {
          e.preventDefault();
          move(e.key === "ArrowDown" ? 1 : -1);
        }
      }}
    >
      <div style={{ height: rows.length * ROW, position: "relative" }}>
        {rows.slice(first, last).map((c, i) => (
          <div
            key={c.id}
            id={`conv-${c.id}`}
            role="option"
            aria-selected={selectedId === c.id}
            className={selectedId === c.id ? "row active" : "row"}
            style={{ position: "absolute", top: (first + i) * ROW, height: ROW, left: 0, right: 0 }}
            onClick={() => onSelect(c)}
          >
            <span className="row-top">
              <span className={c.unread ? "unread" : ""}>{c.correspondent || "Unknown sender"}</span>
              <time>{new Date(c.last_activity_at * 1000).toLocaleDateString("en-GB")}</time>
            </span>
            <span className="row-subject">{c.subject || "(no subject)"}</span>
            <span className="row-meta muted">
              {c.channel} · {lineName(c.line_id)} · {c.status.replace("_", " ")}
              {c.assignee ? (c.assignee === me ? " · yours" : " · claimed") : ""}
              {c.risk_flags.length > 0 ? " · ⚑ flagged" : ""}
              {c.snoozed_until ? ` · back ${new Date(c.snoozed_until * 1000).toLocaleDateString("en-GB")}` : ""}
            </span>
          </div>
        ))}
      </div>
    </div>
  );
}
