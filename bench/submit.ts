// Submission benchmarks against the fake Argo Server (started in this process, on 127.0.0.1):
// latency from POST /events to the submit arriving (and throughput at the same settings), and a fault soak where the cluster fails 30%
// of submits with 500 and hangs on 5% (after creating the workflow).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningWorker, root } from "../scripts/lib/local-worker.ts";
import { type FakeCluster, startFakeCluster } from "../test/fakes/argo-cluster.ts";
import { createSenderToken, samplePayload } from "./ingest.ts";
import { api, type BenchRow, fakeControl, fmt, openLocalD1, percentile, sleep } from "./lib.ts";

interface FakeWorkflow {
  name: string;
  labels: Record<string, string>;
  createdAt: number;
}

/** A namespace whose one binding matches every event and submits `build` to the fake. */
async function prepare(
  worker: RunningWorker,
  cluster: FakeCluster,
  namespace: string,
  timeoutSeconds: number,
): Promise<void> {
  await fakeControl(cluster, "POST", "templates", namespace, { names: ["build"] });
  await api(worker, "PUT", `/api/v1/clusters/${namespace}`, {
    type: "argo-server",
    url: cluster.url,
    token: cluster.token,
    timeoutSeconds,
  });
  await api(worker, "PUT", `/api/v1/namespaces/${namespace}/workfloweventbindings/every-push`, {
    metadata: { name: "every-push" },
    spec: {
      cluster: namespace,
      event: { selector: 'metadata."x-github-event" = ["push"]' },
      submit: {
        workflowTemplateRef: { name: "build" },
        arguments: { parameters: [{ name: "revision", valueFrom: { event: "payload.after" } }] },
      },
    },
  });
}

async function sendEvents(
  worker: RunningWorker,
  token: string,
  namespace: string,
  count: number,
  concurrency: number,
  spacingMs = 0,
) {
  const body = samplePayload();
  const sent = new Map<string, number>();
  let next = 0;
  let failures = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      const started = Date.now();
      const response = await fetch(`${worker.url}/api/v1/events/${namespace}/github`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "x-github-event": "push" },
        body,
      });
      if (response.status === 202) sent.set(((await response.json()) as { id: string }).id, started);
      else failures++;
      if (spacingMs > 0) await sleep(spacingMs);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { sent, failures };
}

async function workflowsOf(cluster: FakeCluster, namespace: string): Promise<FakeWorkflow[]> {
  return (await fakeControl(cluster, "GET", "workflows", namespace)).workflows as FakeWorkflow[];
}

/** The consumer's batch window, as wrangler.toml sets it for the events queue (what the numbers were measured with). */
function eventsBatchTimeout(): string {
  const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
  const consumer =
    /\[\[queues\.consumers\]\]\s*\nqueue = "hookline-events"\n([\s\S]*?)(?:\n\n|$)/.exec(toml)?.[1] ?? "";
  return /max_batch_timeout = ([\d.]+)/.exec(consumer)?.[1] ?? "?";
}

/**
 * Event → submit: latency one event at a time (p50/p99 from the sender's POST to the workflow's
 * creation at the fake Argo Server), and throughput under load at the same settings (2,000 events
 * from 16 connections, until every workflow exists) — a shorter batch window must not cost
 * batching under load.
 */
export async function benchSubmitLatency(worker: RunningWorker): Promise<BenchRow[]> {
  const cluster = await startFakeCluster();
  try {
    const window = eventsBatchTimeout();
    const namespace = "latency";
    await prepare(worker, cluster, namespace, 5);
    const token = await createSenderToken(worker, "bench-latency");
    const total = 200;
    const { sent } = await sendEvents(worker, token, namespace, total, 1, 20);
    const workflows = await waitForWorkflows(cluster, namespace, sent.size, 120_000);
    const latencies = workflows.flatMap((workflow) => {
      const sentAt = sent.get(workflow.labels["hookline.dev/event-id"] ?? "");
      return sentAt === undefined ? [] : [workflow.createdAt - sentAt];
    });
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(`submit latency: ${latencies.length}/${total} submitted; p50 ${p50} ms, p99 ${p99} ms`);

    const loadNamespace = "throughput";
    await prepare(worker, cluster, loadNamespace, 5);
    const load = 2000;
    const started = Date.now();
    const burst = await sendEvents(worker, token, loadNamespace, load, 16);
    const accepted = Date.now();
    const done = await waitForWorkflows(cluster, loadNamespace, burst.sent.size, 300_000);
    const lastCreated = Math.max(...done.map((workflow) => workflow.createdAt));
    const rate = done.length / ((lastCreated - started) / 1000);
    // On one shared machine the sender bounds the rate; the lag says whether submitting kept pace.
    const lag = Math.max(0, lastCreated - accepted);
    console.log(
      `submit throughput: ${done.length}/${load} in ${lastCreated - started} ms = ${rate.toFixed(0)}/s; last workflow ${lag} ms after the last event was accepted`,
    );
    return [
      {
        what: `event → submit at the fake Argo Server (${total} events, one at a time, local queues, max_batch_timeout ${window} s)`,
        baseline: "—",
        result: `p50 **${fmt(p50 / 1000, 2)} s**, p99 **${fmt(p99 / 1000, 2)} s** (${latencies.length}/${total} submitted)`,
        target: "p50 < 400 ms, p99 < 1.5 s",
        met: latencies.length === total && p50 < 400 && p99 < 1500,
      },
      {
        what: `event → submit throughput at the same settings (${load} events, 16 connections, until every workflow exists)`,
        baseline: "—",
        result: `**${rate.toFixed(0)} workflows/s** (${done.length}/${load} submitted, ${burst.failures} refused); the last ${lag} ms after the last event was accepted`,
        target: "not below the 1 s window's (155 ± 12/s, sender-bound)",
        met: null,
      },
    ];
  } finally {
    await cluster.close();
  }
}

