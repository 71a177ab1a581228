import { useState } from "react";
import type { ConversationView } from "../../bindings/ConversationView";
import { addNote } from "../../bindings/commands";
import { asApiError, sentence } from "../../errors";

type Props = {
  view: ConversationView;
  /** Colleagues' names by key, from the team directory. */
  names: Record<string, string>;
  onView: (v: ConversationView) => void;
  /** A live chat: its notes go with its transcript, and a mention tells no one. */
  chat?: boolean;
};

/** The line's internal notes on a conversation, and a box to add one: for colleagues only,
 * never sent to the service user. */
export function Notes({ view, names, onView, chat = false }: Props) {
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  const [saving, setSaving] = useState(false);
  const add = () => {
    setSaving(true);
    addNote({ id: view.summary.id, text })
      .then((v) => {
        setText("");
        setError("");
        onView(v);
      })
      .catch((e) => setError(sentence(asApiError(e).message)))
      .finally(() => setSaving(false));
  };
  return (
    <section className="notes" aria-labelledby="notes-title">
      <h3 id="notes-title">Notes for the team (never sent)</h3>
      {view.notes.map((n) => (
        <aside key={n.id} className="note" aria-label="Internal note">
          <p className="note-by muted">
            {n.mine ? "You" : (names[n.author] ?? "A colleague")} ·{" "}
            <time>{new Date(n.created_at * 1000).toLocaleString("en-GB")}</time>
          </p>
          <p className="note-text">{n.text}</p>
        </aside>
      ))}
      <label className="note-box">
        {chat
          ? "Add a note (never sent to the visitor; it goes with the chat's transcript, for staff on this line)"
          : "Add a note (only staff on this line see it; @name tells a colleague)"}
        <textarea value={text} rows={2} onChange={(e) => setText(e.target.value)} />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button className="small" disabled={saving || !text.trim()} onClick={add}>
        {saving ? "Adding…" : "Add note"}
      </button>
    </section>
  );
}
