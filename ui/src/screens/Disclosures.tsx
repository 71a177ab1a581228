import { useState } from "react";
import type { Agency } from "../bindings/Agency";
import type { ExceptionCategory } from "../bindings/ExceptionCategory";
import type { Member } from "../bindings/Member";
import type { DisclosureOutcome as Outcome } from "../bindings/DisclosureOutcome";
import { caseRecordCreate, caseRecordsView, disclosureRecord, disclosureReview, disclosuresView, teamView } from "../bindings/commands";
import { useLoad } from "../data";
import { asApiError, sentence } from "../errors";

const AGENCIES: { id: Agency; label: string }[] = [
  { id: "emergency_services", label: "Emergency services" },
  { id: "police", label: "Police" },
  { id: "social_services", label: "Social services" },
  { id: "partner", label: "Partner" },
  { id: "other", label: "Someone else" },
];

const OUTCOMES: { id: Outcome; label: string }[] = [
  { id: "sound", label: "Sound, and handled as the policy asks" },
  { id: "sound_with_lessons", label: "Sound, with lessons for supervision" },
  { id: "not_sound", label: "Not as the policy asks: to be taken further" },
];

/** Recording a decision to break confidentiality, from a conversation (POLICIES.md section 3).
 * The report is sealed to the managers; the advisor cannot read it back. */
