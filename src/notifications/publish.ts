import { loadNotificationConfig } from "./config";
import { internalResource, isSubscribed } from "./fanout";
import type { InternalEvent } from "./internal-events";

/** Queues take at most 100 messages per sendBatch. */
const MAX_BATCH = 100;

/**
 * Hands hookline's own events (approvals, workflows, failed events, cluster breakers) to the
 * NOTIFICATIONS queue — the one way every part of hookline announces them. Only events some
 * subscription routes to a trigger are sent, by the rule the fan-out itself applies, under the
 * configuration of now: an event nobody subscribes to costs no queue message and no consumer
 * run. Returns how many were sent; throws when the configuration or the queue cannot be reached.
 */
export async function publishInternalEvents(env: Env, events: readonly InternalEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const config = await loadNotificationConfig(env.DB);
  const wanted: InternalEvent[] = [];
  for (const event of events) if (await isSubscribed(config, internalResource(event))) wanted.push(event);
  for (let start = 0; start < wanted.length; start += MAX_BATCH) {
    await env.NOTIFICATIONS.sendBatch(
      wanted.slice(start, start + MAX_BATCH).map((body) => ({ body, contentType: "json" as const })),
    );
  }
  return wanted.length;
}
