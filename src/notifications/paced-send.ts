import { readLimits } from "../lib/config";
import type { RenderedMessage } from "./render";
import { DEFAULT_RATE_PER_MINUTE, type StoredService } from "./schema";
import { sendNotification } from "./services";
import { resolveService } from "./services/resolve";
import type { SentMessage } from "./services/types";

/** How one paced send went. */
export type PacedSend =
  | { kind: "sent"; sent: SentMessage }
  /** The service's pace (its rate, or its 429 Retry-After) says to come back then; no attempt spent. */
  | { kind: "wait"; until: number }
  | { kind: "failed"; message: string; retryable: boolean };

/** How long a send waits when its service's pacer cannot be reached. */
const PACER_UNAVAILABLE_WAIT_MS = 10_000;

/**
 * Sends one message through a service now, at the service's pace: its ServicePacer grants the
 * send (the same pace every delivery of the service keeps) or says when to come back, and a
 * receiver's 429 pauses the whole service. For senders of single messages outside the
 * NOTIFICATIONS queue — an approval gate sending its own request.
 */
export async function sendPaced(
  env: Env,
  stored: StoredService,
  recipient: string,
  message: RenderedMessage,
  context: { trigger: string; template: string; resource: string },
): Promise<PacedSend> {
  const rate = stored.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE.get(stored.type) ?? null;
  const pacer = rate === null ? null : env.SERVICE_PACER.getByName(stored.name);
  if (pacer && rate !== null) {
    try {
      const pace = await pacer.acquire(1, rate, readLimits(env).pacingWindowMs);
      if (pace.granted === 0) return { kind: "wait", until: pace.retryAt[0] ?? Date.now() + PACER_UNAVAILABLE_WAIT_MS };
    } catch {
      return { kind: "wait", until: Date.now() + PACER_UNAVAILABLE_WAIT_MS };
    }
  }
  let service: Awaited<ReturnType<typeof resolveService>>;
  try {
    service = await resolveService(env, stored);
  } catch (error) {
    return { kind: "failed", message: error instanceof Error ? error.message : String(error), retryable: false };
  }
  const outcome = await sendNotification(service, recipient, message, context);
  if (outcome.ok) return { kind: "sent", sent: outcome.value };
  const { error } = outcome;
  if (error.code === "resource_exhausted") {
    const until = Date.now() + (error.retryAfterSeconds ?? 10) * 1000;
    await pacer?.pause(until);
    return { kind: "wait", until };
  }
  return { kind: "failed", message: error.message, retryable: error.retryable === true };
}
