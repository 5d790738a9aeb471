import { app } from "./app";
import { consumeEvents } from "./events/consumer";
import { consumeDeadEvents } from "./events/dead-letter";
import { deleteExpiredEvents } from "./events/retention";
import { readLimits } from "./lib/config";
import { log } from "./lib/log";
import { consumeDeadNotifications, consumeNotifications, sweepDeliveries } from "./notifications/consumer";

export { ApprovalGate } from "./approvals/approval-gate";
export { BindingWindow } from "./bindings/window";
export { ClusterBreaker } from "./clusters/breaker";
export { DeliveryLedger } from "./events/delivery-ledger";
export { SenderLimiter } from "./events/sender-limiter";
export { ServicePacer } from "./notifications/pacer";

/** Queue names from wrangler.toml, each mapped to its consumer. */
const consumers = new Map<string, (batch: MessageBatch<unknown>, env: Env) => Promise<void>>([
  ["hookline-events", consumeEvents],
  ["hookline-events-dlq", consumeDeadEvents],
  ["hookline-notifications", consumeNotifications],
  ["hookline-notifications-dlq", consumeDeadNotifications],
]);

export default {
  fetch: app.fetch,

  async queue(batch, env) {
    const consume = consumers.get(batch.queue);
    if (!consume) throw new Error(`no consumer for queue "${batch.queue}"`);
    await consume(batch, env);
  },

  async scheduled(controller, env) {
    const swept = await sweepDeliveries(env, controller.scheduledTime);
    if (swept > 0) log.info("notifications: re-queued unsent deliveries", { count: swept });
    const deleted = await deleteExpiredEvents(
      env.DB,
      env.EVENT_BODIES,
      readLimits(env).retentionMs,
      controller.scheduledTime,
    );
    if (deleted > 0) log.info("retention: deleted expired events and notification records", { count: deleted });
  },
} satisfies ExportedHandler<Env, unknown>;
