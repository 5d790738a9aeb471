// Debounce at scale: 2,000 pushes over 100 refs into a binding that debounces by ref (5 s) —
// exactly one workflow per ref, each with its ref's last push, and the time from a ref's last
// event to its submit (target: period + < 2 s).
import type { RunningWorker } from "../scripts/lib/local-worker.ts";
import { startFakeCluster } from "../test/fakes/argo-cluster.ts";
import { createSenderToken } from "./ingest.ts";
import { api, type BenchRow, fakeControl, fmt, percentile, sleep } from "./lib.ts";

interface FakeWorkflow {
  parameters: Array<{ name: string; value: string }>;
  createdAt: number;
}

export async function benchDebounce(worker: RunningWorker, events = 2000, refs = 100): Promise<BenchRow[]> {
  const cluster = await startFakeCluster();
  const namespace = "debounce";
  const periodMs = 5000;
  try {
    await fakeControl(cluster, "POST", "templates", namespace, { names: ["build"] });
    await api(worker, "PUT", `/api/v1/clusters/${namespace}`, {
      type: "argo-server",
      url: cluster.url,
      token: cluster.token,
    });
    await api(worker, "PUT", `/api/v1/namespaces/${namespace}/workfloweventbindings/on-push`, {
      metadata: { name: "on-push" },
      spec: {
        cluster: namespace,
        event: { selector: "true", debounce: { key: "payload.ref", period: `${periodMs / 1000}s` } },
        submit: {
          workflowTemplateRef: { name: "build" },
          arguments: {
            parameters: [
              { name: "ref", valueFrom: { event: "payload.ref" } },
              { name: "seq", valueFrom: { event: "$string(payload.seq)" } },
            ],
          },
        },
      },
    });
    const token = await createSenderToken(worker, "bench-debounce");
    const lastSentAt = new Map<string, number>();
    const lastSeq = new Map<string, number>();
    let next = 0;
    let refused = 0;
    const started = Date.now();
    const lane = async () => {
      while (next < events) {
        const seq = next++;
        const ref = `refs/heads/branch-${seq % refs}`;
        const response = await fetch(`${worker.url}/api/v1/events/${namespace}/github`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ ref, seq }),
        });
        if (response.status !== 202) refused++;
        else {
          lastSentAt.set(ref, Date.now());
          lastSeq.set(ref, Math.max(lastSeq.get(ref) ?? -1, seq));
        }
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 16 }, lane));
    const sentIn = Date.now() - started;
    let workflows: FakeWorkflow[] = [];
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      workflows = (await fakeControl(cluster, "GET", "workflows", namespace)).workflows as FakeWorkflow[];
      if (workflows.length >= refs) break;
      await sleep(250);
    }
    await sleep(periodMs + 2000); // anything late would show up now
    workflows = (await fakeControl(cluster, "GET", "workflows", namespace)).workflows as FakeWorkflow[];
    const value = (workflow: FakeWorkflow, name: string) =>
      workflow.parameters.find((parameter) => parameter.name === name)?.value ?? "";
    const byRef = new Map(workflows.map((workflow) => [value(workflow, "ref"), workflow]));
    const lastOfRef = [...lastSeq].filter(
      ([ref, seq]) => value(byRef.get(ref) ?? { parameters: [], createdAt: 0 }, "seq") === String(seq),
    ).length;
    const delays = [...byRef].map(
      ([ref, workflow]) => workflow.createdAt - (lastSentAt.get(ref) ?? workflow.createdAt),
    );
    const p50 = percentile(delays, 50);
    const max = Math.max(...delays);
    console.log(
      `debounce: ${events} events (${refused} refused) over ${refs} refs in ${sentIn} ms → ${workflows.length} workflows, ${lastOfRef} with their ref's last push; last event → submit p50 ${p50} ms, max ${max} ms`,
    );
    return [
      {
        what: `debounce: ${fmt(events)} pushes over ${refs} refs (16 connections), binding debounced by ref for ${periodMs / 1000} s`,
        baseline: "—",
        result: `**${workflows.length} workflows** (${lastOfRef} with their ref's last push, ${refused} refused); last event → submit p50 ${fmt(p50 / 1000, 2)} s, max **${fmt(max / 1000, 2)} s**`,
        target: `exactly ${refs} workflows; last event → submit ≤ period + 2 s (${(periodMs + 2000) / 1000} s)`,
        met: workflows.length === refs && lastOfRef === refs && refused === 0 && max <= periodMs + 2000,
      },
    ];
  } finally {
    await cluster.close();
  }
}
