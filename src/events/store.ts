/** Outcomes an event can have in the log. */
export const EVENT_OUTCOMES = [
  "no_bindings",
  "no_match",
  "submitted",
  "partially_failed",
  "failed",
  "pending",
] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];

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
}

const columns =
  "id, namespace, discriminator, received_at, outcome, sender, metadata, payload, body_key, body_bytes, replay_of, error";

/** A statement inserting an event unless a row with its id exists (redelivery is a no-op). */
export function insertEventStatement(db: D1Database, event: EventRecord): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO events (${columns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (id) DO NOTHING`,
    )
    .bind(
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
    );
}

export interface EventQuery {
  namespace: string;
  limit: number;
  /** Return events older than this id (the previous page's last id). */
  before?: string;
  discriminator?: string;
  outcome?: EventOutcome;
}

/** A page of a namespace's events, newest first, without payloads. */
export async function listEvents(db: D1Database, query: EventQuery): Promise<EventRecord[]> {
  const conditions = ["namespace = ?1"];
  const params: unknown[] = [query.namespace];
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
      `SELECT id, namespace, discriminator, received_at, outcome, sender, metadata, NULL AS payload, body_key, body_bytes, replay_of, error
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

/** Deletes events by id. */
export async function deleteEvents(db: D1Database, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.prepare(`DELETE FROM events WHERE id IN (SELECT value FROM json_each(?1))`).bind(JSON.stringify(ids)).run();
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
  };
}
