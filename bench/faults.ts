// Fault benchmarks on the default configuration: a cluster down for a minute under load, a paced
// chat service that first answers 429, and a chaos run (receivers failing, rate-limiting and
// hanging; a cluster going down and back). They report what matters to a user: events and
// deliveries lost or duplicated, attempts spent, time to drain.
import type { RunningWorker } from "../scripts/lib/local-worker.ts";
import { type FakeCluster, startFakeCluster } from "../test/fakes/argo-cluster.ts";
import { type Receiver, startReceiver } from "../test/fakes/receiver.ts";
import { createSenderToken, samplePayload } from "./ingest.ts";
import { api, type BenchRow, fakeControl, fmt, openLocalD1, sleep } from "./lib.ts";

async function behave(receiver: Receiver, key: string, behaviour: Record<string, unknown>) {
  await fetch(`${receiver.url}/_receiver/behaviour?key=${key}`, { method: "POST", body: JSON.stringify(behaviour) });
}

async function received(
  receiver: Receiver,
  key: string,
): Promise<Array<{ at: number; body: string; status?: number }>> {
  const response = await fetch(`${receiver.url}/_receiver/requests?key=${key}`);
  return ((await response.json()) as { requests: Array<{ at: number; body: string; status?: number }> }).requests;
}

/** A namespace whose one binding submits `build` to the fake cluster named like the namespace. */
async function prepareNamespace(worker: RunningWorker, cluster: FakeCluster, namespace: string): Promise<void> {
  await fakeControl(cluster, "POST", "templates", namespace, { names: ["build"] });
  await api(worker, "PUT", `/api/v1/clusters/${namespace}`, {
    type: "argo-server",
    url: cluster.url,
    token: cluster.token,
    timeoutSeconds: 2,
  });
  await api(worker, "PUT", `/api/v1/namespaces/${namespace}/workfloweventbindings/every-event`, {
    metadata: { name: "every-event" },
    spec: { cluster: namespace, event: { selector: "true" }, submit: { workflowTemplateRef: { name: "build" } } },
  });
}

async function sendEvents(worker: RunningWorker, token: string, namespace: string, count: number) {
  const ids: string[] = [];
  let refused = 0;
  let next = 0;
  const body = samplePayload();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        next++;
        const response = await fetch(`${worker.url}/api/v1/events/${namespace}/x`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body,
        });
        if (response.status === 202) ids.push(((await response.json()) as { id: string }).id);
        else refused++;
      }
    }),
  );
  return { ids, refused };
}

/** Waits until `check` holds or `timeoutMs` passes; returns whether it held. */
async function until(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 500): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(intervalMs);
  }
  return check();
}

function duplicatesOf(workflows: Array<{ labels: Record<string, string> }>): number {
  const byEvent = new Map<string, number>();
  for (const workflow of workflows) {
    const id = workflow.labels["hookline.dev/event-id"] ?? "";
    byEvent.set(id, (byEvent.get(id) ?? 0) + 1);
  }
  return [...byEvent.values()].reduce((sum, n) => sum + (n - 1), 0);
}

export async function benchClusterOutage(worker: RunningWorker, events = 200, downMs = 60_000): Promise<BenchRow[]> {
  const cluster = await startFakeCluster();
  try {
    const namespace = "outage";
    await prepareNamespace(worker, cluster, namespace);
    await fakeControl(cluster, "POST", "behaviour", namespace, { down: true });
    const started = Date.now();
    const token = await createSenderToken(worker, "bench-outage");
    const { ids, refused } = await sendEvents(worker, token, namespace, events);
    await sleep(Math.max(0, downMs - (Date.now() - started)));
    const callsWhileDown = (await fakeControl(cluster, "GET", "workflows", namespace)).requests as number;
    await fakeControl(cluster, "POST", "behaviour", namespace, {});
    const recovered = Date.now();
    const workflows = () =>
      fakeControl(cluster, "GET", "workflows", namespace).then(
        (r) => r.workflows as Array<{ labels: Record<string, string> }>,
      );
    await until(async () => (await workflows()).length >= ids.length, 10 * 60_000);
    const drainMs = Date.now() - recovered;
    const all = await workflows();
    const duplicates = duplicatesOf(all);
    console.log(
      `cluster outage: ${ids.length} accepted (${refused} refused); ${callsWhileDown} calls while down for ${downMs / 1000} s; ` +
        `${all.length} workflows ${fmt(drainMs / 1000, 1)} s after recovery, ${duplicates} duplicates`,
    );
    return [
      {
        what: `cluster down ${downMs / 1000} s while ${events} events arrive, then back`,
        baseline: "every message retried on its own: ~1,000 calls (measured before the breaker)",
        result: `**${callsWhileDown} calls** to the cluster while down; ${all.length} workflows ${fmt(drainMs / 1000, 0)} s after it came back, **${duplicates} twice**`,
        target: `≤ 40 calls while down; ${events} workflows after, none twice`,
        met: callsWhileDown <= 40 && all.length === events && duplicates === 0 && refused === 0,
      },
    ];
  } finally {
    await cluster.close();
  }
}

