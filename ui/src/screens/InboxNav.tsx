import type { Channel } from "../bindings/Channel";
import type { StaffProfile } from "../bindings/StaffProfile";
import { retentionStatus } from "../bindings/commands";
import { useLoad } from "../data";
import { SHORTCUTS } from "../keys";
import type { Panel } from "./Pane";
import { panelsFor } from "./TopBar";

const CHANNELS: { id: Channel | null; label: string }[] = [
  { id: null, label: "All channels" },
  { id: "email", label: "Email" },
  { id: "webchat", label: "Webchat" },
];
// Letters are not conversations: team leaders and managers have the Letters panel.

type Props = {
  profile: StaffProfile;
  channel: Channel | null;
  line: string | null;
  onChannel: (c: Channel | null) => void;
  onLine: (l: string | null) => void;
  /** Moves on when a run may have happened (the retention status is asked again). */
  generation: number;
  /** The screen on the right, and opening another. */
  panel: Panel;
  onOpen: (panel: Panel) => void;
};

/** The inbox's left column: channels, the person's service lines, and when retention last ran. */
export function InboxNav({ profile, channel, line, onChannel, onLine, generation, panel, onOpen }: Props) {
  // When the policy's expiry last ran here (the app's schedule or the headless timer).
  const retention = useLoad(retentionStatus, [generation]);
  const last = retention.data?.last_run;
  const said = !retention.data
    ? ""
    : last
      ? `Retention last ran ${new Date(last.at * 1000).toLocaleString("en-GB")}${last.action === "run" ? "" : " (incomplete; it will try again)"}.`
      : "Retention has not run on this desktop yet.";
  const item = (active: boolean) => (active ? "nav-item active" : "nav-item");
  return (
    <nav className="nav" aria-label="Inbox views">
      <h2>Channels</h2>
      <ul>
        {CHANNELS.map((c) => (
          <li key={c.label}>
            <button className={item(channel === c.id)} aria-pressed={channel === c.id} onClick={() => onChannel(c.id)}>
              {c.label}
            </button>
          </li>
        ))}
      </ul>
      <h2>Service lines</h2>
      <ul>
        <li>
          <button className={item(line === null)} aria-pressed={line === null} onClick={() => onLine(null)}>
            All lines
          </button>
        </li>
        {profile.preset.lines
          .filter((l) => profile.lines.includes(l.id))
          .map((l) => (
            <li key={l.id}>
              <button className={item(line === l.id)} aria-pressed={line === l.id} onClick={() => onLine(l.id)} title={l.description}>
                {l.name}
              </button>
            </li>
          ))}
      </ul>
      <h2>Screens</h2>
      <ul className="screens">
        {panelsFor(profile.role).map((p) => (
          <li key={p.panel}>
            <button className={item(panel === p.panel)} aria-current={panel === p.panel ? "page" : undefined} onClick={() => onOpen(p.panel)}>
              {p.label}
            </button>
          </li>
        ))}
      </ul>
      {said && (
        <p className="muted retention-status" role="status">
          {said}
        </p>
      )}
      <p className="muted shortcuts">{SHORTCUTS}</p>
    </nav>
  );
}
