import { z } from "zod";
import { can, type Route, route } from "../http/route";
import { isDryRun } from "../lib/apply";
import { readDocument } from "../lib/documents";
import { AppError } from "../lib/errors";
import {
  deliveryDetail,
  deliveryDetailSchema,
  deliveryQuerySchema,
  deliveryViewSchema,
  listDeliveryPage,
  retryDelivery,
} from "./deliveries";
import {
  applyContext,
  applyObject,
  contextOf,
  type ObjectKind,
  objectList,
  objectNamed,
  removeObject,
  SERVICES,
  SUBSCRIPTIONS,
  TEMPLATES,
  TRIGGERS,
  triggerCatalog,
  triggerViewSchema,
} from "./objects";
import { MAX_RESOURCE_BYTES, postedResourceSchema, postResource } from "./resources";
import { contextSchema } from "./schema";

/**
 * The four routes of a kind of stored object (apply, list, read, delete). They serve every
 * namespace, so they need `namespaces: ["*"]`.
 */
function objectRoutes<T>(kind: ObjectKind<T>): Route[] {
  const path = `/api/v1/notifications/${kind.path}`;
  return [
    route(
      {
        method: "PUT",
        path: `${path}/:name`,
        access: can.everywhere("notifications:write"),
        summary: `Create or replace a notification ${kind.what}`,
        tag: "notifications",
        body: kind.input,
        yaml: true,
        responses: { 200: kind.view, 201: kind.view },
      },
      async (c, { principal, param }) => {
        const applied = await applyObject(
          kind,
          c.env,
          principal,
          param("name"),
          await readDocument(c.req.raw),
          isDryRun(c.req.query("dryRun")),
        );
        return c.json(applied.shown, applied.created ? 201 : 200, { "x-hookline-action": applied.action });
      },
    ),
    route(
      {
        method: "GET",
        path,
        access: can.everywhere("notifications:read"),
        summary: `List notification ${kind.path}`,
        tag: "notifications",
        responses: { 200: z.object({ items: z.array(kind.view) }) },
      },
      async (c) => c.json(await objectList(kind, c.env.DB)),
    ),
    route(
      {
        method: "GET",
        path: `${path}/:name`,
        access: can.everywhere("notifications:read"),
        summary: `Read one notification ${kind.what}`,
        tag: "notifications",
        responses: { 200: kind.view },
      },
      async (c, { param }) => c.json(await objectNamed(kind, c.env.DB, param("name"))),
    ),
    route(
      {
        method: "DELETE",
        path: `${path}/:name`,
        access: can.everywhere("notifications:write"),
        summary: `Delete a notification ${kind.what}`,
        tag: "notifications",
        responses: { 204: "empty" },
      },
      async (c, { principal, param }) => {
        await removeObject(kind, c.env.DB, principal, param("name"));
        return c.body(null, 204);
      },
    ),
  ];
}

/** `/api/v1/notifications/…`: services, templates, triggers, subscriptions, context, resources, deliveries. */
export const notificationRoutes = [
  route(
    {
      method: "GET",
      path: "/api/v1/notifications/triggers/catalog",
      access: can.everywhere("notifications:read"),
      summary: "The built-in triggers (Argo CD's catalog and hookline's own events)",
      tag: "notifications",
      responses: { 200: z.object({ items: z.array(triggerViewSchema) }) },
    },
    (c) => c.json(triggerCatalog()),
  ),
  ...objectRoutes(SERVICES),
  ...objectRoutes(TEMPLATES),
  ...objectRoutes(TRIGGERS),
  ...objectRoutes(SUBSCRIPTIONS),
  route(
    {
      method: "PUT",
      path: "/api/v1/notifications/context",
      access: can.everywhere("notifications:write"),
      summary: "Replace the values templates see as `context`",
      tag: "notifications",
      body: contextSchema,
      yaml: true,
      responses: { 200: contextSchema },
    },
    async (c) => {
      const applied = await applyContext(c.env.DB, await readDocument(c.req.raw), isDryRun(c.req.query("dryRun")));
      return c.json(applied.context, 200, { "x-hookline-action": applied.action });
    },
  ),
  route(
    {
      method: "GET",
      path: "/api/v1/notifications/context",
      access: can.everywhere("notifications:read"),
      summary: "The values templates see as `context`",
      tag: "notifications",
      responses: { 200: contextSchema },
    },
    async (c) => c.json(await contextOf(c.env.DB)),
  ),
  route(
    {
      method: "POST",
      path: "/api/v1/notifications/resources",
      access: can.inOwnNamespaces("notifications:write"),
      summary: "Post a resource (e.g. an Argo CD Application): its triggers fire, its deliveries are queued",
      tag: "notifications",
      yaml: true,
      responses: { 202: postedResourceSchema },
    },
    async (c, { principal }) => {
      if (Number(c.req.header("content-length") ?? 0) > MAX_RESOURCE_BYTES)
        throw new AppError("payload_too_large", `a resource document may be at most ${MAX_RESOURCE_BYTES} bytes`);
      return c.json(await postResource(c.env, principal, await readDocument(c.req.raw)), 202);
    },
  ),
  route(
    {
      method: "GET",
      path: "/api/v1/notifications/deliveries",
      access: can.inOwnNamespaces("notifications:read"),
      summary: "List notification deliveries",
      tag: "notifications",
      query: deliveryQuerySchema,
      responses: { 200: z.object({ items: z.array(deliveryViewSchema), nextCursor: z.string().nullable() }) },
    },
    async (c, { principal }) => {
      const { items, nextCursor } = await listDeliveryPage(c.env.DB, principal, c.req.query());
      return c.json({ items, nextCursor });
    },
  ),
  route(
    {
      method: "GET",
      path: "/api/v1/notifications/deliveries/:id",
      access: can.inOwnNamespaces("notifications:read"),
      summary: "One delivery and its message",
      tag: "notifications",
      responses: { 200: deliveryDetailSchema },
    },
    async (c, { principal, param }) => c.json(await deliveryDetail(c.env.DB, principal, param("id"))),
  ),
  route(
    {
      method: "POST",
      path: "/api/v1/notifications/deliveries/:id/retry",
      access: can.inOwnNamespaces("notifications:write"),
      summary: "Send a failed delivery again",
      tag: "notifications",
      responses: { 202: z.object({ id: z.string(), status: z.literal("pending") }) },
    },
    async (c, { principal, param }) => {
      const id = param("id");
      await retryDelivery(c.env, principal, id);
      return c.json({ id, status: "pending" as const }, 202);
    },
  ),
];
