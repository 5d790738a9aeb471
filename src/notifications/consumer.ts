import { z } from "zod";
import { buryMessage } from "../events/graveyard";
import { groupBy } from "../lib/collections";
import { readLimits } from "../lib/config";
import { log } from "../lib/log";
import { reschedule } from "../lib/queue";
import { MAX_ATTEMPTS, retryDelaySeconds } from "../lib/retry";
import { describeIssues } from "../lib/validation";
import { loadNotificationConfig, type NotificationConfig } from "./config";
import { deliveryMessageSchema, enqueueDeliveries } from "./enqueue";
import { fanOut, internalResource } from "./fanout";
import { internalEventSchema } from "./internal-events";
import { DEFAULT_RATE_PER_MINUTE } from "./schema";
import { sendNotification } from "./services";
import { resolveService } from "./services/resolve";
import type { ResolvedService } from "./services/types";
import { claimDeliveries, type Delivery, findUnsentDeliveries, finishDeliveryStatement, slackThreads } from "./store";

const messageSchema = z.union([internalEventSchema, deliveryMessageSchema]);

/** How long deliveries wait when their service's pacer cannot be reached. */
const PACER_UNAVAILABLE_WAIT_MS = 10_000;

/** A message to put back on the queue: after a wait (no attempt spent) or a failed attempt. */
type Later = { message: Message<unknown>; delaySeconds: number };

