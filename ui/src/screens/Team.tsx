import { useState } from "react";
import type { TeamChangeRequest } from "../bindings/TeamChangeRequest";
import type { TeamView } from "../bindings/TeamView";
import { teamChange, teamView } from "../bindings/commands";
import { useLoad } from "../data";
import { asApiError, sentence } from "../errors";

const ROLES: Record<string, string> = { advisor: "Advisor", team_leader: "Team leader", manager: "Manager" };

/** The latest agreement version a member accepted, and when; the directory is where colleagues see it. */
function accepted(view: TeamView, key: string): string {
  const mine = view.directory.acceptances.filter((a) => a.signing_key === key).sort((a, b) => b.at - a.at);
  return mine.length ? `${mine[0].version}, ${new Date(mine[0].at * 1000).toLocaleDateString("en-GB")}` : "Not recorded yet";
}

/** The team directory: who works here, their keys' fingerprints to compare, and (managers) adding and removing. */
export function Team({ onClose, lineName }: { onClose: () => void; lineName: (id: string) => string }) {
  const team = useLoad(teamView, []);
  const view = team.data ?? null;
  const setView = team.set;
  const [said, setStatus] = useState("");
  const status = said || (team.loading ? "Reading the team directory from the shared mailbox…" : team.error);
  const [card, setCard] = useState("");
  const [busy, setBusy] = useState(false);

  const change = (request: TeamChangeRequest, done: string) => {
    setBusy(true);
    teamChange(request)
      .then((v) => {
        setView(v);
        setCard("");
        setStatus(done);
      })
      .catch((e) => setStatus(sentence(asApiError(e).message)))
      .finally(() => setBusy(false));
  };


  return (
    <article className="team" aria-labelledby="team-title">
      <h2 id="team-title">Team directory</h2>
      <p role="status" aria-live="polite">
        {status}
      </p>
      {view && (
        <>
          {view.founder_fingerprint ? (
            <p className="muted">
              Founded by the manager whose key fingerprint is <code className="founder">{view.founder_fingerprint}</code>. Compare it with
              your manager's before trusting this list.
            </p>
          ) : (
            <p className="muted">The team directory has not been started yet. A manager starts it.</p>
          )}
          {view.directory.ignored.map((i) => (
            <p key={i} className="error" role="alert">
              {i}
            </p>
          ))}
          {view.directory.members.length > 0 && (
            <table className="team-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Lines</th>
                  <th scope="col">Key</th>
                  <th scope="col">Agreement</th>
                  {view.can_manage && <th scope="col"></th>}
                </tr>
              </thead>
              <tbody>
                {view.directory.members.map((m) => (
                  <tr key={m.signing_key}>
                    <td>{m.name}</td>
                    <td>
                      {ROLES[m.role] ?? m.role}
                      {m.reviewed && <span className="badge">Replies reviewed</span>}
                    </td>
                    <td>{m.role === "manager" ? "All lines" : m.lines.map(lineName).join(", ")}</td>
                    <td>
                      <code>{view.fingerprints[m.signing_key]}</code>
                    </td>
                    <td>{accepted(view, m.signing_key)}</td>
                    {view.can_manage && (
                      <td>
                        {m.role === "advisor" && (
                          <button
                            className="small secondary"
                            disabled={busy}
                            onClick={() =>
                              change(
                                { kind: "reviewed", signing_key: m.signing_key, reviewed: !m.reviewed },
                                m.reviewed
                                  ? `${m.name}'s replies now go without review.`
                                  : `${m.name}'s replies now wait for a team leader or manager to approve them.`,
                              )
                            }
                          >
                            {m.reviewed ? "End reply review" : "Review their replies"}
                          </button>
                        )}{" "}
                        {m.signing_key !== JSON.parse(view.my_card).signing_key && (
                          <button className="small secondary" disabled={busy} onClick={() => change({ kind: "remove", signing_key: m.signing_key }, `${m.name} has left the team: nothing new is encrypted to them.`)}>
                            Remove (leaver)
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {view.directory.removed.length > 0 && <p className="muted left">Left the team: {view.directory.removed.map((m) => m.name).join(", ")}.</p>}
          {view.can_manage && view.directory.members.length === 0 && (
            <button disabled={busy} onClick={() => change({ kind: "found" }, "The team directory is started, with you as its founding manager.")}>
              Start the team directory
            </button>
          )}
          {view.can_manage && view.directory.members.length > 0 && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                change({ kind: "add", card }, "Added. Their desktop will see the team on its next look.");
              }}
            >
              <label className="field">
                Add a colleague: paste the card from their Team screen
                <textarea className="card-input" rows={5} value={card} onChange={(e) => setCard(e.target.value)} />
              </label>
              <button type="submit" disabled={busy || !card.trim()}>
                Add to the team
              </button>
            </form>
          )}
          <section aria-labelledby="card-title">
            <h3 id="card-title">Your card</h3>
            <p className="muted">
              Give this to a manager to be added. Your key fingerprint is <code>{view.my_fingerprint}</code>.
            </p>
            <textarea className="my-card" readOnly rows={7} value={view.my_card} aria-labelledby="card-title" />
          </section>
        </>
      )}
      <button className="secondary" onClick={onClose}>
        Close
      </button>
    </article>
  );
}
