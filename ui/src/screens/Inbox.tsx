import { useCallback, useEffect, useState } from "react";
import { listen } from "@tauri-apps/api/event";
import type { SyncProgress } from "../bindings/SyncProgress";
import type { Channel } from "../bindings/Channel";
import type { ConversationSummary } from "../bindings/ConversationSummary";
import type { InboxPage } from "../bindings/InboxPage";
import type { StaffProfile } from "../bindings/StaffProfile";
import { inboxPage, syncNow } from "../bindings/commands";
import { asApiError, sentence } from "../errors";
import { Conversation } from "./Conversation";

const CHANNELS: { id: Channel | null; label: string }[] = [
  { id: null, label: "All channels" },
  { id: "email", label: "Email" },
  { id: "webchat", label: "Webchat" },
  { id: "letter", label: "Letters" },
];

export function Inbox({ profile }: { profile: StaffProfile }) {
  const [channel, setChannel] = useState<Channel | null>(null);
  const [line, setLine] = useState<string | null>(null);
  const [page, setPage] = useState<InboxPage | null>(null);
  const [error, setError] = useState("");
  const [selected, setSelected] = useState<ConversationSummary | null>(null);
  const [sync, setSync] = useState<{ running: boolean; progress: SyncProgress | null; message: string }>({
    running: false,
    progress: null,
    message: "",
  });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    setError("");
    inboxPage({ channel, line_id: line, status: null, search: null, limit: 200 })
      .then(setPage)
      .catch((e) => setError(sentence(asApiError(e).message)));
  }, [channel, line, generation]);

  const runSync = useCallback(() => {
    setSync({ running: true, progress: null, message: "" });
    syncNow()
      .then((r) => {
        const message =
          r.folders === 0
            ? "No shared mailbox is connected yet."
            : r.added > 0
              ? `${r.added} new message${r.added === 1 ? "" : "s"}`
              : "Up to date";
        setSync({ running: false, progress: null, message });
      })
      .catch((e) => setSync({ running: false, progress: null, message: sentence(asApiError(e).message) }))
      .finally(() => setGeneration((g) => g + 1));
  }, []);

  useEffect(() => {
    const off = listen<SyncProgress>("sync_progress", (e) => setSync((s) => ({ ...s, progress: e.payload })));
    runSync();
    return () => {
      off.then((f) => f());
    };
  }, [runSync]);

  const lineName = (id: string) => profile.preset.lines.find((l) => l.id === id)?.name ?? id;

  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Confide</span>
        <span className="muted">{profile.preset.name}</span>
        <span className="who" aria-label="Signed in as">
          {profile.display_name} · {profile.role_name}
        </span>
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
          {profile.preset.lines.map((l) => (
            <li key={l.id}>
              <button className={line === l.id ? "nav-item active" : "nav-item"} aria-pressed={line === l.id} onClick={() => setLine(l.id)} title={l.description}>
                {l.name}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <section className="list" aria-label="Conversations">
        <div className="list-head">
          <h1>Inbox</h1>
          <span className="muted" aria-live="polite">
            {page ? `${page.total} conversation${page.total === 1 ? "" : "s"}` : ""}
          </span>
          <button className="small" onClick={runSync} disabled={sync.running}>
            {sync.running ? "Syncing…" : "Sync now"}
          </button>
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
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {page && page.conversations.length === 0 && (
          <p className="empty">No conversations yet. Email arrives here once the shared mailbox is connected.</p>
        )}
        <ul className="rows">
          {page?.conversations.map((c) => (
            <li key={c.id}>
              <button className={selected?.id === c.id ? "row active" : "row"} onClick={() => setSelected(c)}>
                <span className="row-top">
                  <span className={c.unread ? "unread" : ""}>{c.correspondent || "Unknown sender"}</span>
                  <time>{new Date(c.last_activity_at * 1000).toLocaleDateString("en-GB")}</time>
                </span>
                <span className="row-subject">{c.subject || "(no subject)"}</span>
                <span className="row-meta muted">
                  {c.channel} · {lineName(c.line_id)} · {c.status.replace("_", " ")}
                  {c.assignee ? (c.assignee === profile.fingerprint ? " · yours" : " · claimed") : ""}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section className="pane" aria-label="Conversation">
        {selected ? (
          <Conversation key={selected.id} id={selected.id} lineName={lineName} me={profile.fingerprint} />
        ) : (
          <p className="empty">Select a conversation to read it.</p>
        )}
      </section>
    </div>
  );
}
