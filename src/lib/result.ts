import type { ErrorCode } from "./errors";

/**
 * The one failure shape of internal results (a submit the cluster refused, a gate that cannot
 * take a callback, a binding that does not compile): expected outcomes are values, not
 * exceptions, and every one of them looks the same.
 */
export interface Failure {
  /** The API error code it becomes when it reaches a client. */
  code: ErrorCode;
  message: string;
  /** Worth trying again later (a network error, a 5xx, a timeout). */
  retryable?: boolean;
  /** When the other side said how long to wait. */
  retryAfterSeconds?: number;
  /** Field-by-field problems, when there are several (e.g. every expression that does not compile). */
  fields?: Array<{ field: string; message: string }>;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

/** A successful result. */
export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** A failed result. */
export function fail(code: ErrorCode, message: string, extra: Omit<Failure, "code" | "message"> = {}) {
  return { ok: false as const, error: { code, message, ...extra } };
}