/** An Argo CD Application that is deployed (fires on-deployed), named `name`. */
function deployedApp(name: string) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name, namespace: "argocd" },
    status: {
      operationState: { phase: "Succeeded", syncResult: { revision: "r1" } },
      health: { status: "Healthy" },
      sync: { status: "Synced", revision: "r1" },
      history: [{ id: 1, deployStartedAt: "2026-01-01T00:00:00Z" }],
    },
  };
}

/** Subscribes a webhook service on `key` to on-deployed for apps named `<prefix>…`; returns its name. */
async function pacedService(worker: RunningWorker, receiver: Receiver, key: string, ratePerMinute?: number) {
  await api(worker, "PUT", `/api/v1/notifications/services/${key}`, {
    type: "webhook",
    url: `${receiver.url}/hooks/${key}`,
    ...(ratePerMinute ? { ratePerMinute } : {}),
  });
  await api(worker, "PUT", `/api/v1/notifications/subscriptions/${key}`, {
    selector: `$contains(app.metadata.name, "${key}-")`,
    triggers: ["on-deployed"],
    destinations: [{ service: key }],
  });
}

export async function benchPacedDeliveries(worker: RunningWorker, deliveries = 300): Promise<BenchRow[]> {
  const receiver = await startReceiver();
  const db = openLocalD1(worker.persistDir);
  try {
    const key = "bench-pace";
    await pacedService(worker, receiver, key, 120);
    await behave(receiver, key, { tooMany: 20, retryAfter: 1 });
    const started = Date.now();
    for (let i = 0; i < deliveries; i++)
      await api(worker, "POST", "/api/v1/notifications/resources", deployedApp(`${key}-${i}`));
    const counts = () =>
      db
        .prepare(
          "SELECT count(*) FILTER (WHERE status = 'delivered') AS delivered, count(*) FILTER (WHERE status = 'failed') AS failed, max(attempts) AS attempts FROM notification_deliveries WHERE service = ?",
        )
        .get(key) as { delivered: number; failed: number; attempts: number };
    await until(async () => counts().delivered + counts().failed >= deliveries, 10 * 60_000, 1000);
    const drainMs = Date.now() - started;
    const { delivered, failed, attempts } = counts();
    const times = (await received(receiver, key)).map((request) => request.at).sort((a, b) => a - b);
    let busiestMinute = 0;
    for (let start = 0, end = 0; end < times.length; end++) {
      while ((times[end] ?? 0) - (times[start] ?? 0) >= 60_000) start++;
      busiestMinute = Math.max(busiestMinute, end - start + 1);
    }
    console.log(
      `paced deliveries: ${delivered} delivered, ${failed} failed, max attempts ${attempts}, ${times.length} requests, busiest minute ${busiestMinute}, ${fmt(drainMs / 1000, 0)} s`,
    );
    return [
      {
        what: `${deliveries} deliveries to a 120/min service that first answers 429 (Retry-After: 1) × 20`,
        baseline: "—",
        result: `**${delivered} delivered, ${failed} failed**, at most **${busiestMinute}** requests in any minute, each delivery's attempts ≤ ${attempts} (429s and pacing spend none), drained in ${fmt(drainMs / 1000, 0)} s`,
        target: `${deliveries} delivered, 0 failed, ≤ 120 in any minute; pacing waits spend no attempts`,
        met: delivered === deliveries && failed === 0 && busiestMinute <= 120 && attempts === 1,
      },
    ];
  } finally {
    db.close();
    await receiver.close();
  }
}

/**
 * Chaos: 1,000 events to a cluster that fails 30% of submits with 500 and hangs on 5%, and goes
 * down for 20 s at the start; meanwhile 200 notifications to a receiver that fails 30% with 500,
 * answers 10% with 429 Retry-After and hangs on 5%.
 */
