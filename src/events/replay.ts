import type { Principal } from "../auth/principal";
import { readLimits } from "../lib/config";
import { AppError, notFound } from "../lib/errors";
import { isEventId, newEventId } from "../lib/ids";
import { newTraceId } from "../lib/trace";
import { findPacked } from "./body-pack";
import { enqueueEvent, senderOf } from "./enqueue";
import { bodyOfRecord, loadPayloadText } from "./payload";
import { eventLogFor, eventQueueFor } from "./shards";
import { type EventRecord, getEvent } from "./store";

/**
 * An event as the log can show it: its row (`full` detail), or — when it was sampled away or its
 * detail was dropped — what its body pack recorded (`sampled`: no per-binding results).
 */
export interface FoundEvent {
  record: EventRecord;
  detail: "full" | "sampled";
}

/** An event of a namespace by id, from its row or its body pack; null when neither has it. */
export async function lookupEvent(env: Env, namespace: string, id: string): Promise<FoundEvent | null> {
  if (!isEventId(id)) return null;
  const db = eventLogFor(env, namespace);
  const record = await getEvent(db, namespace, id);
  if (record) return { record, detail: "full" };
  const packed = await findPacked(db, env.EVENT_BODIES, namespace, id);
  if (!packed) return null;
  const { event, body } = packed;
  return {
    detail: "sampled",
    record: {
      ...event,
      results: [],
      payload: null,
      bodyKey: body.key,
      bodyOffset: body.offset,
      bodyLength: body.length,
      error: null,
    },
  };
}

/** An event of a namespace by id, or not_found. */
export async function findEvent(env: Env, namespace: string, id: string): Promise<FoundEvent> {
  const found = await lookupEvent(env, namespace, id);
  if (!found) throw notFound(`event "${id.slice(0, 60)}" not found in namespace "${namespace}"`);
  return found;
}

/**
 * Queues an event again as a new one (`replayOf` the original), sent by `principal`; the API
 * and the console both replay through here — events kept in detail and sampled ones alike.
 * Returns the new event's id.
 */
export async function replayEvent(env: Env, namespace: string, id: string, principal: Principal): Promise<string> {
  const { record: original } = await findEvent(env, namespace, id);
  return sendReplay(env, original, principal);
}

/**
 * Sends one logged event again as a new event (`replayOf` the original, keeping its trace),
 * delivered `delaySeconds` from now; its new id. Refuses one whose body is no longer stored.
 */
export async function sendReplay(
  env: Env,
  original: EventRecord,
  principal: Principal,
  delaySeconds = 0,
): Promise<string> {
  const payloadText = await loadPayloadText(env.EVENT_BODIES, bodyOfRecord(original));
  if (payloadText === null) {
    throw new AppError("aborted", `the body of event ${original.id} is no longer stored; it cannot be replayed`);
  }
  const receivedAt = Date.now();
  const replayId = newEventId(receivedAt);
  await enqueueEvent(
    eventQueueFor(env, original.namespace),
    env.EVENT_BODIES,
    {
      id: replayId,
      namespace: original.namespace,
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
    delaySeconds,
  );
  return replayId;
}
