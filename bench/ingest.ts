// Ingest benchmarks: the real ingest route against a separate minimal Worker that only forwards
// to a queue (bench/forwarder/worker.ts, its own wrangler dev), and a 20,000-event burst that
// must all reach the event log.
import type { RunningWorker } from "../scripts/lib/local-worker.ts";
import { type BenchContext, type BenchRow, fmt, type LoadResult, load, median, openLocalD1, sleep } from "./lib.ts";

/** A 1.5 KB JSON document shaped like a GitHub push (trimmed). */
export function samplePayload(): string {
  const commits = Array.from({ length: 4 }, (_, i) => ({
    id: `${i}`.repeat(40).slice(0, 40),
    message: `Fix flaky test number ${i} in the payments service`,
    author: { name: "Ada Lovelace", email: "ada@example.com", username: "ada" },
    added: [],
    removed: [],
    modified: [`services/payments/test/flaky_${i}.go`],
  }));
  const payload = {
    ref: "refs/heads/main",
    before: "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
    after: "59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5",
    repository: { id: 1296269, name: "payments", full_name: "acme/payments", private: true },
    pusher: { name: "ada", email: "ada@example.com" },
    commits,
  };
  const text = JSON.stringify(payload);
  return text.length >= 1500 ? text : JSON.stringify({ ...payload, padding: "p".repeat(1500 - text.length - 14) });
}

const ROUNDS = 9;
const SECONDS = 4;

