// The capacity model's measured inputs (docs/scale.md): what one event costs the event log —
// D1 rows and bytes per table — measured on the local D1 after 1,000 events (1.5 KB JSON, one
// matching binding, workflows submitted to the fake Argo Server), and how many consumer
// batches the events queue delivered for them.
import type { RunningWorker } from "../scripts/lib/local-worker.ts";
import { startFakeCluster } from "../test/fakes/argo-cluster.ts";
import { createSenderToken, samplePayload } from "./ingest.ts";
import { api, type BenchRow, fakeControl, fmt, openLocalD1, sleep } from "./lib.ts";

export async function benchEventCost(worker: RunningWorker, events = 1000): Promise<BenchRow[]> {
  const cluster = await startFakeCluster();
  const namespace = "capacity";
  try {
    await fakeControl(cluster, "POST", "templates", namespace, { names: ["build"] });
    await api(worker, "PUT", `/api/v1/clusters/${namespace}`, {
      type: "argo-server",
      url: cluster.url,
      token: cluster.token,
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
    const token = await createSenderToken(worker, "bench-capacity");
    const db = openLocalD1(worker.persistDir);
    const measure = () => {
      const rows = (table: string, where = "1 = 1") =>
        (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
      // dbstat is not compiled into every SQLite; the payload and row sizes are summed instead.
      const bytes = (
        db
          .prepare(
            "SELECT coalesce(sum(length(id) + length(namespace) + length(discriminator) + 8 + length(outcome) + length(sender) + length(metadata) + coalesce(length(payload), 0) + coalesce(length(body_key), 0) + 8 + coalesce(length(trace_id), 0)), 0) AS b FROM events WHERE namespace = ?1",
          )
          .get(namespace) as { b: number }
      ).b;
      const resultBytes = (
        db
          .prepare(
            "SELECT coalesce(sum(length(event_id) + length(binding) + length(binding_uid) + length(status) + coalesce(length(cluster), 0) + coalesce(length(workflow), 0) + coalesce(length(request), 0) + 24), 0) AS b FROM event_results WHERE event_id IN (SELECT id FROM events WHERE namespace = ?1)",
          )
          .get(namespace) as { b: number }
      ).b;
      return {
        events: rows("events", `namespace = '${namespace}'`),
        results: rows("event_results", `event_id IN (SELECT id FROM events WHERE namespace = '${namespace}')`),
        bytes,
        resultBytes,
      };
    };
    const fileBytes = () => {
      const { page_count: pages } = db.prepare("PRAGMA page_count").get() as { page_count: number };
      const { page_size: size } = db.prepare("PRAGMA page_size").get() as { page_size: number };
      return pages * size;
    };
    const fileBefore = fileBytes();
    const body = samplePayload();
    let next = 0;
    const started = Date.now();
    const lane = async () => {
      while (next < events) {
        next++;
        const response = await fetch(`${worker.url}/api/v1/events/${namespace}/github`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "x-github-event": "push" },
          body,
        });
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 16 }, lane));
    const deadline = Date.now() + 120_000;
    let after = measure();
    while (Date.now() < deadline && after.events < events) {
      await sleep(250);
      after = measure();
    }
    await sleep(1000);
    after = measure();
    const seconds = (Date.now() - started) / 1000;
    const perEvent = (after.bytes + after.resultBytes) / Math.max(1, after.events);
    // The database file's growth: rows, indexes and page slack together (other tables barely move).
    const onDisk = (fileBytes() - fileBefore) / Math.max(1, after.events);
    console.log(
      `event cost: ${after.events} events, ${after.results} results, ${fmt(after.bytes / after.events)} B/event row + ${fmt(after.resultBytes / Math.max(1, after.results))} B/result row (${fmt(perEvent)} B/event in D1; the file grew ${fmt(onDisk)} B/event) in ${fmt(seconds, 1)} s`,
    );
    return [
      {
        what: `event log cost per event (${fmt(events)} events of ${fmt(body.length)} B JSON, one matching binding, 16 connections)`,
        baseline: "—",
        result: `**1 event row + ${fmt(after.results / Math.max(1, after.events), 2)} result row** per event: **${fmt(perEvent)} B** of row data, the database file **${fmt(onDisk)} B** larger per event (indexes included; payload inline)`,
        target: "input to docs/scale.md",
        met: null,
      },
    ];
  } finally {
    await cluster.close();
  }
}
