import type { Submission } from "../clusters/submission";
import { eventIdFloor } from "../lib/ids";
import type { BindingResult, EventOutcome, ResultStatus } from "./results";

/** An event-log row: an event kept in detail, with what each binding did. */
export interface EventRecord {
  id: string;
  namespace: string;
  discriminator: string;
  receivedAt: number;
  outcome: EventOutcome;
  sender: string;
  metadata: Record<string, string[]>;
  /** What each binding did (in binding-name order). */
  results: BindingResult[];
  /** JSON text of the payload, for events logged inline before body packs. */
  payload: string | null;
  /** The R2 object holding the body: its batch's pack, or the object a large body was spilled to. */
  bodyKey: string | null;
  /** Where in that object the body starts and how long it is (null: the whole object). */
  bodyOffset: number | null;
  bodyLength: number | null;
  bodyBytes: number;
  replayOf: string | null;
  error: string | null;
  /** Bindings the prefilter ruled out without evaluating them (and not listed in the results). */
  bindingsPruned: number;
  /** The W3C trace id everything that follows from the event carries (null for older events). */
  traceId: string | null;
}

interface EventRow {
  namespace: string;
  id: string;
  discriminator: string;
  received_at: number;
  outcome: EventOutcome;
  sender: string;
  metadata: string;
  results: string;
  payload: string | null;
  body_key: string | null;
  body_offset: number | null;
  body_length: number | null;
  body_bytes: number;
  replay_of: string | null;
  error: string | null;
  bindings_pruned: number;
  trace_id: string | null;
}

const COLUMNS = [
  "namespace",
  "id",
  "discriminator",
  "received_at",
  "outcome",
  "sender",
  "metadata",
  "results",
  "payload",
  "body_key",
  "body_offset",
  "body_length",
  "body_bytes",
  "replay_of",
  "error",
  "bindings_pruned",
  "trace_id",
] as const;
const columns = COLUMNS.join(", ");

/**
 * A bound parameter carries at most ~2 MB in D1; rows go to one statement as a JSON array up to
 * this many UTF-16 units (≤ 3 bytes each), so a chunk stays under the limit.
 */
const ROWS_CHUNK_UNITS = 600_000;

/**
 * Statements writing rows as few multi-row INSERTs: the rows travel as one JSON array bound to
 * ?1 (D1 allows 100 bound parameters, too few for 100 rows × 17 columns), cut into chunks under
 * the parameter size limit. `insert` wraps the SELECT that reads the columns (from `value`, one
 * array per row) into the statement.
 */
