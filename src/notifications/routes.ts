import { Hono } from "hono";
import { z } from "zod";
import { authorize } from "../auth/principal";
import { SecretBox } from "../auth/secret-box";
import { actionOf, canonicalJson, fingerprint, isDryRun } from "../lib/apply";
import type { AppEnv } from "../lib/context";
import { readDocument } from "../lib/documents";
import { AppError, notFound } from "../lib/errors";
import { assertObjectName } from "../lib/names";
import { parseWith } from "../lib/validation";
import { BUILT_IN_TRIGGERS } from "./catalog";
import { compileSubscription, compileTrigger, loadNotificationConfig } from "./config";
import { enqueueDeliveries } from "./consumer";
import { fanOut, resourceOf } from "./fanout";
import {
  contextSchema,
  type StoredService,
  type SubscriptionSpec,
  serviceInputSchema,
  subscriptionInputSchema,
  type TriggerSpec,
  triggerInputSchema,
} from "./schema";
import { serviceSecretContext } from "./send";
import {
  type ConfigTable,
  DELIVERY_STATUSES,
  type Delivery,
  deleteObject,
  getContext,
  getDelivery,
  getObject,
  listDeliveries,
  listObjects,
  putContext,
  putObject,
  resetDelivery,
} from "./store";

const MAX_RESOURCE_BYTES = 512 * 1024;

/** Accepts a kubectl-style object (`{kind, metadata, spec}`) or the bare spec. */
function specOf(body: unknown, name: string): unknown {
  const record = (body ?? {}) as Record<string, unknown>;
  if (typeof record.spec !== "object" || record.spec === null) return body;
  const metadataName = (record.metadata as { name?: unknown } | undefined)?.name;
  if (metadataName !== undefined && metadataName !== name) {
    throw new AppError(
      "invalid_argument",
      `metadata.name "${String(metadataName)}" does not match the name in the URL "${name}"`,
    );
  }
  return record.spec;
}

async function sealService(name: string, body: unknown, secretKey: string | undefined): Promise<StoredService> {
  const input = parseWith(serviceInputSchema, specOf(body, name));
  const needsBox =
    input.url !== undefined || input.secret !== undefined || input.headers.some((header) => "secret" in header);
  const box = needsBox ? SecretBox.fromSecretKey(secretKey) : null;
  const seal = async (value: string | undefined, part: string) =>
    value === undefined || !box ? null : box.seal(value, serviceSecretContext(name, part));
  return {
    name,
    type: input.type,
    urlSealed: await seal(input.url, "url"),
    urlSecret: input.urlSecret ?? null,
    secretSealed: await seal(input.secret, "secret"),
    method: input.method,
    headers: await Promise.all(
      input.headers.map(async (header) =>
        "secret" in header
          ? { name: header.name, sealed: (await seal(header.secret, `header/${header.name}`)) ?? "" }
          : header,
      ),
    ),
    ratePerMinute: input.ratePerMinute ?? null,
    updatedAt: new Date().toISOString(),
  };
}

/** A service as the API shows it: URL and secrets are never returned. */
function describeService(service: StoredService) {
  return {
    name: service.name,
    type: service.type,
    url: service.urlSealed === null ? null : "(sealed)",
    urlSecret: service.urlSecret,
    hasSecret: service.secretSealed !== null,
    method: service.method,
    headers: service.headers.map((header) => ("sealed" in header ? { name: header.name, secret: "(sealed)" } : header)),
    ratePerMinute: service.ratePerMinute,
    updatedAt: service.updatedAt,
  };
}

function describeDelivery(delivery: Delivery) {
  return {
    id: delivery.id,
    createdAt: new Date(delivery.createdAt).toISOString(),
    resource: delivery.resource,
    trigger: delivery.trigger,
    template: delivery.template,
    service: delivery.service,
    recipient: delivery.recipient,
    title: delivery.message.title,
    status: delivery.status,
    attempts: delivery.attempts,
    lastError: delivery.lastError,
    deliveredAt: delivery.deliveredAt === null ? null : new Date(delivery.deliveredAt).toISOString(),
  };
}

