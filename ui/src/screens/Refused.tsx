import type { ApiError } from "../bindings/ApiError";
import { sentence } from "../errors";

export function Refused({ error, onRetry }: { error: ApiError; onRetry: () => void }) {
  const keyring = error.code === "keyring_unavailable";
  return (
    <main className="centre">
      <section className="card" role="alert" aria-labelledby="refused-title">
        <h1 id="refused-title">{keyring ? "Confide cannot open its store" : "Something went wrong"}</h1>
        <p>{sentence(error.message)}</p>
        {keyring && (
          <p className="muted">
            Confide keeps its keys only in your computer's keyring and never anywhere else, so it waits until the
            keyring is available. Nothing has been written.
          </p>
        )}
        <button onClick={onRetry} autoFocus>
          Try again
        </button>
      </section>
    </main>
  );
}
