// The event log's cost, as D1 and R2 bill it (docs/scale.md): 1,000 events of 1.5 KB JSON, 5% of
// them matching a binding, sent like the other suites send (16 connections, a sender token); the
// bench Worker's meter (bench/meter.ts) sums D1's own meta.rows_written / rows_read of every
// statement and counts R2 operations by class, then a retention run a whole retention period
// later deletes what was written — its deletes are billed rows too, metered the same way. A
// second run of 200 events that all match gives a matched event's cost. Then $/month at 10, 1,000
// and 50,000 events/s by published prices (bench/cost-model.ts). Run it first: the retention
// run deletes every event in the log.
import type { RunningWorker } from "../scripts/lib/local-worker.ts";
import { startFakeCluster } from "../test/fakes/argo-cluster.ts";
import { batchSizeAt, type MeasuredCost, monthlyBill } from "./cost-model.ts";
import { createSenderToken, samplePayload } from "./ingest.ts";
import { api, type BenchRow, fakeControl, fmt, sleep } from "./lib.ts";
import type { MeterCounters } from "./meter-counters.ts";

const NAMESPACE = "cost";
const MIX = 1000;
const MATCHED_ONLY = 200;
const RATES = [10, 1_000, 50_000];

/** The tables a detailed event's own rows live in (the old log's too, to measure a design before this one). */
const EVENT_ROW_TABLES = ["event_log", "events", "event_results"];

async function meter(worker: RunningWorker, action: "start" | "stop" | "read" | "expire"): Promise<MeterCounters> {
  const response = await fetch(`${worker.url}/bench/meter${action === "read" ? "" : `/${action}`}`, {
    method: action === "read" ? "GET" : "POST",
  });
  if (!response.ok) throw new Error(`meter ${action}: ${response.status} ${await response.text()}`);
  return (await response.json()) as MeterCounters;
}

const written = (reading: MeterCounters, tables: readonly string[]) =>
  tables.reduce((sum, table) => sum + (reading.writtenByTable[table] ?? 0), 0);

/** A deterministic shuffle of `count` discriminators: `matched` of them `release` (the binding's), the rest like a GitHub repo's traffic. */
function discriminators(count: number, matched: number): string[] {
  const others = ["push", "push", "push", "push", "push", "push", "push", "push", "pull_request", "issues"];
  const list = Array.from({ length: count }, (_, index) =>
    index < matched ? "release" : (others[index % others.length] as string),
  );
  let seed = 7;
  for (let index = list.length - 1; index > 0; index--) {
    seed = (seed * 48271) % 2147483647;
    const other = seed % (index + 1);
    [list[index], list[other]] = [list[other] as string, list[index] as string];
  }
  return list;
}

