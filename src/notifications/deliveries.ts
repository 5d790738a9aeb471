import { z } from "zod";
import { hasAllNamespaces, hasNamespace, type Principal } from "../auth/principal";
import { AppError, notFound } from "../lib/errors";
import { limitSchema, pageOf } from "../lib/paging";
import { isTraceId } from "../lib/trace";
import { parseWith } from "../lib/validation";
import { enqueueDeliveries } from "./enqueue";
import type { RenderedMessage } from "./render";
import { DELIVERY_STATUSES, type Delivery, getDelivery, listDeliveries, resetDelivery } from "./store";

/**
 * The delivery log, as the API and the console see it: a delivery belongs to the namespace of
 * the resource or hookline event that caused it, and a principal sees (and retries) only those
 * of its namespaces; deliveries without a namespace need `namespaces: ["*"]`.
 */

const cursorPattern = /^(\d+)\.([0-9a-f]{32})$/;
export const deliveryQuerySchema = z.strictObject({
  limit: limitSchema,
  cursor: z.string().regex(cursorPattern, "must be a cursor returned by a previous page").optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  traceId: z.string().refine(isTraceId, "must be a trace id (32 lowercase hex digits)").optional(),
});

/** A delivery as lists show it. */
export function describeDelivery(delivery: Delivery) {
  return {
    id: delivery.id,
    namespace: delivery.namespace,
    createdAt: new Date(delivery.createdAt).toISOString(),
    resource: delivery.resource,
    trigger: delivery.trigger,
    template: delivery.template,
    service: delivery.service,
    recipient: delivery.recipient,
    ...(delivery.traceId ? { traceId: delivery.traceId } : {}),
    title: visibleMessage(delivery.message).title,
    status: delivery.status,
    attempts: delivery.attempts,
    lastError: delivery.lastError,
    deliveredAt: delivery.deliveredAt === null ? null : new Date(delivery.deliveredAt).toISOString(),
  };
}

/** A one-time approval link in a text: `/approve/<token>`. */
const APPROVAL_LINK = /\/approve\/[A-Za-z0-9_.~%-]+/g;

/**
 * A delivery's message as views show it (API, console), whatever the reader's scope: no usable
 * approval link (`/approve/<redacted>`) and no button value — deliveries recorded before gates
 * sent their own requests may still hold them.
 */
export function visibleMessage(message: RenderedMessage): RenderedMessage {
  const redact = (text: string) => text.replace(APPROVAL_LINK, "/approve/<redacted>");
  const { approval: _, ...rest } = message;
  const visible: RenderedMessage = { ...rest, title: redact(rest.title), body: redact(rest.body) };
  if (rest.webhookBody !== null) visible.webhookBody = redact(rest.webhookBody);
  return visible;
}

/** A delivery as lists show it. */
export const deliveryViewSchema = z.object({
  id: z.string(),
  namespace: z.string(),
  createdAt: z.string(),
  resource: z.string(),
  trigger: z.string(),
  template: z.string(),
  service: z.string(),
  recipient: z.string(),
  traceId: z.string().optional(),
  title: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
});

/** One delivery with its message as views show it (no usable link or button). */
export const deliveryDetailSchema = deliveryViewSchema.extend({
  message: z.looseObject({ title: z.string(), body: z.string(), webhookBody: z.string().nullable() }),
});

/** A delivery and its message, as the API shows one. */
export async function deliveryDetail(db: D1Database, principal: Principal, id: string) {
  const delivery = await findDelivery(db, principal, id);
  return { ...describeDelivery(delivery), message: visibleMessage(delivery.message) };
}

/** A page of the deliveries the principal may see, newest first. */
export async function listDeliveryPage(db: D1Database, principal: Principal, query: unknown) {
  const { limit, cursor, status, traceId } = parseWith(deliveryQuerySchema, query);
  const match = cursor === undefined ? null : cursorPattern.exec(cursor);
  const rows = await listDeliveries(db, {
    limit: limit + 1,
    namespaces: hasAllNamespaces(principal) ? null : principal.namespaces,
    ...(status === undefined ? {} : { status }),
    ...(traceId === undefined ? {} : { traceId }),
    ...(match?.[1] && match[2] ? { before: { createdAt: Number(match[1]), id: match[2] } } : {}),
  });
  const page = pageOf(rows, limit, (row) => `${row.createdAt}.${row.id}`);
  return { items: page.items.map(describeDelivery), nextCursor: page.nextCursor, rows: page.items };
}

/** One delivery of the principal's namespaces; another namespace's is not found. */
export async function findDelivery(db: D1Database, principal: Principal, id: string): Promise<Delivery> {
  const delivery = /^[0-9a-f]{32}$/.test(id) ? await getDelivery(db, id) : null;
  // Another namespace's delivery is not found (not forbidden): its existence is not told either.
  const visible =
    delivery !== null &&
    (delivery.namespace === "" ? hasAllNamespaces(principal) : hasNamespace(principal, delivery.namespace));
  if (!delivery || !visible) throw notFound("delivery not found");
  return delivery;
}

/** Sends a failed delivery again (API and console alike): anything else is 409. */
export async function retryDelivery(env: Env, principal: Principal, id: string): Promise<void> {
  const delivery = await findDelivery(env.DB, principal, id);
  if (!(await resetDelivery(env.DB, delivery.id))) {
    throw new AppError("aborted", `only a failed delivery can be retried (this one is ${delivery.status})`);
  }
  await enqueueDeliveries(env.DB, env.NOTIFICATIONS, [delivery.id]);
}
