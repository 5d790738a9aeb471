// Writes the benchmark's wrangler configuration next to wrangler.toml: the same bindings, the
// bench Worker as entry point, a Durable Object for the approval suite, a rate limit the load
// generator cannot hit (one sender sends everything here; the rate-limit call itself is still
// made and measured), and a shorter retry backoff.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function writeBenchConfig(root: string): string {
  const source = readFileSync(join(root, "wrangler.toml"), "utf8");
  const replaced = source
    .replace(/^main = .*$/m, 'main = "bench/worker.ts"')
    .replace(/^simple = \{ limit = \d+, period = (\d+) \}$/m, "simple = { limit = 100000000, period = $1 }")
    // The fault soak measures correctness (none missing, none doubled), not patience: retries
    // back off to at most 10 s instead of 5 minutes.
    .replace(/^RETRY_MAX_DELAY_SECONDS = .*$/m, 'RETRY_MAX_DELAY_SECONDS = "10"');
  if (
    !replaced.includes("bench/worker.ts") ||
    !replaced.includes("limit = 100000000") ||
    !replaced.includes('RETRY_MAX_DELAY_SECONDS = "10"')
  ) {
    throw new Error("wrangler.toml changed shape; update bench/config.ts");
  }
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