const cursorPattern = /^(\d+)\.([0-9a-f]{32})$/;
const deliveryQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().regex(cursorPattern, "must be a cursor returned by a previous page").optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
});

/** A stored object without its apply fingerprint (which stays internal). */
function withoutFingerprint<T>(object: T): T {
  const { fingerprint: _, ...rest } = object as T & { fingerprint?: string };
  return rest as T;
}

/** CRUD for one kind of stored notification object. */
function objectRoutes<T>(
  path: string,
  table: ConfigTable,
  what: string,
  build: (name: string, body: unknown, env: Env) => Promise<T>,
  describe: (name: string, object: T) => unknown,
) {
  return new Hono<AppEnv>()
    .put(`/notifications/${path}/:name`, async (c) => {
      authorize(c.get("principal"), "notifications:write");
      const name = assertObjectName(c.req.param("name"), `${what} name`);
      const dryRun = isDryRun(c.req.query("dryRun"));
      const document = await readDocument(c.req.raw);
      const object = await build(name, document, c.env);
      const print = await fingerprint(c.env.HOOKLINE_SECRET_KEY, document);
      const previous = await getObject<T & { fingerprint?: string }>(c.env.DB, table, name);
      const action = actionOf(previous?.fingerprint, previous !== null, print);
      if (action !== "unchanged" && !dryRun) await putObject(c.env.DB, table, name, { ...object, fingerprint: print });
      const shown = action === "unchanged" && previous ? previous : object;
      return c.json(describe(name, withoutFingerprint(shown)), previous ? 200 : 201, { "x-hookline-action": action });
    })
    .get(`/notifications/${path}`, async (c) => {
      authorize(c.get("principal"), "notifications:write");
      const items = await listObjects<T>(c.env.DB, table);
      return c.json({ items: items.map((item) => describe(item.name, withoutFingerprint(item.object))) });
    })
    .get(`/notifications/${path}/:name`, async (c) => {
      authorize(c.get("principal"), "notifications:write");
      const name = assertObjectName(c.req.param("name"), `${what} name`);
      const object = await getObject<T>(c.env.DB, table, name);
      if (!object) throw notFound(`${what} "${name}" not found`);
      return c.json(describe(name, withoutFingerprint(object)));
    })
    .delete(`/notifications/${path}/:name`, async (c) => {
      authorize(c.get("principal"), "notifications:write");
      const name = assertObjectName(c.req.param("name"), `${what} name`);
      if (!(await deleteObject(c.env.DB, table, name))) throw notFound(`${what} "${name}" not found`);
      return c.body(null, 204);
    });
}

const serviceRoutes = objectRoutes<StoredService>(
  "services",
  "notification_services",
  "service",
  (name, body, env) => sealService(name, body, env.HOOKLINE_SECRET_KEY),
  (_name, service) => describeService(service),
);

const triggerRoutes = objectRoutes<TriggerSpec>(
  "triggers",
  "notification_triggers",
  "trigger",
  async (name, body) => {
    const spec = parseWith(triggerInputSchema, specOf(body, name));
    const compiled = compileTrigger(spec);
    if ("errors" in compiled) throw new AppError("invalid_argument", compiled.errors.join("; "));
    return Object.keys(compiled.translated).length > 0
      ? { ...spec, status: { translated: compiled.translated } }
      : spec;
  },
  (name, spec) => ({ name, ...spec, builtIn: false }),
);

const subscriptionRoutes = objectRoutes<SubscriptionSpec>(
  "subscriptions",
  "notification_subscriptions",
  "subscription",
  async (name, body) => {
    const spec = parseWith(subscriptionInputSchema, specOf(body, name));
    const compiled = compileSubscription(name, spec);
    if ("error" in compiled) throw new AppError("invalid_argument", compiled.error);
    return spec;
  },
  (name, spec) => ({ name, ...spec }),
);

