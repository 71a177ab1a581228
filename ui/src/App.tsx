import { useCallback, useEffect, useState } from "react";
import type { ApiError } from "./bindings/ApiError";
import type { SetupState } from "./bindings/SetupState";
import { setupState } from "./bindings/commands";
import { asApiError } from "./errors";
import { Agreement } from "./screens/Agreement";
import { FirstRun } from "./screens/FirstRun";
import { Inbox } from "./screens/Inbox";
import { Refused } from "./screens/Refused";

type View = { kind: "loading" } | { kind: "refused"; error: ApiError } | { kind: "setup"; state: SetupState };

export function App() {
  const [view, setView] = useState<View>({ kind: "loading" });
  const load = useCallback(() => {
    setView({ kind: "loading" });
    setupState()
      .then((state) => setView({ kind: "setup", state }))
      .catch((e) => setView({ kind: "refused", error: asApiError(e) }));
  }, []);
  useEffect(load, [load]);
  const onState = (state: SetupState) => setView({ kind: "setup", state });

  if (view.kind === "loading") return <main className="centre" aria-busy="true">Opening Confide…</main>;
  if (view.kind === "refused") return <Refused error={view.error} onRetry={load} />;
  const s = view.state;
  switch (s.state) {
    case "needs_profile":
      return <FirstRun presets={s.presets} onDone={onState} />;
    case "needs_agreement":
      return <Agreement state={s} onDone={onState} />;
    case "ready":
      return <Inbox profile={s.profile} />;
  }
}
