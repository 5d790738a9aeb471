import type { Submission } from "../clusters/submission";
import { type BindingResult, type EventOutcome, type ResultStatus, summarizeOutcome } from "./results";

/** An event-log row. */
export interface EventRecord {
  id: string;
  namespace: string;
  discriminator: string;
  receivedAt: number;
  outcome: EventOutcome;
  sender: string;
  metadata: Record<string, string[]>;
  /** JSON text of the payload when it is stored inline. */
  payload: string | null;
  /** R2 key of the payload when it was spilled. */
  bodyKey: string | null;
  bodyBytes: number;
  replayOf: string | null;
  error: string | null;
  /** Bindings the prefilter ruled out without evaluating them (and not listed in the results). */
  bindingsPruned: number;
  /** The W3C trace id everything that follows from the event carries (null for older events). */
  traceId: string | null;
}

interface EventRow {
  id: string;
  namespace: string;
  discriminator: string;
  received_at: number;
  outcome: EventOutcome;
  sender: string;
  metadata: string;
  payload: string | null;
  body_key: string | null;
  body_bytes: number;
  replay_of: string | null;
  error: string | null;
  bindings_pruned: number;
  trace_id: string | null;
}

const columns =
  "id, namespace, discriminator, received_at, outcome, sender, metadata, payload, body_key, body_bytes, replay_of, error, bindings_pruned, trace_id";

/**
 * A bound parameter carries at most ~2 MB in D1; rows go to one statement as a JSON array up to
 * this many UTF-16 units (≤ 3 bytes each), so a chunk stays under the limit.
 */
const ROWS_CHUNK_UNITS = 600_000;

/**
 * Statements writing rows as few multi-row INSERTs: the rows travel as one JSON array bound to
 * ?1 (D1 allows 100 bound parameters, too few for 100 rows × 14 columns), cut into chunks under
 * the parameter size limit. `insert` wraps the SELECT that reads the columns (from `value`, one
 * array per row) into the statement.
 */
function multiRowStatements(
  db: D1Database,
  rows: readonly unknown[][],
  insert: (select: string) => string,
  columnCount: number,
): D1PreparedStatement[] {
  const select = Array.from({ length: columnCount }, (_, index) => `json_extract(value, '$[${index}]')`).join(", ");
  const sql = insert(`SELECT ${select} FROM json_each(?1) WHERE true`);
  const statements: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let units = 0;
  const flush = () => {
    if (chunk.length > 0) statements.push(db.prepare(sql).bind(`[${chunk.join(",")}]`));
    chunk = [];
    units = 0;
  };
  for (const row of rows) {
    const text = JSON.stringify(row);
    if (units + text.length > ROWS_CHUNK_UNITS) flush();
    chunk.push(text);
    units += text.length + 1;
  }
  flush();
  return statements;
}

/** Statements inserting events unless a row with their id exists (redelivery is a no-op). */
export function insertEventsStatements(db: D1Database, events: readonly EventRecord[]): D1PreparedStatement[] {
  return multiRowStatements(
    db,
    events.map((event) => [
      event.id,
      event.namespace,
      event.discriminator,
      event.receivedAt,
      event.outcome,
      event.sender,
      JSON.stringify(event.metadata),
      event.payload,
      event.bodyKey,
      event.bodyBytes,
      event.replayOf,
      event.error,
      event.bindingsPruned,
      event.traceId,
    ]),
    (select) => `INSERT INTO events (${columns}) ${select} ON CONFLICT (id) DO NOTHING`,
    14,
  );
}

export interface EventQuery {
  namespace: string;
  limit: number;
  /** Return events older than this id (the previous page's last id). */
  before?: string;
  discriminator?: string;
  outcome?: EventOutcome;
  traceId?: string;
}

