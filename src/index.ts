import { app } from "./app";
import { consumeEvents } from "./events/consumer";
import { consumeDeadEvents } from "./events/dead-letter";
import { deleteExpiredEvents } from "./events/retention";
import { log } from "./lib/log";
import { queueRole } from "./lib/queue";
import { consumeDeadNotifications, consumeNotifications, sweepDeliveries } from "./notifications/consumer";

export { ApprovalGate } from "./approvals/approval-gate";
export { ClusterBreaker } from "./clusters/breaker";
export { DeliveryLedger } from "./events/delivery-ledger";
export { SenderLimiter } from "./events/sender-limiter";
export { BindingWindow } from "./events/windows";
export { ServicePacer } from "./notifications/pacer";

/** Each queue's consumer, by what the queue carries (its name says; lib/queue.ts). */
const consumers = {
  events: { live: consumeEvents, dead: consumeDeadEvents },
  notifications: { live: consumeNotifications, dead: consumeDeadNotifications },
};

export default {
  fetch: app.fetch,

  async queue(batch, env) {
    const role = queueRole(batch.queue);
    if (!role) throw new Error(`no consumer for queue "${batch.queue}"`);
    const consumer = consumers[role.kind];
    await (role.dead ? consumer.dead : consumer.live)(batch, env);
  },

  async scheduled(controller, env) {
    const swept = await sweepDeliveries(env, controller.scheduledTime);
    if (swept > 0) log.info("notifications: re-queued unsent deliveries", { count: swept });
    const deleted = await deleteExpiredEvents(env, controller.scheduledTime);
    if (deleted > 0) log.info("retention: deleted expired events and notification records", { count: deleted });
  },
} satisfies ExportedHandler<Env, unknown>;
