import { resealHeaders } from "../auth/sealed-headers";
import type { SecretBox } from "../auth/secret-box";
import { bumpVersionStatement } from "../lib/config-versions";
import { type NamespaceScope, namespaceCondition } from "../lib/namespace-scope";
import type { StoredService, TriggerSpec } from "./schema";
import type { RenderedMessage } from "./templates";

/** The configuration scope bumped by every change to services, templates, triggers, subscriptions or context. */
export const NOTIFICATIONS_SCOPE = "notifications";

export type ConfigTable =
  | "notification_services"
  | "notification_templates"
  | "notification_triggers"
  | "notification_subscriptions";

/** One stored object by name, or null. */
export async function getObject<T>(db: D1Database, table: ConfigTable, name: string): Promise<T | null> {
  const row = await db.prepare(`SELECT object FROM ${table} WHERE name = ?1`).bind(name).first<{ object: string }>();
  return row ? (JSON.parse(row.object) as T) : null;
}

/** Every stored object, by name. */
export async function listObjects<T>(db: D1Database, table: ConfigTable): Promise<Array<{ name: string; object: T }>> {
  const { results } = await db
    .prepare(`SELECT name, object FROM ${table} ORDER BY name`)
    .all<{ name: string; object: string }>();
  return results.map((row) => ({ name: row.name, object: JSON.parse(row.object) as T }));
}

/** Creates or replaces an object; returns whether it was created. */
export async function putObject(db: D1Database, table: ConfigTable, name: string, object: unknown): Promise<boolean> {
  const [existing] = await db.batch([
    db.prepare(`SELECT 1 AS found FROM ${table} WHERE name = ?1`).bind(name),
    db
      .prepare(
        `INSERT INTO ${table} (name, object, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET object = ?2, updated_at = ?3`,
      )
      .bind(name, JSON.stringify(object), Date.now()),
    bumpVersionStatement(db, NOTIFICATIONS_SCOPE),
  ]);
  return (existing?.results.length ?? 0) === 0;
}

/** The names of every stored object of a kind. */
export async function objectNames(db: D1Database, table: ConfigTable): Promise<Set<string>> {
  const { results } = await db.prepare(`SELECT name FROM ${table}`).all<{ name: string }>();
  return new Set(results.map((row) => row.name));
}

/** Which stored triggers send each template: template name → trigger names. */
export async function triggersByTemplate(db: D1Database): Promise<Map<string, string[]>> {
  const senders = new Map<string, string[]>();
  for (const { name, object } of await listObjects<TriggerSpec>(db, "notification_triggers")) {
    for (const template of new Set(object.conditions.flatMap((condition) => condition.send))) {
      senders.set(template, [...(senders.get(template) ?? []), name]);
    }
  }
  return senders;
}

/** Deletes an object; returns whether it existed. */
export async function deleteObject(db: D1Database, table: ConfigTable, name: string): Promise<boolean> {
  const [deleted] = await db.batch([
    db.prepare(`DELETE FROM ${table} WHERE name = ?1`).bind(name),
    bumpVersionStatement(db, NOTIFICATIONS_SCOPE),
  ]);
  return (deleted?.meta.changes ?? 0) > 0;
}

/** The values templates see as `context`. */
export async function getContext(db: D1Database): Promise<Record<string, string>> {
  const row = await db
    .prepare("SELECT value FROM notification_settings WHERE key = 'context'")
    .first<{ value: string }>();
  return row ? (JSON.parse(row.value) as Record<string, string>) : {};
}

export async function putContext(db: D1Database, context: Record<string, string>): Promise<void> {
  await db.batch([
    db
      .prepare(
        "INSERT INTO notification_settings (key, value) VALUES ('context', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1",
      )
      .bind(JSON.stringify(context)),
    bumpVersionStatement(db, NOTIFICATIONS_SCOPE),
  ]);
}

export const DELIVERY_STATUSES = ["pending", "sending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  id: string;
  createdAt: number;
  /** The namespace of the resource or hookline event that caused it ('' when it had none). */
  namespace: string;
  resource: string;
  trigger: string;
  service: string;
  recipient: string;
  template: string;
  message: RenderedMessage;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  deliveredAt: number | null;
  /** The trace of the hookline event it is about (null for posted resources and older rows). */
  traceId: string | null;
}

interface DeliveryRow {
  id: string;
  created_at: number;
  namespace: string;
  resource: string;
  trigger: string;
  service: string;
  recipient: string;
  templates: string;
  message: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  delivered_at: number | null;
  trace_id: string | null;
}

