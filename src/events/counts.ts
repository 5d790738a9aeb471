import { type NamespaceScope, namespaceCondition } from "../lib/namespace-scope";
import type { EventOutcome } from "./results";
import { multiRowStatements } from "./store";

/**
 * The event log's counts (table `event_counts`): events per received minute, namespace,
 * discriminator and outcome — every event is counted, whether or not it keeps a row — and how
 * many of them are kept in detail. The consumer adds one upserted row per key per batch; the
 * dashboard reads these rows, never the events.
 */

/** A change to one count row. */
export interface CountDelta {
  minute: number;
  namespace: string;
  discriminator: string;
  outcome: EventOutcome;
  events: number;
  detailed: number;
}

/** The minute an event was received in (the counts' time key). */
export function minuteOf(time: number): number {
  return Math.floor(time / 60_000);
}

/** Statements adding these deltas to the counts, one upserted row per distinct key (zero deltas dropped). */
export function countStatements(db: D1Database, deltas: readonly CountDelta[]): D1PreparedStatement[] {
  const merged = new Map<string, CountDelta>();
  for (const delta of deltas) {
    const key = JSON.stringify([delta.minute, delta.namespace, delta.discriminator, delta.outcome]);
    const known = merged.get(key);
    if (known) {
      known.events += delta.events;
      known.detailed += delta.detailed;
    } else merged.set(key, { ...delta });
  }
  const rows = [...merged.values()]
    .filter((delta) => delta.events !== 0 || delta.detailed !== 0)
    .map((delta) => [delta.minute, delta.namespace, delta.discriminator, delta.outcome, delta.events, delta.detailed]);
  if (rows.length === 0) return [];
  return multiRowStatements(
    db,
    rows,
    (select) =>
      `INSERT INTO event_counts (minute, namespace, discriminator, outcome, events, detailed) ${select}
       ON CONFLICT (minute, namespace, discriminator, outcome)
       DO UPDATE SET events = events + excluded.events, detailed = detailed + excluded.detailed`,
    6,
  );
}

/** The deltas of events whose outcome moved on after they were counted (detailed events only move). */
export function outcomeMoves(
  moves: ReadonlyArray<{
    namespace: string;
    discriminator: string;
    receivedAt: number;
    from: EventOutcome;
    to: EventOutcome;
  }>,
): CountDelta[] {
  return moves
    .filter((move) => move.from !== move.to)
    .flatMap((move) => {
      const key = { minute: minuteOf(move.receivedAt), namespace: move.namespace, discriminator: move.discriminator };
      return [
        { ...key, outcome: move.from, events: -1, detailed: -1 },
        { ...key, outcome: move.to, events: 1, detailed: 1 },
      ];
    });
}

/** A key of the sampler: one namespace's discriminator in one minute. */
export interface SampleKey {
  minute: number;
  namespace: string;
  discriminator: string;
}

/** A statement reading how many unmatched events of each sample key are already kept in detail. */
export function detailedSoFarStatement(db: D1Database, keys: readonly SampleKey[]): D1PreparedStatement {
  return db
    .prepare(
      `SELECT minute, namespace, discriminator, sum(detailed) AS detailed FROM event_counts
       WHERE (minute, namespace, discriminator) IN
         (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?1))
       AND outcome IN ('no_match', 'no_bindings')
       GROUP BY minute, namespace, discriminator`,
    )
    .bind(JSON.stringify(keys.map((key) => [key.minute, key.namespace, key.discriminator])));
}

/** The answer of detailedSoFarStatement, by sampleKeyOf. */
export function detailedSoFarOf(answer: D1Result<unknown>): Map<string, number> {
  const rows = answer.results as Array<SampleKey & { detailed: number }>;
  return new Map(rows.map((row) => [sampleKeyOf(row), row.detailed]));
}

/** A sample key as a map key. */
export function sampleKeyOf(key: SampleKey): string {
  return JSON.stringify([key.minute, key.namespace, key.discriminator]);
}

const scopeFilter = (scope: NamespaceScope, param: number) => namespaceCondition(scope, "namespace", param);

/** Events per minute over the 24 hours before `now` (1,440 buckets, oldest first), over the shards `logs`. */
export async function eventsPerMinute(
  logs: readonly D1Database[],
  scope: NamespaceScope,
  now: number,
): Promise<number[]> {
  const first = minuteOf(now) - 1439;
  const filter = scopeFilter(scope, 2);
  const answers = await Promise.all(
    logs.map((db) =>
      db
        .prepare(
          `SELECT minute, sum(events) AS n FROM event_counts WHERE minute >= ?1 AND ${filter.sql} GROUP BY minute`,
        )
        .bind(first, ...filter.params)
        .all<{ minute: number; n: number }>(),
    ),
  );
  const buckets = new Array<number>(1440).fill(0);
  for (const row of answers.flatMap((answer) => answer.results)) {
    const index = row.minute - first;
    if (index >= 0 && index < buckets.length) buckets[index] = (buckets[index] ?? 0) + row.n;
  }
  return buckets;
}

/** Event outcomes over the last 24 hours, over the shards `logs`. */
export async function outcomeCounts(
  logs: readonly D1Database[],
  scope: NamespaceScope,
  now: number,
): Promise<Map<string, number>> {
  const filter = scopeFilter(scope, 2);
  const totals = new Map<string, number>();
  const answers = await Promise.all(
    logs.map((db) =>
      db
        .prepare(
          `SELECT outcome, sum(events) AS n FROM event_counts WHERE minute >= ?1 AND ${filter.sql} GROUP BY outcome`,
        )
        .bind(minuteOf(now) - 1439, ...filter.params)
        .all<{ outcome: string; n: number }>(),
    ),
  );
  for (const row of answers.flatMap((answer) => answer.results))
    if (row.n !== 0) totals.set(row.outcome, (totals.get(row.outcome) ?? 0) + row.n);
  return totals;
}

/**
 * How many events of a namespace were counted in the minutes [fromMinute, toMinute], with the
 * event list's filters.
 */
export async function countedEvents(
  db: D1Database,
  query: { namespace: string; discriminator?: string | undefined; outcome?: EventOutcome | undefined },
  fromMinute: number,
  toMinute: number,
): Promise<number> {
  const row = await db
    .prepare(
      `SELECT coalesce(sum(events), 0) AS n FROM event_counts WHERE minute >= ?1 AND minute <= ?2 AND namespace = ?3
       AND (?4 IS NULL OR discriminator = ?4) AND (?5 IS NULL OR outcome = ?5)`,
    )
    .bind(fromMinute, toMinute, query.namespace, query.discriminator ?? null, query.outcome ?? null)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** A statement deleting the counts of minutes before `minute` (retention). */
export function deleteCountsBeforeStatement(db: D1Database, minute: number): D1PreparedStatement {
  return db.prepare("DELETE FROM event_counts WHERE minute < ?1").bind(minute);
}
