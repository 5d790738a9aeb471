// Approval and notification benchmarks: 1,000 gates each decided by a callback, against bare
// Durable Object round trips; one resource update fanned out to 200 subscriptions, then the
// same deliveries redelivered; template rendering against string concatenation.
import type { RunningWorker } from "../scripts/lib/local-worker.ts";
import { type FakeCluster, type SetCall, startFakeCluster } from "../test/fakes/argo-cluster.ts";
import { startReceiver } from "../test/fakes/receiver.ts";
import { api, type BenchRow, fakeControl, fmt, median, percentile, sleep } from "./lib.ts";

/** Runs `count` jobs over `lanes` concurrent lanes; returns the wall time in ms. */
async function inLanes(count: number, lanes: number, job: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < count) await job(next++);
    }),
  );
  return performance.now() - started;
}

export async function benchApprovals(worker: RunningWorker, gates = 1000): Promise<BenchRow[]> {
  const receiver = await startReceiver();
  try {
    await api(worker, "PUT", "/api/v1/namespaces/bench/approvalpolicies/bench-approval", {
      webhooks: [{ name: "approver", uri: `${receiver.url}/hooks/approvals` }],
    });
    const client = await api(worker, "POST", "/api/v1/oauth/clients", { name: "bench-approver" });
    const token = (await api(
      worker,
      "POST",
      "/oauth/token",
      {
        grant_type: "client_credentials",
        client_id: client.client_id,
        client_secret: client.client_secret,
      },
      { authorization: "" },
    )) as { access_token: string };

    // Baseline: the same number of units of two bare Durable Object round trips each. The two
    // alternate in three rounds (the machine is shared and noisy); each rate is the median.
    await inLanes(100, 16, async () => {
      await fetch(`${worker.url}/bench/do/ping`, { method: "POST" });
    });
    const callbackLatencies: number[] = [];
    let refused = 0;
    const baselineRates: number[] = [];
    const hooklineRates: number[] = [];
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      const count =
        Math.round(gates / rounds) + (round === rounds - 1 ? gates - Math.round(gates / rounds) * rounds : 0);
      const baselineMs = await inLanes(count, 16, async () => {
        for (let i = 0; i < 2; i++) await (await fetch(`${worker.url}/bench/do/ping`, { method: "POST" })).text();
      });
      baselineRates.push((count / baselineMs) * 1000);
      const hooklineMs = await inLanes(count, 16, async () => {
        const gate = (await api(worker, "POST", "/api/v1/namespaces/bench/approvals", {
          policy: "bench-approval",
        })) as { callbackUri: string };
        const started = performance.now();
        const response = await fetch(`${worker.url}${new URL(gate.callbackUri).pathname}`, {
          method: "POST",
          headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
          body: JSON.stringify({ success: true, mdMessage: "bench" }),
        });
        const body = (await response.json()) as { status?: string };
        callbackLatencies.push(performance.now() - started);
        if (response.status !== 200 || body.status !== "approved") refused++;
      });
      hooklineRates.push((count / hooklineMs) * 1000);
    }
    let approved = 0;
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page = (await api(
        worker,
        "GET",
        `/api/v1/namespaces/bench/approvals?status=approved&limit=500${cursor ? `&cursor=${cursor}` : ""}`,
      )) as {
        items: unknown[];
        nextCursor: string | null;
      };
      approved += page.items.length;
      cursor = page.nextCursor;
    }
    const gatesPerSecond = median(hooklineRates);
    const baselinePerSecond = median(baselineRates);
    const ratio = gatesPerSecond / baselinePerSecond;
    const p50 = percentile(callbackLatencies, 50);
    const p99 = percentile(callbackLatencies, 99);
    console.log(
      `approvals: ${fmt(gatesPerSecond, 1)} gates/s vs ${fmt(baselinePerSecond, 1)} bare units/s (${fmt(ratio, 2)}×); ${approved} approved, ${refused} refused; callback p50 ${fmt(p50, 1)} ms p99 ${fmt(p99, 1)} ms`,
    );
    const nodes = await benchNodeSets(worker, token.access_token, `${receiver.url}/hooks/approvals`);
    console.log(
      `approvals: decision → node set p50 ${fmt(nodes.p50, 1)} ms, p99 ${fmt(nodes.p99, 1)} ms over ${nodes.count} gates (${nodes.missing} not set)`,
    );
    return [
      {
        what: `approvals: ${fmt(gates)} gates created (webhook called) and decided by one OAuth callback each, 16 lanes`,
        baseline: `2 bare Durable Object RPC round trips per gate: ${fmt(baselinePerSecond, 1)}/s (median of 3 rounds)`,
        result: `${fmt(gatesPerSecond, 1)} gates/s → **${fmt(ratio, 2)}×**; callback p50 ${fmt(p50, 1)} ms, p99 ${fmt(p99, 1)} ms; ${fmt(approved)} approved exactly once, ${refused} refused`,
        target: "≥ 0.6× the baseline rate; exactly one decision each",
        met: ratio >= 0.6 && approved === gates && refused === 0,
      },
      {
        what: `approvals: decision → workflow node set, ${nodes.count} gates on Suspend nodes of a fake Argo Server, one at a time`,
        baseline: "—",
        result: `p50 **${fmt(nodes.p50, 1)} ms**, p99 ${fmt(nodes.p99, 1)} ms (callback sent → the Argo Server's set call received); ${nodes.missing} not set`,
        target: "p50 < 150 ms",
        met: nodes.p50 < 150 && nodes.missing === 0,
      },
    ];
  } finally {
    await receiver.close();
  }
}

