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
  timeoutMs: number;
  createdAt: number;
  updatedAt: number;
  /** Keyed fingerprint of the applied input (src/lib/apply.ts). */
  fingerprint: string | null;
}

interface ClusterRow {
  name: string;
  type: ClusterType;
  url: string;
  token_sealed: string | null;
  token_secret: string | null;
  timeout_ms: number;
  created_at: number;
  updated_at: number;
  fingerprint: string | null;
}

const columns = "name, type, url, token_sealed, token_secret, timeout_ms, created_at, updated_at, fingerprint";

/** Creates or replaces a cluster, bumping the clusters version in the same transaction. */
export async function saveCluster(db: D1Database, cluster: ClusterRecord): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT INTO clusters (${columns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (name) DO UPDATE SET type = ?2, url = ?3, token_sealed = ?4, token_secret = ?5, timeout_ms = ?6,
           updated_at = ?8, fingerprint = ?9`,
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
      ),
    bumpVersionStatement(db, CLUSTERS_SCOPE),
  ]);
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
    timeoutMs: row.timeout_ms,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    fingerprint: row.fingerprint,
  };
}
