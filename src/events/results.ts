import type { Submission } from "../clusters/submission";
import { MAX_ATTEMPTS } from "../lib/retry";

/** Outcomes an event can have in the log. */
export const EVENT_OUTCOMES = [
  "no_bindings",
  "no_match",
  "submitted",
  "partially_failed",
  "failed",
  "pending",
] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];

export const RESULT_STATUSES = [
  "submitted",
  "skipped",
  "failed",
  "pending",
  "waiting",
  "debounced",
  "deduplicated",
  "throttled",
  "held",
  "superseded",
] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

/** Statuses the consumer sends on each delivery: pending ones, and held ones asking again for a slot. */
export const TO_SEND: ReadonlySet<ResultStatus> = new Set(["pending", "held"]);

/**
 * A binding matched but its window kept this event from submitting (debounce: a later event of
 * its key did), or a newer held event of its `supersede` key replaced it.
 */
const HELD_BY_WINDOW: ReadonlySet<ResultStatus> = new Set(["debounced", "deduplicated", "throttled", "superseded"]);

/** What one binding did with one event. */
export interface BindingResult {
  eventId: string;
  binding: string;
  bindingUid: string;
  matched: boolean;
  status: ResultStatus;
  /** Why it was skipped. */
  reason: string | null;
  /** Why it failed, or the last retryable error while pending. */
  error: string | null;
  cluster: string | null;
  workflow: string | null;
  /** The submission to (re)send, for matched bindings. */
  request: Submission | null;
  attempts: number;
  /** Set (in memory only) when this delivery's submit created or confirmed the workflow. */
  submittedNow?: boolean;
  /** debounce: the window this event waits in (window.ts); its results are settled when it fires. */
  windowId?: string | null;
  /** A binding with `supersede`: this event's key (while held, only the newest of a key submits). */
  supersedeKey?: string | null;
}

/**
 * The event's outcome from its results: `no_bindings` when the namespace had none, `no_match`
 * when none fired (no workflow comes from this event: nothing matched, or a window deduplicated
 * or throttled it — the results say which), `pending` while a submission is being retried, else
 * `submitted`, `partially_failed` or `failed`.
 */
export function summarizeOutcome(
  results: readonly Pick<BindingResult, "status">[],
  hadBindings: boolean,
): EventOutcome {
  if (!hadBindings) return "no_bindings";
  const fired = results.filter((result) => result.status !== "skipped" && !HELD_BY_WINDOW.has(result.status));
  if (fired.length === 0) return "no_match";
  if (fired.some((result) => result.status === "pending" || result.status === "waiting" || result.status === "held"))
    return "pending";
  const failed = fired.filter((result) => result.status === "failed").length;
  if (failed === 0) return "submitted";
  return failed === fired.length ? "failed" : "partially_failed";
}

/** A submission that failed MAX_ATTEMPTS real attempts ends failed. */
export function giveUpWhenExhausted(result: BindingResult): void {
  // A held submission has not been tried since it was held: its attempts are the same.
  if (result.status !== "pending" || result.attempts < MAX_ATTEMPTS) return;
  result.status = "failed";
  result.error = `gave up after ${result.attempts} attempts: ${result.error ?? "the submission kept failing"}`;
}
