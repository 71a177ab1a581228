import { useCallback, useEffect, useRef, useState } from "react";
import type { AssigneeFilter } from "../bindings/AssigneeFilter";
import type { Channel } from "../bindings/Channel";
import type { ConversationSummary } from "../bindings/ConversationSummary";
import type { StaffProfile } from "../bindings/StaffProfile";
import type { Status } from "../bindings/Status";
import { inboxPage, inboxShown, teamNames } from "../bindings/commands";
import { useLoad } from "../data";
import { asApiError, sentence } from "../errors";
import { useShortcut } from "../keys";
import { WaitingChats } from "./LiveChat";
import { ConversationList } from "./ConversationList";
import { InboxNav } from "./InboxNav";
import { OfflineNotice } from "./OfflineNotice";
import { Pane, type Panel } from "./Pane";
import { SignInAgain } from "./SignInAgain";
import { TopBar } from "./TopBar";
import { ConnectMailbox } from "./inbox/ConnectMailbox";
import { BlockedSenders } from "./inbox/BlockedSenders";
import { OFFLINE_RETRY_MS, useSync } from "./inbox/useSync";

let inboxShownOnce = false;

export function Inbox({ profile }: { profile: StaffProfile }) {
  const [channel, setChannel] = useState<Channel | null>(null);
  const [line, setLine] = useState<string | null>(null);
  const [status, setStatus] = useState<Status | null>(null);
  const [assignee, setAssignee] = useState<AssigneeFilter | null>(null);
  const [flagged, setFlagged] = useState<boolean | null>(null);
  // The snoozed conversations instead of the open list (which leaves them out until due).
  const [snoozed, setSnoozed] = useState(false);
  // Blocked senders' conversations instead of the inbox (which leaves them out).
  const [blocked, setBlocked] = useState(false);
  // Bumped when a block changes which conversations the inbox holds.
  const [reload, setReload] = useState(0);
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
  const [panel, setPanelState] = useState<Panel>("conversation");
  const { sync, offline, signIn, connected, unconnected, generation, changed, runSync, guardNotice, dismissGuard } = useSync();
  // Colleagues' names by key, from the team directory (empty until it exists or if it cannot
  // be read: claims then show a key, as before).
  const names = useLoad(() => teamNames().then((t) => t.names), [panel]).data ?? {};

  // Typing pauses before a search runs, so each key press is not a query.
  useEffect(() => {
    const t = setTimeout(() => setSearch(typed.trim()), 250);
    return () => clearTimeout(t);
  }, [typed]);

  const filter = { channel, line_id: line, status, assignee, flagged, snoozed, blocked, search: search || null, limit: 100 };
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
  }, [filterKey, generation, reload]);

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

  // Mail that came to no line's address is on none of the preset's lines until someone routes it.
  const lineName = (id: string) => profile.preset.lines.find((l) => l.id === id)?.name ?? "Not yet on a line";
  // An accepted chat opens at once.
  const openChat = useCallback((id: number) => {
    setSelectedId(id);
    setPanelState("conversation");
    changed();
  }, [changed]);

  return (
    <div className="shell">
      <TopBar profile={profile} />
      <InboxNav
        profile={profile}
        channel={channel}
        line={line}
        onChannel={setChannel}
        onLine={setLine}
        generation={generation}
        panel={panel}
        onOpen={setPanelState}
      />
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
          <label className="inline">
            <input type="checkbox" checked={snoozed} onChange={(e) => setSnoozed(e.target.checked)} /> Snoozed
          </label>
          <label className="inline">
            <input type="checkbox" checked={blocked} onChange={(e) => setBlocked(e.target.checked)} /> Blocked
          </label>
        </div>
        <p className="sync-status muted" role="status" aria-live="polite">
          {sync.running
            ? sync.progress?.waiting
              ? `The mail server asked Confide to wait ${sync.progress.waiting} s before reading on (it limits how fast a mailbox is read). The sync carries on by itself.`
              : sync.progress
                ? `Fetching ${sync.progress.folder}: ${sync.progress.done} of ${sync.progress.total}`
                : "Checking the shared mailbox…"
            : sync.message}
        </p>
        {sync.running && sync.progress && !sync.progress.waiting && (
          <progress max={sync.progress.total} value={sync.progress.done} aria-label="Sync progress" />
        )}
        {offline && <OfflineNotice retrySeconds={OFFLINE_RETRY_MS / 1000} busy={sync.running} onRetry={runSync} />}
        {signIn && <SignInAgain message={signIn} onDone={runSync} />}
        {unconnected && !sync.running && <ConnectMailbox profile={profile} onDone={runSync} />}
        <WaitingChats lineName={lineName} onOpened={openChat} />
        {blocked && <BlockedSenders lineName={lineName} canUnblock={profile.role !== "advisor"} onChanged={() => setReload((r) => r + 1)} />}
        {guardNotice && (
          <p className="notice guard-notice" role="status">
            {guardNotice}{" "}
            <button className="link" onClick={dismissGuard}>
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
            setPanelState("conversation");
          }}
          onNearEnd={loadMore}
          me={profile.fingerprint}
          lineName={lineName}
          searching={!!search}
        />
      </section>
      <section className="pane" aria-label="Conversation">
        <Pane
          panel={panel}
          profile={profile}
          selectedId={selectedId}
          names={names}
          lineName={lineName}
          onClose={() => setPanelState("conversation")}
          onOpen={(id) => {
            setSelectedId(id);
            setPanelState("conversation");
          }}
          onBlocked={() => setReload((r) => r + 1)}
          onChanged={(summary) =>
            setList((l) => ({
              ...l,
              // Snoozed (or brought back), it leaves this list; it stays open on the right.
              rows: l.rows
                .map((r) => (r.id === summary.id ? summary : r))
                .filter((r) => search !== "" || !!r.snoozed_until === snoozed),
            }))
          }
        />
      </section>
    </div>
  );
}

/** Appends a page, keeping each conversation at its first place (a search page can repeat one). */
function dedupe(have: ConversationSummary[], more: ConversationSummary[]): ConversationSummary[] {
  const seen = new Set(have.map((c) => c.id));
  return have.concat(more.filter((c) => !seen.has(c.id) && (seen.add(c.id), true)));
}
