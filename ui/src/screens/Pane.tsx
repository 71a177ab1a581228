import type { ConversationSummary } from "../bindings/ConversationSummary";
import type { StaffProfile } from "../bindings/StaffProfile";
import { CannedLibrary } from "./CannedLibrary";
import { Conversation } from "./Conversation";
import { Disclosures } from "./Disclosures";
import { Letters } from "./Letters";
import { People } from "./People";
import { Quality } from "./Quality";
import { Records } from "./Records";
import { Settings } from "./Settings";
import { Team } from "./Team";

export type Panel = "conversation" | "settings" | "records" | "team" | "letters" | "quality" | "disclosures" | "people" | "canned";

type Props = {
  panel: Panel;
  profile: StaffProfile;
  selectedId: number | null;
  names: Record<string, string>;
  lineName: (id: string) => string;
  /** Back to the conversation (the panels' Close). */
  onClose: () => void;
  /** Opens a conversation from a panel (the retention record's holds). */
  onOpen: (conversationId: number) => void;
  onChanged: (summary: ConversationSummary) => void;
  /** A sender was blocked or unblocked: the list is read again. */
  onBlocked: () => void;
};

/** The right-hand pane: the open conversation, or the panel the top bar chose. */
export function Pane({ panel, profile, selectedId, names, lineName, onClose, onOpen, onChanged, onBlocked }: Props) {
  const manager = profile.role === "manager";
  switch (panel) {
    case "settings":
      return <Settings onClose={onClose} />;
    case "canned":
      return <CannedLibrary profile={profile} onClose={onClose} />;
    case "people":
      return <People manager={manager} onClose={onClose} />;
    case "disclosures":
      return <Disclosures exceptions={profile.preset.exceptions} lineName={lineName} onClose={onClose} />;
    case "quality":
      return <Quality names={names} onClose={onClose} />;
    case "letters":
      return <Letters lines={profile.preset.lines} onClose={onClose} />;
    case "team":
      return <Team onClose={onClose} lineName={lineName} />;
    case "records":
      return <Records names={names} onClose={onClose} onOpen={onOpen} />;
    case "conversation":
      return selectedId === null ? (
        <p className="empty">Select a conversation to read it.</p>
      ) : (
        <Conversation
          key={selectedId}
          id={selectedId}
          lineName={lineName}
          lines={profile.preset.lines}
          me={profile.fingerprint}
          manager={manager}
          names={names}
          exceptions={profile.preset.exceptions}
          onChanged={onChanged}
          canBlock={profile.role !== "advisor"}
          onBlocked={onBlocked}
        />
      );
  }
}
