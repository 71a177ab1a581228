import { useCallback, useEffect, useState } from "react";
import { onRetentionFailed, onRetentionProgress, onRetentionReport } from "../bindings/events";
import type { Export } from "../bindings/Export";
import type { Progress } from "../bindings/Progress";
import type { RetentionReport } from "../bindings/RetentionReport";
import { auditTeam, auditView, exportRecords, recordsView, retentionRunNow } from "../bindings/commands";
import { useLoad } from "../data";
import { asApiError, sentence } from "../errors";

const ACTIONS: Record<string, string> = {
  run: "Retention run",
  run_incomplete: "Retention run (incomplete)",
  expired: "Expired and destroyed",
  held: "Kept: on legal hold",
  guard_moved: "Moved by the sent-folder guard",
};

/** What a finished run did, in a sentence. */
function runSummary(r: RetentionReport): string {
  const removed = r.expired_messages + r.records_removed + r.chats_removed + r.personal_messages_removed;
  const done = removed === 0 ? "Retention ran: nothing had expired." : `Retention ran: ${removed} expired item${removed === 1 ? "" : "s"} destroyed.`;
  const held = r.held_conversations > 0 ? ` ${r.held_conversations} kept on legal hold.` : "";
  return [done + held, ...r.problems].join(" ");
}

const day = (t: number | null) => (t === null ? "" : new Date(t * 1000).toLocaleDateString("en-GB"));

