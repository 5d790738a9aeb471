import { resolveHeaders } from "../auth/sealed-headers";
import { resolveSecret } from "../auth/secrets";
import { CLUSTERS_SCOPE, readVersions } from "../lib/config-versions";
import { fail, ok, type Result } from "../lib/result";
import {
  type ClusterRecord,
  clusterHeaderContext,
  clusterTokenContext,
  clusterTokenReference,
  listClusters,
} from "./store";
import type { ResolvedCluster } from "./submit";

/** A configured cluster ready to call, or why it cannot be called. */
export type ClusterLookup = Result<ResolvedCluster>;

const cache: { version: number; clusters: Map<string, ClusterLookup> } = { version: -1, clusters: new Map() };

/**
 * Every configured cluster with its token resolved (decrypted, or read from the named Worker
 * secret), cached in the isolate while the clusters version is unchanged.
 */
export async function loadClusters(env: Env): Promise<Map<string, ClusterLookup>> {
  const version = (await readVersions(env.DB, [CLUSTERS_SCOPE])).get(CLUSTERS_SCOPE) ?? 0;
  if (cache.version === version) return cache.clusters;
  const clusters = new Map<string, ClusterLookup>();
  for (const record of await listClusters(env.DB)) clusters.set(record.name, await resolveCluster(env, record));
  cache.version = version;
  cache.clusters = clusters;
  return clusters;
}

/** The cluster named `name`, or why it cannot be called. */
export function clusterOf(clusters: ReadonlyMap<string, ClusterLookup>, name: string): ClusterLookup {
  return clusters.get(name) ?? fail("not_found", `cluster "${name}" is not configured (PUT /api/v1/clusters/${name})`);
}

async function resolveCluster(env: Env, record: ClusterRecord): Promise<ClusterLookup> {
  const reference = clusterTokenReference(record);
  let token: string | null = null;
  if (reference) {
    try {
      token = await resolveSecret(env, reference, clusterTokenContext(record.name));
    } catch (error) {
      return fail(
        "internal",
        `the token of cluster "${record.name}" cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  let headers: Array<[string, string]>;
  try {
    headers = await resolveHeaders(env, record.headers, (header) => clusterHeaderContext(record.name, header));
  } catch (error) {
    return fail(
      "internal",
      `a header of cluster "${record.name}" cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return ok({
    name: record.name,
    type: record.type,
    url: record.url,
    token,
    headers,
    timeoutMs: record.timeoutMs,
    maxPending: record.maxPending,
  });
}
