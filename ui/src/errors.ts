import type { ApiError } from "./bindings/ApiError";

/** Commands reject with an ApiError; anything else (a bug, a lost IPC) becomes one here. */
export function asApiError(e: unknown): ApiError {
  if (e && typeof e === "object" && "code" in e && "message" in e) return e as ApiError;
  return { code: "other", message: String(e) };
}

/** Core messages read "cannot ..." so they chain well in logs; people get a sentence. */
export function sentence(message: string): string {
  const s = message.trim();
  return s ? s[0].toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? "" : ".") : s;
}