/** `/api/v1/notifications/…`: services, triggers, subscriptions, context, resources, deliveries. */
export const notificationRoutes = new Hono<AppEnv>()
  .get("/notifications/triggers/catalog", (c) => {
    authorize(c.get("principal"), "notifications:write");
    return c.json({
      items: Object.entries(BUILT_IN_TRIGGERS).map(([name, spec]) => ({ name, ...spec, builtIn: true })),
    });
  })
  .route("/", serviceRoutes)
  .route("/", triggerRoutes)
  .route("/", subscriptionRoutes)
  .put("/notifications/context", async (c) => {
    authorize(c.get("principal"), "notifications:write");
    const context = parseWith(contextSchema, await readDocument(c.req.raw));
    const previous = await getContext(c.env.DB);
    const action =
      Object.keys(previous).length === 0
        ? "created"
        : canonicalJson(previous) === canonicalJson(context)
          ? "unchanged"
          : "configured";
    if (action !== "unchanged" && !isDryRun(c.req.query("dryRun"))) await putContext(c.env.DB, context);
    return c.json(context, 200, { "x-hookline-action": action });
  })
  .get("/notifications/context", async (c) => {
    authorize(c.get("principal"), "notifications:write");
    return c.json(await getContext(c.env.DB));
  })
  .post("/notifications/resources", async (c) => {
    authorize(c.get("principal"), "notifications:write");
    const length = Number(c.req.header("content-length") ?? 0);
    if (length > MAX_RESOURCE_BYTES)
      throw new AppError("payload_too_large", `a resource document may be at most ${MAX_RESOURCE_BYTES} bytes`);
    const document = await readDocument(c.req.raw);
    if (document === null || typeof document !== "object" || Array.isArray(document)) {
      throw new AppError("invalid_argument", "the body must be a resource object (e.g. an Argo CD Application)");
    }
    const resource = resourceOf(document as Record<string, unknown>);
    if ("error" in resource) throw new AppError("invalid_argument", resource.error);
    const config = await loadNotificationConfig(c.env.DB);
    const result = await fanOut(c.env.DB, config, resource);
    try {
      await enqueueDeliveries(c.env.DB, c.env.NOTIFICATIONS, result.deliveries);
    } catch (error) {
      // Recorded but not queued: the sweeper sends them within minutes.
      console.error("queueing deliveries failed; the sweeper will send them", error);
    }
    return c.json(
      { resource: resource.key, fired: result.fired, deliveries: result.deliveries, problems: result.problems },
      202,
    );
  })
  .get("/notifications/deliveries", async (c) => {
    authorize(c.get("principal"), "notifications:write");
    const query = parseWith(deliveryQuerySchema, c.req.query());
    const match = query.cursor === undefined ? null : cursorPattern.exec(query.cursor);
    const rows = await listDeliveries(c.env.DB, {
      limit: query.limit + 1,
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(match?.[1] && match[2] ? { before: { createdAt: Number(match[1]), id: match[2] } } : {}),
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return c.json({
      items: page.map(describeDelivery),
      nextCursor: rows.length > query.limit && last ? `${last.createdAt}.${last.id}` : null,
    });
  })
  .get("/notifications/deliveries/:id", async (c) => {
    authorize(c.get("principal"), "notifications:write");
    const delivery = await getDelivery(c.env.DB, c.req.param("id"));
    if (!delivery) throw notFound("delivery not found");
    return c.json({ ...describeDelivery(delivery), message: delivery.message });
  })
  .post("/notifications/deliveries/:id/retry", async (c) => {
    authorize(c.get("principal"), "notifications:write");
    const id = c.req.param("id");
    if (!(await getDelivery(c.env.DB, id))) throw notFound("delivery not found");
    if (!(await resetDelivery(c.env.DB, id))) throw new AppError("aborted", "only a failed delivery can be retried");
    await enqueueDeliveries(c.env.DB, c.env.NOTIFICATIONS, [id]);
    return c.json({ id, status: "pending" }, 202);
  });
