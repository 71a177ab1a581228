// One message of a conversation as the reader sees it: text, or sanitised HTML in the empty
// sandbox, and its attachments.
import { useState } from "react";
import type { MessageView } from "../bindings/MessageView";
import { saveAttachment } from "../bindings/commands";
import { asApiError, sentence } from "../errors";

export function Message({ m }: { m: MessageView }) {
  return (
    <section className={m.incoming ? "message in" : "message out"} aria-label={m.incoming ? "Received" : "Sent by the helpline"}>
      <header className="message-head">
        <strong>{m.incoming ? m.from || "Unknown sender" : "Helpline reply"}</strong>
        <time>{new Date(m.sent_at * 1000).toLocaleString("en-GB")}</time>
      </header>
      {m.blocked_images > 0 && (
        <p className="notice">
          {m.blocked_images} remote image{m.blocked_images === 1 ? " was" : "s were"} not shown: loading one would tell
          the sender when this message was read, and from where.
        </p>
      )}
      {m.html !== null ? (
        // No scripts, no same-origin (so no IPC), no forms, no popups: the empty sandbox.
        <iframe className="mail-html" sandbox="" srcDoc={m.html} title={`Message from ${m.from}`} />
      ) : (
        <pre className="mail-text">{m.text}</pre>
      )}
      {m.attachments.length > 0 && (
        <ul className="attachments" aria-label="Attachments">
          {m.attachments.map((a, i) => (
            <Attachment key={i} messageId={m.id} index={i} name={a.name ?? "unnamed"} detail={`${a.content_type}, ${Math.ceil(a.size / 1024)} KB`} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** Drawn here rather than taken from a font: the emoji paperclip was an empty box where the
 * desktop's fonts lack it (issue 29). */
function PaperclipIcon() {
  return (
    <svg className="icon" width="14" height="14" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l9.2-9.2a3.7 3.7 0 0 1 5.2 5.2l-9.2 9.2a1.8 1.8 0 0 1-2.6-2.6l8.5-8.5"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

/** An attachment is only ever written where the advisor chooses, through the system's dialog. */
function Attachment({ messageId, index, name, detail }: { messageId: number; index: number; name: string; detail: string }) {
  const [note, setNote] = useState("");
  return (
    <li>
      <PaperclipIcon /> {name} <span className="muted">({detail})</span>{" "}
      <button
        className="small secondary"
        onClick={() =>
          saveAttachment({ message_id: messageId, index })
            .then((r) => setNote(r.saved_as ? `Saved as ${r.saved_as}.` : ""))
            .catch((e) => setNote(sentence(asApiError(e).message)))
        }
      >
        Save…
      </button>
      {note && (
        <span className="muted" role="status">
          {" "}
          {note}
        </span>
      )}
    </li>
  );
}