function fromRow(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    createdAt: row.created_at,
    namespace: row.namespace,
    resource: row.resource,
    trigger: row.trigger,
    service: row.service,
    recipient: row.recipient,
    template: (JSON.parse(row.templates) as string[])[0] ?? "",
    message: JSON.parse(row.message) as Delivery["message"],
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    deliveredAt: row.delivered_at,
    traceId: row.trace_id ?? null,
  };
}

/** A statement recording a delivery once (a repeated firing with the same id is a no-op). */
export function insertDeliveryStatement(db: D1Database, delivery: Delivery): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO notification_deliveries (id, created_at, resource, trigger, service, recipient, templates, message, status, attempts, last_error, enqueued, namespace, trace_id)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11, ?12, ?13) ON CONFLICT (id) DO NOTHING`,
    )
    .bind(
      delivery.id,
      delivery.createdAt,
      delivery.resource,
      delivery.trigger,
      delivery.service,
      delivery.recipient,
      JSON.stringify([delivery.template]),
      JSON.stringify(delivery.message),
      delivery.status,
      delivery.lastError,
      delivery.status === "pending" ? 0 : 1,
      delivery.namespace,
      delivery.traceId,
    );
}

/** Marks deliveries as handed to the queue. */
export async function markEnqueued(db: D1Database, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .prepare("UPDATE notification_deliveries SET enqueued = 1 WHERE id IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(ids))
    .run();
}

/** A delivery claimed by a sender is reclaimable after this long (the sender died). */
export const STALE_CLAIM_MS = 5 * 60_000;

/**
 * Claims deliveries for sending: only pending ones (or ones whose claim went stale) are
 * returned, so a redelivered queue message or a concurrent consumer never sends twice.
 */
export async function claimDeliveries(db: D1Database, ids: readonly string[], now: number): Promise<Delivery[]> {
  if (ids.length === 0) return [];
  const { results } = await db
    .prepare(
      `UPDATE notification_deliveries SET status = 'sending', claimed_at = ?2
       WHERE id IN (SELECT value FROM json_each(?1)) AND (status = 'pending' OR (status = 'sending' AND claimed_at < ?3))
       RETURNING id, created_at, namespace, resource, trigger, service, recipient, templates, message, status, attempts, last_error, delivered_at, trace_id`,
    )
    .bind(JSON.stringify(ids), now, now - STALE_CLAIM_MS)
    .all<DeliveryRow>();
  return results.map(fromRow);
}

/** A statement recording the end of one sending attempt. */
export function finishDeliveryStatement(
  db: D1Database,
  id: string,
  status: "pending" | "delivered" | "failed",
  attempts: number,
  lastError: string | null,
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE notification_deliveries SET status = ?2, attempts = ?3, last_error = ?4, claimed_at = NULL,
       delivered_at = CASE WHEN ?2 = 'delivered' THEN ?5 ELSE delivered_at END WHERE id = ?1`,
    )
    .bind(id, status, attempts, lastError, now);
}

/**
 * A page of the delivery log, newest first; `before` is the previous page's last `createdAt.id`;
 * `namespaces` (unless null: all) limits it to deliveries of those namespaces.
 */
export async function listDeliveries(
  db: D1Database,
  query: {
    limit: number;
    before?: { createdAt: number; id: string };
    status?: DeliveryStatus;
    traceId?: string;
    namespaces: readonly string[] | null;
  },
): Promise<Delivery[]> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (query.traceId !== undefined) {
    params.push(query.traceId);
    conditions.push(`trace_id = ?${params.length}`);
  }
  if (query.namespaces !== null) {
    params.push(JSON.stringify(query.namespaces));
    conditions.push(`namespace IN (SELECT value FROM json_each(?${params.length}))`);
  }
  if (query.status !== undefined) {
    params.push(query.status);
    conditions.push(`status = ?${params.length}`);
  }
  if (query.before !== undefined) {
    params.push(query.before.createdAt, query.before.id);
    conditions.push(
      `(created_at < ?${params.length - 1} OR (created_at = ?${params.length - 1} AND id < ?${params.length}))`,
    );
  }
  params.push(query.limit);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
  const { results } = await db
    .prepare(`SELECT * FROM notification_deliveries ${where} ORDER BY created_at DESC, id DESC LIMIT ?${params.length}`)
    .bind(...params)
    .all<DeliveryRow>();
  return results.map(fromRow);
}

