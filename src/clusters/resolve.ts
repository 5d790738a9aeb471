import { SecretBox } from "../auth/secret-box";
import { CLUSTERS_SCOPE, readVersions } from "../lib/config-versions";
import { clusterTokenContext } from "./routes";
import { listClusters } from "./store";
import type { ResolvedCluster } from "./submit";

/** A configured cluster ready to call, or why it cannot be called. */
export type ClusterLookup = ResolvedCluster | { name: string; error: string };

const cache: { version: number; clusters: Map<string, ClusterLookup> } = { version: -1, clusters: new Map() };

/**
 * Every configured cluster with its token resolved (decrypted, or read from the named Worker
 * secret), cached in the isolate while the clusters version is unchanged.
 */
export async function loadClusters(
  db: D1Database,
  secretKey: string | undefined,
  secrets: Readonly<Record<string, unknown>>,
): Promise<Map<string, ClusterLookup>> {
  const version = (await readVersions(db, [CLUSTERS_SCOPE])).get(CLUSTERS_SCOPE) ?? 0;
  if (cache.version === version) return cache.clusters;
  const clusters = new Map<string, ClusterLookup>();
  for (const record of await listClusters(db)) {
    let token: string | null = null;
    try {
      if (record.tokenSealed !== null) {
        token = await SecretBox.fromSecretKey(secretKey).open(record.tokenSealed, clusterTokenContext(record.name));
      } else if (record.tokenSecret !== null) {
        const value = secrets[record.tokenSecret];
        if (typeof value !== "string" || value === "") {
          clusters.set(record.name, {
            name: record.name,
            error: `Worker secret ${record.tokenSecret} (the token of cluster "${record.name}") is not set`,
          });
          continue;
        }
        token = value;
      }
    } catch (error) {
      clusters.set(record.name, {
        name: record.name,
        error: `the token of cluster "${record.name}" cannot be read: ${(error as Error).message}`,
      });
      continue;
    }
    clusters.set(record.name, {
      name: record.name,
      type: record.type,
      url: record.url,
      token,
      timeoutMs: record.timeoutMs,
    });
  }
  cache.version = version;
  cache.clusters = clusters;
  return clusters;
}
