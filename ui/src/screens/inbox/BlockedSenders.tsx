import { useState } from "react";
import type { Block } from "../../bindings/Block";
import { senderBlocks, unblockSender } from "../../bindings/commands";
import { useLoad } from "../../data";
import { asApiError, sentence } from "../../errors";

/** The senders blocked on this person's lines, shown with the Blocked list: who blocked each
 * and when, and (for team leaders and managers) Unblock. */
export function BlockedSenders({
  lineName,
  canUnblock,
  onChanged,
}: {
  lineName: (id: string) => string;
  canUnblock: boolean;
  onChanged: () => void;
}) {
  const [generation, setGeneration] = useState(0);
  const [error, setError] = useState("");
  const loaded = useLoad(() => senderBlocks(), [generation]);
  const blocks: Block[] = loaded.data ?? [];
  const unblock = (b: Block) =>
    unblockSender({ line: b.line, pattern: b.pattern })
      .then(() => {
        setError("");
        setGeneration((g) => g + 1);
        onChanged();
      })
      .catch((e) => setError(sentence(asApiError(e).message)));
  return (
    <section className="blocked-senders" aria-label="Blocked senders">
      {blocks.length === 0 ? (
        <p className="muted">No sender is blocked on your lines.</p>
      ) : (
        <ul>
          {blocks.map((b) => (
            <li key={`${b.line} ${b.pattern}`}>
              <code>{b.pattern.startsWith("@") ? `anyone at ${b.pattern.slice(1)}` : b.pattern}</code> on {lineName(b.line)}, since{" "}
              <time>{new Date(b.at * 1000).toLocaleDateString("en-GB")}</time>{" "}
              {canUnblock && (
                <button className="small secondary" onClick={() => unblock(b)}>
                  Unblock
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
