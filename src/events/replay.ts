import type { Principal } from "../auth/principal";
import { readLimits } from "../lib/config";
import { AppError, notFound } from "../lib/errors";
import { isEventId, newEventId } from "../lib/ids";
import { enqueueEvent, senderOf } from "./enqueue";
import { type EventRecord, getEvent } from "./store";

/** An event of a namespace by id, or not_found. */
export async function findEvent(db: D1Database, namespace: string, id: string): Promise<EventRecord> {
  const event = isEventId(id) ? await getEvent(db, namespace, id) : null;
  if (!event) throw notFound(`event "${id.slice(0, 60)}" not found in namespace "${namespace}"`);
  return event;
}

/** The payload text of an event (from D1, or from R2 when it was spilled), or null when gone. */
export async function loadPayloadText(bucket: R2Bucket, event: EventRecord): Promise<string | null> {
  if (event.payload !== null) return event.payload;
  if (event.bodyKey === null) return null;
  const object = await bucket.get(event.bodyKey);
  return object ? object.text() : null;
}

/** Queues an event again as a new one (`replayOf` the original), sent by `principal`. Returns its id. */
export async function replayEvent(env: Env, namespace: string, id: string, principal: Principal): Promise<string> {
  const original = await findEvent(env.DB, namespace, id);
  const payloadText = await loadPayloadText(env.EVENT_BODIES, original);
  if (payloadText === null) {
    throw new AppError("aborted", `the body of event ${original.id} is no longer stored; it cannot be replayed`);
  }
  const receivedAt = Date.now();
  const replayId = newEventId(receivedAt);
  await enqueueEvent(
    env.EVENTS,
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
    },
    readLimits(env).inlineBodyBytes,
  );
  return replayId;
}
