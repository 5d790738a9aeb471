import { app } from "./app";
import { consumeDeadEvents, consumeEvents } from "./events/consumer";
import { deleteExpiredEvents } from "./events/retention";
import { readLimits } from "./lib/config";
import { consumeDeadNotifications, consumeNotifications, sweepDeliveries } from "./notifications/consumer";

export { ApprovalGate } from "./approvals/approval-gate";

/** Queue names from wrangler.toml, each mapped to its consumer. */
const consumers: Record<string, (batch: MessageBatch<unknown>, env: Env) => Promise<void>> = {
  "hookline-events": consumeEvents,
  "hookline-events-dlq": consumeDeadEvents,
  "hookline-notifications": consumeNotifications,
  "hookline-notifications-dlq": consumeDeadNotifications,
};

export default {
  fetch: app.fetch,

  async queue(batch, env) {
    const consume = consumers[batch.queue];
    if (!consume) throw new Error(`no consumer for queue "${batch.queue}"`);
    await consume(batch, env);
  },

  async scheduled(controller, env) {
    const swept = await sweepDeliveries(env, controller.scheduledTime);
    if (swept > 0) console.log(`notifications: re-queued ${swept} unsent deliveries`);
    const deleted = await deleteExpiredEvents(
      env.DB,
      env.EVENT_BODIES,
      readLimits(env).retentionMs,
      controller.scheduledTime,
    );
    if (deleted > 0) console.log(`retention: deleted ${deleted} expired event(s) and notification records`);
  },
} satisfies ExportedHandler<Env, unknown>;
