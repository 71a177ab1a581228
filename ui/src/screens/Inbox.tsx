import { useCallback, useEffect, useRef, useState } from "react";
import { onGuardReport, onInboxChanged, onRetentionReport, onSyncProgress } from "../bindings/events";
import type { AssigneeFilter } from "../bindings/AssigneeFilter";
import type { SyncProgress } from "../bindings/SyncProgress";
import type { Channel } from "../bindings/Channel";
import type { ConversationSummary } from "../bindings/ConversationSummary";
import type { StaffProfile } from "../bindings/StaffProfile";
import type { Status } from "../bindings/Status";
import { inboxPage, inboxShown, retentionStatus, syncNow, teamNames } from "../bindings/commands";
import { asApiError, sentence } from "../errors";
import { SHORTCUTS, useShortcut } from "../keys";
import { Conversation } from "./Conversation";
import { WaitingChats } from "./LiveChat";
import { ConversationList } from "./ConversationList";
import { Disclosures } from "./Disclosures";
import { Letters } from "./Letters";
import { People } from "./People";
import { Quality } from "./Quality";
import { Records } from "./Records";
import { Team } from "./Team";
import { Settings, guardSummary } from "./Settings";
import { OfflineNotice } from "./OfflineNotice";
import { SignInAgain } from "./SignInAgain";

/** How often an offline inbox asks the server again. */
const OFFLINE_RETRY_MS = 30000;

let inboxShownOnce = false;

const CHANNELS: { id: Channel | null; label: string }[] = [
  { id: null, label: "All channels" },
  { id: "email", label: "Email" },
  { id: "webchat", label: "Webchat" },
];
// Letters are not conversations: team leaders and managers have the Letters panel.

