import { z } from "zod";
import { isEventId } from "../lib/ids";
import { limitSchema, pageOf } from "../lib/paging";
import { isTraceId } from "../lib/trace";
import { parseWith } from "../lib/validation";
import { bodyOfRecord, loadPayloadText } from "./payload";
import { findEvent } from "./replay";
import { type BindingResult, EVENT_OUTCOMES } from "./results";
import { eventLogFor } from "./shards";
import { type EventRecord, getEvent, listEvents, listResults } from "./store";

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

/** A page of a namespace's event log, newest first; `query` is validated here (API and console alike). */
export async function listEventPage(env: Env, namespace: string, query: unknown) {
  const db = eventLogFor(env, namespace);
  const { limit, cursor, discriminator, outcome, traceId } = parseWith(eventQuerySchema, query);
  const rows = await listEvents(db, {
    namespace,
    limit: limit + 1,
    ...(cursor === undefined ? {} : { before: cursor }),
    ...(discriminator === undefined ? {} : { discriminator }),
    ...(outcome === undefined ? {} : { outcome }),
    ...(traceId === undefined ? {} : { traceId }),
  });
  const page = pageOf(rows, limit, (event) => event.id);
  const results = await listResults(
    db,
    page.items.map((event) => event.id),
  );
  return {
    items: page.items.map((event) => summarizeEvent(event, results.get(event.id) ?? [])),
    nextCursor: page.nextCursor,
  };
}

/** How long `?wait=` may hold an ingest request for the event's receipt. */
export const MAX_RECEIPT_WAIT_MS = 25_000;

/**
 * An event's receipt once the consumer has evaluated it (`{id, outcome, results}`), polling the
 * log until `deadline`; null when it is not logged by then.
 */
export async function waitForReceipt(env: Env, namespace: string, id: string, deadline: number) {
  const db = eventLogFor(env, namespace);
  for (let pause = 100; ; pause = Math.min(pause * 1.5, 500)) {
    const event = await getEvent(db, namespace, id);
    if (event) {
      const { results } = summarizeEvent(event, (await listResults(db, [id])).get(id) ?? []);
      return { id, outcome: event.outcome, results };
    }
    if (Date.now() + pause > deadline) return null;
    await new Promise((done) => setTimeout(done, pause));
  }
}

/** One event with everything the log keeps: payload, metadata, results. */
export async function eventDetail(env: Env, namespace: string, id: string) {
  const event = await findEvent(env, namespace, id);
  const results = await listResults(eventLogFor(env, namespace), [event.id]);
  const payloadText = await loadPayloadText(env.EVENT_BODIES, bodyOfRecord(event));
  return {
    ...summarizeEvent(event, results.get(event.id) ?? []),
    bindingsPruned: event.bindingsPruned,
    sender: event.sender,
    metadata: event.metadata,
    payload: payloadText === null ? null : (JSON.parse(payloadText) as unknown),
    bodyBytes: event.bodyBytes,
    replayOf: event.replayOf,
    error: event.error,
  };
}
