import type { RateLimit } from "./principal";
import type { WebhookClientType } from "./signatures";

/** A webhook client as stored; the secret stays sealed (AES-GCM) at rest. */
export interface WebhookClientRecord {
  namespace: string;
  name: string;
  type: WebhookClientType;
  secretSealed: string;
  createdAt: number;
  updatedAt: number;
  /** Keyed fingerprint of the applied input (src/auth/fingerprint.ts). */
  fingerprint: string | null;
  /** The client's own ingest rate limit; null means the gateway's default. */
  rateLimit: RateLimit | null;
  /** hmac-sha256: refuse deliveries without a signed timestamp. */
  requireTimestamp: boolean;
}

interface WebhookClientRow {
  namespace: string;
  name: string;
  type: WebhookClientType;
  secret_sealed: string;
  created_at: number;
  updated_at: number;
  fingerprint: string | null;
  rate_limit: string | null;
  options: string | null;
}

const columns = "namespace, name, type, secret_sealed, created_at, updated_at, fingerprint, rate_limit, options";

/** Creates or replaces a client. */
export async function upsertWebhookClient(db: D1Database, client: WebhookClientRecord): Promise<void> {
  await db
    .prepare(
      `INSERT INTO webhook_clients (${columns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
       ON CONFLICT (namespace, name) DO UPDATE SET type = ?3, secret_sealed = ?4, updated_at = ?6, fingerprint = ?7,
         rate_limit = ?8, options = ?9`,
    )
    .bind(
      client.namespace,
      client.name,
      client.type,
      client.secretSealed,
      client.createdAt,
      client.updatedAt,
      client.fingerprint,
      client.rateLimit === null ? null : JSON.stringify(client.rateLimit),
      client.requireTimestamp ? JSON.stringify({ requireTimestamp: true }) : null,
    )
    .run();
}

/** Replaces a client's sealed secret (key rotation); returns whether it still existed unchanged. */
export async function updateWebhookClientSecret(
  db: D1Database,
  namespace: string,
  name: string,
  previousSealed: string,
  sealed: string,
): Promise<boolean> {
  const result = await db
    .prepare("UPDATE webhook_clients SET secret_sealed = ?4 WHERE namespace = ?1 AND name = ?2 AND secret_sealed = ?3")
    .bind(namespace, name, previousSealed, sealed)
    .run();
  return result.meta.changes > 0;
}

/** Every client of a namespace, by name. */
export async function listWebhookClients(db: D1Database, namespace: string): Promise<WebhookClientRecord[]> {
  const { results } = await db
    .prepare(`SELECT ${columns} FROM webhook_clients WHERE namespace = ?1 ORDER BY name`)
    .bind(namespace)
    .all<WebhookClientRow>();
  return results.map(fromRow);
}

/** Every client of every namespace (key rotation walks them all). */
export async function listAllWebhookClients(db: D1Database): Promise<WebhookClientRecord[]> {
  const { results } = await db
    .prepare(`SELECT ${columns} FROM webhook_clients ORDER BY namespace, name`)
    .all<WebhookClientRow>();
  return results.map(fromRow);
}

/** One client, or null. */
export async function getWebhookClient(
  db: D1Database,
  namespace: string,
  name: string,
): Promise<WebhookClientRecord | null> {
  const row = await db
    .prepare(`SELECT ${columns} FROM webhook_clients WHERE namespace = ?1 AND name = ?2`)
    .bind(namespace, name)
    .first<WebhookClientRow>();
  return row ? fromRow(row) : null;
}

/** Deletes a client; returns whether it existed. */
export async function deleteWebhookClient(db: D1Database, namespace: string, name: string): Promise<boolean> {
  const result = await db
    .prepare("DELETE FROM webhook_clients WHERE namespace = ?1 AND name = ?2")
    .bind(namespace, name)
    .run();
  return result.meta.changes > 0;
}

function fromRow(row: WebhookClientRow): WebhookClientRecord {
  const options = row.options === null ? {} : (JSON.parse(row.options) as { requireTimestamp?: boolean });
  return {
    namespace: row.namespace,
    name: row.name,
    type: row.type,
    secretSealed: row.secret_sealed,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    fingerprint: row.fingerprint,
    rateLimit: row.rate_limit === null ? null : (JSON.parse(row.rate_limit) as RateLimit),
    requireTimestamp: options.requireTimestamp === true,
  };
}
