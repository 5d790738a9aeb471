// The benchmark Worker: the real hookline Worker plus the routes its suites drive (baselines that
// belong in the same workerd, the shard simulation, the cost meter). The ingest baseline is a
// separate Worker (bench/forwarder/worker.ts).
import { Hono } from "hono";
import hookline from "../src/index";
import { approvalNotificationRoutes } from "./approval-notification-routes";
import { evaluationRoutes } from "./evaluation-routes";
import { meterBatch, meteredEnv, meterRoutes } from "./meter";
import { shardSimulationRoutes } from "./shard-simulation-routes";

export { ApprovalGate, BindingWindow, ClusterBreaker, DeliveryLedger, SenderLimiter, ServicePacer } from "../src/index";
export { BenchEcho } from "./approval-notification-routes";

interface BenchEnv extends Env {
  BENCH_ECHO: DurableObjectNamespace<import("./approval-notification-routes").BenchEcho>;
}

/** The bench-only D1 table for the delivery-id comparison, created once per isolate. */
let benchTable: Promise<unknown> | undefined;

const baseline = new Hono<{ Bindings: BenchEnv }>()
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
  .route("/", shardSimulationRoutes)
  .route("/", meterRoutes);

/**
 * hookline itself, with the cost suite's meter around every handler (bench/meter.ts: it is off —
 * the env passes through untouched — unless the suite switches it on).
 */
export default {
  fetch(request, env, ctx) {
    return new URL(request.url).pathname.startsWith("/bench/")
      ? baseline.fetch(request, env, ctx)
      : hookline.fetch(request, meteredEnv(env), ctx);
  },
  queue(batch, env) {
    meterBatch(batch);
    return hookline.queue(batch, meteredEnv(env));
  },
  scheduled(controller, env) {
    return hookline.scheduled(controller, meteredEnv(env));
  },
} satisfies ExportedHandler<BenchEnv, unknown>;
