import { Hono } from "hono";
import { z } from "zod";
import { authorize } from "../auth/principal";
import { SecretBox } from "../auth/secret-box";
import { actionOf, fingerprint, isDryRun } from "../lib/apply";
import type { AppEnv } from "../lib/context";
import { readDocument } from "../lib/documents";
import { notFound } from "../lib/errors";
import { assertObjectName } from "../lib/names";
import { outboundUrl } from "../lib/urls";
import { parseWith } from "../lib/validation";
import { CLUSTER_TYPES, type ClusterRecord, deleteCluster, getCluster, listClusters, saveCluster } from "./store";

const clusterSchema = z
  .strictObject({
    type: z.enum(CLUSTER_TYPES),
    url: outboundUrl().refine((value) => {
      const url = URL.parse(value);
      return url !== null && url.username === "" && url.password === "" && url.search === "" && url.hash === "";
    }, "must not carry credentials, a query or a fragment"),
    token: z
      .string()
      .min(1)
      .max(16 * 1024)
      .optional(),
    tokenSecret: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, "must be the name of a Worker secret (UPPER_SNAKE_CASE)")
      .optional(),
    timeoutSeconds: z.number().min(1).max(60).default(10),
  })
  .refine((c) => !(c.token !== undefined && c.tokenSecret !== undefined), "set token or tokenSecret, not both");

/** The record context a cluster token is sealed to. */
export const clusterTokenContext = (name: string) => `cluster:${name}`;

/** `/api/v1/clusters`: where bindings submit workflows. Admin only; tokens are never returned. */
export const clusterRoutes = new Hono<AppEnv>()
  .put("/clusters/:name", async (c) => {
    authorize(c.get("principal"), "admin");
    const name = assertObjectName(c.req.param("name"), "cluster name");
    const dryRun = isDryRun(c.req.query("dryRun"));
    const document = await readDocument(c.req.raw);
    const input = parseWith(clusterSchema, document);
    const previous = await getCluster(c.env.DB, name);
    const print = await fingerprint(c.env.HOOKLINE_SECRET_KEY, document);
    const action = actionOf(previous?.fingerprint, previous !== null, print);
    const now = Date.now();
    const record: ClusterRecord = {
      name,
      type: input.type,
      url: input.url.replace(/\/+$/, ""),
      tokenSealed:
        input.token === undefined
          ? null
          : await SecretBox.fromSecretKey(c.env.HOOKLINE_SECRET_KEY).seal(input.token, clusterTokenContext(name)),
      tokenSecret: input.tokenSecret ?? null,
      timeoutMs: Math.round(input.timeoutSeconds * 1000),
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      fingerprint: print,
    };
    if (action !== "unchanged" && !dryRun) await saveCluster(c.env.DB, record);
    const shown = action === "unchanged" && previous ? previous : record;
    return c.json(describeCluster(shown), previous ? 200 : 201, { "x-hookline-action": action });
  })
  .get("/clusters", async (c) => {
    authorize(c.get("principal"), "admin");
    return c.json({ items: (await listClusters(c.env.DB)).map(describeCluster) });
  })
  .get("/clusters/:name", async (c) => {
    authorize(c.get("principal"), "admin");
    const name = assertObjectName(c.req.param("name"), "cluster name");
    const cluster = await getCluster(c.env.DB, name);
    if (!cluster) throw notFound(`cluster "${name}" not found`);
    return c.json(describeCluster(cluster));
  })
  .delete("/clusters/:name", async (c) => {
    authorize(c.get("principal"), "admin");
    const name = assertObjectName(c.req.param("name"), "cluster name");
    if (!(await deleteCluster(c.env.DB, name))) throw notFound(`cluster "${name}" not found`);
    return c.body(null, 204);
  });

/** A cluster as the API shows it: whether it has a token, never the token. */
function describeCluster(cluster: ClusterRecord) {
  return {
    name: cluster.name,
    type: cluster.type,
    url: cluster.url,
    hasToken: cluster.tokenSealed !== null,
    tokenSecret: cluster.tokenSecret,
    timeoutSeconds: cluster.timeoutMs / 1000,
    createdAt: new Date(cluster.createdAt).toISOString(),
    updatedAt: new Date(cluster.updatedAt).toISOString(),
  };
}
