// Small helpers shared by the benchmark suites.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import autocannon from "autocannon";
import type { RunningWorker } from "../scripts/lib/local-worker.ts";
import type { FakeCluster } from "../test/fakes/argo-cluster.ts";

/** What suites share beyond the hookline Worker: the ingest baseline, started once when first needed. */
export interface BenchContext {
  forwarder: () => Promise<RunningWorker>;
}

/** One line of the results table. */
export interface BenchRow {
  what: string;
  baseline: string;
  result: string;
  target: string;
  met: boolean | null;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

/** Drives `url` with autocannon and summarises the run. */
export async function load(options: autocannon.Options): Promise<LoadResult> {
  const result = await autocannon({ ...options });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}

/**
 * Opens the local D1 database `DB` of a running `wrangler dev` (its SQLite file under the persist
 * directory) read-only, to count rows without going through the API. The bench configuration
 * also has the shard simulation's databases (same schema): `DB` is the one holding the
 * configuration the suites create (tokens, bindings, clusters) before they count.
 */
export function openLocalD1(persistDir: string): DatabaseSync {
  const dir = join(persistDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((name) => name.endsWith(".sqlite") && name !== "metadata.sqlite");
  const configRows = (db: DatabaseSync) =>
    (
      db
        .prepare(
          "SELECT (SELECT count(*) FROM api_tokens) + (SELECT count(*) FROM bindings) + (SELECT count(*) FROM clusters) AS n",
        )
        .get() as { n: number }
    ).n;
  let best: { db: DatabaseSync; rows: number } | null = null;
  for (const file of files) {
    const db = new DatabaseSync(join(dir, file), { readOnly: true });
    let rows = -1;
    try {
      rows = configRows(db);
    } catch {
      // not migrated (yet): not the database the suites wrote to
    }
    if (best === null || rows > best.rows) {
      best?.db.close();
      best = { db, rows };
    } else db.close();
  }
  if (!best || best.rows <= 0) throw new Error(`no local D1 database with hookline's configuration in ${dir}`);
  return best.db;
}

export const fmt = (value: number, digits = 0) =>
  value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Calls hookline's API as admin; throws on any answer ≥ 300. */
export async function api(
  worker: RunningWorker,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(`${worker.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${worker.adminToken}`, "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** Steers or reads the fake cluster (`/_fake/*`) for one namespace. */
export async function fakeControl(
  cluster: FakeCluster,
  method: string,
  path: string,
  namespace: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${cluster.url}/_fake/${path}?namespace=${namespace}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await response.json()) as Record<string, unknown>;
}