/**
 * Decision → node set: gates on a workflow's Suspend node at the fake Argo Server, each approved
 * by its callback; the time from sending the callback to the fake receiving the set call.
 */
async function benchNodeSets(
  worker: RunningWorker,
  accessToken: string,
  approverUri: string,
  count = 100,
): Promise<{ count: number; p50: number; p99: number; missing: number }> {
  const cluster = await startFakeCluster();
  try {
    const namespace = "bench";
    await api(worker, "PUT", "/api/v1/clusters/bench-nodes", {
      type: "argo-server",
      url: cluster.url,
      token: cluster.token,
    });
    await api(worker, "PUT", `/api/v1/namespaces/${namespace}/approvalpolicies/bench-node`, {
      subjects: [{ workflowTemplate: "bench-deploy", template: "approve" }],
      webhooks: [{ name: "approver", uri: approverUri }],
    });
    const latencies: number[] = [];
    let missing = 0;
    for (let i = 0; i < count; i++) {
      const workflow = `bench-deploy-${i}`;
      await fakeControl(cluster, "POST", "workflows", namespace, {
        name: workflow,
        labels: {},
        annotations: {},
        parameters: [],
        template: { kind: "WorkflowTemplate", name: "bench-deploy" },
        via: "argo-server",
      });
      const gate = (await api(worker, "POST", `/api/v1/namespaces/${namespace}/approvals`, {
        policy: "bench-node",
        subject: { cluster: "bench-nodes", workflow, node: "approve" },
      })) as { callbackUri: string };
      const sent = Date.now();
      const response = await fetch(`${worker.url}${new URL(gate.callbackUri).pathname}`, {
        method: "POST",
        headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
        body: JSON.stringify({ success: true, mdMessage: "bench" }),
      });
      await response.text();
      const setAt = await setTimeOf(cluster, namespace, workflow);
      if (setAt === null) missing += 1;
      else latencies.push(setAt - sent);
    }
    return { count, p50: percentile(latencies, 50), p99: percentile(latencies, 99), missing };
  } finally {
    await cluster.close();
  }
}

