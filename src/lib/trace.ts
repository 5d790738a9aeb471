import { randomBytes, toHex } from "./crypto";

/**
 * W3C Trace Context (`traceparent: 00-<trace id>-<parent id>-<flags>`): every event gets a trace
 * id — the one its sender's `traceparent` carries, else a new one — and everything that follows
 * from it (workflows, gates, notifications, deliveries, log lines) carries the same id, so one
 * search finds the whole story. Calls hookline makes on the trace's behalf pass a `traceparent`
 * on with a new parent id.
 */

/** The response header that tells a sender its event's trace id. */
export const TRACE_ID_HEADER = "x-hookline-trace-id";

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const TRACE_ID = /^[0-9a-f]{32}$/;

/** True for a trace id as W3C writes it: 32 lowercase hex digits, not all zero. */
export function isTraceId(value: unknown): value is string {
  return typeof value === "string" && TRACE_ID.test(value) && !/^0+$/.test(value);
}

/**
 * The trace id of a `traceparent` header, or null when the header is absent or invalid (an
 * invalid one is ignored, as the spec says: the receiver starts a new trace).
 */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  const match = TRACEPARENT.exec((traceparent ?? "").trim());
  if (!match) return null;
  const [, version, traceId, parentId, , rest] = match;
  // Version ff is invalid; version 00 has nothing after the flags.
  if (version === "ff" || (version === "00" && rest !== undefined)) return null;
  if (!isTraceId(traceId) || /^0+$/.test(parentId ?? "")) return null;
  return traceId;
}

/** A new trace id (128 random bits). */
export function newTraceId(): string {
  return toHex(randomBytes(16));
}

/** A `traceparent` for a call made within a trace: a new parent id, sampled. */
export function traceparentFor(traceId: string): string {
  return `00-${traceId}-${toHex(randomBytes(8))}-01`;
}
