import { onLettersDropped, onLettersProgress, onLettersWaiting } from "../bindings/events";
import { useEffect, useState } from "react";
import type { Imported } from "../bindings/Imported";
import type { LetterView } from "../bindings/LetterView";
import type { LettersState } from "../bindings/LettersState";
import type { OfferedFile } from "../bindings/OfferedFile";
import type { Progress } from "../bindings/Progress";
import {
  letterOriginalDestroyed,
  letterPage,
  letterRespond,
  lettersChooseScanner,
  lettersImport,
  lettersPick,
  lettersState,
} from "../bindings/commands";
import { useLoad } from "../data";
import { asApiError, sentence } from "../errors";

type Line = { id: string; name: string };

const today = () => new Date().toISOString().slice(0, 10);

/** Postal letters: team leaders scan them in; the management team reads them and keeps
 * responses with them. Files come from the scanner's folder, the system's dialog, or a drop on
 * the window; the app removes them from this computer once the letter is on the server. */
export function Letters({ lines, onClose }: { lines: Line[]; onClose: () => void }) {
  const letters = useLoad(lettersState, []);
  const state = letters.data ?? null;
  const setState = letters.set;
  const [failed, setError] = useState("");
  const error = failed || letters.error;
  const [extra, setExtra] = useState<OfferedFile[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const fail = (e: unknown) => setError(sentence(asApiError(e).message));
  const reload = letters.reload;

  useEffect(() => {
    const offWaiting = onLettersWaiting(() => reload());
    const offDropped = onLettersDropped((e) => setExtra((x) => [...x, ...e.payload.filter((f) => !x.some((y) => y.id === f.id))]));
    return () => {
      offWaiting.then((f) => f());
      offDropped.then((f) => f());
    };
  }, [reload]);

  if (!state) return <p className="empty">{error || "Opening letters…"}</p>;
  const lineName = (id: string) => lines.find((l) => l.id === id)?.name ?? id;
  const letter = state.letters.find((l) => l.reference === open) ?? null;
  return (
    <section className="letters" aria-labelledby="letters-title">
      <h2 id="letters-title">Letters</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {state.can_import && (
        <ImportLetter
          state={state}
          extra={extra}
          lines={lines}
          onPick={() => lettersPick().then((files) => setExtra((x) => [...x, ...files.filter((f) => !x.some((y) => y.id === f.id))])).catch(fail)}
          onScanner={() => lettersChooseScanner().then(setState).catch(fail)}
          onImported={() => {
            setExtra([]);
            reload();
          }}
          onError={fail}
        />
      )}
      {letter ? (
        <OpenLetter letter={letter} lineName={lineName} onBack={() => setOpen(null)} onState={setState} onError={fail} />
      ) : (
        <LetterList letters={state.letters} lineName={lineName} onOpen={setOpen} />
      )}
      <button onClick={onClose}>Close</button>
    </section>
  );
}

function ImportLetter({
  state,
  extra,
  lines,
  onPick,
  onScanner,
  onImported,
  onError,
}: {
  state: LettersState;
  extra: OfferedFile[];
  lines: Line[];
  onPick: () => void;
  onScanner: () => void;
  onImported: () => void;
  onError: (e: unknown) => void;
}) {
  const files = [...state.waiting, ...extra];
  const [chosen, setChosen] = useState<string[]>([]);
  const [form, setForm] = useState({ line: lines[0]?.id ?? "", received_on: today(), summary: "", original_destroyed: false, remove: true });
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Imported | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  useEffect(() => {
    const off = onLettersProgress((e) => setProgress(e.payload));
    return () => {
      off.then((f) => f());
    };
  }, []);
  const toggle = (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));
  const submit = () => {
    setBusy(true);
    setDone(null);
    const { remove, ...details } = form;
    lettersImport({ details, files: chosen, remove })
      .then((r) => {
        setDone(r);
        setChosen([]);
        setForm((f) => ({ ...f, summary: "", original_destroyed: false }));
        onImported();
      })
      .catch(onError)
      .finally(() => {
        setBusy(false);
        setProgress(null);
      });
  };
  return (
    <form
      className="letter-import"
      aria-label="Scan a letter in"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h3>Scan a letter in</h3>
      <p className="muted">
        Scanner folder: {state.scanner_folder ?? "not set"}{" "}
        <button type="button" className="small secondary" onClick={onScanner}>
          {state.scanner_folder ? "Change" : "Choose"}
        </button>{" "}
        <button type="button" className="small secondary" onClick={onPick}>
          Choose files…
        </button>{" "}
        or drop scans on this window.
      </p>
      {files.length === 0 ? (
        <p className="empty">No scans waiting.</p>
      ) : (
        <fieldset className="scan-files">
          <legend>Pages of this letter, in order</legend>
          {files.map((f) => (
            <label key={f.id} className="inline">
              <input type="checkbox" checked={chosen.includes(f.id)} onChange={() => toggle(f.id)} /> {f.name}
              {f.from_scanner ? " (scanner)" : ""}
            </label>
          ))}
        </fieldset>
      )}
      <label className="inline">
        Service line{" "}
        <select value={form.line} onChange={(e) => setForm({ ...form, line: e.target.value })}>
          {lines.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      </label>
      <label className="inline">
        Arrived on <input type="date" value={form.received_on} max={today()} onChange={(e) => setForm({ ...form, received_on: e.target.value })} />
      </label>
      <label>
        Summary (no names or addresses)
        <input name="summary" value={form.summary} maxLength={200} onChange={(e) => setForm({ ...form, summary: e.target.value })} required />
      </label>
      <label className="inline">
        <input type="checkbox" name="original_destroyed" checked={form.original_destroyed} onChange={(e) => setForm({ ...form, original_destroyed: e.target.checked })} /> The paper
        original has been destroyed
      </label>
      <label className="inline">
        <input type="checkbox" checked={form.remove} onChange={(e) => setForm({ ...form, remove: e.target.checked })} /> Remove the scanned files from this
        computer once imported
      </label>
      <button type="submit" disabled={busy || chosen.length === 0}>
        {busy ? "Importing…" : "Import letter"}
      </button>
      {busy && progress && (
        <p className="status" role="status" aria-live="polite">
          {progress.doing}…
          <progress max={progress.of} value={progress.step - 1} aria-label="Import progress" />
        </p>
      )}
      {done && (
        <p className="status" role="status">
          Letter {done.reference} is on the server, readable by the management team only.
          {done.removed.length > 0 && ` Removed from this computer: ${done.removed.join(", ")}.`}
          {done.problems.length > 0 && ` Remove by hand: ${done.problems.join("; ")}.`}
        </p>
      )}
    </form>
  );
}

function LetterList({ letters, lineName, onOpen }: { letters: LetterView[]; lineName: (id: string) => string; onOpen: (r: string) => void }) {
  if (letters.length === 0) return <p className="empty">No letters you may read.</p>;
  return (
    <table className="letter-table">
      <thead>
        <tr>
          <th>Reference</th>
          <th>Line</th>
          <th>Arrived</th>
          <th>Summary</th>
          <th>Pages</th>
          <th>Responses</th>
        </tr>
      </thead>
      <tbody>
        {letters.map((l) => (
          <tr key={l.reference}>
            <td>
              <button className="small secondary" onClick={() => onOpen(l.reference)}>
                {l.reference}
              </button>
            </td>
            <td>{lineName(l.line)}</td>
            <td>{l.received_on}</td>
            <td>{l.summary}</td>
            <td>{l.scans.reduce((n, s) => n + s.pages, 0)}</td>
            <td>{l.responses.length}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function OpenLetter({
  letter,
  lineName,
  onBack,
  onState,
  onError,
}: {
  letter: LetterView;
  lineName: (id: string) => string;
  onBack: () => void;
  onState: (s: LettersState) => void;
  onError: (e: unknown) => void;
}) {
  const pages = letter.scans.flatMap((s) => Array.from({ length: s.pages }, (_, i) => ({ scan: s.record, index: i })));
  const [shown, setShown] = useState<Record<string, string>>({});
  const [reply, setReply] = useState("");
  useEffect(() => {
    // One page at a time, in order: each is drawn on demand and never saved.
    let cancelled = false;
    (async () => {
      for (const p of pages) {
        if (cancelled) return;
        try {
          const url = await letterPage({ reference: letter.reference, scan: p.scan, index: p.index });
          if (!cancelled) setShown((s) => ({ ...s, [`${p.scan}:${p.index}`]: url }));
        } catch (e) {
          onError(e);
          return;
        }
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [letter.reference]);
  return (
    <article className="letter" aria-labelledby="letter-title">
      <button className="small secondary" onClick={onBack}>
        Back to letters
      </button>
      <h3 id="letter-title">
        {letter.reference} · {lineName(letter.line)}
      </h3>
      <p className="muted">
        Arrived {letter.received_on} · scanned in by {letter.imported_by} · {letter.summary}
      </p>
      <p className="muted">
        {letter.original_destroyed
          ? `Paper original destroyed, recorded by ${letter.original_destroyed[0]} on ${new Date(letter.original_destroyed[1] * 1000).toLocaleDateString()}.`
          : "The paper original has not been recorded as destroyed."}{" "}
        {!letter.original_destroyed && (
          <button className="small secondary" onClick={() => letterOriginalDestroyed({ reference: letter.reference, line: letter.line }).then(onState).catch(onError)}>
            Record it destroyed
          </button>
        )}
      </p>
      <div className="letter-pages">
        {pages.map((p, i) => {
          const url = shown[`${p.scan}:${p.index}`];
          return url ? <img key={i} src={url} alt={`Page ${i + 1} of ${pages.length}`} /> : <p key={i} className="muted">Drawing page {i + 1}…</p>;
        })}
      </div>
      <h4>Responses</h4>
      {letter.responses.length === 0 && <p className="empty">No response kept yet.</p>}
      {letter.responses.map((r, i) => (
        <blockquote key={i} className="letter-response">
          <p>{r.text}</p>
          <footer className="muted">
            {r.by}, {new Date(r.at * 1000).toLocaleString()}
          </footer>
        </blockquote>
      ))}
      <label>
        Response (kept with the letter, for printing and posting)
        <textarea value={reply} onChange={(e) => setReply(e.target.value)} rows={6} />
      </label>
      <button
        disabled={!reply.trim()}
        onClick={() =>
          letterRespond({ reference: letter.reference, text: reply })
            .then((s) => {
              setReply("");
              onState(s);
            })
            .catch(onError)
        }
      >
        Keep response
      </button>
    </article>
  );
}
