import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import type { Principal } from "../auth/principal";
import { hasAnySignature } from "../auth/signatures";
import { authenticateSignature } from "../auth/webhook-auth";
import { readBodyLimited } from "../lib/body";
import { readLimits } from "../lib/config";
import { parseDuration } from "../lib/duration";
import { AppError } from "../lib/errors";
import { newEventId } from "../lib/ids";
import { assertNamespace } from "../lib/names";
import { newTraceId, TRACE_ID_HEADER, traceIdOf } from "../lib/trace";
import { deliveryIdOf, ledgerFor } from "./deliveries";
import { enqueueEvent, senderOf } from "./enqueue";
import { assertDiscriminator, extractMetadata, parseEventBody } from "./intake";
import { MAX_RECEIPT_WAIT_MS, waitForReceipt } from "./log";
import { admit } from "./rate-limit";
import { eventQueueFor } from "./shards";

/**
 * A sender without a bearer token: a webhook client of the path's namespace whose signature
 * verifies the raw body (read, bounded, and kept for the ingest that follows), or nobody.
 */
export async function signedSender(c: Context<AppEnv>): Promise<Principal | undefined> {
  const headers = c.req.raw.headers;
  if (!hasAnySignature(headers)) return undefined;
  const namespace = assertNamespace(c.req.param("namespace") ?? "");
  // A signature covers the raw body, so it has to be read (bounded) before verifying.
  const raw = await readBodyLimited(c.req.raw, readLimits(c.env).maxBodyBytes);
  c.set("rawBody", raw);
  return authenticateSignature(c.env, namespace, headers, raw);
}

/**
 * `POST /api/v1/events/{namespace}/{discriminator}` — the Argo Workflows events endpoint.
 * Authenticates (bearer token, or a webhook client's signature), checks scope, namespace and
 * the sender's rate limit, validates the body, and queues the event. Answers 202 with the
 * event id; nothing is recorded for a refused request. A delivery seen before (its sender's
 * delivery id, within 24 h in this namespace) is answered with the first event's id and
 * `X-Hookline-Duplicate: true`, and queues nothing.
 */
export async function ingest(
  env: Env,
  waitUntil: (work: Promise<unknown>) => void,
  event: { principal: Principal; namespace: string; discriminator: string; request: Request; rawBody?: Uint8Array },
  wait: string | undefined,
): Promise<IngestAnswer> {
  const { principal, namespace, request } = event;
  const discriminator = assertDiscriminator(event.discriminator);
  const waitMs = wait === undefined ? null : (parseDuration(wait) ?? null);
  const limits = readLimits(env);
  const headers = request.headers;
  await enforceRateLimit(env, principal, limits.rateLimit);

  const raw = event.rawBody ?? (await readBodyLimited(request, limits.maxBodyBytes));
  const body = parseEventBody(raw, headers.get("content-type"), limits.maxJsonDepth);
  const delivery = deliveryIdOf(headers, principal);
  const receivedAt = Date.now();
  const id = newEventId(receivedAt);
  const traceId = traceIdOf(headers.get("traceparent")) ?? newTraceId();
  const ledger = delivery === null ? null : ledgerFor(env, namespace, delivery);
  if (ledger && delivery !== null) {
    const first = await ledger.claim(delivery, id);
    if (first !== id) return answer(env, namespace, first, waitMs, { "x-hookline-duplicate": "true" });
  }
  try {
    await enqueueEvent(
      eventQueueFor(env, namespace),
      env.EVENT_BODIES,
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
  if (ledger && delivery !== null) waitUntil(ledger.confirm(delivery, id).catch(() => undefined));
  return answer(env, namespace, id, waitMs, { [TRACE_ID_HEADER]: traceId });
}

/** What the events endpoint answers: status, body and headers. */
export interface IngestAnswer {
  status: 200 | 202;
  body: z.output<typeof eventAcceptedSchema> | z.output<typeof receiptSchema>;
  headers: Record<string, string>;
}

/** Argo's answer: the event's id (also in `X-Hookline-Event-Id`). */
export const eventAcceptedSchema = z.object({ id: z.string(), outcome: z.literal("pending").optional() });

/** With `?wait`: the event's receipt once it was evaluated. */
export const receiptSchema = z.object({
  id: z.string(),
  outcome: z.string(),
  results: z.array(
    z.looseObject({
      binding: z.string(),
      matched: z.boolean(),
      status: z.string(),
      workflow: z.string().optional(),
      cluster: z.string().optional(),
    }),
  ),
});

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
  env: Env,
  namespace: string,
  id: string,
  waitMs: number | null,
  extra: Record<string, string> = {},
): Promise<IngestAnswer> {
  const headers = { "x-hookline-event-id": id, ...extra };
  if (waitMs === null) return { status: 202, body: { id }, headers };
  const receipt = await waitForReceipt(env, namespace, id, Date.now() + waitMs);
  return receipt ? { status: 200, body: receipt, headers } : { status: 202, body: { id, outcome: "pending" }, headers };
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
