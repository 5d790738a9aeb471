import { z } from "zod";
import { applyActionOf, fingerprint } from "../auth/fingerprint";
import { restoreHeaders, restoreValue } from "../auth/placeholders";
import { describeHeaders, headerInputSchema, sealHeaders } from "../auth/sealed-headers";
import { SecretBox } from "../auth/secret-box";
import { keyringOf, SEALED, secretValueSchema, workerSecretNameSchema } from "../auth/secrets";
import { queuedSubmissions } from "../events/queue-depth";
import type { ApplyAction } from "../lib/apply";
import { notFound } from "../lib/errors";
import { assertObjectName } from "../lib/names";
import { outboundUrl } from "../lib/urls";
import { parseWith } from "../lib/validation";
import { breakerOf } from "./breaker";
import {
  CLUSTER_TYPES,
  type ClusterRecord,
  clusterHeaderContext,
  clusterTokenContext,
  deleteCluster,
  getCluster,
  listClusters,
  saveCluster,
} from "./store";

/**
 * Clusters — where bindings submit workflows and gates set nodes — as the API and the console
 * manage them (admin only): applied with their tokens and headers sealed (`(sealed)` keeps what is
 * stored while the URL stays), listed with each circuit breaker's status, removed.
 */

/** Headers hookline sets itself on every call to a cluster. */
const RESERVED_HEADERS = new Set(["authorization", "accept", "content-type", "content-length", "host"]);

export const clusterSchema = z
  .strictObject({
    type: z.enum(CLUSTER_TYPES),
    url: outboundUrl().refine((value) => {
      const url = URL.parse(value);
      return url !== null && url.username === "" && url.password === "" && url.search === "" && url.hash === "";
    }, "must not carry credentials, a query or a fragment"),
    token: secretValueSchema(16 * 1024).optional(),
    tokenSecret: workerSecretNameSchema.optional(),
    timeoutSeconds: z.number().min(1).max(60).default(10),
    /**
     * Hold submissions while the cluster runs this many workflows hookline submitted (Pending or
     * Running, as the cluster lists them), in arrival order, without spending attempts.
     */
    maxPending: z.number().int().min(1).max(100_000).optional(),
    /** Sent with every call: e.g. a Cloudflare Access service token (CF-Access-Client-Id / -Secret). */
    headers: z
      .array(headerInputSchema)
      .max(20)
      .default([])
      .refine(
        (headers) => headers.every((header) => !RESERVED_HEADERS.has(header.name.toLowerCase())),
        `must not set ${[...RESERVED_HEADERS].join(", ")} (the cluster's token is its Authorization)`,
      ),
  })
  .refine((c) => !(c.token !== undefined && c.tokenSecret !== undefined), "set token or tokenSecret, not both");

const headerViewSchema = z.union([
  z.object({ name: z.string(), value: z.string() }),
  z.object({ name: z.string(), secret: z.string() }),
  z.object({ name: z.string(), workerSecret: z.string() }),
]);