/** How many deliveries of the scope's namespaces failed (the console's overview). */
export async function countFailedDeliveries(db: D1Database, scope: NamespaceScope): Promise<number> {
  const filter = namespaceCondition(scope, "namespace", 1);
  const row = await db
    .prepare(`SELECT count(*) AS n FROM notification_deliveries WHERE status = 'failed' AND ${filter.sql}`)
    .bind(...filter.params)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export async function getDelivery(db: D1Database, id: string): Promise<Delivery | null> {
  const row = await db.prepare("SELECT * FROM notification_deliveries WHERE id = ?1").bind(id).first<DeliveryRow>();
  return row ? fromRow(row) : null;
}

/** Puts a failed delivery back to pending (a manual retry); returns whether it was failed. */
export async function resetDelivery(db: D1Database, id: string): Promise<boolean> {
  const result = await db
    .prepare(
      "UPDATE notification_deliveries SET status = 'pending', enqueued = 0, last_error = NULL WHERE id = ?1 AND status = 'failed'",
    )
    .bind(id)
    .run();
  return result.meta.changes > 0;
}

/** Deliveries never handed to the queue (or whose sender died), for the sweeper to enqueue. */
export async function findUnsentDeliveries(db: D1Database, now: number, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM notification_deliveries
       WHERE (enqueued = 0 AND status = 'pending' AND created_at < ?1) OR (status = 'sending' AND claimed_at < ?2)
       LIMIT ?3`,
    )
    .bind(now - 60_000, now - STALE_CLAIM_MS, limit)
    .all<{ id: string }>();
  return results.map((row) => row.id);
}

/** Re-seals every notification service's URL, signing secret and header secrets under the current key. */
export async function resealServices(
  db: D1Database,
  box: SecretBox,
  contextOf: (service: string, part: string) => string,
): Promise<number> {
  let count = 0;
  const { results } = await db
    .prepare("SELECT name, object FROM notification_services")
    .all<{ name: string; object: string }>();
  for (const row of results) {
    const service = JSON.parse(row.object) as StoredService & { fingerprint?: string };
    let changed = 0;
    const reseal = async (sealed: string | null, part: string): Promise<string | null> => {
      if (sealed === null) return null;
      const next = await box.reseal(sealed, contextOf(service.name, part));
      if (next === null) return sealed;
      changed += 1;
      return next;
    };
    service.urlSealed = await reseal(service.urlSealed, "url");
    service.secretSealed = await reseal(service.secretSealed, "secret");
    service.tokenSealed = await reseal(service.tokenSealed ?? null, "token");
    service.signingSecretSealed = await reseal(service.signingSecretSealed ?? null, "signing-secret");
    service.appSecretSealed = await reseal(service.appSecretSealed ?? null, "app-secret");
    service.verificationTokenSealed = await reseal(service.verificationTokenSealed ?? null, "verification-token");
    service.encryptKeySealed = await reseal(service.encryptKeySealed ?? null, "encrypt-key");
    changed += await resealHeaders(service.headers, box, (header) => contextOf(service.name, `header/${header}`));
    if (changed === 0) continue;
    const result = await db
      .prepare("UPDATE notification_services SET object = ?2 WHERE name = ?1 AND object = ?3")
      .bind(row.name, JSON.stringify(service), row.object)
      .run();
    if (result.meta.changes > 0) count += changed;
  }
  return count;
}

/** Where a Slack bot keeps the first message of each thread (Argo CD's `groupingKey`), per channel. */
export interface SlackThreads {
  find(channel: string, groupingKey: string): Promise<string | null>;
  remember(channel: string, groupingKey: string, ts: string): Promise<void>;
}

/** A Slack bot service's threads, kept in D1. */
export function slackThreads(db: D1Database, service: string): SlackThreads {
  return {
    async find(channel, groupingKey) {
      const row = await db
        .prepare("SELECT ts FROM slack_threads WHERE service = ?1 AND channel = ?2 AND grouping_key = ?3")
        .bind(service, channel, groupingKey)
        .first<{ ts: string }>();
      return row?.ts ?? null;
    },
    async remember(channel, groupingKey, ts) {
      await db
        .prepare(
          "INSERT INTO slack_threads (service, channel, grouping_key, ts, created_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        )
        .bind(service, channel, groupingKey, ts, Date.now())
        .run();
    },
  };
}
