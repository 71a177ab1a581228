import { useEffect, useRef, useState } from "react";
import type { OutboxItem } from "../../bindings/OutboxItem";
import { replySignature, retryReply, sendReply } from "../../bindings/commands";
import { asApiError, sentence } from "../../errors";
import { useShortcut } from "../../keys";
import { Attachments, type Chosen } from "./Attachments";
import { CannedPicker } from "./CannedPicker";

export function Reply({
  conversationId,
  line,
  seenMessageId,
  onSent,
  onShowNew,
}: {
  conversationId: number;
  /** The conversation's line: whose leaflets it may attach. */
  line: string;
  seenMessageId: number;
  onSent: () => void;
  onShowNew: () => void;
}) {
  const [body, setBody] = useState("");
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<OutboxItem | null>(null);
  const [status, setStatus] = useState("");
  const [colleagueReplied, setColleagueReplied] = useState("");
  const replyBox = useRef<HTMLTextAreaElement>(null);
  const [picking, setPicking] = useState(false);
  const [attached, setAttached] = useState<Chosen[]>([]);
  const [openLeaflets, setOpenLeaflets] = useState(0);
  // The line's signature, which a new reply starts with (below where the advisor writes).
  const [signed, setSigned] = useState("");
  // Asked when the conversation opens and again when the reply box is entered while nothing
  // has been written (a manager may have set it since).
  const sign = () =>
    replySignature({ id: conversationId, again: true })
      .then((s) => {
        const start = s ? `\n\n${s}` : "";
        setSigned((was) => {
          setBody((b) => (b === was ? start : b));
          return start;
        });
      })
      .catch(() => {});
  useEffect(() => {
    sign();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [conversationId]);
  useShortcut("r", () => replyBox.current?.focus());
  // A canned reply goes in where the cursor is; into a reply not begun, above the signature.
  const insert = (text: string) => {
    const box = replyBox.current;
    const untouched = body === signed;
    const at = untouched || !box ? 0 : box.selectionStart;
    const end = untouched || !box ? 0 : box.selectionEnd;
    setBody(body.slice(0, at) + text + body.slice(end));
    setPicking(false);
    setTimeout(() => box?.focus());
  };

  const settle = (p: Promise<{ item: OutboxItem | null; for_review: boolean }>) => {
    setBusy(true);
    setStatus("");
    setColleagueReplied("");
    p.then(({ item, for_review }) => {
      setPending(item);
      if (for_review) {
        setBody(signed);
        setAttached([]);
        setStatus("Your reply is waiting for a team leader or manager to review it. It has not been sent yet.");
        onSent();
      } else if (item === null) {
        setBody(signed);
        setAttached([]);
        setStatus("Reply sent from the helpline's address and filed in its Sent folder.");
        onSent();
      }
    })
      .catch((e) => {
        const err = asApiError(e);
        if (err.code === "replied_since_opened") setColleagueReplied(sentence(err.message));
        else setStatus(sentence(err.message));
      })
      .finally(() => setBusy(false));
  };
  const send = (anyway: boolean) =>
    settle(
      sendReply({
        conversation_id: conversationId,
        body,
        seen_message_id: seenMessageId,
        send_anyway: anyway,
        attachments: attached.map((a) => a.choice),
      }),
    );

  return (
    <section className="reply" aria-label="Reply">
      <label className="field">
        Reply as the helpline
        <textarea
          ref={replyBox}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          // Writing starts above the signature.
          onFocus={(e) => {
            if (body !== signed) return;
            e.currentTarget.setSelectionRange(0, 0);
            sign();
          }}
          onKeyDown={(e) => {
            if (e.ctrlKey && e.key === "/") {
              e.preventDefault();
              setPicking(true);
            }
            if (e.altKey && e.key.toLowerCase() === "l") {
              e.preventDefault();
              setOpenLeaflets((n) => n + 1);
            }
          }}
          rows={6}
          disabled={busy || pending !== null}
        />
      </label>
      {picking && <CannedPicker conversationId={conversationId} onPick={insert} onClose={() => setPicking(false)} />}
      {colleagueReplied ? (
        <div className="notice" role="alert">
          <p>{colleagueReplied}</p>
          <p className="muted">Your reply has not been sent and is still here.</p>
          <button
            onClick={() => {
              setColleagueReplied("");
              onShowNew();
            }}
          >
            Show their reply
          </button>{" "}
          <button className="secondary" onClick={() => send(true)} disabled={busy}>
            Send mine anyway
          </button>
        </div>
      ) : pending ? (
        <div className="notice" role="alert">
          <p>{sentence(pending.error ?? "The reply is waiting in the outbox.")}</p>
          <p className="muted">Your reply is kept safely in the outbox and has not been lost.</p>
          <button onClick={() => settle(retryReply({ id: pending.id }))} disabled={busy}>
            Try again
          </button>
        </div>
      ) : (
        <button onClick={() => send(false)} disabled={busy || !body.trim() || body.trim() === signed.trim()}>
          {busy ? "Sending…" : "Send reply"}
        </button>
      )}
      {/* After Send, so Tab from the reply reaches Send first. */}
      {!picking && (
        <button className="small secondary canned-open" onClick={() => setPicking(true)} disabled={busy || pending !== null}>
          Canned replies (Ctrl+/)
        </button>
      )}
      <Attachments
        conversationId={conversationId}
        line={line}
        chosen={attached}
        onChange={setAttached}
        disabled={busy || pending !== null}
        openLeaflets={openLeaflets}
        onAdded={() => setTimeout(() => replyBox.current?.focus())}
      />
      {status && (
        <p className="muted" role="status">
          {status}
        </p>
      )}
    </section>
  );
}
