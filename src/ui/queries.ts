import type { Principal } from "../auth/principal";
import { listNamespaces } from "../discovery/namespace-list";
import { sumCounts } from "../lib/collections";

/** SQL restricting `column` to the principal's namespaces (all, for `*`), with its bound values. */
function namespaceFilter(principal: Principal, column: string, firstParam: number): { sql: string; params: string[] } {
  if (principal.namespaces.includes("*")) return { sql: "1 = 1", params: [] };
  return {
    sql: `${column} IN (SELECT value FROM json_each(?${firstParam}))`,
    params: [JSON.stringify(principal.namespaces)],
  };
}

/** Events per minute over the 24 hours before `now` (1,440 buckets, oldest first), over the event-log shards `logs`. */
export async function eventsPerMinute(
  logs: readonly D1Database[],
  principal: Principal,
  now: number,
  namespace?: string,
): Promise<number[]> {
  const since = now - 24 * 3_600_000;
  const filter = namespace
    ? { sql: "namespace = ?2", params: [namespace] }
    : namespaceFilter(principal, "namespace", 2);
  const answers = await Promise.all(
    logs.map((db) =>
      db
        .prepare(
          `SELECT received_at / 60000 AS minute, count(*) AS n FROM events WHERE received_at >= ?1 AND ${filter.sql} GROUP BY minute`,
        )
        .bind(since, ...filter.params)
        .all<{ minute: number; n: number }>(),
    ),
  );
  const buckets = new Array<number>(1440).fill(0);
  const first = Math.floor(since / 60000);
  for (const row of answers.flatMap((answer) => answer.results)) {
    const index = Math.floor(row.minute) - first;
    if (index >= 0 && index < buckets.length) buckets[index] = (buckets[index] ?? 0) + row.n;
  }
  return buckets;
}

/** Event outcomes over the last 24 hours, over the event-log shards `logs`. */
export async function outcomeCounts(
  logs: readonly D1Database[],
  principal: Principal,
  now: number,
  namespace?: string,
): Promise<Record<string, number>> {
  const filter = namespace
    ? { sql: "namespace = ?2", params: [namespace] }
    : namespaceFilter(principal, "namespace", 2);
  const answers = await Promise.all(
    logs.map(async (db) => {
      const { results } = await db
        .prepare(`SELECT outcome, count(*) AS n FROM events WHERE received_at >= ?1 AND ${filter.sql} GROUP BY outcome`)
        .bind(now - 24 * 3_600_000, ...filter.params)
        .all<{ outcome: string; n: number }>();
      return new Map(results.map((row) => [row.outcome, row.n]));
    }),
  );
  return Object.fromEntries(sumCounts(answers));
}

const KNOWN_NAMESPACES_LIMIT = 200;

/** Namespaces the principal may see: those that hold something (discovery/namespace-list.ts) or have events (in the shards `logs`). */
export async function knownNamespaces(
  db: D1Database,
  logs: readonly D1Database[],
  principal: Principal,
): Promise<string[]> {
  if (!principal.namespaces.includes("*")) return [...principal.namespaces].sort();
  const distinct = (statement: D1PreparedStatement) =>
    statement
      .bind(KNOWN_NAMESPACES_LIMIT)
      .all<{ namespace: string }>()
      .then((answer) => answer.results.map((row) => row.namespace));
  const answers = await Promise.all([
    listNamespaces(db),
    ...logs.map((log) => distinct(log.prepare("SELECT DISTINCT namespace FROM events ORDER BY namespace LIMIT ?1"))),
  ]);
  return [...new Set(answers.flat())].sort().slice(0, KNOWN_NAMESPACES_LIMIT);
}
