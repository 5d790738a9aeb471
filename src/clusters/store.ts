import { resealHeaders, type StoredHeader } from "../auth/sealed-headers";
import type { SecretBox } from "../auth/secret-box";
import type { SecretReference } from "../auth/secrets";
import { bumpVersionStatement, CLUSTERS_SCOPE } from "../lib/config-versions";

export const CLUSTER_TYPES = ["argo-server", "kubernetes"] as const;
export type ClusterType = (typeof CLUSTER_TYPES)[number];

/** A cluster as stored: the token sealed, or the name of the Worker secret that holds it. */
export interface ClusterRecord {
  name: string;
  type: ClusterType;
  url: string;
  tokenSealed: string | null;
  tokenSecret: string | null;
  /** Sent with every call (sealed ones decrypted, Worker secrets read). */
  headers: StoredHeader[];
  timeoutMs: number;
  /** Held above this many active workflows hookline submitted (null: no cap). */
  maxPending: number | null;
  createdAt: number;
  updatedAt: number;
  /** Keyed fingerprint of the applied input (src/auth/fingerprint.ts). */
  fingerprint: string | null;
}

interface ClusterRow {
  name: string;
  type: ClusterType;
  url: string;
  token_sealed: string | null;
  token_secret: string | null;
  headers: string;
  timeout_ms: number;
  max_pending: number | null;
  created_at: number;
  updated_at: number;
  fingerprint: string | null;
}

const columns =
  "name, type, url, token_sealed, token_secret, timeout_ms, created_at, updated_at, fingerprint, headers, max_pending";

/** Creates or replaces a cluster, bumping the clusters version in the same transaction. */
export async function saveCluster(db: D1Database, cluster: ClusterRecord): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT INTO clusters (${columns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (name) DO UPDATE SET type = ?2, url = ?3, token_sealed = ?4, token_secret = ?5, timeout_ms = ?6,
           updated_at = ?8, fingerprint = ?9, headers = ?10, max_pending = ?11`,
      )
      .bind(
        cluster.name,
        cluster.type,
        cluster.url,
        cluster.tokenSealed,
        cluster.tokenSecret,
        cluster.timeoutMs,
        cluster.createdAt,
        cluster.updatedAt,
        cluster.fingerprint,
        JSON.stringify(cluster.headers),
        cluster.maxPending,
      ),
    bumpVersionStatement(db, CLUSTERS_SCOPE),
  ]);
}

/** The record context a cluster token is sealed to. */
export const clusterTokenContext = (name: string) => `cluster:${name}`;

/** The record context a cluster header's secret is sealed to. */
export const clusterHeaderContext = (name: string, header: string) => `cluster:${name}/header/${header}`;

/** Where a cluster's token comes from, or null when it has none. */
export function clusterTokenReference(cluster: ClusterRecord): SecretReference | null {
  if (cluster.tokenSealed !== null) return { sealed: cluster.tokenSealed };
  if (cluster.tokenSecret !== null) return { workerSecret: cluster.tokenSecret };
  return null;
}

/** Replaces a cluster's sealed token (key rotation); returns whether it was still the one read. */
export async function updateClusterToken(
  db: D1Database,
  name: string,
  previousSealed: string,
  sealed: string,
): Promise<boolean> {
  const result = await db
    .prepare("UPDATE clusters SET token_sealed = ?3 WHERE name = ?1 AND token_sealed = ?2")
    .bind(name, previousSealed, sealed)
    .run();
  return result.meta.changes > 0;
}

/** One cluster, or null. */
export async function getCluster(db: D1Database, name: string): Promise<ClusterRecord | null> {
  const row = await db.prepare(`SELECT ${columns} FROM clusters WHERE name = ?1`).bind(name).first<ClusterRow>();
  return row ? fromRow(row) : null;
}

/** Every cluster, by name. */
export async function listClusters(db: D1Database): Promise<ClusterRecord[]> {
  const { results } = await db.prepare(`SELECT ${columns} FROM clusters ORDER BY name`).all<ClusterRow>();
  return results.map(fromRow);
}

/** Deletes a cluster; returns whether it existed. */
export async function deleteCluster(db: D1Database, name: string): Promise<boolean> {
  const [deleted] = await db.batch([
    db.prepare("DELETE FROM clusters WHERE name = ?1").bind(name),
    bumpVersionStatement(db, CLUSTERS_SCOPE),
  ]);
  return (deleted?.meta.changes ?? 0) > 0;
}

function fromRow(row: ClusterRow): ClusterRecord {
  return {
    name: row.name,
    type: row.type,
    url: row.url,
    tokenSealed: row.token_sealed,
    tokenSecret: row.token_secret,
    headers: JSON.parse(row.headers) as StoredHeader[],
    timeoutMs: row.timeout_ms,
    maxPending: row.max_pending,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    fingerprint: row.fingerprint,
  };
}

/** Re-seals every cluster token and header secret under the current key; returns how many changed. */
export async function resealClusters(db: D1Database, box: SecretBox): Promise<number> {
  let count = 0;
  for (const cluster of await listClusters(db)) {
    if (cluster.tokenSealed !== null) {
      const sealed = await box.reseal(cluster.tokenSealed, clusterTokenContext(cluster.name));
      if (sealed !== null && (await updateClusterToken(db, cluster.name, cluster.tokenSealed, sealed))) count += 1;
    }
    const before = JSON.stringify(cluster.headers);
    const changed = await resealHeaders(cluster.headers, box, (header) => clusterHeaderContext(cluster.name, header));
    if (changed === 0) continue;
    const result = await db
      .prepare("UPDATE clusters SET headers = ?3 WHERE name = ?1 AND headers = ?2")
      .bind(cluster.name, before, JSON.stringify(cluster.headers))
      .run();
    if (result.meta.changes > 0) count += changed;
  }
  return count;
}
