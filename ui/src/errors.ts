import type { ApiError } from "./bindings/ApiError";

/** Commands reject with an ApiError; anything else (a bug, a lost IPC) becomes one here. */
export function asApiError(e: unknown): ApiError {
  if (e && typeof e === "object" && "code" in e && "message" in e) return e as ApiError;
  return { code: "other", message: String(e) };
}
