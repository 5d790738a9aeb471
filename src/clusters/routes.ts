import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { applyActionOf, fingerprint } from "../auth/fingerprint";
import { restoreHeaders, restoreValue } from "../auth/placeholders";
import { authorize, GLOBAL } from "../auth/principal";
import { describeHeaders, headerInputSchema, sealHeaders } from "../auth/sealed-headers";
import { SecretBox } from "../auth/secret-box";
import { keyringOf, SEALED, secretValueSchema, workerSecretNameSchema } from "../auth/secrets";
import { eventLogsOf } from "../events/shards";
import { pendingSubmissionsByCluster } from "../events/store";
import { isDryRun } from "../lib/apply";
import { sumCounts } from "../lib/collections";
import { readDocument } from "../lib/documents";
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

/** `/api/v1/clusters`: where bindings submit workflows. Admin only; tokens are never returned. */
export const clusterRoutes = new Hono<AppEnv>()
  .put("/clusters/:name", async (c) => {
    authorize(c.get("principal"), "admin", GLOBAL);
    const name = assertObjectName(c.req.param("name"), "cluster name");
    const dryRun = isDryRun(c.req.query("dryRun"));
    const document = await readDocument(c.req.raw);
    const parsed = parseWith(clusterSchema, document);
    const keyring = keyringOf(c.env);
    let box: SecretBox | undefined;
    const previous = await getCluster(c.env.DB, name);
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
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      fingerprint: prints.current,
    };
    if (action !== "unchanged" && !dryRun) await saveCluster(c.env.DB, record);
    const shown = action === "unchanged" && previous ? previous : record;
    return c.json(describeCluster(shown), previous ? 200 : 201, { "x-hookline-action": action });
  })
  .get("/clusters", async (c) => {
    authorize(c.get("principal"), "admin", GLOBAL);
    return c.json({ items: await clusterList(c.env) });
  })
  .get("/clusters/:name", async (c) => {
    authorize(c.get("principal"), "admin", GLOBAL);
    const name = assertObjectName(c.req.param("name"), "cluster name");
    const cluster = await getCluster(c.env.DB, name);
    if (!cluster) throw notFound(`cluster "${name}" not found`);
    const queued = await queuedSubmissions(c.env);
    return c.json({ ...describeCluster(cluster), status: await statusOf(c.env, cluster.name, queued) });
  })
  .delete("/clusters/:name", async (c) => {
    authorize(c.get("principal"), "admin", GLOBAL);
    const name = assertObjectName(c.req.param("name"), "cluster name");
    if (!(await deleteCluster(c.env.DB, name))) throw notFound(`cluster "${name}" not found`);
    return c.body(null, 204);
  });

/** Submissions waiting for each cluster, over every event-log shard. */
async function queuedSubmissions(env: Env): Promise<Map<string, number>> {
  return sumCounts(await Promise.all(eventLogsOf(env).map(pendingSubmissionsByCluster)));
}

/** Every cluster as the API (and the console) lists it, with its circuit breaker's status. */
export async function clusterList(env: Env) {
  const [clusters, queued] = await Promise.all([listClusters(env.DB), queuedSubmissions(env)]);
  return Promise.all(
    clusters.map(async (cluster) => ({
      ...describeCluster(cluster),
      status: await statusOf(env, cluster.name, queued),
    })),
  );
}

/** A cluster's status: its circuit (closed, open, half-open), since when, the last error, and how many submissions wait. */
async function statusOf(env: Env, name: string, queued: ReadonlyMap<string, number>) {
  const breaker = await breakerOf(env, name).view();
  return {
    circuit: breaker.circuit,
    since: breaker.since,
    lastError: breaker.lastError,
    queued: queued.get(name) ?? 0,
  };
}

/** A cluster as the API shows it: whether it has a token, never the token. */
function describeCluster(cluster: ClusterRecord) {
  return {
    name: cluster.name,
    type: cluster.type,
    url: cluster.url,
    hasToken: cluster.tokenSealed !== null,
    ...(cluster.tokenSealed !== null ? { token: SEALED } : {}),
    tokenSecret: cluster.tokenSecret,
    headers: describeHeaders(cluster.headers),
    timeoutSeconds: cluster.timeoutMs / 1000,
    createdAt: new Date(cluster.createdAt).toISOString(),
    updatedAt: new Date(cluster.updatedAt).toISOString(),
  };
}