/** A manager's view of retention: what each run destroyed, the anonymous statistics, the holds. */
export function Records({ onClose, onOpen, names }: { onClose: () => void; onOpen: (conversationId: number) => void; names: Record<string, string> }) {
  const records = useLoad(recordsView, []);
  const view = records.data;
  const reloadRecords = records.reload;
  const auditLog = useLoad(auditView, []);
  const audit = auditLog.data;
  const teamLog = useLoad(auditTeam, []);
  const team = teamLog.data;
  const teamStatus = teamLog.loading
    ? "Checking the team's log on the server…"
    : teamLog.error && `The team's log on the server was not checked: ${teamLog.error}`;
  const [saved, setStatus] = useState("");
  const status = saved || records.error || auditLog.error;

  // A run started here, or by the schedule while the panel is open: its steps, as it goes.
  const [run, setRun] = useState<{ progress: Progress | null; message: string; running: boolean }>({ progress: null, message: "", running: false });
  useEffect(() => {
    const stepped = onRetentionProgress((e) => setRun((r) => ({ ...r, progress: e.payload, running: true })));
    const finished = onRetentionReport((e) => {
      setRun({ progress: null, message: runSummary(e.payload), running: false });
      reloadRecords();
    });
    const failed = onRetentionFailed((e) => setRun({ progress: null, message: sentence(e.payload), running: false }));
    return () => {
      stepped.then((f) => f());
      finished.then((f) => f());
      failed.then((f) => f());
    };
  }, [reloadRecords]);
  const runNow = useCallback(() => {
    setRun({ progress: null, message: "", running: true });
    retentionRunNow().catch((e) => setRun({ progress: null, message: sentence(asApiError(e).message), running: false }));
  }, []);

  const save = (what: Export) => {
    setStatus("Choose where to save the file…");
    exportRecords({ what })
      .then((r) => setStatus(r.saved_as ? `Saved as ${r.saved_as}.` : "Not saved."))
      .catch((e) => setStatus(sentence(asApiError(e).message)));
  };

  return (
    <article className="records" aria-labelledby="records-title">
      <h2 id="records-title">Retention record and statistics</h2>
      <p className="muted">Counts and places only: nothing here names anyone or quotes a message.</p>
      <p role="status" aria-live="polite">
        {status}
      </p>
      {view && (
        <>
          <section aria-labelledby="holds-title">
            <h3 id="holds-title">Legal holds</h3>
            {view.holds.length === 0 ? (
              <p className="muted">No conversation is on hold.</p>
            ) : (
              <ul className="holds">
                {view.holds.map((h) => (
                  <li key={h.conversation_id}>
                    Held since {day(h.held_at)}: {h.reason}{" "}
                    <button className="link" onClick={() => onOpen(h.conversation_id)}>
                      Open the conversation
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="run-title">
            <h3 id="run-title">Run retention now</h3>
            <p className="muted">It runs on its own every six hours. A run destroys only what the policy says has expired.</p>
            <button onClick={runNow} disabled={run.running}>
              Run retention now
            </button>
            <p className="retention-run" role="status" aria-live="polite">
              {run.running ? (run.progress ? `Step ${run.progress.step} of ${run.progress.of}: ${run.progress.doing}…` : "Starting…") : run.message}
            </p>
            {run.running && run.progress && <progress max={run.progress.of} value={run.progress.step - 1} aria-label="Retention progress" />}
          </section>
          <section aria-labelledby="record-title">
            <h3 id="record-title">
              Retention record{" "}
              <button className="small secondary" onClick={() => save("record")}>
                Export as CSV
              </button>
            </h3>
            {view.entries.length === 0 ? (
              <p className="muted">Retention has not run on this desktop yet.</p>
            ) : (
              <table className="record-table">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">What</th>
                    <th scope="col">Class</th>
                    <th scope="col">Where</th>
                    <th scope="col">Count</th>
                    <th scope="col">Dated</th>
                  </tr>
                </thead>
                <tbody>
                  {view.entries.map((e, i) => (
                    <tr key={i}>
                      <td>{new Date(e.at * 1000).toLocaleString("en-GB")}</td>
                      <td>{ACTIONS[e.action] ?? e.action}</td>
                      <td>{e.record_class ?? ""}</td>
                      <td>{[e.from_place, e.to_place].filter(Boolean).join(" → ")}</td>
                      <td>{e.count}</td>
                      <td>{e.oldest !== null ? `${day(e.oldest)} to ${day(e.newest)}` : ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="stats-title">
            <h3 id="stats-title">
              Statistics{" "}
              <button className="small secondary" onClick={() => save("statistics")}>
                Export as CSV
              </button>
            </h3>
            {view.statistics.length === 0 ? (
              <p className="muted">Nothing has been destroyed yet, so nothing has been counted.</p>
            ) : (
              <table className="stats-table">
                <thead>
                  <tr>
                    <th scope="col">Month</th>
                    <th scope="col">Channel</th>
                    <th scope="col">Line</th>
                    <th scope="col">Category</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Conversations</th>
                  </tr>
                </thead>
                <tbody>
                  {view.statistics.map((r) => (
                    <tr key={`${r.month} ${r.channel} ${r.line_id} ${r.category} ${r.outcome}`}>
                      <td>{r.month}</td>
                      <td>{r.channel}</td>
                      <td>{r.line_id}</td>
                      <td>{r.category}</td>
                      <td>{r.outcome}</td>
                      <td>{r.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
      {audit && (
        <section className="audit" aria-labelledby="audit-title">
          <h3 id="audit-title">Audit log</h3>
          {audit.check.problem ? (
            <p className="error" role="alert">
              The audit log has been tampered with: {audit.check.problem}.
            </p>
          ) : (
            <p role="status">All {audit.check.entries} entries verified: none changed, removed or added out of turn.</p>
          )}
          <p className="muted">{teamStatus}</p>
          {team &&
            (team.problems.length > 0 ? (
              <div className="error" role="alert">
                <p>The team's log on the server has been tampered with:</p>
                <ul>
                  {team.problems.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              </div>
            ) : (
              <p role="status" className="team-audit">
                The team's log on the server: {team.entries} entries by {team.authors} {team.authors === 1 ? "person" : "people"}, all verified.
                {team.unreadable > 0 && ` ${team.unreadable} earlier batches were sealed before you joined and cannot be opened with your key.`}
              </p>
            ))}
          <table className="audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Record</th>
              </tr>
            </thead>
            <tbody>
              {audit.entries.map((e) => (
                <tr key={e.seq}>
                  <td>{new Date(e.at * 1000).toLocaleString("en-GB")}</td>
                  <td>{names[e.actor] ?? `key ${e.actor.slice(0, 8)}`}</td>
                  <td>{e.action}</td>
                  <td>{e.record}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <button className="secondary" onClick={onClose}>
        Close
      </button>
    </article>
  );
}
