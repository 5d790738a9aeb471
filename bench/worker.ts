// The benchmark Worker: the real hookline Worker plus a baseline route in the same script, so
// both are measured on the same workerd in the same run.
import { Hono } from "hono";
import hookline from "../src/index";
import { approvalNotificationRoutes } from "./approval-notification-routes";
import { evaluationRoutes } from "./evaluation-routes";
import { shardSimulationRoutes } from "./shard-simulation-routes";

export { ApprovalGate, BindingWindow, ClusterBreaker, DeliveryLedger, SenderLimiter, ServicePacer } from "../src/index";
export { BenchEcho } from "./approval-notification-routes";

interface BenchEnv extends Env {
  BENCH_ECHO: DurableObjectNamespace<import("./approval-notification-routes").BenchEcho>;
}

/**
 * The baseline: a bare Hono route that reads the body, sends it to a queue and answers 202. It
 * sends to the EVENTS queue, as an event envelope, so both routes feed the same consumer: the
 * consumer's work runs in the same workerd here (in production it runs apart from ingestion),
 * and this way it weighs equally on both sides of the ratio.
 */
/** The bench-only D1 table for the delivery-id comparison, created once per isolate. */
let benchTable: Promise<unknown> | undefined;

const baseline = new Hono<{ Bindings: BenchEnv }>()
  .post("/bench/baseline", async (c) => {
    const body = await c.req.text();
    await c.env.EVENTS.send(
      {
        v: 1,
        id: crypto.randomUUID(),
        namespace: "baseline",
        discriminator: "",
        receivedAt: Date.now(),
        sender: { key: "baseline", templates: null },
        metadata: {},
        body: { inline: body },
        bodyBytes: body.length,
      },
      { contentType: "json" },
    );
    return c.json({ id: "baseline" }, 202);
  })
  /**
   * The two stores considered for delivery ids, each answering "first seen as which event?":
   * a D1 table with a unique key (bench-only table), and the DeliveryLedger Durable Object.
   */
  .post("/bench/dedupe/d1", async (c) => {
    const delivery = c.req.query("id") ?? "";
    benchTable ??= c.env.DB.prepare(
      "CREATE TABLE IF NOT EXISTS bench_deliveries (delivery TEXT PRIMARY KEY, event_id TEXT NOT NULL, seen_at INTEGER NOT NULL)",
    ).run();
    await benchTable;
    const row = await c.env.DB.prepare(
      `INSERT INTO bench_deliveries (delivery, event_id, seen_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (delivery) DO UPDATE SET delivery = delivery RETURNING event_id`,
    )
      .bind(delivery, crypto.randomUUID(), Date.now())
      .first<{ event_id: string }>();
    return c.json({ id: row?.event_id });
  })
  .post("/bench/dedupe/do", async (c) => {
    const delivery = c.req.query("id") ?? "";
    const ledger = c.env.DELIVERY_LEDGER.getByName(
      `bench/${[...delivery].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 0) % 8}`,
    );
    return c.json({ id: await ledger.claim(delivery, crypto.randomUUID()) });
  })
  .route("/", evaluationRoutes)
  .route("/", approvalNotificationRoutes)
  .route("/", shardSimulationRoutes);

export default {
  fetch(request, env, ctx) {
    return new URL(request.url).pathname.startsWith("/bench/")
      ? baseline.fetch(request, env, ctx)
      : hookline.fetch(request, env, ctx);
  },
  queue: hookline.queue,
  scheduled: hookline.scheduled,
} satisfies ExportedHandler<BenchEnv, unknown>;
