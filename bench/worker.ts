// The benchmark Worker: the real hookline Worker plus a baseline route in the same script, so
// both are measured on the same workerd in the same run.
import { Hono } from "hono";
import hookline from "../src/index";
import { approvalNotificationRoutes } from "./approval-notification-routes";
import { evaluationRoutes } from "./evaluation-routes";

export { ApprovalGate } from "../src/index";
export { BenchEcho } from "./approval-notification-routes";

interface BenchEnv extends Env {
  BASELINE_QUEUE: Queue;
  BENCH_ECHO: DurableObjectNamespace<import("./approval-notification-routes").BenchEcho>;
}

/** The baseline: a bare Hono route that reads the body, sends it to a queue and answers 202. */
const baseline = new Hono<{ Bindings: BenchEnv }>()
  .post("/bench/baseline", async (c) => {
    const body = await c.req.text();
    await c.env.BASELINE_QUEUE.send(body, { contentType: "text" });
    return c.json({ id: "baseline" }, 202);
  })
  .route("/", evaluationRoutes)
  .route("/", approvalNotificationRoutes);

export default {
  fetch(request, env, ctx) {
    return new URL(request.url).pathname.startsWith("/bench/")
      ? baseline.fetch(request, env, ctx)
      : hookline.fetch(request, env, ctx);
  },
  async queue(batch, env) {
    if (batch.queue === "hookline-bench-baseline") {
      batch.ackAll();
      return;
    }
    await hookline.queue(batch, env);
  },
  scheduled: hookline.scheduled,
} satisfies ExportedHandler<BenchEnv, unknown>;
