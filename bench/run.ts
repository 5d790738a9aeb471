// `npm run bench [-- suite… --update-docs]`: starts hookline as `npm start` does (with the
// bench entry point, which adds the baselines and the cost meter), runs the suites and prints a
// Markdown table. Suites: cost, ingest, burst, dedupe, evaluation, regex, latency, debounce,
// shards, soak, outage, pacing, chaos, pressure, approvals, notifications (default: all, cost first — its
// retention run empties the event log). Everything runs on the default configuration
// (bench/config.ts); the ingest baseline is a separate Worker, started when a suite needs it.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningWorker, root, startPlainWorker, startWorker } from "../scripts/lib/local-worker.ts";
import { benchApprovals, benchNotifications } from "./approvals-notifications.ts";
import { writeBenchConfig, writeForwarderConfig } from "./config.ts";
import { benchEventCost } from "./cost.ts";
import { benchEvaluation, benchEvilRegex } from "./evaluation.ts";
import { benchChaos, benchClusterOutage, benchPacedDeliveries } from "./faults.ts";
import { benchDedupeStores, benchIngestBurst, benchIngestThroughput } from "./ingest.ts";
import type { BenchContext, BenchRow } from "./lib.ts";
import { benchPressure } from "./pressure.ts";
import { benchShards } from "./shards.ts";
import { benchFaultSoak, benchSubmitLatency } from "./submit.ts";
import { benchDebounce } from "./windows.ts";

const suites: Record<string, (worker: RunningWorker, context: BenchContext) => Promise<BenchRow[]>> = {
  cost: (worker) => benchEventCost(worker),
  ingest: benchIngestThroughput,
  burst: (worker, context) => benchIngestBurst(worker, context),
  dedupe: benchDedupeStores,
  evaluation: benchEvaluation,
  regex: benchEvilRegex,
  latency: benchSubmitLatency,
  debounce: (worker) => benchDebounce(worker),
  shards: (worker) => benchShards(worker),
  soak: (worker) => benchFaultSoak(worker),
  outage: (worker) => benchClusterOutage(worker),
  pacing: (worker) => benchPacedDeliveries(worker),
  chaos: (worker) => benchChaos(worker),
  pressure: (worker) => benchPressure(worker),
  approvals: (worker) => benchApprovals(worker),
  notifications: (worker) => benchNotifications(worker),
};

const argv = process.argv.slice(2);
const updateDocs = argv.includes("--update-docs");
const chosen = argv.filter((arg) => !arg.startsWith("--"));
const names = chosen.length > 0 ? chosen : Object.keys(suites);
for (const name of names)
  if (!suites[name]) throw new Error(`unknown suite "${name}"; known: ${Object.keys(suites).join(", ")}`);

const config = writeBenchConfig(root);
const starting = Date.now();
const worker = await startWorker({ args: ["--config", config, "--log-level", "warn"] });
console.log(`hookline (the bench Worker) healthy after ${((Date.now() - starting) / 1000).toFixed(1)} s`);
let forwarder: Promise<RunningWorker> | undefined;
const context: BenchContext = {
  forwarder: () => {
    forwarder ??= startPlainWorker(writeForwarderConfig(root));
    return forwarder;
  },
};
const rows: BenchRow[] = [];
try {
  for (const name of names) {
    console.log(`\n▶ ${name}`);
    rows.push(...(await (suites[name] as (typeof suites)[string])(worker, context)));
  }
} finally {
  await worker.stop();
  if (forwarder) await (await forwarder).stop();
}

const table = [
  `Measured ${new Date().toISOString().slice(0, 10)} on this machine (${process.platform}, ${(await import("node:os")).cpus().length} cores, shared; load generator on the same cores).`,
  "",
  "| what | baseline (same run) | hookline | target | met |",
  "|---|---|---|---|---|",
  ...rows.map(
    (row) =>
      `| ${row.what} | ${row.baseline} | ${row.result} | ${row.target} | ${row.met === null ? "—" : row.met ? "yes" : "**no**"} |`,
  ),
].join("\n");
console.log(`\n${table}\n`);

if (updateDocs) {
  const docsPath = join(root, "docs/benchmarks.md");
  const docs = readFileSync(docsPath, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const from = docs.indexOf(start);
  const to = docs.indexOf(end);
  if (from === -1 || to === -1) throw new Error("docs/benchmarks.md has no bench markers");
  writeFileSync(docsPath, `${docs.slice(0, from + start.length)}\n${table}\n${docs.slice(to)}`);
  console.log("docs/benchmarks.md updated.");
}
