import { z } from "zod";
import { readLimits } from "../lib/config";
import { retryDelaySeconds } from "../lib/retry";
import { loadNotificationConfig, type NotificationConfig } from "./config";
import { fanOut, internalResource } from "./fanout";
import { internalEventSchema } from "./internal-events";
import { DEFAULT_RATE_PER_MINUTE } from "./schema";
import { type ResolvedService, resolveService, sendNotification } from "./send";
import {
  claimDeliveries,
  countDeliveredSince,
  type Delivery,
  findUnsentDeliveries,
  finishDeliveryStatement,
  markEnqueued,
} from "./store";

export const deliveryMessageSchema = z.object({ v: z.literal(1), kind: z.literal("delivery"), id: z.string().min(1) });
const messageSchema = z.union([internalEventSchema, deliveryMessageSchema]);

/** Hands deliveries to the NOTIFICATIONS queue (100 per batch, Queues' limit) and marks them enqueued. */
export async function enqueueDeliveries(db: D1Database, queue: Queue, ids: readonly string[]): Promise<void> {
  for (let start = 0; start < ids.length; start += 100) {
    const chunk = ids.slice(start, start + 100);
    await queue.sendBatch(chunk.map((id) => ({ body: { v: 1, kind: "delivery", id }, contentType: "json" as const })));
    await markEnqueued(db, chunk);
  }
}

/**
 * The NOTIFICATIONS consumer. hookline's own events are fanned out to the triggers and
 * subscriptions that want them; deliveries are claimed (so a redelivered message never sends
 * twice), paced per service (DingTalk robots take about 20 a minute), sent, and recorded.
 * Failures retry with backoff, then the dead-letter queue marks them failed.
 */
export async function consumeNotifications(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const { maxRetryDelaySeconds } = readLimits(env);
  const backoff = (message: Message<unknown>) => ({
    delaySeconds: retryDelaySeconds(message.attempts, maxRetryDelaySeconds),
  });
  const deliveries = new Map<string, Message<unknown>>();
  let config: NotificationConfig | undefined;
  for (const message of batch.messages) {
    const parsed = messageSchema.safeParse(message.body);
    if (!parsed.success) {
      console.error("dropping malformed notification message", message.id, parsed.error.message);
      message.ack();
      continue;
    }
    if (parsed.data.kind === "delivery") {
      deliveries.set(parsed.data.id, message);
      continue;
    }
    try {
      config ??= await loadNotificationConfig(env.DB);
      const result = await fanOut(env.DB, config, internalResource(parsed.data));
      await enqueueDeliveries(env.DB, env.NOTIFICATIONS, result.deliveries);
      message.ack();
    } catch (error) {
      console.error("fanning out an internal event failed; retrying", parsed.data.id, error);
      message.retry(backoff(message));
    }
  }
  if (deliveries.size > 0) await sendDeliveries(env, deliveries, backoff, config);
}