/** A cluster as the API shows it: whether it has a token, never the token. */
export const clusterViewSchema = z.object({
  name: z.string(),
  type: z.enum(CLUSTER_TYPES),
  url: z.string(),
  hasToken: z.boolean(),
  token: z.literal(SEALED).optional(),
  tokenSecret: z.string().nullable(),
  headers: z.array(headerViewSchema),
  timeoutSeconds: z.number(),
  maxPending: z.number().int().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** A cluster's status: its circuit (closed, open, half-open), since when, the last error, and how many submissions wait. */
export const clusterStatusSchema = z.object({
  circuit: z.enum(["closed", "open", "half-open"]),
  since: z.string(),
  lastError: z.string().nullable(),
  queued: z.number().int(),
  /**
   * Under `maxPending` (the cluster's or its bindings'): the workflows hookline submitted that the
   * cluster runs, as last counted, and how many submissions are held waiting for a slot.
   */
  pending: z.object({
    maxPending: z.number().int().nullable(),
    active: z.number().int(),
    held: z.number().int(),
    countedAt: z.string().nullable(),
  }),
});

export const clusterWithStatusSchema = clusterViewSchema.extend({ status: clusterStatusSchema });

/** Applies a cluster (create or replace; a dry run stores nothing): what it shows, and what the apply did. */
export async function applyCluster(
  env: Env,
  name: string,
  body: unknown,
  dryRun: boolean,
): Promise<{ cluster: z.output<typeof clusterViewSchema>; action: ApplyAction; created: boolean }> {
  assertObjectName(name, "cluster name");
  const parsed = parseWith(clusterSchema, body);
  const keyring = keyringOf(env);
  let box: SecretBox | undefined;
  const previous = await getCluster(env.DB, name);
  // "(sealed)" keeps what is stored — while the cluster's URL stays the same.
  const destination = { unchanged: previous?.url === parsed.url.replace(/\/+$/, ""), field: "url" };
  const input = {
    ...parsed,
    token: await restoreValue(
      keyring,
      parsed.token,
      previous?.tokenSealed,
      clusterTokenContext(name),
      "token",
      destination,
    ),
    headers: await restoreHeaders(
      keyring,
      parsed.headers,
      previous?.headers,
      (header) => clusterHeaderContext(name, header),
      "headers",
      destination,
    ),
  };
  // The validated input, so applying what `get` printed (defaults filled in) is "unchanged".
  const prints = await fingerprint(keyring, input);
  const action = applyActionOf(previous, prints, dryRun);
  const now = Date.now();
  const record: ClusterRecord = {
    name,
    type: input.type,
    url: input.url.replace(/\/+$/, ""),
    tokenSealed:
      input.token === undefined ? null : await new SecretBox(keyring).seal(input.token, clusterTokenContext(name)),
    tokenSecret: input.tokenSecret ?? null,
    headers: await sealHeaders(
      input.headers,
      () => {
        box ??= new SecretBox(keyring);
        return box;
      },
      (header) => clusterHeaderContext(name, header),
    ),
    timeoutMs: Math.round(input.timeoutSeconds * 1000),
    maxPending: input.maxPending ?? null,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    fingerprint: prints.current,
  };
  if (action !== "unchanged" && !dryRun) await saveCluster(env.DB, record);
  const shown = action === "unchanged" && previous ? previous : record;
  return { cluster: describeCluster(shown), action, created: previous === null };
}

/** Every cluster as the API (and the console) lists it, with its circuit breaker's status. */
export async function clusterList(env: Env): Promise<Array<z.output<typeof clusterWithStatusSchema>>> {
  const [clusters, queued] = await Promise.all([listClusters(env.DB), queuedSubmissions(env)]);
  return Promise.all(
    clusters.map(async (cluster) => ({
      ...describeCluster(cluster),
      status: await statusOf(env, cluster, queued),
    })),
  );
}

/** One cluster with its status, or not_found. */
export async function clusterNamed(env: Env, name: string): Promise<z.output<typeof clusterWithStatusSchema>> {
  const cluster = await getCluster(env.DB, assertObjectName(name, "cluster name"));
  if (!cluster) throw notFound(`cluster "${name}" not found`);
  return { ...describeCluster(cluster), status: await statusOf(env, cluster, await queuedSubmissions(env)) };
}

/** Removes a cluster, or not_found. */
export async function removeCluster(db: D1Database, name: string): Promise<void> {
  if (!(await deleteCluster(db, assertObjectName(name, "cluster name")))) throw notFound(`cluster "${name}" not found`);
}

async function statusOf(env: Env, cluster: ClusterRecord, queued: ReadonlyMap<string, number>) {
  const breaker = await breakerOf(env, cluster.name).view();
  return {
    circuit: breaker.circuit,
    since: breaker.since,
    lastError: breaker.lastError,
    queued: queued.get(cluster.name) ?? 0,
    pending: { maxPending: cluster.maxPending, ...breaker.pressure },
  };
}

function describeCluster(cluster: ClusterRecord): z.output<typeof clusterViewSchema> {
  return {
    name: cluster.name,
    type: cluster.type,
    url: cluster.url,
    hasToken: cluster.tokenSealed !== null,
    ...(cluster.tokenSealed !== null ? { token: SEALED } : {}),
    tokenSecret: cluster.tokenSecret,
    headers: describeHeaders(cluster.headers),
    timeoutSeconds: cluster.timeoutMs / 1000,
    ...(cluster.maxPending !== null ? { maxPending: cluster.maxPending } : {}),
    createdAt: new Date(cluster.createdAt).toISOString(),
    updatedAt: new Date(cluster.updatedAt).toISOString(),
  };
}
