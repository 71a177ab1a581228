// Single-key triage shortcuts (j/k, c, r, /). They never fire while someone is typing, nor with
// a modifier held, so they cannot steal a letter from a reply or a search.
export function shortcut(e: KeyboardEvent): string | null {
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return null;
  const t = e.target as HTMLElement | null;
  if (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return null;
  return e.key;
}

/** Runs `handle` for shortcuts while the component is mounted. */
export function onShortcut(handle: (key: string, e: KeyboardEvent) => void): () => void {
  const listener = (e: KeyboardEvent) => {
    const key = shortcut(e);
    if (key !== null) handle(key, e);
  };
  window.addEventListener("keydown", listener);
  return () => window.removeEventListener("keydown", listener);
}

export const SHORTCUTS = "Keys: j / k next and previous conversation, c claim, r reply, / search";
