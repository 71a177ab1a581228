import { useState } from "react";
import type { CannedReply } from "../bindings/CannedReply";
import type { Channel } from "../bindings/Channel";
import type { Library } from "../bindings/Library";
import type { StaffProfile } from "../bindings/StaffProfile";
import { cannedLibrary, removeCannedReply, saveCannedReply, setLineDetails } from "../bindings/commands";
import { useLoad } from "../data";
import { asApiError, sentence } from "../errors";
import { Leaflets } from "./library/Leaflets";

const BLANK = { reply: null as string | null, line: "", channel: null as Channel | null, title: "", text: "" };

/** The team's canned replies, per line: team leaders and managers write and edit them (each
 * change kept with who made it), managers set what {hours} and {phone} say on each line. */
export function CannedLibrary({ profile, onClose }: { profile: StaffProfile; onClose: () => void }) {
  const library = useLoad(cannedLibrary, []);
  const lines = profile.preset.lines.filter((l) => profile.role === "manager" || profile.lines.includes(l.id));
  const [form, setForm] = useState({ ...BLANK, line: lines[0]?.id ?? "" });
  const [failed, setError] = useState("");
  const error = failed || library.error;
  const done = (p: Promise<Library>) =>
    p
      .then((l) => {
        library.set(l);
        setError("");
        setForm({ ...BLANK, line: form.line });
      })
      .catch((e) => setError(sentence(asApiError(e).message)));
  const lineName = (id: string) => lines.find((l) => l.id === id)?.name ?? id;
  const edit = (r: CannedReply) => setForm({ reply: r.reply, line: r.line, channel: r.channel, title: r.title, text: r.text });
  return (
    <section className="canned-library" aria-labelledby="canned-title">
      <h2 id="canned-title">Canned replies</h2>
      <p className="muted">
        Blanks an advisor's reply fills in: {"{name}"} (the service user's name, or the one they chose here), {"{advisor}"} (the
        advisor's work name), {"{line}"}, {"{hours}"} and {"{phone}"}. A blank that cannot be filled stops the reply until it is
        written in.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ul className="canned-entries">
        {library.data?.replies.map((r) => (
          <li key={r.reply}>
            <strong>{r.title}</strong> · {lineName(r.line)} · {r.channel ?? "email and chat"}
            <p className="note-text">{r.text}</p>
            <p className="muted">
              {r.history.map((v) => `${v.by || "someone"} ${new Date(v.at * 1000).toLocaleDateString("en-GB")}`).join(", then ")}
            </p>
            <button className="small secondary" onClick={() => edit(r)}>
              Edit
            </button>{" "}
            <button className="small secondary" onClick={() => done(removeCannedReply({ reply: r.reply, line: r.line }))}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      {library.data?.replies.length === 0 && <p className="empty">No canned replies yet.</p>}
      <h3>{form.reply ? "Edit the canned reply" : "Write a canned reply"}</h3>
      <div className="canned-form">
        <LineSelect lines={lines} value={form.line} onChange={(line) => setForm({ ...form, line })} />
        <label className="inline">
          For{" "}
          <select value={form.channel ?? ""} onChange={(e) => setForm({ ...form, channel: (e.target.value || null) as Channel | null })}>
            <option value="">Email and chat</option>
            <option value="email">Email only</option>
            <option value="webchat">Chat only</option>
          </select>
        </label>
        <label className="field">
          Title
          <input value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />
        </label>
        <label className="field">
          Wording
          <textarea rows={5} value={form.text} onChange={(e) => setForm({ ...form, text: e.target.value })} />
        </label>
        <button onClick={() => done(saveCannedReply(form))} disabled={!form.title.trim() || !form.text.trim()}>
          {form.reply ? "Save the change" : "Add to the library"}
        </button>
      </div>
      {profile.role === "manager" && <LineDetails lines={lines} library={library.data} onSave={done} />}
      <Leaflets lines={lines} canEdit={profile.role !== "advisor"} />
      <button className="secondary" onClick={onClose}>
        Close
      </button>
    </section>
  );
}

/** What {hours} and {phone} say on each line, and the signature its email replies start with. */
function LineDetails({ lines, library, onSave }: { lines: { id: string; name: string }[]; library?: Library; onSave: (p: Promise<Library>) => void }) {
  const [line, setLine] = useState(lines[0]?.id ?? "");
  const known = library?.details[line];
  const [hours, setHours] = useState("");
  const [phone, setPhone] = useState("");
  const [signature, setSignature] = useState("");
  return (
    <div className="canned-form line-details">
      <h3>Opening hours, phone number and signature</h3>
      <LineSelect lines={lines} value={line} onChange={setLine} />
      <p className="muted">
        {known
          ? `Now: ${known.hours || "no hours"}; ${known.phone || "no phone number"}; ${known.signature ? "signed \u201c" + known.signature.split("\n")[0] + "\u2026\u201d" : "no signature"}.`
          : "Not set yet."}
      </p>
      <label className="field">
        Opening hours
        <input value={hours} onChange={(e) => setHours(e.target.value)} />
      </label>
      <label className="field">
        Phone number
        <input value={phone} onChange={(e) => setPhone(e.target.value)} />
      </label>
      <label className="field">
        Signature of every email reply on this line ({"{advisor}"} is the advisor's work name)
        <textarea rows={3} value={signature} onChange={(e) => setSignature(e.target.value)} />
      </label>
      <button onClick={() => onSave(setLineDetails({ line, hours, phone, signature }))} disabled={!hours.trim() && !phone.trim() && !signature.trim()}>
        Save for this line
      </button>
    </div>
  );
}

export function LineSelect({ lines, value, onChange }: { lines: { id: string; name: string }[]; value: string; onChange: (line: string) => void }) {
  return (
    <label className="inline">
      Line{" "}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {lines.map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}
