// `npm run bench [-- suite… --update-docs]`: starts hookline as `npm start` does (with the
// bench entry point, which adds the baselines), runs the suites and prints a Markdown table.
// Suites: ingest, burst, dedupe, evaluation, regex, latency, debounce, capacity, shards, soak, outage, pacing, chaos, approvals,
// notifications (default: all). Everything runs on the default configuration (bench/config.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root, startWorker } from "../scripts/lib/local-worker.ts";
import { benchApprovals, benchNotifications } from "./approvals-notifications.ts";
import { writeBenchConfig } from "./config.ts";
import { benchEvaluation, benchEvilRegex } from "./evaluation.ts";
import { benchChaos, benchClusterOutage, benchPacedDeliveries } from "./faults.ts";
import { benchDedupeStores, benchIngestBurst, benchIngestThroughput } from "./ingest.ts";
import type { BenchRow } from "./lib.ts";
import { benchEventCost } from "./scale.ts";
import { benchShards } from "./shards.ts";
import { benchFaultSoak, benchSubmitLatency } from "./submit.ts";
import { benchDebounce } from "./windows.ts";

const suites: Record<string, (worker: Awaited<ReturnType<typeof startWorker>>) => Promise<BenchRow[]>> = {
  ingest: benchIngestThroughput,
  burst: (worker) => benchIngestBurst(worker),
  dedupe: benchDedupeStores,
  evaluation: benchEvaluation,
  regex: benchEvilRegex,
  latency: benchSubmitLatency,
  debounce: (worker) => benchDebounce(worker),
  capacity: (worker) => benchEventCost(worker),
  shards: (worker) => benchShards(worker),
  soak: (worker) => benchFaultSoak(worker),
  outage: (worker) => benchClusterOutage(worker),
  pacing: (worker) => benchPacedDeliveries(worker),
  chaos: (worker) => benchChaos(worker),
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
const worker = await startWorker({ args: ["--config", config, "--log-level", "warn"] });
const rows: BenchRow[] = [];
try {
  for (const name of names) {
    console.log(`\n▶ ${name}`);
    rows.push(...(await (suites[name] as (typeof suites)[string])(worker)));
  }
} finally {
  await worker.stop();
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
