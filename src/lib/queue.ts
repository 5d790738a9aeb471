/** Queues accept at most this many messages per sendBatch, and delays up to 12 hours. */
import { log } from "./log";

const MAX_BATCH = 100;
const MAX_DELAY_SECONDS = 12 * 3600;

/**
 * Puts messages back on their queue to be delivered again after a delay, without spending one of
 * the queue's retries: a copy is sent with the delay and the original acknowledged. Used for
 * waiting (an open circuit breaker, a service's pace, a receiver's Retry-After) and for retries
 * whose attempts the consumer counts itself. If the copy cannot be sent, the original is retried
 * instead, so nothing is lost.
 */
export async function reschedule(
  queue: Queue,
  /** `body`: what the copy carries, when not the message's own body (a consumer may mark its copies). */
  items: ReadonlyArray<{ message: Message<unknown>; delaySeconds: number; body?: unknown }>,
): Promise<void> {
  for (let start = 0; start < items.length; start += MAX_BATCH) {
    const chunk = items.slice(start, start + MAX_BATCH);
    try {
      await queue.sendBatch(
        chunk.map(({ message, delaySeconds, body }) => ({
          body: body ?? message.body,
          contentType: "json" as const,
          delaySeconds: clampDelay(delaySeconds),
        })),
      );
      for (const { message } of chunk) message.ack();
    } catch (error) {
      log.error("rescheduling messages failed; retrying them instead", {}, error);
      for (const { message, delaySeconds } of chunk) message.retry({ delaySeconds: clampDelay(delaySeconds) });
    }
  }
}

function clampDelay(seconds: number): number {
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(seconds)));
}

/** What a queue carries, told by its name (wrangler.toml's queue names, or any deployment's). */
export interface QueueRole {
  kind: "events" | "notifications";
  /** A dead-letter queue (`…-dlq`, `…-dlq-…`). */
  dead: boolean;
}

/**
 * A queue's role from its name: names containing `notifications` or `events` (the events queue
 * may be sharded: `hookline-events-2`; a deployment may suffix them: `hookline-events-staging`),
 * `dlq` as a word for dead-letter queues. Null for a name that says neither.
 */
export function queueRole(name: string): QueueRole | null {
  const words = name.toLowerCase().split(/[^a-z0-9]+/);
  const dead = words.includes("dlq");
  if (words.includes("notifications")) return { kind: "notifications", dead };
  if (words.includes("events")) return { kind: "events", dead };
  return null;
}
