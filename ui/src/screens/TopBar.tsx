import type { StaffProfile } from "../bindings/StaffProfile";
import type { Panel } from "./Pane";

/** The panels each role may open, in the order the bar shows them. */
function panelsFor(role: StaffProfile["role"]): { panel: Panel; label: string }[] {
  const leader = role !== "advisor";
  const manager = role === "manager";
  return [
    { panel: "team" as Panel, label: "Team" },
    ...(leader ? [{ panel: "canned" as Panel, label: "Canned replies" }] : []),
    ...(leader ? [{ panel: "letters" as Panel, label: "Letters" }] : []),
    ...(leader ? [{ panel: "disclosures" as Panel, label: "Disclosures" }] : []),
    { panel: "people" as Panel, label: "Contacts" },
    ...(manager ? [{ panel: "quality" as Panel, label: "Quality" }] : []),
    ...(manager ? [{ panel: "records" as Panel, label: "Retention record" }] : []),
    { panel: "settings" as Panel, label: "Settings" },
  ];
}

export function TopBar({ profile, onOpen }: { profile: StaffProfile; onOpen: (panel: Panel) => void }) {
  return (
    <header className="topbar">
      <span className="brand">Confide</span>
      <span className="muted">{profile.preset.name}</span>
      <span className="who" aria-label="Signed in as">
        {profile.display_name} · {profile.role_name}
      </span>
      {panelsFor(profile.role).map((p) => (
        <button key={p.panel} className="small secondary" onClick={() => onOpen(p.panel)}>
          {p.label}
        </button>
      ))}
    </header>
  );
}
