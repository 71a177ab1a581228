import { useState } from "react";
import type { ConversationView } from "../bindings/ConversationView";
import type { ExceptionCategory } from "../bindings/ExceptionCategory";
import { blockSender, declineThirdParty } from "../bindings/commands";
import { asApiError, sentence } from "../errors";
import { CaseRecordForm, DisclosureForm } from "./Disclosures";
import { ContactForm } from "./People";

/** What the policies ask to be recorded from a conversation: a disclosure decision, a case
 * record, contact details kept with consent, or a third party's request declined. */
export function ConversationActions({
  id,
  line,
  exceptions,
  blockable,
  onBlocked,
  onView,
  onError,
}: {
  id: number;
  line: string;
  exceptions: ExceptionCategory[];
  /** A team leader or manager, on an email conversation. */
  blockable: boolean;
  onBlocked: () => void;
  onView: (v: ConversationView) => void;
  onError: (message: string) => void;
}) {
  const [disclosing, setDisclosing] = useState(false);
  const [recording, setRecording] = useState(false);
  const [keepingContact, setKeepingContact] = useState(false);
  const [notice, setNotice] = useState("");
  const [blocking, setBlocking] = useState(false);
  const block = (wholeDomain: boolean) =>
    blockSender({ id, whole_domain: wholeDomain })
      .then(() => {
        setBlocking(false);
        setNotice(
          wholeDomain
            ? "Everyone at that sender's domain is blocked on this line: their mail now goes to Blocked, not the inbox."
            : "The sender is blocked on this line: their mail now goes to Blocked, not the inbox.",
        );
        onBlocked();
      })
      .catch((e) => onError(sentence(asApiError(e).message)));
  return (
    <>
      <p className="disclosure-toggle">
        <button className="small secondary" aria-expanded={disclosing} onClick={() => setDisclosing(!disclosing)}>
          {disclosing ? "Cancel disclosure record" : "Record a disclosure decision"}
        </button>{" "}
        <button className="small secondary" aria-expanded={recording} onClick={() => setRecording(!recording)}>
          {recording ? "Cancel case record" : "Add a case record"}
        </button>{" "}
        <button className="small secondary" aria-expanded={keepingContact} onClick={() => setKeepingContact(!keepingContact)}>
          {keepingContact ? "Cancel contact details" : "Keep contact details (with consent)"}
        </button>{" "}
        <button
          className="small secondary"
          title="We do not act on requests about someone else: this closes the conversation and records the decline"
          onClick={() =>
            declineThirdParty({ id })
              .then((v) => {
                onView(v);
                setNotice("Declined as a third-party request, and recorded.");
              })
              .catch((e) => onError(sentence(asApiError(e).message)))
          }
        >
          Decline a third-party request
        </button>{" "}
        {blockable && (
          <button className="small secondary" aria-expanded={blocking} onClick={() => setBlocking(!blocking)}>
            {blocking ? "Cancel blocking" : "Block sender"}
          </button>
        )}{" "}
        {notice && <span role="status">{notice}</span>}
      </p>
      {blocking && (
        <div className="notice block-sender" role="group" aria-label="Block this sender">
          <p>
            Their mail will be kept out of the inbox on this line, in Blocked, and removed on the policy's schedule. Blocking
            is recorded in the audit log; a team leader or manager can unblock them from Blocked.
          </p>
          <button className="small" onClick={() => block(false)}>
            Block this address
          </button>{" "}
          <button className="small secondary" onClick={() => block(true)}>
            Block their whole domain
          </button>
        </div>
      )}
      {disclosing && (
        <DisclosureForm
          line={line}
          exceptions={exceptions}
          onDone={(message) => {
            setDisclosing(false);
            setNotice(message);
          }}
        />
      )}
      {keepingContact && (
        <ContactForm
          id={id}
          line={line}
          onView={onView}
          onDone={(message) => {
            setKeepingContact(false);
            setNotice(message);
          }}
        />
      )}
      {recording && (
        <CaseRecordForm
          line={line}
          onDone={(message) => {
            setRecording(false);
            setNotice(message);
          }}
        />
      )}
    </>
  );
}
