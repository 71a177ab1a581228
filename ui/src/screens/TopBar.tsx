import type { StaffProfile } from "../bindings/StaffProfile";
import type { Panel } from "./Pane";

/** The screens each role may open, in the order the navigation shows them. */
export function panelsFor(role: StaffProfile["role"]): { panel: Panel; label: string }[] {
  const leader = role !== "advisor";
  const manager = role === "manager";
  return [
    { panel: "team" as Panel, label: "Team" },
    ...(leader ? [{ panel: "canned" as Panel, label: "Library" }] : []),
    ...(leader ? [{ panel: "letters" as Panel, label: "Letters" }] : []),
    ...(leader ? [{ panel: "disclosures" as Panel, label: "Disclosures" }] : []),
    { panel: "people" as Panel, label: "Contacts" },
    ...(manager ? [{ panel: "quality" as Panel, label: "Quality" }] : []),
    ...(manager ? [{ panel: "records" as Panel, label: "Retention record" }] : []),
    { panel: "settings" as Panel, label: "Settings" },
  ];
}

/** Who is signed in, under which policy. The screens are in the left navigation. */
export function TopBar({ profile }: { profile: StaffProfile }) {
  return (
    <header className="topbar">
      <span className="brand">Confide</span>
      <span className="muted">{profile.preset.name}</span>
      <span className="who" aria-label="Signed in as">
        {profile.display_name} · {profile.role_name}
      </span>
    </header>
  );
}
