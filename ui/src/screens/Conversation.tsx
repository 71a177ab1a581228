import { onInboxChanged } from "../bindings/events";
import { useEffect, useRef, useState } from "react";
import type { ConversationView } from "../bindings/ConversationView";
import type { ExceptionCategory } from "../bindings/ExceptionCategory";
import type { Mark } from "../bindings/Mark";
import type { Status } from "../bindings/Status";
import { ConversationActions } from "./ConversationActions";
import { Notes } from "./conversation/Notes";
import { Reviews } from "./conversation/Reviews";
import { Reply } from "./conversation/Reply";
import { Snooze } from "./conversation/Snooze";
import { ChatPane } from "./LiveChat";
import { Message } from "./Message";
import { conversationView, markConversation, setHold } from "../bindings/commands";
import { useLoad } from "../data";
import { asApiError, sentence } from "../errors";
import { useShortcut } from "../keys";

const STATUSES: { id: Status; label: string }[] = [
  { id: "new", label: "New" },
  { id: "in_progress", label: "In progress" },
  { id: "waiting", label: "Waiting" },
  { id: "closed", label: "Closed" },
];

type Props = {
  id: number;
  lineName: (id: string) => string;
  /** The policy's service lines, for a manager moving a conversation. */
  lines: { id: string; name: string }[];
  me: string;
  /** Managers see and set legal holds. */
  manager: boolean;
  /** Colleagues' names by key, from the team directory. */
  names: Record<string, string>;
  exceptions: ExceptionCategory[];
  onChanged: (summary: ConversationView["summary"]) => void;
  /** Team leaders and managers block senders. */
  canBlock: boolean;
  onBlocked: () => void;
};

export function Conversation({ id, lineName, lines, me, manager, names, exceptions, onChanged, canBlock, onBlocked }: Props) {
  const [generation, setGeneration] = useState(0);
  // Only the first showing of a conversation is an opening for the audit log.
  const shown = useRef<number | null>(null);
  const loaded = useLoad(() => {
    const again = shown.current === id;
    shown.current = id;
    return conversationView({ id, again });
  }, [id, generation]);
  const view = loaded.data ?? null;
  const setView = loaded.set;
  const [failed, setError] = useState("");
  const error = failed || loaded.error;

  // What changes while it is open arrives as `inbox_changed` and is shown at once: a chat's
  // new words, a colleague's claim or note, new mail in the thread.
  const isChat = view?.summary.channel === "webchat";
  useEffect(() => {
    const off = onInboxChanged(() => setGeneration((g) => g + 1));
    return () => {
      off.then((f) => f());
    };
  }, []);

  const mark = (m: Mark) =>
    markConversation({ id, mark: m })
      .then((v) => {
        setView(v);
        onChanged(v.summary);
      })
      .catch((e) => setError(sentence(asApiError(e).message)));

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!view) return <p className="empty">Opening…</p>;
  return (
    <article aria-labelledby="conv-title">
      <h2 id="conv-title" className="conv-title">
        {view.summary.subject || "(no subject)"}
      </h2>
      <p className="muted">
        {view.summary.correspondent}
        {view.pseudonym ? ` (known as ${view.pseudonym})` : ""} · {lineName(view.summary.line_id)} · {view.messages.length} message
        {view.messages.length === 1 ? "" : "s"}
      </p>
      {/* One compact bar: what is done to every conversation (claim, status, risk flags,
          snooze), and under More what is done now and then. A chat is not on the shared
          mailbox: its risk flags are kept with the chat and go into its transcript. */}
      <div className="triage-bar triage" role="group" aria-label="Triage">
        {isChat ? (
          <RiskFlags view={view} exceptions={exceptions} onMark={mark} />
        ) : (
          <Triage view={view} me={me} manager={manager} names={names} exceptions={exceptions} onMark={mark} />
        )}
        {view.hold && <span className="held-badge">On legal hold</span>}
        <details className="more-actions">
          <summary>More</summary>
          <div className="drop">
            {!isChat && manager && (lines.length > 1 || !lines.some((l) => l.id === view.summary.line_id)) && (
              <MoveLine current={view.summary.line_id} lines={lines} onMove={(line) => mark({ kind: "line", line })} />
            )}
            {!isChat && manager && (
              <LegalHold
                view={view}
                onSet={(reason) =>
                  setHold({ id, reason })
                    .then(setView)
                    .catch((e) => setError(sentence(asApiError(e).message)))
                }
              />
            )}
            <ConversationActions
              id={id}
              line={view.summary.line_id}
              exceptions={exceptions}
              blockable={canBlock && view.summary.channel === "email"}
              onBlocked={onBlocked}
              onView={(v) => {
                setView(v);
                onChanged(v.summary);
              }}
              onError={setError}
            />
          </div>
        </details>
      </div>
      {view.summary.channel === "webchat" ? (
        <>
          <ChatPane view={view} onView={setView} />
          <Notes view={view} names={names} onView={setView} chat />
        </>
      ) : (
        <>
          {view.messages.map((m) => (
            <Message key={m.id} m={m} />
          ))}
          <Reviews view={view} names={names} onView={setView} />
          <Notes view={view} names={names} onView={setView} />
          <Reply
            conversationId={id}
            line={view.summary.line_id}
            seenMessageId={Math.max(0, ...view.messages.map((m) => m.id))}
            onSent={() => setGeneration((g) => g + 1)}
            onShowNew={() => setGeneration((g) => g + 1)}
          />
        </>
      )}
    </article>
  );
}