/** When the fake received the set call for `workflow` (polled for up to 5 s), or null. */
async function setTimeOf(cluster: FakeCluster, namespace: string, workflow: string): Promise<number | null> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const { sets } = (await fakeControl(cluster, "GET", "sets", namespace)) as { sets: SetCall[] };
    const set = sets.find((call) => call.name === workflow);
    if (set) return set.at;
    await sleep(5);
  }
  return null;
}

export async function benchNotifications(worker: RunningWorker, subscriptions = 200): Promise<BenchRow[]> {
  const receiver = await startReceiver();
  const requests = async () =>
    ((await (await fetch(`${receiver.url}/_receiver/requests?key=fanout`)).json()) as { requests: unknown[] }).requests
      .length;
  try {
    await api(worker, "PUT", "/api/v1/notifications/services/bench-hook", {
      type: "webhook",
      url: `${receiver.url}/hooks/fanout`,
    });
    for (let i = 0; i < subscriptions; i++) {
      await api(worker, "PUT", `/api/v1/notifications/subscriptions/fanout-${i}`, {
        selector: 'app.metadata.name = "fanout-app"',
        triggers: ["on-sync-succeeded"],
        destinations: [{ service: "bench-hook", recipients: [`team-${i}`] }],
      });
    }
    const resource = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: { name: "fanout-app", namespace: "argocd" },
      status: {
        sync: { status: "Synced", revision: "r1" },
        health: { status: "Healthy" },
        operationState: { phase: "Succeeded" },
      },
    };
    const started = performance.now();
    const posted = (await api(worker, "POST", "/api/v1/notifications/resources", resource)) as { deliveries: string[] };
    const postedMs = performance.now() - started;
    while ((await requests()) < subscriptions && performance.now() - started < 120_000) await sleep(50);
    const deliveredMs = performance.now() - started;
    const delivered = await requests();

    // The same document again, and the same delivery messages again: nothing new may be sent.
    const again = (await api(worker, "POST", "/api/v1/notifications/resources", resource)) as { deliveries: string[] };
    await api(worker, "POST", "/bench/notify/redeliver", posted.deliveries);
    await sleep(5000);
    const duplicates = (await requests()) - delivered;

    // Rendering one message vs concatenating the same text by hand (timed from outside workerd).
    const time = async (path: string) => {
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await (await fetch(`${worker.url}${path}`)).text();
        runs.push(performance.now() - t);
      }
      return median(runs);
    };
    await time("/bench/render?n=2000");
    const noop = await time("/bench/eval/noop");
    const render = Math.max(0.001, (await time("/bench/render?n=2000")) - noop) / 2000;
    const concat = Math.max(0.001, (await time("/bench/render?n=2000&plain=1")) - noop) / 2000;
    console.log(
      `notifications: ${delivered}/${subscriptions} delivered in ${fmt(deliveredMs)} ms (POST answered in ${fmt(postedMs)} ms); ` +
        `${again.deliveries.length} new on repeat, ${duplicates} duplicates on redelivery; render ${fmt(render * 1000, 1)} µs vs concat ${fmt(concat * 1000, 1)} µs`,
    );
    return [
      {
        what: `notification fan-out: one Application update → ${subscriptions} subscriptions (webhook service on 127.0.0.1)`,
        baseline: "—",
        result: `all ${fmt(delivered)} delivered ${fmt(deliveredMs / 1000, 2)} s after the POST (answered in ${fmt(postedMs)} ms); same document again: ${again.deliveries.length} new; same ${subscriptions} delivery messages redelivered: **${duplicates} duplicates**`,
        target: "all delivered, 0 duplicates on redelivery",
        met: delivered === subscriptions && duplicates === 0 && again.deliveries.length === 0,
      },
      {
        what: "template render cost per message (app-sync-succeeded, DingTalk colours)",
        baseline: `plain string concatenation of the same text: ${fmt(concat * 1000, 2)} µs`,
        result: `compiled Eta template: ${fmt(render * 1000, 2)} µs (**${fmt(render / concat, 1)}×**)`,
        target: "—",
        met: null,
      },
    ];
  } finally {
    await receiver.close();
  }
}