async function waitForWorkflows(
  cluster: FakeCluster,
  namespace: string,
  count: number,
  timeoutMs: number,
): Promise<FakeWorkflow[]> {
  let workflows: FakeWorkflow[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    workflows = await workflowsOf(cluster, namespace);
    if (workflows.length >= count) break;
    await sleep(250);
  }
  return workflows;
}

export async function benchFaultSoak(worker: RunningWorker, total = 5000): Promise<BenchRow[]> {
  const cluster = await startFakeCluster();
  const db = openLocalD1(worker.persistDir);
  try {
    const namespace = "soak";
    await prepare(worker, cluster, namespace, 2);
    await fakeControl(cluster, "POST", "behaviour", namespace, {
      randomFailRate: 0.3,
      randomHangRate: 0.05,
      hangMs: 4000,
    });
    const token = await createSenderToken(worker, "bench-soak");
    const started = Date.now();
    const { sent, failures } = await sendEvents(worker, token, namespace, total, 16);
    const outcomes = () =>
      Object.fromEntries(
        (
          db
            .prepare("SELECT outcome, count(*) AS n FROM event_log WHERE namespace = 'soak' GROUP BY outcome")
            .all() as Array<{ outcome: string; n: number }>
        ).map((row) => [row.outcome, row.n]),
      ) as Record<string, number>;
    let counts: Record<string, number> = {};
    const deadline = Date.now() + 20 * 60_000;
    while (Date.now() < deadline) {
      counts = outcomes();
      const terminal = Object.entries(counts).reduce((sum, [outcome, n]) => (outcome === "pending" ? sum : sum + n), 0);
      if (terminal >= sent.size) break;
      await sleep(1000);
    }
    const drainMs = Date.now() - started;
    const workflows = await workflowsOf(cluster, namespace);
    const byEvent = new Map<string, number>();
    for (const workflow of workflows) {
      const id = workflow.labels["hookline.dev/event-id"] ?? "";
      byEvent.set(id, (byEvent.get(id) ?? 0) + 1);
    }
    const duplicates = [...byEvent.values()].reduce((sum, n) => sum + (n - 1), 0);
    const submittedIds = new Set(
      (
        db.prepare("SELECT id FROM event_log WHERE namespace = 'soak' AND outcome = 'submitted'").all() as Array<{
          id: string;
        }>
      ).map((row) => row.id),
    );
    const missing = [...sent.keys()].filter((id) => !submittedIds.has(id) || !byEvent.has(id)).length;
    const requests = (await fakeControl(cluster, "GET", "workflows", namespace)).requests as number;
    console.log(
      `fault soak: ${sent.size} accepted (${failures} refused), outcomes ${JSON.stringify(counts)}, ${workflows.length} workflows, ` +
        `${requests} submit requests, ${duplicates} duplicates, ${missing} missing, drained in ${fmt(drainMs / 1000, 1)} s`,
    );
    return [
      {
        what: `fault soak: ${fmt(total)} events; the cluster fails 30% of submits with 500 and hangs on 5% (after creating)`,
        baseline: "—",
        result: `${fmt(sent.size)} accepted, ${fmt(workflows.length)} workflows after ${fmt(requests)} submit requests, all terminal in ${fmt(drainMs / 1000, 0)} s: **${missing} missing, ${duplicates} duplicates**`,
        target: "0 missing, 0 duplicate workflows",
        met: missing === 0 && duplicates === 0 && sent.size === total,
      },
    ];
  } finally {
    db.close();
    await cluster.close();
  }
}