export function Inbox({ profile }: { profile: StaffProfile }) {
  const [channel, setChannel] = useState<Channel | null>(null);
  const [line, setLine] = useState<string | null>(null);
  const [status, setStatus] = useState<Status | null>(null);
  const [assignee, setAssignee] = useState<AssigneeFilter | null>(null);
  const [flagged, setFlagged] = useState<boolean | null>(null);
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  const [list, setList] = useState<{ rows: ConversationSummary[]; next: string | null; total: string; loading: boolean }>({
    rows: [],
    next: null,
    total: "",
    loading: true,
  });
  const [error, setError] = useState("");
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [panel, setPanel] = useState<"conversation" | "settings" | "records" | "team" | "letters" | "quality" | "disclosures" | "people">("conversation");
  const [guardNotice, setGuardNotice] = useState("");
  const [retention, setRetention] = useState("");
  // Colleagues' names by key, from the team directory (empty until it exists or if it cannot
  // be read: claims then show a key, as before).
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    teamNames()
      .then((t) => setNames(t.names))
      .catch(() => setNames({}));
  }, [panel]);

  const [offline, setOffline] = useState(false);
  const [signIn, setSignIn] = useState("");
  // Whether the last sync reached a shared mailbox: an empty inbox then means no mail, not no connection.
  const [connected, setConnected] = useState(false);
  const [sync, setSync] = useState<{ running: boolean; progress: SyncProgress | null; message: string }>({
    running: false,
    progress: null,
    message: "",
  });
  const [generation, setGeneration] = useState(0);

  // When the policy's expiry last ran here (the app's schedule or the headless timer).
  useEffect(() => {
    retentionStatus()
      .then((r) =>
        setRetention(
          r.last_run
            ? `Retention last ran ${new Date(r.last_run.at * 1000).toLocaleString("en-GB")}${r.last_run.action === "run" ? "" : " (incomplete; it will try again)"}.`
            : "Retention has not run on this desktop yet.",
        ),
      )
      .catch(() => setRetention(""));
  }, [generation]);

  // Typing pauses before a search runs, so each key press is not a query.
  useEffect(() => {
    const t = setTimeout(() => setSearch(typed.trim()), 250);
    return () => clearTimeout(t);
  }, [typed]);

  const filter = { channel, line_id: line, status, assignee, flagged, search: search || null, limit: 100 };
  const filterKey = JSON.stringify(filter);

  useEffect(() => {
    let live = true;
    setError("");
    setList((l) => ({ ...l, loading: true }));
    inboxPage({ ...filter, after: null })
      .then((p) => {
        if (!live) return;
        const n = p.total ?? 0;
        const total = `${n.toLocaleString("en-GB")}${p.total_capped ? "+" : ""} conversation${n === 1 && !p.total_capped ? "" : "s"}`;
        setList({ rows: dedupe([], p.conversations), next: p.next, total, loading: false });
      })
      .catch((e) => live && setError(sentence(asApiError(e).message)));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filterKey, generation]);

  // "/" goes to the search box, as in most mail clients.
  const searchBox = useRef<HTMLInputElement>(null);
  useShortcut("/", () => searchBox.current?.focus());

  // Once per run of the app: the first page is on screen, so a person can start work (logged;
  // `confide bench app` times the start by it).
  useEffect(() => {
    if (list.loading || inboxShownOnce) return;
    inboxShownOnce = true;
    requestAnimationFrame(() => inboxShown().catch(() => {}));
  }, [list.loading]);

  const loadMore = useCallback(() => {
    if (list.loading || !list.next) return;
    setList((l) => ({ ...l, loading: true }));
    inboxPage({ ...filter, after: list.next })
      .then((p) => setList((l) => ({ ...l, rows: dedupe(l.rows, p.conversations), next: p.next, loading: false })))
      .catch((e) => setError(sentence(asApiError(e).message)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [list.loading, list.next, filterKey]);

  const runSync = useCallback(() => {
    setSync({ running: true, progress: null, message: "" });
    syncNow()
      .then((r) => {
        setOffline(false);
        setSignIn("");
        setConnected(r.folders > 0);
        const message =
          r.folders === 0
            ? "No shared mailbox is connected yet."
            : r.added > 0
              ? `${r.added} new message${r.added === 1 ? "" : "s"}`
              : "Up to date";
        setSync({ running: false, progress: null, message });
      })
      .catch((e) => {
        const err = asApiError(e);
        // Offline is a state, shown until the server answers again, not a one-off error.
        setOffline(err.code === "offline");
        setSignIn(err.code === "sign_in_again" ? err.message : "");
        const shownElsewhere = err.code === "offline" || err.code === "sign_in_again";
        setSync({ running: false, progress: null, message: shownElsewhere ? "" : sentence(err.message) });
      })
      .finally(() => setGeneration((g) => g + 1));
  }, []);

  // While offline, try again on a timer, so the banner goes by itself when the server is back.
  useEffect(() => {
    if (!offline) return;
    const timer = setInterval(runSync, OFFLINE_RETRY_MS);
    return () => clearInterval(timer);
  }, [offline, runSync]);

  useEffect(() => {
    const off = onSyncProgress((e) => setSync((s) => ({ ...s, progress: e.payload })));
    // Mail pushed by the server (IDLE) and already synced: show it.
    const pushed = onInboxChanged(() => setGeneration((g) => g + 1));
    // The sent-folder guard moved something (or could not): say so, briefly.
    const retained = onRetentionReport(() => setGeneration((g) => g + 1));
    const guarded = onGuardReport((e) =>
      setGuardNotice([e.payload.moved_sent + e.payload.moved_deleted > 0 ? guardSummary(e.payload) : "", ...e.payload.problems.map(sentence)].join(" ").trim()),
    );
    runSync();
    return () => {
      off.then((f) => f());
      pushed.then((f) => f());
      guarded.then((f) => f());
      retained.then((f) => f());
    };
  }, [runSync]);

  // Mail that came to no line's address is on none of the preset's lines until someone routes it.
  const lineName = (id: string) => profile.preset.lines.find((l) => l.id === id)?.name ?? "Not yet on a line";
  // An accepted chat opens at once.
  const openChat = useCallback((id: number) => {
    setSelectedId(id);
    setPanel("conversation");
    setGeneration((g) => g + 1);
  }, []);

  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Confide</span>
        <span className="muted">{profile.preset.name}</span>
        <span className="who" aria-label="Signed in as">
          {profile.display_name} · {profile.role_name}
        </span>
        <button className="small secondary" onClick={() => setPanel("team")}>
          Team
        </button>
        {profile.role !== "advisor" && (
          <button className="small secondary" onClick={() => setPanel("letters")}>
            Letters
          </button>
        )}
        {profile.role !== "advisor" && (
          <button className="small secondary" onClick={() => setPanel("disclosures")}>
            Disclosures
          </button>
        )}
        <button className="small secondary" onClick={() => setPanel("people")}>
          Contacts
        </button>
        {profile.role === "manager" && (
          <button className="small secondary" onClick={() => setPanel("quality")}>
            Quality
          </button>
        )}
        {profile.role === "manager" && (
          <button className="small secondary" onClick={() => setPanel("records")}>
            Retention record
          </button>
        )}
        <button className="small secondary" onClick={() => setPanel("settings")}>
          Settings
        </button>
      </header>
      <nav className="nav" aria-label="Inbox views">
        <h2>Channels</h2>
        <ul>
          {CHANNELS.map((c) => (
            <li key={c.label}>
              <button className={channel === c.id ? "nav-item active" : "nav-item"} aria-pressed={channel === c.id} onClick={() => setChannel(c.id)}>
                {c.label}
              </button>
            </li>
          ))}
        </ul>
        <h2>Service lines</h2>
        <ul>
          <li>
            <button className={line === null ? "nav-item active" : "nav-item"} aria-pressed={line === null} onClick={() => setLine(null)}>
              All lines
            </button>
          </li>
          {profile.preset.lines.filter((l) => profile.lines.includes(l.id)).map((l) => (
            <li key={l.id}>
              <button className={line === l.id ? "nav-item active" : "nav-item"} aria-pressed={line === l.id} onClick={() => setLine(l.id)} title={l.description}>
                {l.name}
              </button>
            </li>
          ))}
        </ul>
        {retention && (
          <p className="muted retention-status" role="status">
            {retention}
          </p>
        )}
        <p className="muted shortcuts">{SHORTCUTS}</p>
      </nav>
      <section className="list" aria-label="Conversations">
        <div className="list-head">
          <h1>Inbox</h1>
          <span className="muted" aria-live="polite">
            {list.total}
          </span>
          <button className="small" onClick={runSync} disabled={sync.running}>
            {sync.running ? "Syncing…" : "Sync now"}
          </button>
        </div>
        <div className="filters">
          <input
            ref={searchBox}
            type="search"
            placeholder="Search names, addresses, words"
            aria-label="Search conversations"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
          <select aria-label="Status" value={status ?? ""} onChange={(e) => setStatus((e.target.value || null) as Status | null)}>
            <option value="">Any status</option>
            <option value="new">New</option>
            <option value="in_progress">In progress</option>
            <option value="waiting">Waiting</option>
            <option value="closed">Closed</option>
          </select>
          <select aria-label="Claimed by" value={assignee ?? ""} onChange={(e) => setAssignee((e.target.value || null) as AssigneeFilter | null)}>
            <option value="">Anyone or no one</option>
            <option value="mine">Mine</option>
            <option value="unassigned">Not claimed</option>
            <option value="others">Colleagues'</option>
          </select>
          <label className="inline">
            <input type="checkbox" checked={flagged === true} onChange={(e) => setFlagged(e.target.checked ? true : null)} /> Risk flagged
          </label>
        </div>
        <p className="sync-status muted" role="status" aria-live="polite">
          {sync.running
            ? sync.progress
              ? `Fetching ${sync.progress.folder}: ${sync.progress.done} of ${sync.progress.total}`
              : "Checking the shared mailbox…"
            : sync.message}
        </p>
        {sync.running && sync.progress && (
          <progress max={sync.progress.total} value={sync.progress.done} aria-label="Sync progress" />
        )}
        {offline && <OfflineNotice retrySeconds={OFFLINE_RETRY_MS / 1000} busy={sync.running} onRetry={runSync} />}
        {signIn && <SignInAgain message={signIn} onDone={runSync} />}
        <WaitingChats lineName={lineName} onOpened={openChat} />
        {guardNotice && (
          <p className="notice guard-notice" role="status">
            {guardNotice}{" "}
            <button className="link" onClick={() => setGuardNotice("")}>
              Dismiss
            </button>
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {!list.loading && list.rows.length === 0 && (
          <p className="empty">
            {search || status || assignee || flagged
              ? "Nothing matches. Try fewer words or clear a filter."
              : connected
                ? "No conversations. The shared mailbox is connected and up to date; new email appears here as it arrives."
                : "No conversations yet. Email arrives here once the shared mailbox is connected."}
          </p>
        )}
        <ConversationList
          rows={list.rows}
          selectedId={selectedId}
          onSelect={(c) => {
            setSelectedId(c.id);
            setPanel("conversation");
          }}
          onNearEnd={loadMore}
          me={profile.fingerprint}
          lineName={lineName}
          searching={!!search}
        />
      </section>
      <section className="pane" aria-label="Conversation">
        {panel === "settings" ? (
          <Settings onClose={() => setPanel("conversation")} />
        ) : panel === "people" ? (
          <People manager={profile.role === "manager"} onClose={() => setPanel("conversation")} />
        ) : panel === "disclosures" ? (
          <Disclosures exceptions={profile.preset.exceptions} lineName={lineName} onClose={() => setPanel("conversation")} />
        ) : panel === "quality" ? (
          <Quality names={names} onClose={() => setPanel("conversation")} />
        ) : panel === "letters" ? (
          <Letters lines={profile.preset.lines} onClose={() => setPanel("conversation")} />
        ) : panel === "team" ? (
          <Team onClose={() => setPanel("conversation")} lineName={lineName} />
        ) : panel === "records" ? (
          <Records
            names={names}
            onClose={() => setPanel("conversation")}
            onOpen={(id) => {
              setSelectedId(id);
              setPanel("conversation");
            }}
          />
        ) : selectedId !== null ? (
          <Conversation
            key={selectedId}
            id={selectedId}
            lineName={lineName}
            lines={profile.preset.lines}
            me={profile.fingerprint}
            manager={profile.role === "manager"}
            names={names}
            exceptions={profile.preset.exceptions}
            onChanged={(summary) => setList((l) => ({ ...l, rows: l.rows.map((r) => (r.id === summary.id ? summary : r)) }))}
          />
        ) : (
          <p className="empty">Select a conversation to read it.</p>
        )}
      </section>
    </div>
  );
}

/** Appends a page, keeping each conversation at its first place (a search page can repeat one). */
function dedupe(have: ConversationSummary[], more: ConversationSummary[]): ConversationSummary[] {
  const seen = new Set(have.map((c) => c.id));
  return have.concat(more.filter((c) => !seen.has(c.id) && (seen.add(c.id), true)));
}
