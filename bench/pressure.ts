// Backpressure: 2,000 events into a cluster capped at maxPending 20 whose workflows complete at
// 50 a second (the fake cluster paces them) — the cap held at every sample (the fake records the
// most it ran at once, at every create; the bench also samples), none lost, none twice, and how
// long the drain took against the cluster's own pace (2,000 / 50 = 40 s at best).
import type { RunningWorker } from "../scripts/lib/local-worker.ts";
import { startFakeCluster } from "../test/fakes/argo-cluster.ts";
import { createSenderToken } from "./ingest.ts";
import { api, type BenchRow, fmt, sleep } from "./lib.ts";

export async function benchPressure(
  worker: RunningWorker,
  events = 2000,
  cap = 20,
  perSecond = 50,
): Promise<BenchRow[]> {
  const cluster = await startFakeCluster();
  const namespace = "pressure";
  // A cluster of its own on the fake: its pace and its count are the bench's alone.
  const url = `${cluster.url}/w/bench-pressure`;
  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}/_fake/${path}?namespace=${namespace}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await response.json()) as Record<string, unknown>;
  };
  try {
    await control("POST", "templates", { names: ["build"] });
    await control("POST", "completion", { perSecond });
    await api(worker, "PUT", `/api/v1/clusters/${namespace}`, {
      type: "argo-server",
      url,
      token: cluster.token,
      maxPending: cap,
    });
    await api(worker, "PUT", `/api/v1/namespaces/${namespace}/workfloweventbindings/on-push`, {
      metadata: { name: "on-push" },
      spec: { cluster: namespace, event: { selector: "true" }, submit: { workflowTemplateRef: { name: "build" } } },
    });
    const token = await createSenderToken(worker, "bench-pressure");
    let next = 0;
    let refused = 0;
    const started = Date.now();
    const lane = async () => {
      while (next < events) {
        const seq = next++;
        const response = await fetch(`${worker.url}/api/v1/events/${namespace}/github`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ seq }),
        });
        if (response.status !== 202) refused++;
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 16 }, lane));
    const sentIn = Date.now() - started;
    let sampledMax = 0;
    let heldPeak = 0;
    let created = 0;
    const deadline = Date.now() + 600_000;
    while (Date.now() < deadline) {
      const pressure = await control("GET", "pressure");
      sampledMax = Math.max(sampledMax, Number(pressure.active));
      created = Number(pressure.created);
      const status = (await api(worker, "GET", `/api/v1/clusters/${namespace}`)).status as {
        pending: { held: number };
      };
      heldPeak = Math.max(heldPeak, status.pending.held);
      if (created >= events) break;
      await sleep(250);
    }
    const drainedIn = Date.now() - started;
    await sleep(3000); // anything submitted twice would show up now
    const pressure = await control("GET", "pressure");
    const workflows = (await control("GET", "workflows")).workflows as Array<{ labels: Record<string, string> }>;
    const distinct = new Set(workflows.map((workflow) => workflow.labels["hookline.dev/event-id"])).size;
    const maxActive = Number(pressure.maxActive);
    const lost = events - refused - distinct;
    const duplicated = workflows.length - distinct;
    console.log(
      `pressure: ${events} events sent in ${sentIn} ms (${refused} refused); ${workflows.length} workflows (${distinct} events), most running at once ${maxActive} (sampled ${sampledMax}), held at peak ${heldPeak}; drained in ${drainedIn} ms`,
    );
    return [
      {
        what: `backpressure: ${fmt(events)} events into a cluster capped at maxPending ${cap} completing ${perSecond}/s`,
        baseline: `the cluster's own pace: ${fmt(events / perSecond)} s`,
        result: `most running at once **${maxActive}** (at every create; sampled ${sampledMax}); **${lost} lost, ${duplicated} duplicated**; ${fmt(heldPeak)} held at peak; drained in **${fmt(drainedIn / 1000, 1)} s** (${fmt(drainedIn / 1000 / (events / perSecond), 2)}× the cluster's pace)`,
        target: "cap held at every sample; 0 lost, 0 duplicated",
        met: maxActive <= cap && sampledMax <= cap && lost === 0 && duplicated === 0 && refused === 0,
      },
    ];
  } finally {
    await cluster.close();
  }
}