export async function benchChaos(worker: RunningWorker, events = 1000, notifications = 200): Promise<BenchRow[]> {
  const cluster = await startFakeCluster();
  const receiver = await startReceiver();
  const db = openLocalD1(worker.persistDir);
  try {
    const namespace = "chaos";
    await prepareNamespace(worker, cluster, namespace);
    await fakeControl(cluster, "POST", "behaviour", namespace, { down: true });
    const key = "bench-chaos";
    await pacedService(worker, receiver, key);
    await behave(receiver, key, { randomFailRate: 0.3, random429Rate: 0.1, randomHangRate: 0.05, hangMs: 15_000 });
    const started = Date.now();
    const token = await createSenderToken(worker, "bench-chaos");
    const sending = sendEvents(worker, token, namespace, events);
    for (let i = 0; i < notifications; i++)
      await api(worker, "POST", "/api/v1/notifications/resources", deployedApp(`${key}-${i}`));
    await sleep(Math.max(0, 20_000 - (Date.now() - started)));
    await fakeControl(cluster, "POST", "behaviour", namespace, {
      randomFailRate: 0.3,
      randomHangRate: 0.05,
      hangMs: 4000,
    });
    const { ids, refused } = await sending;
    const terminal = () =>
      (
        db
          .prepare("SELECT count(*) AS n FROM event_log WHERE namespace = ? AND outcome != 'pending'")
          .get(namespace) as {
          n: number;
        }
      ).n;
    const deliveriesDone = () =>
      (
        db
          .prepare(
            "SELECT count(*) AS n FROM notification_deliveries WHERE service = ? AND status IN ('delivered', 'failed')",
          )
          .get(key) as { n: number }
      ).n;
    await until(async () => terminal() >= ids.length && deliveriesDone() >= notifications, 20 * 60_000, 1000);
    const drainMs = Date.now() - started;
    const workflows = (await fakeControl(cluster, "GET", "workflows", namespace)).workflows as Array<{
      labels: Record<string, string>;
    }>;
    const submitted = new Set(workflows.map((workflow) => workflow.labels["hookline.dev/event-id"]));
    const eventsLost = ids.filter((id) => !submitted.has(id)).length;
    const eventDuplicates = duplicatesOf(workflows);
    const submitAttempts = (
      db
        .prepare(
          "SELECT sum(json_extract(r.value, '$.attempts')) AS n FROM event_log e, json_each(e.results) r WHERE e.namespace = ?",
        )
        .get(namespace) as { n: number }
    ).n;
    const delivery = db
      .prepare(
        "SELECT count(*) FILTER (WHERE status = 'delivered') AS delivered, count(*) FILTER (WHERE status = 'failed') AS failed, sum(attempts) AS attempts FROM notification_deliveries WHERE service = ?",
      )
      .get(key) as { delivered: number; failed: number; attempts: number };
    // What the receiver took (answered 200): its failures, 429s and hangs were not deliveries.
    const taken = new Map<string, number>();
    for (const request of await received(receiver, key)) {
      if (request.status !== 200) continue;
      const resource = (JSON.parse(request.body) as { resource?: string }).resource ?? "";
      taken.set(resource, (taken.get(resource) ?? 0) + 1);
    }
    const deliveryDuplicates = [...taken.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    const deliveriesLost = notifications - delivery.delivered;
    console.log(
      `chaos: events ${ids.length} accepted (${refused} refused), ${eventsLost} lost, ${eventDuplicates} duplicated, ${submitAttempts} submit attempts; ` +
        `deliveries ${delivery.delivered} delivered, ${delivery.failed} failed, ${deliveryDuplicates} duplicated, ${delivery.attempts} attempts; ${fmt(drainMs / 1000, 0)} s`,
    );
    return [
      {
        what: `chaos: ${fmt(events)} events (cluster down 20 s, then 30% 500 and 5% hangs) and ${notifications} notifications (30% 500, 10% 429, 5% hangs)`,
        baseline: "—",
        result: `events **${eventsLost} lost, ${eventDuplicates} duplicated** (${fmt(submitAttempts)} submit attempts); deliveries **${deliveriesLost} lost, ${deliveryDuplicates} duplicated** (${fmt(delivery.attempts)} attempts); drained in ${fmt(drainMs / 1000, 0)} s`,
        target: "0 lost, 0 duplicated",
        met:
          eventsLost === 0 &&
          eventDuplicates === 0 &&
          deliveriesLost === 0 &&
          deliveryDuplicates === 0 &&
          refused === 0,
      },
    ];
  } finally {
    db.close();
    await receiver.close();
    await cluster.close();
  }
}
