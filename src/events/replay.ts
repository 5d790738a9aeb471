import type { Principal } from "../auth/principal";
import { readLimits } from "../lib/config";
import { AppError, notFound } from "../lib/errors";
import { isEventId, newEventId } from "../lib/ids";
import { newTraceId } from "../lib/trace";
import { enqueueEvent, senderOf } from "./enqueue";
import { bodyOfRecord, loadPayloadText } from "./payload";
import { eventLogFor, eventQueueFor } from "./shards";
import { type EventRecord, getEvent } from "./store";

/** An event of a namespace by id, or not_found. */
export async function findEvent(env: Env, namespace: string, id: string): Promise<EventRecord> {
  const event = isEventId(id) ? await getEvent(eventLogFor(env, namespace), namespace, id) : null;
  if (!event) throw notFound(`event "${id.slice(0, 60)}" not found in namespace "${namespace}"`);
  return event;
}

/**
 * Queues an event again as a new one (`replayOf` the original), sent by `principal`; the API
 * and the console both replay through here. Returns the new event's id.
 */
export async function replayEvent(env: Env, namespace: string, id: string, principal: Principal): Promise<string> {
  const original = await findEvent(env, namespace, id);
  const payloadText = await loadPayloadText(env.EVENT_BODIES, bodyOfRecord(original));
  if (payloadText === null) {
    throw new AppError("aborted", `the body of event ${original.id} is no longer stored; it cannot be replayed`);
  }
  const receivedAt = Date.now();
  const replayId = newEventId(receivedAt);
  await enqueueEvent(
    eventQueueFor(env, namespace),
    env.EVENT_BODIES,
    {
      id: replayId,
      namespace,
      discriminator: original.discriminator,
      receivedAt,
      sender: senderOf(principal),
      metadata: original.metadata,
      payloadText,
      payloadBytes: original.bodyBytes,
      replayOf: original.id,
      // A replay is the same story told again: it keeps the original's trace.
      traceId: original.traceId ?? newTraceId(),
    },
    readLimits(env).inlineBodyBytes,
  );
  return replayId;
}
