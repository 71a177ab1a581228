import { useEffect, useState } from "react";
import type { ConversationView } from "../bindings/ConversationView";
import type { MessageView } from "../bindings/MessageView";
import type { OutboxItem } from "../bindings/OutboxItem";
import { claimConversation, conversationView, retryReply, sendReply } from "../bindings/commands";
import { asApiError, sentence } from "../errors";

export function Conversation({ id, lineName, me }: { id: number; lineName: (id: string) => string; me: string }) {
  const [view, setView] = useState<ConversationView | null>(null);
  const [error, setError] = useState("");
  const [imagesFor, setImagesFor] = useState<number | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    setError("");
    conversationView({ id, load_images_for: imagesFor })
      .then(setView)
      .catch((e) => setError(sentence(asApiError(e).message)));
  }, [id, imagesFor, generation]);

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
        {view.summary.correspondent} · {lineName(view.summary.line_id)} · {view.messages.length} message
        {view.messages.length === 1 ? "" : "s"}
      </p>
      <p className="claim" role="status">
        {view.summary.assignee === me
          ? "Claimed by you"
          : view.summary.assignee
            ? `Claimed by a colleague (key ${view.summary.assignee.slice(0, 8)})`
            : "Not claimed yet"}
        {view.summary.assignee !== me && (
          <button
            className="small"
            onClick={() =>
              claimConversation({ id })
                .then(setView)
                .catch((e) => setError(sentence(asApiError(e).message)))
            }
          >
            {view.summary.assignee ? "Take over" : "Claim"}
          </button>
        )}
      </p>
      {view.messages.map((m) => (
        <Message key={m.id} m={m} onLoadImages={() => setImagesFor(m.id)} />
      ))}
      <Reply conversationId={id} onSent={() => setGeneration((g) => g + 1)} />
    </article>
  );
}

function Message({ m, onLoadImages }: { m: MessageView; onLoadImages: () => void }) {
  return (
    <section className={m.incoming ? "message in" : "message out"} aria-label={m.incoming ? "Received" : "Sent by the helpline"}>
      <header className="message-head">
        <strong>{m.incoming ? m.from || "Unknown sender" : "Helpline reply"}</strong>
        <time>{new Date(m.sent_at * 1000).toLocaleString("en-GB")}</time>
      </header>
      {m.blocked_images > 0 && (
        <p className="notice">
          {m.blocked_images} remote image{m.blocked_images === 1 ? " was" : "s were"} blocked: loading them can tell the
          sender that this message was read.{" "}
          <button className="link" onClick={onLoadImages}>
            Load images for this message
          </button>
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
            <li key={i}>
              📎 {a.name ?? "unnamed"} <span className="muted">({a.content_type}, {Math.ceil(a.size / 1024)} KB)</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Reply({ conversationId, onSent }: { conversationId: number; onSent: () => void }) {
  const [body, setBody] = useState("");
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<OutboxItem | null>(null);
  const [status, setStatus] = useState("");

  const settle = (p: Promise<{ item: OutboxItem | null }>) => {
    setBusy(true);
    setStatus("");
    p.then(({ item }) => {
      setPending(item);
      if (item === null) {
        setBody("");
        setStatus("Reply sent from the helpline's address and filed in its Sent folder.");
        onSent();
      }
    })
      .catch((e) => setStatus(sentence(asApiError(e).message)))
      .finally(() => setBusy(false));
  };

  return (
    <section className="reply" aria-label="Reply">
      <label className="field">
        Reply as the helpline
        <textarea value={body} onChange={(e) => setBody(e.target.value)} rows={6} disabled={busy || pending !== null} />
      </label>
      {pending ? (
        <div className="notice" role="alert">
          <p>{sentence(pending.error ?? "The reply is waiting in the outbox.")}</p>
          <p className="muted">Your reply is kept safely in the outbox and has not been lost.</p>
          <button onClick={() => settle(retryReply({ id: pending.id }))} disabled={busy}>
            Try again
          </button>
        </div>
      ) : (
        <button onClick={() => settle(sendReply({ conversation_id: conversationId, body }))} disabled={busy || !body.trim()}>
          {busy ? "Sending…" : "Send reply"}
        </button>
      )}
      {status && (
        <p className="muted" role="status">
          {status}
        </p>
      )}
    </section>
  );
}
