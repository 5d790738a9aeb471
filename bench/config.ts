// Writes the benchmark's wrangler configuration next to wrangler.toml: the same bindings and the
// same limits users get (benchmarks run on the defaults), with the bench Worker as entry point
// (it adds the baseline routes) and one more Durable Object for the approvals baseline.
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
`,
  );
  return path;
}
