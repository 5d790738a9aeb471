import { type Context, Hono } from "hono";
import { z } from "zod";
import { authorize, type Principal, principalKey } from "../auth/principal";
import { hasAnySignature } from "../auth/signatures";
import { authenticateSignature } from "../auth/webhook-auth";
import { readBodyLimited } from "../lib/body";
import { type Limits, readLimits } from "../lib/config";
import type { AppEnv } from "../lib/context";
import { AppError } from "../lib/errors";
import { isEventId, newEventId } from "../lib/ids";
import { assertNamespace } from "../lib/names";
import { parseWith } from "../lib/validation";
import { enqueueEvent, senderOf } from "./enqueue";
import { assertDiscriminator, extractMetadata, parseEventBody } from "./intake";
import { admit } from "./rate-limit";
import { findEvent, loadPayloadText, replayEvent } from "./replay";
import type { BindingResult } from "./results";
import { EVENT_OUTCOMES, type EventRecord, listEvents, listResults } from "./store";

/**
 * `POST /api/v1/events/{namespace}/{discriminator}` — the Argo Workflows events endpoint.
 * Authenticates (bearer token, or a webhook client's signature), checks scope, namespace and
 * the sender's rate limit, validates the body, and queues the event. Answers 202 with the
 * event id; nothing is recorded for a refused request.
 */
async function ingest(c: Context<AppEnv>): Promise<Response> {
  const namespace = assertNamespace(c.req.param("namespace") ?? "");
  const discriminator = assertDiscriminator(c.req.param("discriminator") ?? "");
  const limits = readLimits(c.env);
  const headers = c.req.raw.headers;

  let principal = c.get("principal");
  let raw: Uint8Array | undefined;
  if (!principal) {
    if (!hasAnySignature(headers)) authorize(undefined, "events:write");
    // A signature covers the raw body, so it has to be read (bounded) before verifying.
    raw = await readBodyLimited(c.req.raw, limits.maxBodyBytes);
    principal = await authenticateSignature(c.env.DB, c.env.HOOKLINE_SECRET_KEY, namespace, headers, raw);
  }
  authorize(principal, "events:write", namespace);
  await enforceRateLimit(c, principal, limits);

  raw ??= await readBodyLimited(c.req.raw, limits.maxBodyBytes);
  const body = parseEventBody(raw, headers.get("content-type"), limits.maxJsonDepth);
  const receivedAt = Date.now();
  const id = newEventId(receivedAt);
  await enqueueEvent(
    c.env.EVENTS,
    c.env.EVENT_BODIES,
    {
      id,
      namespace,
      discriminator,
      receivedAt,
      sender: senderOf(principal),
      metadata: extractMetadata(headers),
      payloadText: body.text,
      payloadBytes: body.bytes,
    },
    limits.inlineBodyBytes,
  );
  return c.json({ id }, 202, { "x-hookline-event-id": id });
}

async function enforceRateLimit(c: Context<AppEnv>, principal: Principal, limits: Limits): Promise<void> {
  const admission = await admit(c.env.INGEST_RATE_LIMITER, principalKey(principal), limits.rateLimit);
  if (!admission.admitted) {
    throw new AppError("resource_exhausted", "rate limit exceeded for this sender; retry later", {
      retryAfterSeconds: admission.retryAfterSeconds,
    });
  }
}

const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().refine(isEventId, "must be a cursor returned by a previous page").optional(),
  discriminator: z.string().optional(),
  outcome: z.enum(EVENT_OUTCOMES).optional(),
});

/** Routes under `/api/v1`: ingestion and the event log. */
export const eventRoutes = new Hono<AppEnv>()
  .post("/events/:namespace/", ingest)
  .post("/events/:namespace", ingest)
  .post("/events/:namespace/:discriminator", ingest)
  .get("/namespaces/:namespace/events", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "events:read", namespace);
    const query = parseWith(listQuerySchema, c.req.query());
    const events = await listEvents(c.env.DB, {
      namespace,
      limit: query.limit + 1,
      ...(query.cursor === undefined ? {} : { before: query.cursor }),
      ...(query.discriminator === undefined ? {} : { discriminator: query.discriminator }),
      ...(query.outcome === undefined ? {} : { outcome: query.outcome }),
    });
    const page = events.slice(0, query.limit);
    const last = page.at(-1);
    const results = await listResults(
      c.env.DB,
      page.map((event) => event.id),
    );
    return c.json({
      items: page.map((event) => summarizeEvent(event, results.get(event.id) ?? [])),
      nextCursor: events.length > query.limit && last ? last.id : null,
    });
  })
  .get("/namespaces/:namespace/events/:id", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "events:read", namespace);
    const event = await findEvent(c.env.DB, namespace, c.req.param("id"));
    const results = await listResults(c.env.DB, [event.id]);
    return c.json({
      ...summarizeEvent(event, results.get(event.id) ?? []),
      bindingsPruned: event.bindingsPruned,
      sender: event.sender,
      metadata: event.metadata,
      payload: await loadPayload(c.env.EVENT_BODIES, event),
      bodyBytes: event.bodyBytes,
      replayOf: event.replayOf,
      error: event.error,
    });
  })
  .post("/namespaces/:namespace/events/:id/replay", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    const principal = authorize(c.get("principal"), "events:write", namespace);
    const id = await replayEvent(c.env, namespace, c.req.param("id"), principal);
    return c.json({ id }, 202, { "x-hookline-event-id": id });
  });

async function loadPayload(bucket: R2Bucket, event: EventRecord): Promise<unknown> {
  const text = await loadPayloadText(bucket, event);
  return text === null ? null : JSON.parse(text);
}

/** An event as list items show it, with what each binding did. */
function summarizeEvent(event: EventRecord, results: readonly BindingResult[]) {
  return {
    id: event.id,
    namespace: event.namespace,
    discriminator: event.discriminator,
    receivedAt: new Date(event.receivedAt).toISOString(),
    outcome: event.outcome,
    results: results.map(describeResult),
  };
}

/** A binding result as the API shows it (the stored submission stays internal). */
function describeResult(result: BindingResult) {
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
