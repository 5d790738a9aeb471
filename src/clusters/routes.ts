import { z } from "zod";
import { can, route } from "../http/route";
import { isDryRun } from "../lib/apply";
import { readDocument } from "../lib/documents";
import {
  applyCluster,
  clusterList,
  clusterNamed,
  clusterSchema,
  clusterViewSchema,
  clusterWithStatusSchema,
  removeCluster,
} from "./clusters";

/** `/api/v1/clusters`: where bindings submit workflows. Admin only; tokens are never returned. */
export const clusterRoutes = [
  route(
    {
      method: "PUT",
      path: "/api/v1/clusters/:name",
      access: can.admin,
      summary: "Create or replace a cluster (Argo Server or Kubernetes API)",
      tag: "clusters",
      body: clusterSchema,
      yaml: true,
      responses: { 200: clusterViewSchema, 201: clusterViewSchema },
    },
    async (c, { param }) => {
      const applied = await applyCluster(
        c.env,
        param("name"),
        await readDocument(c.req.raw),
        isDryRun(c.req.query("dryRun")),
      );
      return c.json(applied.cluster, applied.created ? 201 : 200, { "x-hookline-action": applied.action });
    },
  ),
  route(
    {
      method: "GET",
      path: "/api/v1/clusters",
      access: can.admin,
      summary: "List clusters, with each circuit breaker's status",
      tag: "clusters",
      responses: { 200: z.object({ items: z.array(clusterWithStatusSchema) }) },
    },
    async (c) => c.json({ items: await clusterList(c.env) }),
  ),
  route(
    {
      method: "GET",
      path: "/api/v1/clusters/:name",
      access: can.admin,
      summary: "One cluster and its circuit breaker",
      tag: "clusters",
      responses: { 200: clusterWithStatusSchema },
    },
    async (c, { param }) => c.json(await clusterNamed(c.env, param("name"))),
  ),
  route(
    {
      method: "DELETE",
      path: "/api/v1/clusters/:name",
      access: can.admin,
      summary: "Remove a cluster",
      tag: "clusters",
      responses: { 204: "empty" },
    },
    async (c, { param }) => {
      await removeCluster(c.env.DB, param("name"));
      return c.body(null, 204);
    },
  ),
];
