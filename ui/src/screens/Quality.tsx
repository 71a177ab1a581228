import { useEffect, useState } from "react";
import type { QaOverview } from "../bindings/QaOverview";
import type { Sample } from "../bindings/Sample";
import type { SampleItem } from "../bindings/SampleItem";
import { qaExport, qaOverview, qaReviewView, qaSample, qaSaveReview } from "../bindings/commands";
import { useLoad } from "../data";
import { asApiError, sentence } from "../errors";

/** The last 30 days up to today, as YYYY-MM-DD. */
function lastThirtyDays(): [string, string] {
  const now = new Date();
  const from = new Date(now.getTime() - 30 * 24 * 3600 * 1000);
  return [from.toISOString().slice(0, 10), now.toISOString().slice(0, 10)];
}

/** Quality monitoring (managers): a random sample of replies, stratified by advisor and
 * channel and reproducible from its seed; each reviewed masked against the rubric; the reviews
 * summed up per advisor for supervision. Reviews keep no content, so they outlive it. */
export function Quality({ names, onClose }: { names: Record<string, string>; onClose: () => void }) {
  const loaded = useLoad(qaOverview, []);
  const overview = loaded.data ?? null;
  const setOverview = loaded.set;
  const [sample, setSample] = useState<Sample | null>(null);
  const [open, setOpen] = useState<SampleItem | null>(null);
  const [failed, setError] = useState("");
  const error = failed || loaded.error;
  const fail = (e: unknown) => setError(sentence(asApiError(e).message));
  const advisor = (key: string) => (key ? (names[key] ?? `key ${key.slice(0, 8)}`) : "not sent from Confide");

  return (
    <section className="quality" aria-labelledby="quality-title">
      <h2 id="quality-title">Quality monitoring</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <SampleForm
        onSample={(s) => {
          setSample(s);
          setOpen(null);
          setError("");
        }}
        onError={fail}
      />
      {sample && !open && <SampleList sample={sample} advisor={advisor} reviewed={overview?.reviews.map((r) => r.key) ?? []} onOpen={setOpen} />}
      {sample && open && overview && (
        <ReviewPane
          item={open}
          seed={sample.seed}
          advisor={advisor}
          overview={overview}
          onBack={() => setOpen(null)}
          onSaved={(o) => {
            setOverview(o);
            setOpen(null);
          }}
          onError={fail}
        />
      )}
      {overview && <Summary overview={overview} advisor={advisor} onError={fail} />}
      <button onClick={onClose}>Close</button>
    </section>
  );
}

function SampleForm({ onSample, onError }: { onSample: (s: Sample) => void; onError: (e: unknown) => void }) {
  const [from, to] = lastThirtyDays();
  const [form, setForm] = useState({ from, to, email: true, webchat: true, mode: "rate", n: "5", seed: "" });
  const [busy, setBusy] = useState(false);
  const draw = () => {
    setBusy(true);
    const n = Number(form.n);
    qaSample({
      from: form.from,
      to: form.to,
      channels: [...(form.email ? ["email"] : []), ...(form.webchat ? ["webchat"] : [])],
      per_advisor_per_month: form.mode === "rate" ? n : null,
      count: form.mode === "count" ? n : null,
      seed: form.seed.trim() || null,
    })
      .then(onSample)
      .catch(onError)
      .finally(() => setBusy(false));
  };
  return (
    <form
      className="qa-sample"
      aria-label="Draw a sample"
      onSubmit={(e) => {
        e.preventDefault();
        draw();
      }}
    >
      <label className="inline">
        From <input type="date" name="from" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
      </label>{" "}
      <label className="inline">
        to <input type="date" name="to" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
      </label>
      <fieldset>
        <legend>Replies to sample</legend>
        <label className="inline">
          <input type="checkbox" checked={form.email} onChange={(e) => setForm({ ...form, email: e.target.checked })} /> Email replies
        </label>{" "}
        <label className="inline">
          <input type="checkbox" checked={form.webchat} onChange={(e) => setForm({ ...form, webchat: e.target.checked })} /> Webchats
        </label>
      </fieldset>
      <label className="inline">
        <input type="number" name="n" min={1} value={form.n} onChange={(e) => setForm({ ...form, n: e.target.value })} />{" "}
        <select value={form.mode} onChange={(e) => setForm({ ...form, mode: e.target.value })} aria-label="How the number is counted">
          <option value="rate">per advisor per month</option>
          <option value="count">in all</option>
        </select>
      </label>
      <label className="inline">
        Seed (to draw a sample again) <input name="seed" value={form.seed} onChange={(e) => setForm({ ...form, seed: e.target.value })} />
      </label>
      <button type="submit" disabled={busy}>
        {busy ? "Drawing…" : "Draw sample"}
      </button>
    </form>
  );
}