async function sendDeliveries(
  env: Env,
  messages: Map<string, Message<unknown>>,
  backoff: (message: Message<unknown>) => { delaySeconds: number },
  /** The configuration already loaded for this batch, if any. */
  loaded: NotificationConfig | undefined,
): Promise<void> {
  const now = Date.now();
  let claimed: Delivery[];
  let config: NotificationConfig;
  try {
    config = loaded ?? (await loadNotificationConfig(env.DB));
    claimed = await claimDeliveries(env.DB, [...messages.keys()], now);
  } catch (error) {
    console.error("claiming deliveries failed; retrying the batch", error);
    for (const message of messages.values()) message.retry(backoff(message));
    return;
  }
  const claimedIds = new Set(claimed.map((delivery) => delivery.id));
  // Not claimable: already delivered, failed, or being sent by another consumer.
  for (const [id, message] of messages) if (!claimedIds.has(id)) message.ack();

  // How many more messages each paced service may take this minute.
  const budgets = new Map<string, number>();
  for (const name of new Set(claimed.map((delivery) => delivery.service))) {
    const stored = config.services.get(name);
    const rate = stored ? (stored.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE[stored.type] ?? null) : null;
    if (rate !== null) budgets.set(name, rate - (await countDeliveredSince(env.DB, name, now - 60_000)).count);
  }
  const statements: D1PreparedStatement[] = [];
  const retries: Array<[Message<unknown>, number | undefined]> = [];
  await Promise.all(
    claimed.map(async (delivery) => {
      const message = messages.get(delivery.id);
      if (!message) return;
      const stored = config.services.get(delivery.service);
      if (!stored) {
        statements.push(
          finishDeliveryStatement(
            env.DB,
            delivery.id,
            "failed",
            delivery.attempts,
            `service "${delivery.service}" is not configured`,
            now,
          ),
        );
        return;
      }
      const budget = budgets.get(stored.name);
      if (budget !== undefined) {
        budgets.set(stored.name, budget - 1);
        if (budget <= 0) {
          // Over the service's pace: put it back and try again when the minute has moved on.
          statements.push(
            finishDeliveryStatement(env.DB, delivery.id, "pending", delivery.attempts, delivery.lastError, now),
          );
          retries.push([message, 60]);
          return;
        }
      }
      let service: ResolvedService;
      try {
        service = await resolveService(stored, env.HOOKLINE_SECRET_KEY, env as unknown as Record<string, unknown>);
      } catch (error) {
        statements.push(
          finishDeliveryStatement(env.DB, delivery.id, "failed", delivery.attempts, (error as Error).message, now),
        );
        return;
      }
      const outcome = await sendNotification(service, delivery.recipient, delivery.message, {
        trigger: delivery.trigger,
        template: delivery.template,
        resource: delivery.resource,
      });
      const attempts = delivery.attempts + 1;
      if (outcome.kind === "delivered") {
        statements.push(finishDeliveryStatement(env.DB, delivery.id, "delivered", attempts, null, Date.now()));
      } else if (outcome.kind === "failed") {
        statements.push(finishDeliveryStatement(env.DB, delivery.id, "failed", attempts, outcome.error, now));
      } else {
        statements.push(finishDeliveryStatement(env.DB, delivery.id, "pending", attempts, outcome.error, now));
        retries.push([message, outcome.retryAfterSeconds]);
      }
    }),
  );
  try {
    if (statements.length > 0) await env.DB.batch(statements);
  } catch (error) {
    // The sends happened; their claims go stale and the sweeper re-checks them. Retry the messages.
    console.error("recording deliveries failed", error);
    for (const delivery of claimed)
      messages.get(delivery.id)?.retry(backoff(messages.get(delivery.id) as Message<unknown>));
    return;
  }
  const retried = new Set(retries.map(([message]) => message));
  for (const [message, after] of retries)
    message.retry(after === undefined ? backoff(message) : { delaySeconds: after });
  for (const delivery of claimed) {
    const message = messages.get(delivery.id);
    if (message && !retried.has(message)) message.ack();
  }
}

/** The NOTIFICATIONS dead-letter consumer: deliveries that kept failing end as failed. */
export async function consumeDeadNotifications(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  for (const message of batch.messages) {
    const parsed = deliveryMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      console.error(
        "dead-lettered notification message dropped",
        message.id,
        JSON.stringify(message.body).slice(0, 200),
      );
      continue;
    }
    statements.push(
      env.DB.prepare(
        `UPDATE notification_deliveries SET status = 'failed', claimed_at = NULL,
         last_error = 'gave up after ' || ?2 || ' delivery attempt(s): ' || coalesce(last_error, 'sending kept failing')
         WHERE id = ?1 AND status IN ('pending', 'sending')`,
      ).bind(parsed.data.id, String(message.attempts)),
    );
  }
  try {
    if (statements.length > 0) await env.DB.batch(statements);
    batch.ackAll();
  } catch (error) {
    console.error("recording dead-lettered deliveries failed; retrying", error);
    batch.retryAll({ delaySeconds: 60 });
  }
}

/** The sweeper (scheduled): re-enqueues deliveries never handed to the queue, or whose sender died. */
export async function sweepDeliveries(env: Env, now = Date.now()): Promise<number> {
  const ids = await findUnsentDeliveries(env.DB, now, 1000);
  if (ids.length === 0) return 0;
  await env.DB.prepare(
    "UPDATE notification_deliveries SET status = 'pending', claimed_at = NULL WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'sending'",
  )
    .bind(JSON.stringify(ids))
    .run();
  await enqueueDeliveries(env.DB, env.NOTIFICATIONS, ids);
  return ids.length;
}
