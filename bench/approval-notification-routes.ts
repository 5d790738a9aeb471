// Benchmark-only routes and a bare Durable Object, in the bench Worker: the baselines for the
// approval and notification benchmarks.
import { DurableObject } from "cloudflare:workers";
import { Hono } from "hono";
import { renderNotification } from "../src/notifications/render";

/** The smallest Durable Object: one RPC method that answers at once. */
export class BenchEcho extends DurableObject {
  ping(value: string): string {
    return value;
  }
}

interface BenchBindings {
  BENCH_ECHO: DurableObjectNamespace<BenchEcho>;
  NOTIFICATIONS: Queue;
}

const application = (i: number) => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Application",
  metadata: { name: `app-${i}`, namespace: "argocd" },
  status: {
    sync: { status: "Synced", revision: "59b20b8d" },
    health: { status: "Healthy" },
    operationState: { phase: "Succeeded", startedAt: "2026-11-25T10:00:00Z", finishedAt: "2026-11-25T10:01:00Z" },
  },
});

export const approvalNotificationRoutes = new Hono<{ Bindings: BenchBindings }>()
  /** Baseline for approvals: one bare Durable Object RPC round trip. */
  .post("/bench/do/ping", async (c) => {
    const stub = c.env.BENCH_ECHO.getByName(crypto.randomUUID());
    return c.json({ echo: await stub.ping("ok") });
  })
  /** Template rendering: `n` notifications rendered (DingTalk flavour), or `n` plain string concatenations. */
  .get("/bench/render", (c) => {
    const n = Number(c.req.query("n") ?? 1000);
    const plain = c.req.query("plain") === "1";
    let length = 0;
    for (let i = 0; i < n; i++) {
      const app = application(i);
      if (plain) {
        const text =
          "### Argo CD application status\n> - Application name: " +
          app.metadata.name +
          "\n> - Status: " +
          app.status.operationState.phase +
          "\n> - Time: " +
          app.status.operationState.finishedAt +
          "\n> - Application URL: [Click to access](https://argocd.example.com/applications/" +
          app.metadata.name +
          "?operation=true)";
        length += text.length;
      } else {
        length += renderNotification("app-sync-succeeded", undefined, {
          resource: app,
          context: { argocdUrl: "https://argocd.example.com" },
          serviceType: "dingtalk",
          recipient: "",
          serviceName: "dingtalk",
        }).body.length;
      }
    }
    return c.json({ n, length });
  })
  /** Re-sends delivery messages, as a queue redelivering a batch would. */
  .post("/bench/notify/redeliver", async (c) => {
    const ids = (await c.req.json()) as string[];
    for (let start = 0; start < ids.length; start += 100) {
      await c.env.NOTIFICATIONS.sendBatch(
        ids
          .slice(start, start + 100)
          .map((id) => ({ body: { v: 1, kind: "delivery", id }, contentType: "json" as const })),
      );
    }
    return c.json({ redelivered: ids.length });
  });
