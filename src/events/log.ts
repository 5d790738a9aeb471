import { z } from "zod";
import { eventIdTime, isEventId } from "../lib/ids";
import { limitSchema, pageOf } from "../lib/paging";
import { isTraceId } from "../lib/trace";
import { parseWith } from "../lib/validation";
import { countedEvents, minuteOf } from "./counts";
import { bodyOfRecord, loadPayloadText } from "./payload";
import { findEvent, lookupEvent } from "./replay";
import { type BindingResult, EVENT_OUTCOMES } from "./results";
import { eventLogFor } from "./shards";
import { countDetailed, type EventRecord, listEvents } from "./store";

/** The event log's list query, as the API takes it (the console passes its filters the same way). */
export const eventQuerySchema = z.strictObject({
  limit: limitSchema,
  cursor: z.string().refine(isEventId, "must be a cursor returned by a previous page").optional(),
  discriminator: z.string().max(253).optional(),
  outcome: z.enum(EVENT_OUTCOMES).optional(),
  traceId: z.string().refine(isTraceId, "must be a trace id (32 lowercase hex digits)").optional(),
});

/** An event as lists show it, with what each binding did. */
export function summarizeEvent(event: EventRecord, results: readonly BindingResult[]) {
  return {
    id: event.id,
    namespace: event.namespace,
    discriminator: event.discriminator,
    receivedAt: new Date(event.receivedAt).toISOString(),
    outcome: event.outcome,
    ...(event.traceId === null ? {} : { traceId: event.traceId }),
    results: results.map(describeResult),
  };
}

/** A binding result as the API shows it (the stored submission stays internal). */
export function describeResult(result: BindingResult) {
  return {
    binding: result.binding,
    matched: result.matched,
    status: result.status,
    ...(result.workflow === null ? {} : { workflow: result.workflow }),
    ...(result.cluster === null ? {} : { cluster: result.cluster }),
    ...(result.reason === null ? {} : { reason: result.reason }),
    ...(result.error === null ? {} : { error: result.error }),
    attempts: result.attempts,
  };
}

/**
 * A page of a namespace's event log, newest first; `query` is validated here (API and console
 * alike). The log lists the events kept in detail; `sampledAway` says how many more were
 * received in the minutes the page spans — events no binding matched, kept only as counts (and
 * their bodies, for replay by id) — or whose detail a full shard dropped. With a `traceId`
 * filter it is left out (counts carry no trace).
 */
export async function listEventPage(env: Env, namespace: string, query: unknown, now = Date.now()) {
  const db = eventLogFor(env, namespace);
  const { limit, cursor, discriminator, outcome, traceId } = parseWith(eventQuerySchema, query);
  const filters = {
    ...(discriminator === undefined ? {} : { discriminator }),
    ...(outcome === undefined ? {} : { outcome }),
  };
  const rows = await listEvents(db, {
    namespace,
    limit: limit + 1,
    ...(cursor === undefined ? {} : { before: cursor }),
    ...filters,
    ...(traceId === undefined ? {} : { traceId }),
  });
  const page = pageOf(rows, limit, (event) => event.id);
  const items = page.items.map((event) => summarizeEvent(event, event.results));
  if (traceId !== undefined) return { items, nextCursor: page.nextCursor };
  // The minutes this page spans: from its last row (or the log's start) to its cursor (or now).
  const lastMinute = minuteOf(cursor === undefined ? now : eventIdTime(cursor));
  const last = page.items.at(-1);
  const firstMinute = page.nextCursor !== null && last !== undefined ? minuteOf(last.receivedAt) : 0;
  const [counted, detailed] = await Promise.all([
    countedEvents(db, { namespace, ...filters }, firstMinute, lastMinute),
    countDetailed(db, { namespace, ...filters }, firstMinute * 60_000, (lastMinute + 1) * 60_000),
  ]);
  return { items, nextCursor: page.nextCursor, sampledAway: Math.max(0, counted - detailed) };
}

/** How long `?wait=` may hold an ingest request for the event's receipt. */
export const MAX_RECEIPT_WAIT_MS = 25_000;

/**
 * An event's receipt once the consumer has evaluated it (`{id, outcome, results}`), polling the
 * log until `deadline`; null when it is not logged by then. (An event sent with `?wait` always
 * keeps its row; a duplicate delivery may name an earlier event that was sampled away — its
 * receipt then comes from its body pack, without per-binding results.)
 */
export async function waitForReceipt(env: Env, namespace: string, id: string, deadline: number) {
  for (let pause = 100; ; pause = Math.min(pause * 1.5, 500)) {
    const found = await lookupEvent(env, namespace, id);
    if (found) {
      const { results } = summarizeEvent(found.record, found.record.results);
      return { id, outcome: found.record.outcome, results };
    }
    if (Date.now() + pause > deadline) return null;
    await new Promise((done) => setTimeout(done, pause));
  }
}

/**
 * One event with everything the log keeps: payload, metadata, results. `detail` is `sampled`
 * when the event has no row (no binding matched it and the sampler kept others, or a full shard
 * dropped its detail): it shows what its body pack recorded, without per-binding results.
 */
export async function eventDetail(env: Env, namespace: string, id: string) {
  const { record: event, detail } = await findEvent(env, namespace, id);
  const payloadText = await loadPayloadText(env.EVENT_BODIES, bodyOfRecord(event));
  return {
    ...summarizeEvent(event, event.results),
    detail,
    bindingsPruned: event.bindingsPruned,
    sender: event.sender,
    metadata: event.metadata,
    payload: payloadText === null ? null : (JSON.parse(payloadText) as unknown),
    bodyBytes: event.bodyBytes,
    replayOf: event.replayOf,
    error: event.error,
  };
}
