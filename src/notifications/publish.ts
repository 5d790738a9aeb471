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
 * run. `alongside`: D1 writes that go with the events (a gate's mirror row), run first in the
 * round trip that reads the configuration's version. Returns how many events were sent; throws
 * when D1 or the queue cannot be reached.
 */
export async function publishInternalEvents(
  env: Env,
  events: readonly InternalEvent[],
  alongside: readonly D1PreparedStatement[] = [],
): Promise<number> {
  if (events.length === 0) {
    if (alongside.length > 0) await env.DB.batch([...alongside]);
    return 0;
  }
  const config = await loadNotificationConfig(env.DB, alongside);
  const wanted: InternalEvent[] = [];
  for (const event of events) if (await isSubscribed(config, internalResource(event))) wanted.push(event);
  for (let start = 0; start < wanted.length; start += MAX_BATCH) {
    await env.NOTIFICATIONS.sendBatch(
      wanted.slice(start, start + MAX_BATCH).map((body) => ({ body, contentType: "json" as const })),
    );
  }
  return wanted.length;
}
