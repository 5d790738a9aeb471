// Writes the benchmark's wrangler configuration next to wrangler.toml: the same bindings and the
// same limits users get (benchmarks run on the defaults), with the bench Worker as entry point
// (it adds the baseline routes), one more Durable Object for the approvals baseline, and the
// extra databases the shard simulation spreads its event log over (BENCH_LOG_2…8; the measured
// Worker itself keeps its one event log, EVENT_LOG_SHARDS = "DB").
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function writeBenchConfig(root: string): string {
  const source = readFileSync(join(root, "wrangler.toml"), "utf8");
  const replaced = source.replace(/^main = .*$/m, 'main = "bench/worker.ts"');
  if (!replaced.includes("bench/worker.ts")) throw new Error("wrangler.toml changed shape; update bench/config.ts");
  const path = join(root, ".wrangler-bench.toml");
  writeFileSync(
    path,
    `${replaced}
[[durable_objects.bindings]]
name = "BENCH_ECHO"
class_name = "BenchEcho"

[[migrations]]
tag = "bench-v1"
new_sqlite_classes = ["BenchEcho"]
${Array.from(
  { length: 7 },
  (_, index) => `
[[d1_databases]]
binding = "BENCH_LOG_${index + 2}"
database_name = "hookline-bench-log-${index + 2}"
database_id = "00000000-0000-4000-8000-00000000000${index + 2}"
migrations_dir = "migrations"
`,
).join("")}`,
  );
  return path;
}