/** Claim, status and risk flags: kept on the server, so colleagues see them too. */
function Triage({
  view,
  me,
  manager,
  names,
  exceptions,
  onMark,
}: {
  view: ConversationView;
  me: string;
  manager: boolean;
  names: Record<string, string>;
  exceptions: ExceptionCategory[];
  onMark: (m: Mark) => void;
}) {
  const s = view.summary;
  // c claims a conversation nobody has claimed; taking over a colleague's stays a deliberate click.
  useShortcut("c", () => onMark({ kind: "claim" }), !s.assignee);
  return (
    <>
      <p className="claim" role="status">
        {s.assignee === me
          ? "Claimed by you"
          : s.assignee
            ? `Claimed by ${names[s.assignee] ?? `a colleague (key ${s.assignee.slice(0, 8)})`}`
            : "Not claimed yet"}
        {/* The first claim wins: only the holder releases it, and only a manager takes it over. */}
        {!s.assignee || (manager && s.assignee !== me) ? (
          <button className="small" onClick={() => onMark({ kind: "claim" })}>
            {s.assignee ? "Take over" : "Claim"}
          </button>
        ) : s.assignee === me || manager ? (
          <button className="small" onClick={() => onMark({ kind: "release" })}>
            Release
          </button>
        ) : null}
      </p>
      <label className="inline">
        Status{" "}
        <select value={s.status} onChange={(e) => onMark({ kind: "status", status: e.target.value as Status })}>
          {STATUSES.map((st) => (
            <option key={st.id} value={st.id}>
              {st.label}
            </option>
          ))}
        </select>
      </label>
      <RiskFlags view={view} exceptions={exceptions} onMark={onMark} />
      <Snooze summary={s} onMark={onMark} />
    </>
  );
}

/** The preset's exception categories, raised or lowered on the conversation: one control that
 * shows the raised ones, opening to the whole list. */
function RiskFlags({ view, exceptions, onMark }: { view: ConversationView; exceptions: ExceptionCategory[]; onMark: (m: Mark) => void }) {
  const raised = exceptions.filter((c) => view.summary.risk_flags.includes(c.id));
  return (
    <details className="risks-control">
      <summary className={raised.length ? "risks-summary raised" : "risks-summary"}>
        Risk flags: {raised.length ? raised.map((c) => c.label).join("; ") : "none"}
      </summary>
      <div className="drop">
        <fieldset className="risks">
          <legend className="muted">Raise or lower (colleagues on the line see them)</legend>
          {exceptions.map((c) => {
            const on = view.summary.risk_flags.includes(c.id);
            return (
              <button
                key={c.id}
                className={on ? "chip raised" : "chip"}
                aria-pressed={on}
                onClick={() => onMark({ kind: "risk", category: c.id, raised: !on })}
              >
                {c.label}
              </button>
            );
          })}
        </fieldset>
      </div>
    </details>
  );
}

/** A manager moves a conversation to another service line: chosen, then confirmed, because
 * advisors on the old line lose it from their desktops. */
function MoveLine({ current, lines, onMove }: { current: string; lines: { id: string; name: string }[]; onMove: (line: string) => void }) {
  const [to, setTo] = useState(current);
  const name = lines.find((l) => l.id === to)?.name ?? to;
  return (
    <p className="move-line">
      <label className="inline">
        Service line{" "}
        <select value={to} onChange={(e) => setTo(e.target.value)}>
          {!lines.some((l) => l.id === current) && <option value={current}>Not yet on a line</option>}
          {lines.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      </label>
      {to !== current && (
        <>
          {" "}
          <span role="status">Advisors who do not work on {name} will no longer see this conversation.</span>{" "}
          <button className="small" onClick={() => onMove(to)}>
            Move to {name}
          </button>{" "}
          <button className="small secondary" onClick={() => setTo(current)}>
            Cancel
          </button>
        </>
      )}
    </p>
  );
}

/** A manager keeps a conversation past its retention period (a court order, say), with the reason. */
function LegalHold({ view, onSet }: { view: ConversationView; onSet: (reason: string | null) => void }) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState("");
  if (view.hold)
    return (
      <p className="notice hold" role="status">
        On legal hold since {new Date(view.hold.held_at * 1000).toLocaleDateString("en-GB")}: {view.hold.reason}. Retention keeps it
        until the hold is lifted.{" "}
        <button className="small secondary" onClick={() => onSet(null)}>
          Lift the hold
        </button>
      </p>
    );
  if (!asking)
    return (
      <p className="hold">
        <button className="small secondary" onClick={() => setAsking(true)}>
          Put on legal hold…
        </button>
      </p>
    );
  return (
    <form
      className="hold"
      onSubmit={(e) => {
        e.preventDefault();
        onSet(reason);
      }}
    >
      <label>
        Reason for the hold (for example, the court order)
        <input value={reason} onChange={(e) => setReason(e.target.value)} required autoFocus />
      </label>
      <button className="small" type="submit" disabled={!reason.trim()}>
        Hold
      </button>{" "}
      <button className="small secondary" type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </form>
  );
}
