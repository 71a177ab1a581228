import { useEffect, useState } from "react";
import type { ConversationView } from "../bindings/ConversationView";
import type { Erased } from "../bindings/Erased";
import type { Found } from "../bindings/Found";
import type { Purpose } from "../bindings/Purpose";
import { contactDone, contactRecord, contactsView, setPseudonym, subjectErase, subjectExport, subjectSearch } from "../bindings/commands";
import { useLoad } from "../data";
import { asApiError, sentence } from "../errors";

/** Contact details, kept only with the service user's consent for one purpose (from a
 * conversation). Without consent nothing is kept: the form says so and offers nothing else. */
export function ContactForm({ id, line, onDone, onView }: { id: number; line: string; onDone: (message: string) => void; onView: (v: ConversationView) => void }) {
  const [form, setForm] = useState({ purpose: "literature" as Purpose, name: "", contact: "", consent: false });
  const [pseudonym, setPseudonymText] = useState("");
  const [purposes, setPurposes] = useState<Purpose[] | null>(null);
  useEffect(() => {
    contactsView()
      .then((v) => {
        setPurposes(v.purposes);
        if (v.purposes.length > 0) setForm((f) => ({ ...f, purpose: v.purposes[0] }));
      })
      .catch((err) => setError(sentence(asApiError(err).message)));
  }, []);
  const keeps = (p: Purpose) => purposes?.includes(p) ?? false;
  const [error, setError] = useState("");
  return (
    <form
      className="contact-form"
      aria-label="Keep contact details with consent"
      onSubmit={(e) => {
        e.preventDefault();
        contactRecord({ ...form, line })
          .then(() => onDone("Kept, with their consent, until that is done; then destroyed."))
          .catch((err) => setError(sentence(asApiError(err).message)));
      }}
    >
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {purposes !== null && purposes.length === 0 && <p className="muted">This helpline's policy keeps no contact details.</p>}
      {purposes !== null && purposes.length > 0 && (
        <>
          <fieldset>
            <legend>For</legend>
            {keeps("literature") && (
              <label className="inline">
                <input type="radio" name="purpose" checked={form.purpose === "literature"} onChange={() => setForm({ ...form, purpose: "literature" })} /> Sending
                literature (destroyed once sent)
              </label>
            )}
            {keeps("feedback") && (
              <label className="inline">
                <input type="radio" name="purpose" checked={form.purpose === "feedback"} onChange={() => setForm({ ...form, purpose: "feedback" })} /> A feedback
                call (destroyed once made)
              </label>
            )}
          </fieldset>
      {purposes !== null && purposes.length > 0 && (
        <>
          <label>
            Name
            <input name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </label>
          <label>
            Address or number
            <input name="contact" value={form.contact} onChange={(e) => setForm({ ...form, contact: e.target.value })} />
          </label>
        </>
      )}
          <label className="inline">
            <input type="checkbox" name="consent" checked={form.consent} onChange={(e) => setForm({ ...form, consent: e.target.checked })} /> They agreed to us
            keeping this, for this purpose only
          </label>
        </>
      )}
      {!form.consent && (
        <p className="inline">
          Without their consent keep nothing of them; they can be known by a pseudonym instead:{" "}
          <input name="pseudonym" aria-label="Pseudonym" value={pseudonym} onChange={(e) => setPseudonymText(e.target.value)} />{" "}
          <button
            type="button"
            className="small secondary"
            disabled={!pseudonym.trim()}
            onClick={() =>
              setPseudonym({ id, pseudonym })
                .then((v) => {
                  onView(v);
                  onDone(`Known here as ${pseudonym.trim()}; nothing else is kept.`);
                })
                .catch((err) => setError(sentence(asApiError(err).message)))
            }
          >
            Use this pseudonym
          </button>
        </p>
      )}
      {purposes !== null && purposes.length > 0 && (
        <button type="submit" disabled={!form.consent}>
          Keep contact details
        </button>
      )}
    </form>
  );
}

/** Contact details kept with consent (done when sent or called), anonymised feedback, and, for
 * managers, subject access: find, export and erase what is held about a person. */
export function People({ manager, onClose }: { manager: boolean; onClose: () => void }) {
  const contacts = useLoad(contactsView, []);
  const view = contacts.data ?? null;
  const setView = contacts.set;
  const [failed, setError] = useState("");
  const error = failed || contacts.error;
  const [feedback, setFeedback] = useState<Record<string, string>>({});
  const fail = (e: unknown) => setError(sentence(asApiError(e).message));
  return (
    <section className="people" aria-labelledby="people-title">
      <h2 id="people-title">Contacts and subject access</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <h3>Contact details kept with consent</h3>
      {view && view.contacts.length === 0 && <p className="empty">None.</p>}
      <ul className="contacts">
        {view?.contacts.map((k) => (
          <li key={k.id}>
            <strong>{k.contact.name}</strong>, {k.contact.contact} · {k.contact.purpose === "literature" ? "to send literature" : "for a feedback call"}{" "}
            {k.contact.purpose === "feedback" && (
              <input
                aria-label="What they said (kept anonymised)"
                placeholder="What they said (kept anonymised)"
                value={feedback[k.id] ?? ""}
                onChange={(e) => setFeedback({ ...feedback, [k.id]: e.target.value })}
              />
            )}{" "}
            <button className="small secondary" onClick={() => contactDone({ id: k.id, feedback: feedback[k.id] ?? null }).then(setView).catch(fail)}>
              {k.contact.purpose === "literature" ? "Literature sent" : "Call made"}
            </button>
          </li>
        ))}
      </ul>
      {view && view.feedback.length > 0 && (
        <>
          <h3>Feedback (anonymised)</h3>
          <ul>
            {view.feedback.map((f, i) => (
              <li key={i}>
                {f.month}: {f.text}
              </li>
            ))}
          </ul>
        </>
      )}
      {manager && <SubjectAccess onError={fail} />}
      <button onClick={onClose}>Close</button>
    </section>
  );
}

function SubjectAccess({ onError }: { onError: (e: unknown) => void }) {
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<Found | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [status, setStatus] = useState("");
  const [erased, setErased] = useState<Erased | null>(null);
  return (
    <div className="subject-access">
      <h3>Subject access</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setErased(null);
          setConfirm(false);
          subjectSearch({ query }).then(setFound).catch(onError);
        }}
      >
        <label className="inline">
          Address, name or pseudonym <input name="query" value={query} onChange={(e) => setQuery(e.target.value)} />
        </label>{" "}
        <button type="submit">Find</button>
      </form>
      {found && (
        <div>
          <p role="status">
            {found.conversations.length} conversation{found.conversations.length === 1 ? "" : "s"} and {found.records.length} other record
            {found.records.length === 1 ? "" : "s"} mention them.
          </p>
          <ul>
            {found.conversations.map((c) => (
              <li key={c.id}>
                {c.channel}: {c.subject || "(no subject)"} with {c.correspondent}, {c.messages.length} message{c.messages.length === 1 ? "" : "s"}
              </li>
            ))}
            {found.records.map((r) => (
              <li key={r.id}>{r.class.replace(/_/g, " ")}</li>
            ))}
          </ul>
          <button
            className="secondary"
            onClick={() =>
              subjectExport({ query })
                .then((o) => setStatus(o.saved_as ? `Saved as ${o.saved_as}.` : ""))
                .catch(onError)
            }
          >
            Export for them…
          </button>{" "}
          {!confirm ? (
            <button className="secondary" onClick={() => setConfirm(true)}>
              Erase all of this…
            </button>
          ) : (
            <button
              onClick={() =>
                subjectErase({ query })
                  .then((r) => {
                    setErased(r);
                    setFound(null);
                  })
                  .catch(onError)
              }
            >
              Erase everywhere, for good
            </button>
          )}{" "}
          {status && <span role="status">{status}</span>}
        </div>
      )}
      {erased && (
        <p role="status">
          Erased: {erased.conversations} conversation{erased.conversations === 1 ? "" : "s"} ({erased.server_messages} on the server,{" "}
          {erased.local_messages} on this computer) and {erased.records} record{erased.records === 1 ? "" : "s"}.
        </p>
      )}
    </div>
  );
}
