// The shard simulation (issue 21; docs/scale.md): does the event log's throughput grow with the
// number of shards? The real consumer writes the same burst (2,000 events of 1.5 KB over 200
// namespaces, each with one binding that does not match, so every event is evaluated, counted and
// packed, and a few per namespace and minute keep a row) into
// N = 1, 2, 4, 8 real local D1 databases (bench/shard-simulation-routes.ts). Wall-clock time
// here cannot answer — every database shares one workerd process on two cores — so the Worker
// meters each database's writer time instead, and the sustainable rate is computed from the
// platform's per-resource ceilings:
//   log shard:   it is busy `writerMs` for its share of the burst → events × 1000 / max writerMs;
//   queue shard: ~5,000 messages/s each → 5,000 × events / the busiest queue's messages;
// the pipeline sustains the smaller of the two. Then the same with one hot namespace taking a
// quarter of the traffic: namespace sharding cannot split one namespace.
import type { RunningWorker } from "../scripts/lib/local-worker.ts";
import { samplePayload } from "./ingest.ts";
import { api, type BenchRow, fmt } from "./lib.ts";

const EVENTS = 2000;
const NAMESPACES = 200;
const QUEUE_MESSAGES_PER_SECOND = 5000;
const SHARD_COUNTS = [1, 2, 4, 8];

interface ShardReport {
  writerMs: number;
  sqliteMs: number;
  statements: number;
  batches: number;
  queueMessages: number;
}

interface Simulated {
  shards: number;
  rate: number;
  logRate: number;
  queueRate: number;
  statementsPerEvent: number;
  sqliteMsPerEvent: number;
  wallSeconds: number;
}

async function simulate(worker: RunningWorker, shards: number, hot: number, namespaces: string[], run: string) {
  const started = Date.now();
  const response = await fetch(`${worker.url}/bench/shards`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ shards, events: EVENTS, namespaces, hot, payload: samplePayload(), run }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`shard simulation: ${response.status} ${text}`);
  const { shards: reports } = JSON.parse(text) as { shards: ShardReport[] };
  const busiestWriter = Math.max(...reports.map((report) => report.writerMs));
  const busiestQueue = Math.max(...reports.map((report) => report.queueMessages));
  const logRate = (EVENTS * 1000) / busiestWriter;
  const queueRate = (QUEUE_MESSAGES_PER_SECOND * EVENTS) / busiestQueue;
  const sum = (pick: (report: ShardReport) => number) => reports.reduce((total, report) => total + pick(report), 0);
  const result: Simulated = {
    shards,
    rate: Math.min(logRate, queueRate),
    logRate,
    queueRate,
    statementsPerEvent: sum((report) => report.statements) / EVENTS,
    sqliteMsPerEvent: sum((report) => report.sqliteMs) / EVENTS,
    wallSeconds: (Date.now() - started) / 1000,
  };
  console.log(
    `  ${shards} shard(s)${hot > 0 ? `, hot namespace ${hot * 100}%` : ""}: ${fmt(result.rate)} events/s (log ${fmt(logRate)}/s, queues ${fmt(queueRate)}/s); per shard events ${reports.map((report) => report.queueMessages).join("/")}, writer ms ${reports.map((report) => fmt(report.writerMs)).join("/")}; ${fmt(result.statementsPerEvent, 3)} write statements and ${fmt(result.sqliteMsPerEvent, 3)} ms of SQLite per event; ${fmt(result.wallSeconds, 1)} s wall clock here`,
  );
  return result;
}

export async function benchShards(worker: RunningWorker): Promise<BenchRow[]> {
  const run = Date.now().toString(36);
  const namespaces = Array.from({ length: NAMESPACES }, (_, index) => `shard-sim-${index}`);
  // One binding per namespace whose selector reads the payload and does not fire: every event
  // is evaluated and writes a result row, and nothing waits on a cluster.
  for (const namespace of namespaces) {
    await api(worker, "PUT", `/api/v1/namespaces/${namespace}/workfloweventbindings/release`, {
      metadata: { name: "release" },
      spec: {
        event: { selector: 'payload.ref = "refs/heads/release"' },
        submit: { workflowTemplateRef: { name: "release" } },
      },
    });
  }
  const even: Simulated[] = [];
  for (const shards of SHARD_COUNTS) even.push(await simulate(worker, shards, 0, namespaces, run));
  const hot: Simulated[] = [];
  for (const shards of SHARD_COUNTS) hot.push(await simulate(worker, shards, 0.25, namespaces, run));
  const one = even[0] as Simulated;
  const describe = (results: Simulated[], base: Simulated) =>
    results
      .map((result) => `N=${result.shards}: ${fmt(result.rate)}/s (${fmt(result.rate / base.rate, 2)}×)`)
      .join(", ");
  const grows = even.every((result, index) => index === 0 || result.rate > (even[index - 1] as Simulated).rate * 1.5);
  return [
    {
      what: `shard simulation: ${fmt(EVENTS)} events of 1.5 KB over ${NAMESPACES} namespaces through the real consumer into N local D1 shards; sustainable rate from each shard's metered writer time and ~5,000 messages/s per queue`,
      baseline: `N=1: ${fmt(one.rate)} events/s (${fmt(one.statementsPerEvent, 3)} write statements, ${fmt(one.sqliteMsPerEvent, 3)} ms SQLite per event)`,
      result: describe(even, one),
      target: "throughput grows with N",
      met: grows,
    },
    {
      what: "the same with one namespace sending 25% of the events",
      baseline: `N=1: ${fmt((hot[0] as Simulated).rate)} events/s`,
      result: `${describe(hot, hot[0] as Simulated)} — one namespace is never split, so its shard caps the gain`,
      target: "—",
      met: null,
    },
  ];
}
