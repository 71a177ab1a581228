import { useState } from "react";
import type { ConversationView } from "../../bindings/ConversationView";
import type { ReplyReview } from "../../bindings/ReplyReview";
import { reviewReply } from "../../bindings/commands";
import { asApiError, sentence } from "../../errors";

type Props = {
  view: ConversationView;
  /** Colleagues' names by key, from the team directory. */
  names: Record<string, string>;
  onView: (v: ConversationView) => void;
};

const when = (t: number) => new Date(t * 1000).toLocaleString("en-GB");

/** Replies by someone in training on this conversation: waiting for review (a team leader or
 * manager approves, edits or returns them here), or decided. Not part of the thread. */
export function Reviews({ view, names, onView }: Props) {
  if (view.reviews.length === 0) return null;
  return (
    <section className="reviews" aria-labelledby="reviews-title">
      <h3 id="reviews-title">Replies for review (not sent until approved)</h3>
      {view.reviews.map((r) => (
        <Review key={r.draft} r={r} id={view.summary.id} names={names} onView={onView} />
      ))}
    </section>
  );
}

function Review({ r, id, names, onView }: { r: ReplyReview; id: number; names: Record<string, string>; onView: Props["onView"] }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [comment, setComment] = useState("");
  const [returning, setReturning] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const who = (key: string | null) => (key ? (names[key] ?? "A colleague") : "A colleague");
  const decide = (p: Promise<ConversationView>) => {
    setBusy(true);
    p.then((v) => {
      setError("");
      onView(v);
    })
      .catch((e) => setError(sentence(asApiError(e).message)))
      .finally(() => setBusy(false));
  };
  const state =
    r.state === "approved"
      ? `Approved by ${who(r.decided_by)} and sent`
      : r.state === "returned"
        ? `Returned by ${who(r.decided_by)}: not sent`
        : "Waiting for review";
  return (
    <article className={`review review-${r.state}`} aria-label={`Reply by ${r.mine ? "you" : who(r.author)}: ${state}`}>
      <p className="note-by muted">
        {r.mine ? "Your reply" : `Reply by ${who(r.author)}`} · <time>{when(r.created_at)}</time> ·{" "}
        <strong>{state}</strong>
        {r.decided_at !== null && (
          <>
            {" "}
            · <time>{when(r.decided_at)}</time>
          </>
        )}
      </p>
      {editing === null ? (
        <p className="note-text">{r.state === "approved" && r.decided_text ? r.decided_text : r.text}</p>
      ) : (
        <label className="field">
          Edit before approving
          <textarea value={editing} rows={6} onChange={(e) => setEditing(e.target.value)} />
        </label>
      )}
      {r.state === "returned" && r.decided_text && (
        <p className="review-comment">
          <strong>Comment:</strong> {r.decided_text}
        </p>
      )}
      {r.can_decide && !returning && (
        <div className="review-actions">
          <button
            className="small"
            disabled={busy || (editing !== null && !editing.trim())}
            onClick={() => decide(reviewReply({ decision: "approve", id, draft: r.draft, edited: editing }))}
          >
            {busy ? "Sending…" : editing === null ? "Approve and send" : "Approve as edited and send"}
          </button>{" "}
          {editing === null && (
            <button className="small secondary" disabled={busy} onClick={() => setEditing(r.text)}>
              Edit
            </button>
          )}{" "}
          <button className="small secondary" disabled={busy} onClick={() => setReturning(true)}>
            Return with a comment
          </button>
        </div>
      )}
      {returning && (
        <div className="review-actions">
          <label className="field">
            Why it goes back (the writer sees this)
            <textarea value={comment} rows={2} onChange={(e) => setComment(e.target.value)} />
          </label>
          <button
            className="small"
            disabled={busy || !comment.trim()}
            onClick={() => decide(reviewReply({ decision: "return", id, draft: r.draft, comment }))}
          >
            Return it
          </button>{" "}
          <button className="small secondary" disabled={busy} onClick={() => setReturning(false)}>
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}
