import { useState } from "react";
import type { ConversationSummary } from "../../bindings/ConversationSummary";
import type { Mark } from "../../bindings/Mark";

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** 9 o'clock `days` days from today, in this computer's time. */
function morning(days: number): number {
  const d = new Date();
  d.setDate(d.getDate() + days);
  d.setHours(9, 0, 0, 0);
  return seconds(d);
}

const when = (at: number) =>
  new Date(at * 1000).toLocaleString("en-GB", { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });

/** "Come back to this on ...": the conversation leaves the open list, for everyone on its line,
 * until then, or until the person writes again. */
export function Snooze({ summary, onMark }: { summary: ConversationSummary; onMark: (m: Mark) => void }) {
  const [picking, setPicking] = useState(false);
  const [picked, setPicked] = useState("");
  if (summary.snoozed_until)
    return (
      <p className="snooze" role="status">
        Snoozed until {when(summary.snoozed_until)} (sooner if they write again){" "}
        <button className="small" onClick={() => onMark({ kind: "snooze", until: null })}>
          Bring back now
        </button>
      </p>
    );
  // Monday's morning, however far off it is (a week on a Monday).
  const toMonday = (8 - new Date().getDay()) % 7 || 7;
  return (
    <details className="snooze-control">
      <summary>Snooze</summary>
      <div className="drop snooze">
        <span id="snooze-label">Come back to this</span>{" "}
        <span role="group" aria-labelledby="snooze-label">
          <button className="small secondary" onClick={() => onMark({ kind: "snooze", until: morning(1) })}>
            Tomorrow morning
          </button>{" "}
          <button className="small secondary" onClick={() => onMark({ kind: "snooze", until: morning(toMonday) })}>
            Next week
          </button>{" "}
          {picking ? (
            <>
              <label className="inline">
                On <input type="datetime-local" value={picked} onChange={(e) => setPicked(e.target.value)} />
              </label>{" "}
              <button
                className="small"
                disabled={!picked}
                onClick={() => onMark({ kind: "snooze", until: seconds(new Date(picked)) })}
              >
                Snooze
              </button>
            </>
          ) : (
            <button className="small secondary" onClick={() => setPicking(true)}>
              On a date…
            </button>
          )}
        </span>
      </div>
    </details>
  );
}