/** Creates an API token that may only send events (to these namespaces), as a CI sender would hold. */
export async function createSenderToken(
  worker: RunningWorker,
  name: string,
  namespaces: string[] = ["*"],
): Promise<string> {
  const response = await fetch(`${worker.url}/api/v1/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${worker.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ name, namespaces, scopes: ["events:write"] }),
  });
  if (response.status !== 201) throw new Error(`token create failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

export async function benchIngestThroughput(worker: RunningWorker, context: BenchContext): Promise<BenchRow[]> {
  const body = samplePayload();
  // A sender's token: events:write, one namespace.
  const token = await createSenderToken(worker, "bench-throughput", ["bench"]);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json", "x-github-event": "push" };
  const forwarder = await context.forwarder();
  const routes = {
    baseline: `${forwarder.url}/`,
    ingest: `${worker.url}/api/v1/events/bench/push`,
  } as const;
  const run = (url: string, duration: number) =>
    load({ url, method: "POST", headers, body, connections: 16, duration });
  // hookline's consumer runs in the same workerd as its ingest (in production it runs apart): a
  // run is measured only once the previous one's events are consumed, so neither side pays for
  // the other's backlog.
  const db = openLocalD1(worker.persistDir);
  const counted = () =>
    (
      db.prepare("SELECT coalesce(sum(events), 0) AS n FROM event_counts WHERE namespace = 'bench'").get() as {
        n: number;
      }
    ).n;
  let sent = counted();
  const drained = async (accepted: number) => {
    sent += accepted;
    const deadline = Date.now() + 60_000;
    while (counted() < sent && Date.now() < deadline) await sleep(200);
  };
  const measure = async (name: keyof typeof routes, duration: number) => {
    const result = await run(routes[name], duration);
    if (name === "ingest") await drained(result.total - result.non2xx - result.errors);
    else await sleep(500);
    return result;
  };
  // Warm every route (JIT, queues, D1) before measuring.
  await measure("baseline", 2);
  await measure("ingest", 2);
  // Rounds alternate which side goes first; each round's ratio pairs runs made close together,
  // so load from elsewhere on this shared machine weighs on both.
  const results: Record<keyof typeof routes, LoadResult[]> = { baseline: [], ingest: [] };
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order: Array<keyof typeof routes> = round % 2 === 0 ? ["baseline", "ingest"] : ["ingest", "baseline"];
    for (const name of order) results[name].push(await measure(name, SECONDS));
    ratios.push(
      (results.ingest.at(-1)?.requestsPerSecond ?? 0) / Math.max(1, results.baseline.at(-1)?.requestsPerSecond ?? 0),
    );
  }
  db.close();
  const rps = (name: keyof typeof routes) => median(results[name].map((r) => r.requestsPerSecond));
  const p99 = (name: keyof typeof routes) => median(results[name].map((r) => r.p99));
  const failures = (name: keyof typeof routes) => results[name].reduce((sum, r) => sum + r.non2xx + r.errors, 0);
  const ratio = median(ratios);
  console.log(
    `ingest throughput: baseline ${fmt(rps("baseline"))} req/s, ingest ${fmt(rps("ingest"))} req/s ` +
      `(${failures("ingest")} non-2xx); ratio ${fmt(ratio, 2)} (rounds: ${ratios.map((value) => fmt(value, 2)).join(", ")})`,
  );
  const describe = (name: keyof typeof routes) => `${fmt(rps(name))} req/s, p99 ${p99(name)} ms`;
  return [
    {
      what: `ingest throughput, 1.5 KB JSON, 16 connections, a token scoped to events:write in one namespace (median of ${ROUNDS} paired rounds × ${SECONDS} s, each after the previous run's events were consumed)`,
      baseline: `a separate minimal Worker that reads the body, sends it to a queue, answers 202: ${describe("baseline")}`,
      result: `${describe("ingest")}, ${failures("ingest")} non-2xx → **${fmt(ratio, 2)}×** (rounds ${ratios.map((value) => fmt(value, 2)).join(", ")})`,
      target: "≥ 0.85×, 0 non-2xx",
      met: ratio >= 0.85 && failures("ingest") === 0,
    },
  ];
}

/** Sends `total` events as fast as 32 connections can; returns how long it took and what was refused. */
async function burst(url: string, token: string, total: number) {
  const started = Date.now();
  const result = await load({
    url,
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: samplePayload(),
    connections: 32,
    amount: total,
  });
  return {
    sentMs: Date.now() - started,
    refused: result.non2xx + result.errors,
    accepted: result.total - result.non2xx - result.errors,
  };
}

export async function benchIngestBurst(
  worker: RunningWorker,
  context: BenchContext,
  total = 20_000,
): Promise<BenchRow[]> {
  const db = openLocalD1(worker.persistDir);
  // Every event is counted (event_counts), whether or not the sampler kept its row.
  const count = () =>
    (
      db.prepare("SELECT coalesce(sum(events), 0) AS n FROM event_counts WHERE namespace = 'burst'").get() as {
        n: number;
      }
    ).n;
  const token = await createSenderToken(worker, "bench-burst", ["burst"]);
  // The same burst to the forwarding Worker first: how fast this machine can take 20,000 requests at all.
  const bare = await burst(`${(await context.forwarder()).url}/`, token, total);
  await sleep(5_000);
  const before = count();
  const started = Date.now();
  const sent = await burst(`${worker.url}/api/v1/events/burst/push`, token, total);
  let logged = count() - before;
  const deadline = Date.now() + 10 * 60_000;
  let lastChange = Date.now();
  while (logged < sent.accepted && Date.now() < deadline && Date.now() - lastChange < 60_000) {
    await sleep(250);
    const now = count() - before;
    if (now !== logged) lastChange = Date.now();
    logged = now;
  }
  const drainMs = Date.now() - started;
  db.close();
  const lost = sent.accepted - logged;
  console.log(
    `ingest burst: forwarding Worker ${fmt(bare.sentMs / 1000, 1)} s; hookline sent ${total} in ${fmt(sent.sentMs / 1000, 1)} s (${sent.refused} refused); ` +
      `${logged} logged after ${fmt(drainMs / 1000, 1)} s; lost ${lost}`,
  );
  // 30 s is the target; on a machine where even the forwarding Worker needs longer, its time is.
  const allowedMs = Math.max(30_000, bare.sentMs * 1.15);
  return [
    {
      what: `one sender's burst: ${fmt(total)} events from one token, 32 connections, default limits`,
      baseline: `the same burst to the forwarding Worker: ${fmt(bare.sentMs / 1000, 1)} s (Argo Server answers 503 past 64 queued events)`,
      result: `${fmt(sent.accepted)} accepted in ${fmt(sent.sentMs / 1000, 1)} s (**${fmt(sent.refused)} refused**), ${fmt(logged)} counted in the event log, drained in ${fmt(drainMs / 1000, 1)} s, **${lost} lost**`,
      target: `${fmt(total)} in ≤ 30 s (or within 1.15× the forwarding Worker here), 0 refused, ${fmt(total)} counted in the log, 0 lost`,
      met: lost === 0 && logged === total && sent.refused === 0 && sent.sentMs <= allowedMs,
    },
  ];
}

/**
 * Where delivery ids live, measured: a D1 unique key against DeliveryLedger Durable Objects
 * (8 shards), each answering one claim per request, 16 connections, fresh ids.
 */
export async function benchDedupeStores(worker: RunningWorker): Promise<BenchRow[]> {
  const rates: Record<string, number[]> = { d1: [], do: [] };
  let counter = 0;
  for (let round = 0; round < 3; round++) {
    for (const store of ["d1", "do"] as const) {
      const result = await load({
        url: `${worker.url}/bench/dedupe/${store}`,
        method: "POST",
        connections: 16,
        duration: 5,
        requests: [{ setupRequest: (request) => ({ ...request, path: `/bench/dedupe/${store}?id=d-${counter++}` }) }],
      });
      rates[store]?.push(result.requestsPerSecond);
    }
  }
  const d1 = median(rates.d1 ?? []);
  const ledger = median(rates.do ?? []);
  console.log(`dedupe stores: D1 unique key ${fmt(d1)} claims/s, DeliveryLedger ${fmt(ledger)} claims/s`);
  return [
    {
      what: "delivery-id store: one claim per request, fresh ids, 16 connections (local; median of 3 × 5 s)",
      baseline: `a D1 table with a unique key: ${fmt(d1)} claims/s`,
      result: `DeliveryLedger Durable Objects (8 shards per namespace): ${fmt(ledger)} claims/s (**${fmt(ledger / d1, 2)}×**)`,
      target:
        "— (chosen for production: D1 is one writer for the whole gateway, ~1,000 writes/s; ledgers scale per namespace)",
      met: null,
    },
  ];
}
