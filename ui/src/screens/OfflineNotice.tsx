/** Shown while the mail server cannot be reached: what still works, and when Confide tries again. */
export function OfflineNotice({ retrySeconds, busy, onRetry }: { retrySeconds: number; busy: boolean; onRetry: () => void }) {
  return (
    <p className="notice offline-notice" role="status">
      Offline: Confide cannot reach the mail server just now. Everything already on this computer can still be read, and a reply that cannot go is
      kept in the outbox. Confide tries again every {retrySeconds} seconds.{" "}
      <button className="link" onClick={onRetry} disabled={busy}>
        Try now
      </button>
    </p>
  );
}