/** A page of a namespace's events, newest first, without payloads. */
export async function listEvents(db: D1Database, query: EventQuery): Promise<EventRecord[]> {
  const conditions = ["namespace = ?1"];
  const params: unknown[] = [query.namespace];
  if (query.traceId !== undefined) {
    params.push(query.traceId);
    conditions.push(`trace_id = ?${params.length}`);
  }
  if (query.before !== undefined) {
    params.push(query.before);
    conditions.push(`id < ?${params.length}`);
  }
  if (query.discriminator !== undefined) {
    params.push(query.discriminator);
    conditions.push(`discriminator = ?${params.length}`);
  }
  if (query.outcome !== undefined) {
    params.push(query.outcome);
    conditions.push(`outcome = ?${params.length}`);
  }
  params.push(query.limit);
  const { results } = await db
    .prepare(
      `SELECT id, namespace, discriminator, received_at, outcome, sender, metadata, NULL AS payload, body_key, body_bytes, replay_of, error, bindings_pruned, trace_id
       FROM events WHERE ${conditions.join(" AND ")} ORDER BY id DESC LIMIT ?${params.length}`,
    )
    .bind(...params)
    .all<EventRow>();
  return results.map(fromRow);
}

/** One event with its payload text, or null. */
export async function getEvent(db: D1Database, namespace: string, id: string): Promise<EventRecord | null> {
  const row = await db
    .prepare(`SELECT ${columns} FROM events WHERE namespace = ?1 AND id = ?2`)
    .bind(namespace, id)
    .first<EventRow>();
  return row ? fromRow(row) : null;
}

/** Up to `limit` events received before `cutoff`: their ids and spilled-body keys. */
export async function findExpiredEvents(
  db: D1Database,
  cutoff: number,
  limit: number,
): Promise<Array<{ id: string; bodyKey: string | null }>> {
  const { results } = await db
    .prepare("SELECT id, body_key FROM events WHERE received_at < ?1 ORDER BY received_at LIMIT ?2")
    .bind(cutoff, limit)
    .all<{ id: string; body_key: string | null }>();
  return results.map((row) => ({ id: row.id, bodyKey: row.body_key }));
}

/** Deletes events (and their results) by id. */
export async function deleteEvents(db: D1Database, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const list = JSON.stringify(ids);
  await db.batch([
    db.prepare("DELETE FROM event_results WHERE event_id IN (SELECT value FROM json_each(?1))").bind(list),
    db.prepare("DELETE FROM events WHERE id IN (SELECT value FROM json_each(?1))").bind(list),
  ]);
}