function SampleList({ sample, advisor, reviewed, onOpen }: { sample: Sample; advisor: (k: string) => string; reviewed: string[]; onOpen: (i: SampleItem) => void }) {
  return (
    <div className="qa-list">
      <p className="status" role="status">
        {sample.items.length} {sample.items.length === 1 ? "reply" : "replies"} sampled. Seed <code>{sample.seed}</code>: enter it again to draw the same sample.
      </p>
      <table className="qa-strata">
        <thead>
          <tr>
            <th>Advisor</th>
            <th>Channel</th>
            <th>Month</th>
            <th>Replies</th>
            <th>Sampled</th>
          </tr>
        </thead>
        <tbody>
          {sample.strata.map((s, i) => (
            <tr key={i}>
              <td>{advisor(s.advisor)}</td>
              <td>{s.channel}</td>
              <td>{s.month || "the period"}</td>
              <td>{s.available}</td>
              <td>{s.chosen}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ul className="qa-items">
        {sample.items.map((item) => (
          <li key={item.key}>
            {advisor(item.advisor)} · {item.channel} · {new Date(item.at * 1000).toLocaleDateString()}{" "}
            {reviewed.includes(item.key) ? (
              <span className="muted">reviewed</span>
            ) : (
              <button className="small secondary" onClick={() => onOpen(item)}>
                Review
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function ReviewPane({
  item,
  seed,
  advisor,
  overview,
  onBack,
  onSaved,
  onError,
}: {
  item: SampleItem;
  seed: string;
  advisor: (k: string) => string;
  overview: QaOverview;
  onBack: () => void;
  onSaved: (o: QaOverview) => void;
  onError: (e: unknown) => void;
}) {
  const reviewed = useLoad(() => qaReviewView({ key: item.key }), [item.key]);
  const view = reviewed.data ?? null;
  const [scores, setScores] = useState<Record<string, number>>({});
  const [comment, setComment] = useState("");
  useEffect(() => {
    if (reviewed.error) onError({ code: "other", message: reviewed.error });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [reviewed.error]);
  const complete = overview.rubric.every((c) => scores[c.id]);
  return (
    <article className="qa-review" aria-labelledby="qa-review-title">
      <button className="small secondary" onClick={onBack}>
        Back to the sample
      </button>
      <h3 id="qa-review-title">
        {advisor(item.advisor)}'s {item.channel === "webchat" ? "webchat" : "reply"}
      </h3>
      <p className="muted">Names, addresses, numbers and email addresses of the service user are hidden.</p>
      {!view ? (
        <p className="empty">Opening…</p>
      ) : (
        <div className="qa-conversation">
          <p>
            <strong>{view.subject}</strong>
          </p>
          {view.lines.map((l, i) => (
            <div key={i} className={l.sampled ? "qa-line sampled" : "qa-line"}>
              <span className="muted">{l.incoming ? "Service user" : "Helpline"}</span>
              <p>{l.text}</p>
            </div>
          ))}
        </div>
      )}
      <fieldset className="rubric">
        <legend>Score (1 poor to 5 excellent)</legend>
        {overview.rubric.map((c) => (
          <div key={c.id} className="criterion" role="radiogroup" aria-label={c.label}>
            <span>{c.label}</span>
            {[1, 2, 3, 4, 5].map((n) => (
              <label key={n} className="inline">
                <input type="radio" name={c.id} value={n} checked={scores[c.id] === n} onChange={() => setScores({ ...scores, [c.id]: n })} /> {n}
              </label>
            ))}
          </div>
        ))}
      </fieldset>
      <label>
        Comment (about the reply; nothing about the service user)
        <textarea value={comment} onChange={(e) => setComment(e.target.value)} rows={4} />
      </label>
      <button
        disabled={!complete}
        onClick={() =>
          qaSaveReview({ key: item.key, channel: item.channel, advisor: item.advisor, month: item.month, seed, scores, comment, reviewer: "", at: 0 })
            .then(onSaved)
            .catch(onError)
        }
      >
        Keep review
      </button>
    </article>
  );
}

function Summary({ overview, advisor, onError }: { overview: QaOverview; advisor: (k: string) => string; onError: (e: unknown) => void }) {
  const [saved, setSaved] = useState("");
  if (overview.summary.length === 0) return <p className="empty">No reviews yet.</p>;
  return (
    <div className="qa-summary">
      <h3>Reviews by advisor and month</h3>
      <table>
        <thead>
          <tr>
            <th>Advisor</th>
            <th>Month</th>
            <th>Reviews</th>
            {overview.rubric.map((c) => (
              <th key={c.id}>{c.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {overview.summary.map((r, i) => (
            <tr key={i}>
              <td>{advisor(r.advisor)}</td>
              <td>{r.month}</td>
              <td>{r.reviews}</td>
              {overview.rubric.map((c) => (
                <td key={c.id}>{r.means[c.id]?.toFixed(1) ?? ""}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <button
        className="secondary"
        onClick={() =>
          qaExport()
            .then((o) => setSaved(o.saved_as ? `Saved as ${o.saved_as}.` : ""))
            .catch(onError)
        }
      >
        Export for supervision
      </button>{" "}
      {saved && <span role="status">{saved}</span>}
    </div>
  );
}