/**
 * The NOTIFICATIONS consumer. hookline's own events are fanned out to the triggers and
 * subscriptions that want them; deliveries are claimed (so a redelivered message never sends
 * twice), paced per service by its ServicePacer (DingTalk robots take about 20 a minute),
 * sent, and recorded. Waiting — for the service's pace, or for a receiver's 429 Retry-After —
 * reschedules the delivery without spending an attempt; only real failures (5xx, network,
 * timeout) count, and after MAX_ATTEMPTS of them the delivery fails.
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
      await buryMessage(env.EVENT_BODIES, batch.queue, message, `unreadable message: ${describeIssues(parsed.error)}`);
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
      log.error("fanning out a hookline event failed; retrying", { hooklineEvent: parsed.data.id }, error);
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
  const { maxRetryDelaySeconds, pacingWindowMs } = readLimits(env);
  let claimed: Delivery[];
  let config: NotificationConfig;
  try {
    config = loaded ?? (await loadNotificationConfig(env.DB));
    claimed = await claimDeliveries(env.DB, [...messages.keys()], now);
  } catch (error) {
    log.error("claiming deliveries failed; retrying the batch", {}, error);
    for (const message of messages.values()) message.retry(backoff(message));
    return;
  }
  const claimedIds = new Set(claimed.map((delivery) => delivery.id));
  // Not claimable: already delivered, failed, or being sent by another consumer.
  for (const [id, message] of messages) if (!claimedIds.has(id)) message.ack();

  const statements: D1PreparedStatement[] = [];
  const later: Later[] = [];
  const finish = (
    delivery: Delivery,
    status: "pending" | "delivered" | "failed",
    attempts: number,
    error: string | null,
  ) => statements.push(finishDeliveryStatement(env.DB, delivery.id, status, attempts, error, Date.now()));
  const wait = (delivery: Delivery, until: number) => {
    finish(delivery, "pending", delivery.attempts, delivery.lastError);
    const message = messages.get(delivery.id);
    if (message) later.push({ message, delaySeconds: Math.max(1, (until - Date.now()) / 1000) });
  };

  const byService = groupBy(claimed, (delivery) => delivery.service);
  await Promise.all(
    [...byService].map(async ([name, group]) => {
      const stored = config.services.get(name);
      if (!stored) {
        for (const delivery of group)
          finish(delivery, "failed", delivery.attempts, `service "${name}" is not configured`);
        return;
      }
      const rate = stored.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE.get(stored.type) ?? null;
      const pacer = rate === null ? null : env.SERVICE_PACER.getByName(name);
      let sendable = group;
      if (pacer && rate !== null) {
        let pace: Awaited<ReturnType<typeof pacer.acquire>>;
        try {
          pace = await pacer.acquire(group.length, rate, pacingWindowMs);
        } catch (error) {
          // The pace cannot be checked now: wait a little rather than risk going over it.
          log.warn("service pacer unavailable; deliveries wait", { service: name }, error);
          pace = { granted: 0, retryAt: group.map(() => Date.now() + PACER_UNAVAILABLE_WAIT_MS) };
        }
        sendable = group.slice(0, pace.granted);
        for (const [index, delivery] of group.slice(pace.granted).entries()) {
          wait(delivery, pace.retryAt[index] ?? now + pacingWindowMs);
        }
      }
      let service: ResolvedService;
      try {
        service = await resolveService(env, stored);
      } catch (error) {
        for (const delivery of sendable) finish(delivery, "failed", delivery.attempts, (error as Error).message);
        return;
      }
      const threads = slackThreads(env.DB, name);
      await Promise.all(
        sendable.map(async (delivery) => {
          const outcome = await sendNotification(
            service,
            delivery.recipient,
            delivery.message,
            { trigger: delivery.trigger, template: delivery.template, resource: delivery.resource },
            { threads },
          );
          const fields = {
            delivery: delivery.id,
            service: name,
            trigger: delivery.trigger,
            template: delivery.template,
            ...(delivery.traceId ? { traceId: delivery.traceId } : {}),
          };
          if (outcome.ok) {
            log.info("notification delivered", {
              ...fields,
              attempts: delivery.attempts + 1,
              durationMs: Date.now() - delivery.createdAt,
            });
            return finish(delivery, "delivered", delivery.attempts + 1, null);
          }
          const { error } = outcome;
          log.warn("notification not delivered", {
            ...fields,
            attempts: delivery.attempts + 1,
            problem: error.message,
          });
          if (error.code === "resource_exhausted") {
            // The receiver's pace: wait as told, spend no attempt, and hold the whole service.
            const until = Date.now() + (error.retryAfterSeconds ?? 10) * 1000;
            await pacer?.pause(until);
            return wait({ ...delivery, lastError: error.message }, until);
          }
          const attempts = delivery.attempts + 1;
          if (!error.retryable) return finish(delivery, "failed", attempts, error.message);
          if (attempts >= MAX_ATTEMPTS) {
            return finish(delivery, "failed", attempts, `gave up after ${attempts} attempts: ${error.message}`);
          }
          finish(delivery, "pending", attempts, error.message);
          const message = messages.get(delivery.id);
          const delay = error.retryAfterSeconds ?? retryDelaySeconds(attempts, maxRetryDelaySeconds);
          if (message) later.push({ message, delaySeconds: delay });
        }),
      );
    }),
  );
  try {
    if (statements.length > 0) await env.DB.batch(statements);
  } catch (error) {
    // The sends happened; their claims go stale and the sweeper re-checks them. Retry the messages.
    log.error("recording deliveries failed", {}, error);
    for (const delivery of claimed) {
      const message = messages.get(delivery.id);
      if (message) message.retry(backoff(message));
    }
    return;
  }
  const rescheduled = new Set(later.map(({ message }) => message));
  await reschedule(env.NOTIFICATIONS, later);
  for (const delivery of claimed) {
    const message = messages.get(delivery.id);
    if (message && !rescheduled.has(message)) message.ack();
  }
}

/**
 * The NOTIFICATIONS dead-letter consumer: deliveries whose processing kept crashing end as
 * failed; anything unreadable is kept in the graveyard.
 */
export async function consumeDeadNotifications(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  for (const message of batch.messages) {
    const parsed = deliveryMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      const reason = internalEventSchema.safeParse(message.body).success
        ? "a hookline event could not be fanned out to notifications"
        : "unreadable message";
      await buryMessage(env.EVENT_BODIES, batch.queue, message, reason);
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
    for (const message of batch.messages) {
      if (deliveryMessageSchema.safeParse(message.body).success) message.ack();
    }
  } catch (error) {
    log.error("recording dead-lettered deliveries failed; retrying", {}, error);
    for (const message of batch.messages) {
      if (deliveryMessageSchema.safeParse(message.body).success) message.retry({ delaySeconds: 60 });
    }
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
