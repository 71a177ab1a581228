import { useCallback, useEffect, useState } from "react";
import { onGuardReport, onInboxChanged, onRetentionReport, onSyncProgress } from "../../bindings/events";
import type { SyncProgress } from "../../bindings/SyncProgress";
import { syncNow } from "../../bindings/commands";
import { asApiError, sentence } from "../../errors";
import { guardSummary } from "../Settings";

/** How often an offline inbox asks the server again. */
export const OFFLINE_RETRY_MS = 30000;

export type SyncState = { running: boolean; progress: SyncProgress | null; message: string };

/** The inbox's link to the shared mailbox: a sync at start and on demand, its progress, the
 * offline and sign-in states (each shown until the server answers again), and `generation`,
 * which moves on whenever what the inbox shows may have changed (a sync, pushed mail, a
 * retention run), so lists and statuses ask again. */
export function useSync() {
  const [sync, setSync] = useState<SyncState>({ running: false, progress: null, message: "" });
  const [offline, setOffline] = useState(false);
  const [signIn, setSignIn] = useState("");
  // Whether the last sync reached a shared mailbox: an empty inbox then means no mail, not no connection.
  const [connected, setConnected] = useState(false);
  // No shared mailbox on this desktop yet: the inbox offers to connect one.
  const [unconnected, setUnconnected] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [guardNotice, setGuardNotice] = useState("");
  const changed = useCallback(() => setGeneration((g) => g + 1), []);

  const runSync = useCallback(() => {
    setSync({ running: true, progress: null, message: "" });
    syncNow()
      .then((r) => {
        setOffline(false);
        setSignIn("");
        setConnected(r.folders > 0);
        setUnconnected(r.folders === 0);
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
      .finally(changed);
  }, [changed]);

  // While offline, try again on a timer, so the banner goes by itself when the server is back.
  useEffect(() => {
    if (!offline) return;
    const timer = setInterval(runSync, OFFLINE_RETRY_MS);
    return () => clearInterval(timer);
  }, [offline, runSync]);

  useEffect(() => {
    const stepped = onSyncProgress((e) => setSync((s) => ({ ...s, progress: e.payload })));
    // Mail pushed by the server (IDLE) and already synced: show it.
    const pushed = onInboxChanged(changed);
    const retained = onRetentionReport(changed);
    // The sent-folder guard moved something (or could not): say so, briefly.
    const guarded = onGuardReport((e) => {
      const moved = e.payload.moved_sent + e.payload.moved_deleted > 0 ? guardSummary(e.payload) : "";
      setGuardNotice([moved, ...e.payload.problems.map(sentence)].join(" ").trim());
    });
    runSync();
    return () => {
      for (const off of [stepped, pushed, guarded, retained]) off.then((f) => f());
    };
  }, [runSync, changed]);

  return { sync, offline, signIn, connected, unconnected, generation, changed, runSync, guardNotice, dismissGuard: () => setGuardNotice("") };
}
