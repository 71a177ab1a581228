import { useEffect, useState } from "react";
import { onWebchatChanged, onWebchatOpened, onWebchatTyping } from "../bindings/events";
import type { ConversationView } from "../bindings/ConversationView";
import { webchatAccept, webchatConnect, webchatPass, webchatSay, webchatState } from "../bindings/commands";
import { useLoad } from "../data";
import { asApiError, sentence } from "../errors";

/** Visitors waiting on this person's lines, with Accept; nothing when this desktop takes no chats. */
export function WaitingChats({ lineName, onOpened }: { lineName: (id: string) => string; onOpened: (conversationId: number) => void }) {
  const live = useLoad(webchatState, []);
  // A desktop that cannot say its chat state takes no chats here.
  const state = live.error ? null : live.data;
  const [message, setMessage] = useState("");
  const reload = live.reload;
  useEffect(() => {
    const changed = onWebchatChanged(reload);
    const opened = onWebchatOpened((e) => onOpened(e.payload));
    return () => {
      changed.then((f) => f());
      opened.then((f) => f());
    };
  }, [onOpened, reload]);
  if (!state?.configured) return null;
  return (
    <div className="waiting-chats" aria-live="polite">
      {!state.connected && <p className="muted">Webchat: {state.problem ? sentence(state.problem) : "connecting…"}</p>}
      {state.connected && state.waiting.length === 0 && <p className="muted">Webchat: no one is waiting.</p>}
      {state.waiting.length > 0 && (
        <>
          <h2>
            {state.waiting.length} visitor{state.waiting.length === 1 ? "" : "s"} waiting to chat
          </h2>
          <ul>
            {state.waiting.map((w) => (
              <li key={w.chat}>
                {lineName(w.line)}, waiting since {new Date(w.since).toLocaleTimeString("en-GB")}{" "}
                <button
                  className="small"
                  onClick={() => {
                    setMessage("");
                    webchatAccept({ chat: w.chat }).catch((e) => setMessage(sentence(asApiError(e).message)));
                  }}
                >
                  Accept
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
    </div>
  );
}

/** A chat as a conversation: what was said, and, while it lasts, a box to answer and a way to end it. */
export function ChatPane({ view, onView }: { view: ConversationView; onView: (v: ConversationView) => void }) {
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  const [typing, setTyping] = useState(false);
  const live = useLoad(webchatState, []);
  const colleagues = live.data?.colleagues ?? [];
  const reload = live.reload;
  const [to, setTo] = useState("");
  const [typedAt, setTypedAt] = useState(0);
  const ended = view.summary.status === "closed";
  const id = view.summary.id;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const changed = onWebchatChanged(reload);
    const typingOff = onWebchatTyping((e) => {
      if (e.payload !== id) return;
      setTyping(true);
      clearTimeout(timer);
      timer = setTimeout(() => setTyping(false), 4000);
    });
    return () => {
      clearTimeout(timer);
      changed.then((f) => f());
      typingOff.then((f) => f());
    };
  }, [id, reload]);
  const say = (t: string | null) =>
    webchatSay({ conversation_id: view.summary.id, text: t })
      .then((v) => {
        onView(v);
        setText("");
        setError("");
      })
      .catch((e) => setError(sentence(asApiError(e).message)));
  return (
    <div className="chat">
      <ol className="chat-log" aria-label="Chat">
        {view.messages.map((m) => (
          <li key={m.id} className={m.incoming ? "chat-visitor" : "chat-advisor"}>
            <strong>{m.incoming ? "Visitor" : "You"}:</strong> {m.text}
          </li>
        ))}
      </ol>
      <p className="muted chat-typing" aria-live="off">
        {typing && !ended ? "The visitor is typing…" : ""}
      </p>
      {ended ? (
        <p className="muted" role="status">
          This chat is over for you: it has ended (its transcript is kept for the line's staff and managers until the policy's period
          ends), or it went to a colleague.
        </p>
      ) : (
        <form
          className="chat-compose"
          onSubmit={(e) => {
            e.preventDefault();
            if (text.trim()) say(text);
          }}
        >
          <label htmlFor="chat-input">Your reply</label>
          <textarea
            id="chat-input"
            rows={3}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              // The visitor sees "typing", at most every few seconds.
              if (Date.now() - typedAt > 3000) {
                setTypedAt(Date.now());
                webchatPass({ conversation_id: id, to: null }).catch(() => {});
              }
            }}
          />
          <button type="submit" disabled={!text.trim()}>
            Send
          </button>{" "}
          <button type="button" className="secondary" onClick={() => say(null)}>
            End chat
          </button>
          {colleagues.length > 0 && (
            <span className="chat-transfer">
              {" "}
              <label>
                Transfer to{" "}
                <select value={to} onChange={(e) => setTo(e.target.value)}>
                  <option value="">a colleague…</option>
                  {colleagues.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </label>{" "}
              <button
                type="button"
                className="secondary"
                disabled={!to}
                onClick={() => webchatPass({ conversation_id: id, to }).catch((e) => setError(sentence(asApiError(e).message)))}
              >
                Transfer
              </button>
            </span>
          )}
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Connecting this desktop to the helpline's webchat gateway, with the credential a manager issued. */
export function WebchatSettings() {
  const [url, setUrl] = useState("");
  const [credential, setCredential] = useState("");
  const live = useLoad(webchatState, []).data;
  const [said, setStatus] = useState("");
  const status = said || (live?.configured ? (live.connected ? "This desktop takes chats." : "Connecting to the webchat gateway…") : "");
  return (
    <form
      className="webchat-settings"
      onSubmit={(e) => {
        e.preventDefault();
        webchatConnect({ url, credential })
          .then(() => {
            setCredential("");
            setStatus("Saved: the credential is in your keyring. This desktop now takes chats.");
          })
          .catch((err) => setStatus(sentence(asApiError(err).message)));
      }}
    >
      <h3>Webchat</h3>
      <label>
        Gateway address
        <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="wss://chat.helpline.example" required />
      </label>
      <label>
        Credential from your manager
        <input type="password" value={credential} onChange={(e) => setCredential(e.target.value)} autoComplete="off" required />
      </label>
      <button type="submit">Take chats on this desktop</button>
      <p role="status">{status}</p>
    </form>
  );
}