export function DisclosureForm({ line, exceptions, onDone }: { line: string; exceptions: ExceptionCategory[]; onDone: (message: string) => void }) {
  const team = useLoad(teamView, []);
  const members: Member[] = team.data?.directory.members ?? [];
  const me = members.find((m) => team.data?.fingerprints[m.signing_key] === team.data?.my_fingerprint)?.signing_key ?? "";
  const [form, setForm] = useState({ category: exceptions[0]?.id ?? "", disclosed: "", why: "", manager: "", told: "told", toldWhy: "" });
  const [others, setOthers] = useState<Record<string, boolean>>({});
  const [shared, setShared] = useState<{ with: Agency; what: string }[]>([{ with: "emergency_services", what: "" }]);
  const [failed, setError] = useState("");
  const error = failed || team.error;
  const [busy, setBusy] = useState(false);
  const managers = members.filter((m) => m.role === "manager" && m.signing_key !== me);
  const colleagues = members.filter((m) => m.signing_key !== me && m.signing_key !== form.manager);
  const submit = () => {
    setBusy(true);
    setError("");
    const user_told = form.told === "told" ? { kind: "told" as const } : { kind: form.told as "not_possible" | "not_safe", why: form.toldWhy };
    disclosureRecord({
      line,
      category: form.category,
      disclosed: form.disclosed,
      why: form.why,
      manager_consulted: form.manager || null,
      others_consulted: Object.entries(others)
        .filter(([, sound]) => sound !== undefined)
        .map(([key, sound]) => ({ key, sound_judgement: sound })),
      user_told,
      shared: shared.filter((s) => s.what.trim()),
    })
      .then(() => onDone("The disclosure decision is recorded, sealed to the managers, and awaits review by someone not involved."))
      .catch((e) => setError(sentence(asApiError(e).message)))
      .finally(() => setBusy(false));
  };
  return (
    <form
      className="disclosure-form"
      aria-label="Record a disclosure decision"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h3>Record a disclosure decision</h3>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <label>
        Exception
        <select name="category" value={form.category} onChange={(e) => setForm({ ...form, category: e.target.value })}>
          {exceptions.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        What was disclosed
        <textarea name="disclosed" rows={3} value={form.disclosed} onChange={(e) => setForm({ ...form, disclosed: e.target.value })} />
      </label>
      <label>
        Why
        <textarea name="why" rows={2} value={form.why} onChange={(e) => setForm({ ...form, why: e.target.value })} />
      </label>
      <label>
        Manager consulted before deciding
        <select name="manager" value={form.manager} onChange={(e) => setForm({ ...form, manager: e.target.value })}>
          <option value="">(none)</option>
          {managers.map((m) => (
            <option key={m.signing_key} value={m.signing_key}>
              {m.name}
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>Other colleagues consulted</legend>
        {colleagues.map((m) => (
          <p key={m.signing_key} className="inline">
            <label>
              <input
                type="checkbox"
                checked={m.signing_key in others}
                onChange={(e) =>
                  setOthers((o) => {
                    const next = { ...o };
                    if (e.target.checked) next[m.signing_key] = false;
                    else delete next[m.signing_key];
                    return next;
                  })
                }
              />{" "}
              {m.name}
            </label>
            {m.signing_key in others && (
              <label>
                {" "}
                <input type="checkbox" checked={others[m.signing_key]} onChange={(e) => setOthers({ ...others, [m.signing_key]: e.target.checked })} /> declares
                they have not consumed alcohol and can judge soundly
              </label>
            )}
          </p>
        ))}
      </fieldset>
      <fieldset>
        <legend>Was the service user told sharing was being considered?</legend>
        {[
          ["told", "Yes"],
          ["not_possible", "No: it was not possible"],
          ["not_safe", "No: it was not safe"],
        ].map(([id, label]) => (
          <label key={id} className="inline">
            <input type="radio" name="told" checked={form.told === id} onChange={() => setForm({ ...form, told: id })} /> {label}
          </label>
        ))}
        {form.told !== "told" && (
          <label>
            Why
            <input name="toldWhy" value={form.toldWhy} onChange={(e) => setForm({ ...form, toldWhy: e.target.value })} />
          </label>
        )}
      </fieldset>
      <fieldset>
        <legend>What was shared, with whom</legend>
        {shared.map((s, i) => (
          <p key={i} className="inline">
            <select value={s.with} onChange={(e) => setShared(shared.map((x, j) => (j === i ? { ...x, with: e.target.value as Agency } : x)))} aria-label="With">
              {AGENCIES.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.label}
                </option>
              ))}
            </select>{" "}
            <input aria-label="What was shared" value={s.what} onChange={(e) => setShared(shared.map((x, j) => (j === i ? { ...x, what: e.target.value } : x)))} />
          </p>
        ))}
        <button type="button" className="small secondary" onClick={() => setShared([...shared, { with: "police", what: "" }])}>
          Add another
        </button>
      </fieldset>
      <button type="submit" disabled={busy}>
        {busy ? "Recording…" : "Record decision"}
      </button>
    </form>
  );
}

/** Incidents for managers and team leaders: those awaiting review first. Someone involved in an
 * incident cannot review it (the app says so). Reports go at the preset's period; the
 * anonymous summary and its review stay. */
export function Disclosures({ exceptions, lineName, onClose }: { exceptions: ExceptionCategory[]; lineName: (id: string) => string; onClose: () => void }) {
  const loaded = useLoad(disclosuresView, []);
  const view = loaded.data ?? null;
  const setView = loaded.set;
  const [failed, setError] = useState("");
  const error = failed || loaded.error;
  const [reviewing, setReviewing] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>("sound");
  const [comment, setComment] = useState("");
  const fail = (e: unknown) => setError(sentence(asApiError(e).message));
  if (!view) return <p className="empty">{error || "Opening…"}</p>;
  const label = (id: string) => exceptions.find((c) => c.id === id)?.label ?? id;
  return (
    <section className="disclosures" aria-labelledby="disclosures-title">
      <h2 id="disclosures-title">Disclosure decisions</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="status" role="status">
        {view.awaiting_review.length === 0 ? "No incident awaits review." : `${view.awaiting_review.length} awaiting review.`}
      </p>
      <ul className="incidents">
        {view.summaries.map((s) => {
          const report = view.reports.find((r) => r.id === s.id);
          const review = view.reviews.find((r) => r.disclosure === s.id);
          return (
            <li key={s.id} className="incident">
              <p>
                <strong>{label(s.category)}</strong> · {lineName(s.line)} · {s.month} · shared with {s.agencies.join(", ").replace(/_/g, " ") || "no one"} · service
                user {s.user_told.replace(/_/g, " ")}
              </p>
              {report ? (
                <div className="report">
                  <p>Disclosed: {report.disclosed}</p>
                  <p>Why: {report.why}</p>
                  <p className="muted">
                    Decided by {report.decided_by.name}
                    {report.manager_consulted ? `, consulting ${report.manager_consulted.name}` : ""}
                    {report.others_consulted.length > 0 ? ` and ${report.others_consulted.map((o) => o.name).join(", ")}` : ""}.
                  </p>
                </div>
              ) : (
                <p className="muted">The report's identifying details have been destroyed; this anonymous report remains.</p>
              )}
              {review ? (
                <p className="muted">
                  Reviewed by {review.reviewer.name}: {OUTCOMES.find((o) => o.id === review.outcome)?.label}. {review.comment}
                </p>
              ) : reviewing === s.id ? (
                <div className="review-form">
                  {OUTCOMES.map((o) => (
                    <label key={o.id} className="inline">
                      <input type="radio" name="outcome" checked={outcome === o.id} onChange={() => setOutcome(o.id)} /> {o.label}
                    </label>
                  ))}
                  <label>
                    Comment
                    <textarea rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
                  </label>
                  <button
                    onClick={() =>
                      disclosureReview({ id: s.id, outcome, comment })
                        .then((v) => {
                          setView(v);
                          setReviewing(null);
                          setComment("");
                          setError("");
                        })
                        .catch(fail)
                    }
                  >
                    Keep review
                  </button>
                </div>
              ) : (
                <button className="small secondary" onClick={() => setReviewing(s.id)}>
                  Review
                </button>
              )}
            </li>
          );
        })}
      </ul>
      <CaseRecords lineName={lineName} />
      <button onClick={onClose}>Close</button>
    </section>
  );
}

/** A case record (a referral, a complaint, a child-protection disclosure: the kinds the policy
 * keeps), from a conversation. Sealed to the kind's readers; kept for its own period. */
export function CaseRecordForm({ line, onDone }: { line: string; onDone: (message: string) => void }) {
  const loaded = useLoad(caseRecordsView, []);
  const view = loaded.data ?? null;
  const [form, setForm] = useState({ class: "", text: "" });
  const [failed, setError] = useState("");
  const error = failed || loaded.error;
  // The first kind is chosen once the kinds are known.
  const kind = form.class || (view?.classes[0]?.[0] ?? "");
  if (view && view.classes.length === 0) return <p className="muted">This policy keeps no case records.</p>;
  return (
    <form
      className="case-form"
      aria-label="Add a case record"
      onSubmit={(e) => {
        e.preventDefault();
        caseRecordCreate({ class: kind, line, text: form.text })
          .then(() => onDone("The record is kept, sealed to those the policy lets read it."))
          .catch((err) => setError(sentence(asApiError(err).message)));
      }}
    >
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <label>
        Kind of record
        <select name="class" value={kind} onChange={(e) => setForm({ ...form, class: e.target.value })}>
          {view?.classes.map(([id, label]) => (
            <option key={id} value={id}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Record
        <textarea name="text" rows={4} value={form.text} onChange={(e) => setForm({ ...form, text: e.target.value })} />
      </label>
      <button type="submit">Keep record</button>
    </form>
  );
}

/** The case records this person may read (managers), oldest first. */
export function CaseRecords({ lineName }: { lineName: (id: string) => string }) {
  const view = useLoad(caseRecordsView, []).data;
  if (!view || view.records.length === 0) return null;
  const label = (id: string) => view.classes.find(([c]) => c === id)?.[1] ?? id;
  return (
    <div className="case-records">
      <h3>Case records</h3>
      <ul>
        {view.records.map((r, i) => (
          <li key={i}>
            <strong>{label(r.class)}</strong> · {lineName(r.line)} · {r.by}, {new Date(r.at * 1000).toLocaleDateString()}
            <p>{r.text}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}
