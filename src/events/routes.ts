import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { authorize, hasAllNamespaces, type Principal } from "../auth/principal";
import { hasAnySignature } from "../auth/signatures";
import { authenticateSignature } from "../auth/webhook-auth";
import { readBodyLimited } from "../lib/body";
import { readLimits } from "../lib/config";
import { parseDuration } from "../lib/duration";
import { AppError } from "../lib/errors";
import { newEventId } from "../lib/ids";
import { assertNamespace } from "../lib/names";
import { limitSchema } from "../lib/paging";
import { newTraceId, TRACE_ID_HEADER, traceIdOf } from "../lib/trace";
import { parseWith } from "../lib/validation";
import { deliveryIdOf, ledgerFor } from "./deliveries";
import { enqueueEvent, senderOf } from "./enqueue";
import { listTombstones } from "./graveyard";
import { assertDiscriminator, extractMetadata, parseEventBody } from "./intake";
import { eventDetail, listEventPage, MAX_RECEIPT_WAIT_MS, waitForReceipt } from "./log";
import { admit } from "./rate-limit";
import { replayEvent } from "./replay";
import { eventQueueFor } from "./shards";

/**
 * `POST /api/v1/events/{namespace}/{discriminator}` — the Argo Workflows events endpoint.
 * Authenticates (bearer token, or a webhook client's signature), checks scope, namespace and
 * the sender's rate limit, validates the body, and queues the event. Answers 202 with the
 * event id; nothing is recorded for a refused request. A delivery seen before (its sender's
 * delivery id, within 24 h in this namespace) is answered with the first event's id and
 * `X-Hookline-Duplicate: true`, and queues nothing.
 */
async function ingest(c: Context<AppEnv>): Promise<Response> {
  const namespace = assertNamespace(c.req.param("namespace") ?? "");
  const discriminator = assertDiscriminator(c.req.param("discriminator") ?? "");
  // Most senders send no query: parse one only when there is one.
  const { wait } = c.req.url.includes("?") ? parseWith(ingestQuerySchema, c.req.query()) : { wait: undefined };
  const waitMs = wait === undefined ? null : (parseDuration(wait) ?? null);
  const limits = readLimits(c.env);
  const headers = c.req.raw.headers;

  let principal = c.get("principal");
  let raw: Uint8Array | undefined;
  if (!principal) {
    if (!hasAnySignature(headers)) authorize(undefined, "events:write");
    // A signature covers the raw body, so it has to be read (bounded) before verifying.
    raw = await readBodyLimited(c.req.raw, limits.maxBodyBytes);
    principal = await authenticateSignature(c.env, namespace, headers, raw);
  }
  authorize(principal, "events:write", namespace);
  await enforceRateLimit(c.env, principal, limits.rateLimit);

  raw ??= await readBodyLimited(c.req.raw, limits.maxBodyBytes);
  const body = parseEventBody(raw, headers.get("content-type"), limits.maxJsonDepth);
  const delivery = deliveryIdOf(headers, principal);
  const receivedAt = Date.now();
  const id = newEventId(receivedAt);
  const traceId = traceIdOf(headers.get("traceparent")) ?? newTraceId();
  const ledger = delivery === null ? null : ledgerFor(c.env, namespace, delivery);
  if (ledger && delivery !== null) {
    const first = await ledger.claim(delivery, id);
    if (first !== id) return answer(c, namespace, first, waitMs, { "x-hookline-duplicate": "true" });
  }
  try {
    await enqueueEvent(
      eventQueueFor(c.env, namespace),
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
        traceId,
        receipt: waitMs !== null,
      },
      limits.inlineBodyBytes,
    );
  } catch (error) {
    // Not queued: forget the delivery, so the sender's retry is taken as the first.
    if (ledger && delivery !== null) await ledger.release(delivery, id).catch(() => undefined);
    throw error;
  }
  // Queued: the claim now counts for 24 h (until confirmed it counts for a minute, in case this
  // Worker dies between claiming and queueing). Not awaited: the sender need not wait for it.
  if (ledger && delivery !== null) c.executionCtx.waitUntil(ledger.confirm(delivery, id).catch(() => undefined));
  return answer(c, namespace, id, waitMs, { [TRACE_ID_HEADER]: traceId });
}