/** Sends the events over 16 connections, waits until the consumer took every one, and meters the run and its retention. */
async function meteredRun(worker: RunningWorker, token: string, kinds: string[]) {
  const body = samplePayload();
  await meter(worker, "start");
  let next = 0;
  const lane = async () => {
    while (next < kinds.length) {
      const kind = kinds[next++] as string;
      const response = await fetch(`${worker.url}/api/v1/events/${NAMESPACE}/${kind}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "x-github-event": kind },
        body,
      });
      if (response.status !== 202) throw new Error(`event refused: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  const deadline = Date.now() + 120_000;
  let consumed = await meter(worker, "read");
  while (consumed.messages < kinds.length && Date.now() < deadline) {
    await sleep(250);
    consumed = await meter(worker, "read");
  }
  // Let the last batch's writes land.
  await sleep(1_000);
  consumed = await meter(worker, "read");
  // D1's own meta.size_after: how much the event log's database grew (its first statement in the
  // run already wrote, so this slightly undercounts one batch).
  const d1Bytes = (consumed.sizeLast.DB ?? 0) - (consumed.sizeFirst.DB ?? 0);
  await meter(worker, "expire");
  const total = await meter(worker, "stop");
  return { consumed, total, d1Bytes, events: kinds.length, bodyBytes: body.length };
}

export async function benchEventCost(worker: RunningWorker): Promise<BenchRow[]> {
  const cluster = await startFakeCluster();
  try {
    await fakeControl(cluster, "POST", "templates", NAMESPACE, { names: ["release"] });
    await api(worker, "PUT", `/api/v1/clusters/${NAMESPACE}`, {
      type: "argo-server",
      url: cluster.url,
      token: cluster.token,
    });
    await api(worker, "PUT", `/api/v1/namespaces/${NAMESPACE}/workfloweventbindings/on-release`, {
      metadata: { name: "on-release" },
      spec: {
        cluster: NAMESPACE,
        event: { selector: 'discriminator = "release"' },
        submit: {
          workflowTemplateRef: { name: "release" },
          arguments: { parameters: [{ name: "revision", valueFrom: { event: "payload.after" } }] },
        },
      },
    });
    const token = await createSenderToken(worker, "bench-cost", [NAMESPACE]);
    const mix = await meteredRun(worker, token, discriminators(MIX, MIX * 0.05));
    const matched = await meteredRun(worker, token, discriminators(MATCHED_ONLY, MATCHED_ONLY));
    const workflows = ((await fakeControl(cluster, "GET", "workflows", NAMESPACE)).workflows as unknown[]).length;

    const perEvent = (value: number, run: typeof mix) => value / run.events;
    const mixRows = perEvent(mix.total.rowsWritten, mix);
    const deletes = perEvent(mix.total.rowsWritten - mix.consumed.rowsWritten, mix);
    const r2Writes = perEvent(mix.total.r2ClassA, mix);
    const eventsPerBatch = mix.consumed.messages / Math.max(1, mix.consumed.batches);
    const matchedAll = perEvent(matched.total.rowsWritten, matched);
    const matchedOwn = perEvent(written(matched.total, EVENT_ROW_TABLES), matched);
    const batches = Math.max(1, mix.consumed.batches);
    const packRows = written(mix.total, ["event_packs"]);
    const countUpserts = written(mix.consumed, ["event_counts"]);
    const measured: MeasuredCost = {
      rowsWrittenPerEvent: (mix.total.rowsWritten - packRows - countUpserts) / mix.events,
      packRowsPerBatch: packRows / batches,
      countRowsPerBatch: countUpserts / batches,
      rowsReadPerEvent: perEvent(mix.total.rowsRead, mix),
      r2ClassAPerBatch: mix.total.r2ClassA / batches,
      r2ClassAPerEvent: 0,
      r2ClassBPerEvent: perEvent(mix.total.r2ClassB, mix),
      eventsPerBatch,
      d1BytesPerEvent: Math.max(0, mix.d1Bytes) / mix.events,
      r2BytesPerEvent: perEvent(mix.total.r2BytesPut, mix),
    };
    const bills = RATES.map((rate) => ({ rate, bill: monthlyBill(measured, rate) }));
    const dollars = (value: number) => `$${fmt(value, value < 100 ? 2 : 0)}`;
    console.log(
      `event-log cost: mix ${fmt(mixRows, 3)} billed D1 rows/event (${fmt(deletes, 3)} of them the retention run's deletes; ${JSON.stringify(mix.total.writtenByTable)}), ` +
        `${fmt(r2Writes, 4)} R2 writes/event (${fmt(eventsPerBatch, 1)} events/batch), ${fmt(measured.rowsReadPerEvent, 2)} rows read/event, ` +
        `D1 +${fmt(measured.d1BytesPerEvent)} B/event, R2 ${fmt(measured.r2BytesPerEvent)} B/event; matched-only run ${fmt(matchedAll, 3)} rows/event ` +
        `(${fmt(matchedOwn, 3)} its own rows; ${JSON.stringify(matched.total.writtenByTable)}), ${workflows} workflows submitted`,
    );
    for (const { rate, bill } of bills)
      console.log(
        `  ${fmt(rate)} events/s (batches of ~${fmt(Math.min(eventsPerBatch, batchSizeAt(rate)), 0)}): ${fmt(bill.d1RowsWritten / 1e6, 0)} M rows written, D1 ${dollars(bill.d1)}, R2 ${dollars(bill.r2)}, Queues ${dollars(bill.queues)}, Workers requests ${dollars(bill.workers)} → ${dollars(bill.total)}/month`,
      );
    const met = mixRows <= 0.5 && matchedOwn <= 2 && r2Writes <= 0.02;
    return [
      {
        what: `event-log cost: ${fmt(MIX)} events of 1.5 KB JSON, 5% matching a binding, 16 connections (then a retention run); and ${MATCHED_ONLY} events that all match`,
        baseline:
          "D1's own meta.rows_written of every statement (index entries and the retention run's deletes included), counted R2 puts",
        result: `**${fmt(mixRows, 3)} billed D1 rows/event** (${fmt(mixRows - deletes, 3)} written, ${fmt(deletes, 3)} deleted); a matched event **${fmt(matchedOwn, 2)}** (its row written and deleted; with its batch's count rows ${fmt(matchedAll, 3)}); **${fmt(r2Writes, 4)} R2 writes/event** (one pack per batch of ${fmt(eventsPerBatch, 1)})`,
        target: "≤ 0.5 billed D1 rows/event, ≤ 2 for a matched event; ≤ 0.02 R2 writes/event",
        met,
      },
      {
        what: "event-log $/month by published prices (7-day retention; D1 rows, storage; R2 operations, storage), the mix above",
        baseline: "Workers Paid allowances subtracted; at 10 events/s a batch holds ~2 events",
        result: bills
          .map(
            ({ rate, bill }) =>
              `${fmt(rate)}/s: **${dollars(bill.eventLog)}** (with Queues and Workers requests ${dollars(bill.total)})`,
          )
          .join("; "),
        target: "shown at 10 / 1,000 / 50,000 events/s",
        met: null,
      },
    ];
  } finally {
    await cluster.close();
  }
}
