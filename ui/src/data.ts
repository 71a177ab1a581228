import { useCallback, useEffect, useState, type DependencyList } from "react";
import { asApiError, sentence } from "./errors";

/** What a panel shows while it asks the app for something: the answer, whether one is on its
 * way, and a failure in words. */
export type Loaded<T> = {
  data: T | undefined;
  loading: boolean;
  error: string;
  /** Asks again (after something changed that the panel knows of). */
  reload: () => void;
  /** Puts an answer a command returned in place, without asking again. */
  set: (data: T) => void;
};

/** Asks `load` whenever `deps` change (and on `reload`). An answer that arrives after the
 * question changed again is dropped, so a slow answer never overwrites a newer one. Every panel
 * loads this way: none keeps its own loading flags. */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; loading: boolean; error: string }>({
    data: undefined,
    loading: true,
    error: "",
  });
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true, error: "" }));
    load()
      .then((data) => current && setState({ data, loading: false, error: "" }))
      .catch((e) => current && setState((s) => ({ ...s, loading: false, error: sentence(asApiError(e).message) })));
    return () => {
      current = false;
    };
    // The caller's deps say when to ask again; `load` is a new closure on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, asked]);
  const reload = useCallback(() => setAsked((n) => n + 1), []);
  const set = useCallback((data: T) => setState({ data, loading: false, error: "" }), []);
  return { ...state, reload, set };
}