/**
 * The events endpoint's query: `?wait=5s` (at most 25 s) waits for the event's receipt; without
 * it the answer is Argo's, at once. Other parameters are ignored, as Argo ignores them.
 */
export const ingestQuerySchema = z.object({
  wait: z
    .string()
    .refine(
      (value) => {
        const ms = parseDuration(value);
        return ms !== null && ms > 0 && ms <= MAX_RECEIPT_WAIT_MS;
      },
      `must be a duration up to ${MAX_RECEIPT_WAIT_MS / 1000}s (e.g. "5s")`,
    )
    .optional(),
});

/**
 * Argo's answer (202 {id}) — or, with `?wait`, the receipt once the event is evaluated: 200 {id,
 * outcome, results: [{binding, matched, status, workflow, cluster}]}, or 202 {id, outcome:
 * "pending"} when the wait runs out.
 */
async function answer(
  c: Context<AppEnv>,
  namespace: string,
  id: string,
  waitMs: number | null,
  extra: Record<string, string> = {},
): Promise<Response> {
  const headers = { "x-hookline-event-id": id, ...extra };
  if (waitMs === null) return c.json({ id }, 202, headers);
  const receipt = await waitForReceipt(c.env, namespace, id, Date.now() + waitMs);
  return receipt ? c.json(receipt, 200, headers) : c.json({ id, outcome: "pending" }, 202, headers);
}

async function enforceRateLimit(
  env: Env,
  principal: Principal,
  settings: ReturnType<typeof readLimits>["rateLimit"],
): Promise<void> {
  const admission = await admit(env, principal, settings);
  if (!admission.admitted) {
    throw new AppError("resource_exhausted", "rate limit exceeded for this sender; retry later", {
      retryAfterSeconds: admission.retryAfterSeconds,
    });
  }
}

export const deadLetterQuerySchema = z.strictObject({
  limit: limitSchema,
  cursor: z.string().max(1024).optional(),
});

/** Routes under `/api/v1`: ingestion, the event log, replay and dead letters. */
export const eventRoutes = new Hono<AppEnv>()
  .post("/events/:namespace/", ingest)
  .post("/events/:namespace", ingest)
  .post("/events/:namespace/:discriminator", ingest)
  .get("/namespaces/:namespace/events", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "events:read", namespace);
    return c.json(await listEventPage(c.env, namespace, c.req.query()));
  })
  .get("/namespaces/:namespace/events/:id", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "events:read", namespace);
    return c.json(await eventDetail(c.env, namespace, c.req.param("id")));
  })
  .post("/namespaces/:namespace/events/:id/replay", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    const principal = authorize(c.get("principal"), "events:write", namespace);
    const id = await replayEvent(c.env, namespace, c.req.param("id"), principal);
    return c.json({ id }, 202, { "x-hookline-event-id": id });
  })
  .get("/namespaces/:namespace/deadletters", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "events:read", namespace);
    const query = parseWith(deadLetterQuerySchema, c.req.query());
    return c.json(await listTombstones(c.env.EVENT_BODIES, { namespace, ...query }));
  })
  .get("/deadletters", async (c) => {
    const principal = authorize(c.get("principal"), "events:read");
    if (!hasAllNamespaces(principal)) {
      throw new AppError(
        "permission_denied",
        'every dead letter needs namespaces ["*"]; list one namespace\'s instead',
      );
    }
    const query = parseWith(deadLetterQuerySchema, c.req.query());
    return c.json(await listTombstones(c.env.EVENT_BODIES, query));
  });