export function multiRowStatements(
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

/** A result as the log stores it: the submission only while it may still be sent. */
type StoredResult = Omit<BindingResult, "eventId" | "request" | "submittedNow" | "windowId"> & {
  request?: Submission | null;
  windowId?: string | null;
};

/** Statuses whose submission may still be sent (a retry, a debounce window that fires). */
const UNSENT: ReadonlySet<ResultStatus> = new Set(["pending", "waiting", "held"]);

/** The results column: what each binding did, without the per-delivery bookkeeping. */
export function resultsJson(results: readonly BindingResult[]): string {
  return JSON.stringify(
    results.map((result): StoredResult => {
      const stored: StoredResult = {
        binding: result.binding,
        bindingUid: result.bindingUid,
        matched: result.matched,
        status: result.status,
        reason: result.reason,
        error: result.error,
        cluster: result.cluster,
        workflow: result.workflow,
        attempts: result.attempts,
      };
      if (UNSENT.has(result.status) && result.request) stored.request = result.request;
      if (result.windowId) stored.windowId = result.windowId;
      if (result.supersedeKey && UNSENT.has(result.status)) stored.supersedeKey = result.supersedeKey;
      return stored;
    }),
  );
}

function parseResults(eventId: string, text: string): BindingResult[] {
  const stored = JSON.parse(text) as StoredResult[];
  return stored.map((result) => ({
    eventId,
    binding: result.binding,
    bindingUid: result.bindingUid,
    matched: result.matched,
    status: result.status,
    reason: result.reason ?? null,
    error: result.error ?? null,
    cluster: result.cluster ?? null,
    workflow: result.workflow ?? null,
    request: result.request ?? null,
    attempts: result.attempts,
    windowId: result.windowId ?? null,
    supersedeKey: result.supersedeKey ?? null,
  }));
}

/** Statements inserting events unless a row with their id exists (redelivery is a no-op). */
export function insertEventsStatements(db: D1Database, events: readonly EventRecord[]): D1PreparedStatement[] {
  return multiRowStatements(
    db,
    events.map((event) => [
      event.namespace,
      event.id,
      event.discriminator,
      event.receivedAt,
      event.outcome,
      event.sender,
      JSON.stringify(event.metadata),
      resultsJson(event.results),
      event.payload,
      event.bodyKey,
      event.bodyOffset,
      event.bodyLength,
      event.bodyBytes,
      event.replayOf,
      event.error,
      event.bindingsPruned,
      event.traceId,
    ]),
    (select) => `INSERT INTO event_log (${columns}) ${select} ON CONFLICT (namespace, id) DO NOTHING`,
    COLUMNS.length,
  );
}

/**
 * A statement writing an event's results and outcome after they moved on (a retried submit, a
 * window that fired): one written row.
 */
export function updateEventStatement(
  db: D1Database,
  event: Pick<EventRecord, "namespace" | "id" | "outcome" | "results">,
  error: string | null = null,
): D1PreparedStatement {
  return db
    .prepare(
      "UPDATE event_log SET outcome = ?3, results = ?4, error = coalesce(?5, error) WHERE namespace = ?1 AND id = ?2",
    )
    .bind(event.namespace, event.id, event.outcome, resultsJson(event.results), error);
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

/** A page of a namespace's detailed events, newest first, without payloads. */
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
  const select = columns.replace("payload", "NULL AS payload");
  const { results } = await db
    .prepare(
      `SELECT ${select} FROM event_log WHERE ${conditions.join(" AND ")} ORDER BY id DESC LIMIT ?${params.length}`,
    )
    .bind(...params)
    .all<EventRow>();
  return results.map(fromRow);
}

/** What a bulk replay selects: a namespace's detailed events in an id range, by outcome, discriminator and matched binding. */
export interface ReplaySelection {
  namespace: string;
  /** Ids in [fromId, toId). */
  fromId: string;
  toId: string;
  outcome?: string;
  discriminator?: string;
  /** Only events this binding matched. */
  binding?: string;
}

/** Up to `limit` events of a selection (not replays), oldest first, with where their bodies are. */
export async function selectEventsForReplay(
  db: D1Database,
  selection: ReplaySelection,
  limit: number,
): Promise<EventRecord[]> {
  // Originals only: a replay is the same story told again, replayed through its original.
  const conditions = ["namespace = ?1", "id >= ?2", "id < ?3", "replay_of IS NULL"];
  const params: unknown[] = [selection.namespace, selection.fromId, selection.toId];
  if (selection.outcome !== undefined) {
    params.push(selection.outcome);
    conditions.push(`outcome = ?${params.length}`);
  }
  if (selection.discriminator !== undefined) {
    params.push(selection.discriminator);
    conditions.push(`discriminator = ?${params.length}`);
  }
  if (selection.binding !== undefined) {
    params.push(selection.binding);
    conditions.push(
      `EXISTS (SELECT 1 FROM json_each(event_log.results) AS result
        WHERE json_extract(result.value, '$.binding') = ?${params.length} AND json_extract(result.value, '$.matched') = 1)`,
    );
  }
  params.push(limit);
  const { results } = await db
    .prepare(`SELECT ${columns} FROM event_log WHERE ${conditions.join(" AND ")} ORDER BY id LIMIT ?${params.length}`)
    .bind(...params)
    .all<EventRow>();
  return results.map(fromRow);
}

/** The events of a namespace received since `fromId` that are replays: the ids they replayed. */
export async function replayedSince(db: D1Database, namespace: string, fromId: string): Promise<Set<string>> {
  const { results } = await db
    .prepare("SELECT replay_of FROM event_log WHERE namespace = ?1 AND id >= ?2 AND replay_of IS NOT NULL")
    .bind(namespace, fromId)
    .all<{ replay_of: string }>();
  return new Set(results.map((row) => row.replay_of));
}

/** How many detailed events of a namespace were received in [from, to) (epoch ms), with the list's filters. */
export async function countDetailed(
  db: D1Database,
  query: Pick<EventQuery, "namespace" | "discriminator" | "outcome">,
  from: number,
  to: number,
): Promise<number> {
  const row = await db
    .prepare(
      `SELECT count(*) AS n FROM event_log WHERE namespace = ?1 AND id >= ?2 AND id < ?3
       AND (?4 IS NULL OR discriminator = ?4) AND (?5 IS NULL OR outcome = ?5)`,
    )
    .bind(query.namespace, eventIdFloor(from), eventIdFloor(to), query.discriminator ?? null, query.outcome ?? null)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** One event with its payload text, or null when it has no row (never logged, sampled away or expired). */
export async function getEvent(db: D1Database, namespace: string, id: string): Promise<EventRecord | null> {
  const row = await db
    .prepare(`SELECT ${columns} FROM event_log WHERE namespace = ?1 AND id = ?2`)
    .bind(namespace, id)
    .first<EventRow>();
  return row ? fromRow(row) : null;
}

/** Which of these events have a row in the log, with it (payloads left out). */
export async function findLoggedEvents(
  db: D1Database,
  events: ReadonlyArray<{ namespace: string; id: string }>,
): Promise<Map<string, EventRecord>> {
  if (events.length === 0) return new Map();
  return new Map(
    (await loggedEventsStatement(db, events).all<EventRow>()).results.map((row) => [row.id, fromRow(row)]),
  );
}

/** The statement findLoggedEvents runs, for a caller that batches it with others. */
export function loggedEventsStatement(
  db: D1Database,
  events: ReadonlyArray<{ namespace: string; id: string }>,
): D1PreparedStatement {
  const select = columns.replace("payload", "NULL AS payload");
  return db
    .prepare(
      `SELECT ${select} FROM event_log WHERE (namespace, id) IN
       (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?1))`,
    )
    .bind(JSON.stringify(events.map((event) => [event.namespace, event.id])));
}

/** Reads the rows a loggedEventsStatement answered. */
export function loggedEventsOf(answer: D1Result<unknown>): Map<string, EventRecord> {
  return new Map((answer.results as EventRow[]).map((row) => [row.id, fromRow(row)]));
}

/**
 * The namespaces with rows in this database, found by seeking the key from one namespace to
 * the next (rows read: about one per namespace, not one per event).
 */
export async function loggedNamespaces(db: D1Database, limit = 10_000): Promise<string[]> {
  const { results } = await db
    .prepare(
      `WITH RECURSIVE spaces(name) AS (
         SELECT min(namespace) FROM event_log
         UNION ALL
         SELECT (SELECT min(namespace) FROM event_log WHERE namespace > spaces.name) FROM spaces WHERE spaces.name IS NOT NULL
       )
       SELECT name FROM spaces WHERE name IS NOT NULL LIMIT ?1`,
    )
    .bind(limit)
    .all<{ name: string }>();
  return results.map((row) => row.name);
}

/**
 * A statement deleting up to `limit` rows of these namespaces received before `beforeId` (never
 * an event whose submission is still being retried, when `keepPending`), returning their ids.
 * Each namespace is a seek on the key, not a scan.
 */
export function deleteLoggedBeforeStatement(
  db: D1Database,
  namespaces: readonly string[],
  beforeId: string,
  limit: number,
  keepPending = false,
): D1PreparedStatement {
  return db
    .prepare(
      `DELETE FROM event_log WHERE (namespace, id) IN (
         SELECT logged.namespace, logged.id FROM json_each(?1) AS spaces
         JOIN event_log AS logged ON logged.namespace = spaces.value AND logged.id < ?2
         WHERE ?4 = 0 OR logged.outcome != 'pending' LIMIT ?3
       ) RETURNING id`,
    )
    .bind(JSON.stringify(namespaces), beforeId, limit, keepPending ? 1 : 0);
}

/** A statement forgetting the windows of events received before `beforeId` (retention). */
export function deleteWaitsBeforeStatement(db: D1Database, beforeId: string): D1PreparedStatement {
  return db.prepare("DELETE FROM event_waits WHERE event_id < ?1").bind(beforeId);
}

/** The oldest id with a row, over every namespace (one seek per namespace). */
export async function oldestLoggedId(db: D1Database, namespaces: readonly string[]): Promise<string | null> {
  if (namespaces.length === 0) return null;
  const row = await db
    .prepare(`SELECT min((SELECT min(id) FROM event_log WHERE namespace = value)) AS id FROM json_each(?1)`)
    .bind(JSON.stringify(namespaces))
    .first<{ id: string | null }>();
  return row?.id ?? null;
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
    results: parseResults(row.id, row.results),
    payload: row.payload,
    bodyKey: row.body_key,
    bodyOffset: row.body_offset,
    bodyLength: row.body_length,
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
    .prepare(
      `SELECT json_extract(result.value, '$.cluster') AS cluster, count(*) AS n
       FROM event_log, json_each(event_log.results) AS result
       WHERE event_log.outcome = 'pending' AND json_extract(result.value, '$.status') = 'pending'
       GROUP BY 1`,
    )
    .all<{ cluster: string | null; n: number }>();
  return new Map(results.map((row) => [row.cluster ?? "", row.n]));
}

/** Statements recording that these events' results wait in windows (so the window can settle them). */
export function insertWaitsStatements(
  db: D1Database,
  events: ReadonlyArray<Pick<EventRecord, "namespace" | "id" | "results">>,
): D1PreparedStatement[] {
  const rows = events.flatMap((event) =>
    [
      ...new Set(
        event.results
          .filter((result) => result.status === "waiting" && result.windowId)
          .map((result) => result.windowId as string),
      ),
    ].map((window) => [window, event.id, event.namespace]),
  );
  if (rows.length === 0) return [];
  return multiRowStatements(
    db,
    rows,
    (select) => `INSERT INTO event_waits (window_id, event_id, namespace) ${select} ON CONFLICT DO NOTHING`,
    3,
  );
}

/** The events waiting in a window: their rows. */
export async function waitingIn(db: D1Database, window: string): Promise<EventRecord[]> {
  const { results } = await db
    .prepare(
      `SELECT ${columns.replace("payload", "NULL AS payload")} FROM event_log WHERE (namespace, id) IN
       (SELECT namespace, event_id FROM event_waits WHERE window_id = ?1)`,
    )
    .bind(window)
    .all<EventRow>();
  return results.map(fromRow);
}

/** A statement forgetting a window's waiting events (once it fired or expired). */
export function deleteWaitsStatement(db: D1Database, window: string): D1PreparedStatement {
  return db.prepare("DELETE FROM event_waits WHERE window_id = ?1").bind(window);
}
