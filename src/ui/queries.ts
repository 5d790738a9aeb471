import type { Principal } from "../auth/principal";
import {
  outcomeCounts as countsByOutcome,
  eventsPerMinute as countsPerMinute,
  type NamespaceScope,
} from "../events/counts";
import { loggedNamespaces } from "../events/store";

/** SQL restricting `column` to the principal's namespaces (all, for `*`), with its bound values. */
function namespaceFilter(principal: Principal, column: string, firstParam: number): { sql: string; params: string[] } {
  if (principal.namespaces.includes("*")) return { sql: "1 = 1", params: [] };
  return {
    sql: `${column} IN (SELECT value FROM json_each(?${firstParam}))`,
    params: [JSON.stringify(principal.namespaces)],
  };
}

/** The namespaces of a principal (all, for `*`), or the one a page is about. */
function scopeOf(principal: Principal, namespace?: string): NamespaceScope {
  if (namespace !== undefined) return [namespace];
  return principal.namespaces.includes("*") ? "*" : principal.namespaces;
}

/** Events per minute over the 24 hours before `now` (1,440 buckets, oldest first), from the counts of the shards `logs`. */
export function eventsPerMinute(
  logs: readonly D1Database[],
  principal: Principal,
  now: number,
  namespace?: string,
): Promise<number[]> {
  return countsPerMinute(logs, scopeOf(principal, namespace), now);
}

/** Event outcomes over the last 24 hours, from the counts of the shards `logs`. */
export async function outcomeCounts(
  logs: readonly D1Database[],
  principal: Principal,
  now: number,
  namespace?: string,
): Promise<Record<string, number>> {
  return Object.fromEntries(await countsByOutcome(logs, scopeOf(principal, namespace), now));
}

export async function pendingApprovals(db: D1Database, principal: Principal, namespace?: string): Promise<number> {
  const filter = namespace
    ? { sql: "namespace = ?1", params: [namespace] }
    : namespaceFilter(principal, "namespace", 1);
  const row = await db
    .prepare(`SELECT count(*) AS n FROM approvals WHERE status = 'pending' AND ${filter.sql}`)
    .bind(...filter.params)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Failed deliveries in the principal's namespaces. */
export async function failedDeliveries(db: D1Database, principal: Principal): Promise<number> {
  const filter = namespaceFilter(principal, "namespace", 1);
  const row = await db
    .prepare(`SELECT count(*) AS n FROM notification_deliveries WHERE status = 'failed' AND ${filter.sql}`)
    .bind(...filter.params)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

const KNOWN_NAMESPACES_LIMIT = 200;

/** Namespaces the principal may see that have bindings or approvals (in `db`) or events (in the shards `logs`). */
export async function knownNamespaces(
  db: D1Database,
  logs: readonly D1Database[],
  principal: Principal,
): Promise<string[]> {
  if (!principal.namespaces.includes("*")) return [...principal.namespaces].sort();
  const answers = await Promise.all([
    db
      .prepare(
        "SELECT namespace FROM (SELECT DISTINCT namespace FROM bindings UNION SELECT DISTINCT namespace FROM approvals) ORDER BY namespace LIMIT ?1",
      )
      .bind(KNOWN_NAMESPACES_LIMIT)
      .all<{ namespace: string }>()
      .then((answer) => answer.results.map((row) => row.namespace)),
    ...logs.map((log) => loggedNamespaces(log, KNOWN_NAMESPACES_LIMIT)),
  ]);
  return [...new Set(answers.flat())].sort().slice(0, KNOWN_NAMESPACES_LIMIT);
}