/** Which of these events are already in the log, with their outcome. */
export async function findLoggedEvents(db: D1Database, ids: readonly string[]): Promise<Map<string, EventOutcome>> {
  const { results } = await db
    .prepare("SELECT id, outcome FROM events WHERE id IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(ids))
    .all<{ id: string; outcome: EventOutcome }>();
  return new Map(results.map((row) => [row.id, row.outcome]));
}

interface ResultRow {
  event_id: string;
  binding: string;
  binding_uid: string;
  matched: number;
  status: ResultStatus;
  reason: string | null;
  error: string | null;
  cluster: string | null;
  workflow: string | null;
  request: string | null;
  attempts: number;
}

/** The binding results of these events, grouped by event id (in binding-name order). */
export async function listResults(db: D1Database, eventIds: readonly string[]): Promise<Map<string, BindingResult[]>> {
  const grouped = new Map<string, BindingResult[]>();
  if (eventIds.length === 0) return grouped;
  const { results } = await db
    .prepare(
      `SELECT event_id, binding, binding_uid, matched, status, reason, error, cluster, workflow, request, attempts
       FROM event_results WHERE event_id IN (SELECT value FROM json_each(?1)) ORDER BY event_id, binding`,
    )
    .bind(JSON.stringify(eventIds))
    .all<ResultRow>();
  for (const row of results) {
    const result: BindingResult = {
      eventId: row.event_id,
      binding: row.binding,
      bindingUid: row.binding_uid,
      matched: row.matched === 1,
      status: row.status,
      reason: row.reason,
      error: row.error,
      cluster: row.cluster,
      workflow: row.workflow,
      request: row.request === null ? null : (JSON.parse(row.request) as Submission),
      attempts: row.attempts,
    };
    const list = grouped.get(row.event_id);
    if (list) list.push(result);
    else grouped.set(row.event_id, [result]);
  }
  return grouped;
}

/** Statements recording results the first time (a redelivery never overwrites one). */
export function insertResultsStatements(
  db: D1Database,
  results: readonly BindingResult[],
  now: number,
): D1PreparedStatement[] {
  return multiRowStatements(
    db,
    results.map((result) => [
      result.eventId,
      result.binding,
      result.bindingUid,
      result.matched ? 1 : 0,
      result.status,
      result.reason,
      result.error,
      result.cluster,
      result.workflow,
      result.request === null ? null : JSON.stringify(result.request),
      result.attempts,
      now,
      result.windowId ?? null,
    ]),
    (select) =>
      `INSERT INTO event_results (event_id, binding, binding_uid, matched, status, reason, error, cluster, workflow, request, attempts, updated_at, window_id)
       ${select} ON CONFLICT (event_id, binding) DO NOTHING`,
    13,
  );
}

/**
 * A statement ending a window's waiting results (all but `except`'s) with `status` and `reason`
 * — a debounce window that fired, a dependency match completed or expired. It returns the ids
 * of the events it settled: their outcomes change (settleOutcomes).
 */
export function settleWaitingStatement(
  db: D1Database,
  window: string,
  status: "debounced" | "skipped",
  reason: string,
  except: string | null,
  now = Date.now(),
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE event_results SET status = ?2, reason = ?3, request = NULL, workflow = NULL, updated_at = ?4
       WHERE window_id = ?1 AND status = 'waiting' AND event_id != coalesce(?5, '') RETURNING event_id`,
    )
    .bind(window, status, reason, now, except);
}

/** Runs settleWaitingStatement and recomputes the outcomes of the events it settled. */
export async function settleWaiting(
  db: D1Database,
  window: string,
  status: "debounced" | "skipped",
  reason: string,
  except: string | null = null,
): Promise<void> {
  const answer = await settleWaitingStatement(db, window, status, reason, except).all<{ event_id: string }>();
  await settleOutcomes(
    db,
    answer.results.map((row) => row.event_id),
  );
}

/** When a debounce window fires, its last event's waiting result becomes pending (it is submitted now). */
export function promoteWaitingStatement(
  db: D1Database,
  window: string,
  last: string,
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      "UPDATE event_results SET status = 'pending', reason = NULL, updated_at = ?3 WHERE event_id = ?1 AND window_id = ?2 AND status = 'waiting'",
    )
    .bind(last, window, now);
}

/** Recomputes the outcomes of events whose results changed after they were recorded. */
export async function settleOutcomes(db: D1Database, ids: readonly string[]): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  const results = await listResults(db, unique);
  await db.batch(unique.map((id) => updateOutcomeStatement(db, id, summarizeOutcome(results.get(id) ?? [], true))));
}

/** A statement moving a pending result on (status, error, attempts); terminal results never change. */
export function updatePendingResultStatement(db: D1Database, result: BindingResult, now: number): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE event_results SET status = ?3, error = ?4, attempts = ?5, updated_at = ?6
       WHERE event_id = ?1 AND binding = ?2 AND status = 'pending'`,
    )
    .bind(result.eventId, result.binding, result.status, result.error, result.attempts, now);
}

/** A statement setting an event's outcome. */
export function updateOutcomeStatement(
  db: D1Database,
  id: string,
  outcome: EventOutcome,
  error: string | null = null,
): D1PreparedStatement {
  return db
    .prepare("UPDATE events SET outcome = ?2, error = coalesce(?3, error) WHERE id = ?1")
    .bind(id, outcome, error);
}

function fromRow(row: EventRow): EventRecord {
  return {
    id: row.id,
    namespace: row.namespace,
    discriminator: row.discriminator,
    receivedAt: row.received_at,
    outcome: row.outcome,
    sender: row.sender,
    metadata: JSON.parse(row.metadata) as Record<string, string[]>,
    payload: row.payload,
    bodyKey: row.body_key,
    bodyBytes: row.body_bytes,
    replayOf: row.replay_of,
    error: row.error,
    bindingsPruned: row.bindings_pruned,
    traceId: row.trace_id,
  };
}

/** How many submissions wait (pending) for each cluster. */
export async function pendingSubmissionsByCluster(db: D1Database): Promise<Map<string, number>> {
  const { results } = await db
    .prepare("SELECT cluster, count(*) AS n FROM event_results WHERE status = 'pending' GROUP BY cluster")
    .all<{ cluster: string | null; n: number }>();
  return new Map(results.map((row) => [row.cluster ?? "", row.n]));
}
