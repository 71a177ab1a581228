// Single-key triage shortcuts (j/k, c, r, /). They never fire while someone is typing, nor with
// a modifier held, so they cannot steal a letter from a reply or a search.
import { useEffect, useRef } from "react";

function shortcut(e: KeyboardEvent): string | null {
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return null;
  const t = e.target as HTMLElement | null;
  if (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return null;
  return e.key;
}

/** Runs `run` when `key` is pressed anywhere in the window while the component is mounted and
 * `enabled`. The latest `run` is used, so callers need not memoise it. */
export function useShortcut(key: string, run: () => void, enabled = true) {
  const latest = useRef(run);
  latest.current = run;
  useEffect(() => {
    if (!enabled) return;
    const listener = (e: KeyboardEvent) => {
      if (shortcut(e) !== key) return;
      e.preventDefault();
      latest.current();
    };
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, [key, enabled]);
}

export const SHORTCUTS = "Keys: j / k next and previous conversation, c claim, r reply, / search";
