import { Hono } from "hono";
import type { z } from "zod";
import { policiesDecidingThrough } from "../approvals/channels";
import type { AppEnv } from "../auth/context";
import { applyActionOf, fingerprint } from "../auth/fingerprint";
import type { Keyring } from "../auth/keys";
import { type Destination, restoreHeaders, restoreValue, storedValueIfReadable } from "../auth/placeholders";
import { authorize, GLOBAL, isGatewayAdmin, type Principal } from "../auth/principal";
import { describeHeaders, sealHeaders, workerSecretFields } from "../auth/sealed-headers";
import { SecretBox } from "../auth/secret-box";
import { authorizeWorkerSecretNames, keyringOf, SEALED } from "../auth/secrets";
import { canonicalJson, isDryRun } from "../lib/apply";
import { readDocument, specOf } from "../lib/documents";
import { AppError, notFound } from "../lib/errors";
import { log } from "../lib/log";
import { assertObjectName } from "../lib/names";
import type { Result } from "../lib/result";
import { parseWith } from "../lib/validation";
import { BUILT_IN_TRIGGERS } from "./catalog";
import { compileSubscription, compileTrigger, loadNotificationConfig } from "./config";
import { enqueueDeliveries } from "./consumer";
import { describeDelivery, findDelivery, listDeliveryPage, retryDelivery, visibleMessage } from "./deliveries";
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
import { serviceSecretContext } from "./services/resolve";
import {
  type ConfigTable,
  deleteObject,
  getContext,
  getObject,
  listObjects,
  objectNames,
  putContext,
  putObject,
  triggersByTemplate,
} from "./store";
import { compileTemplate, type TemplateSpec, templateInputSchema } from "./templates";

const MAX_RESOURCE_BYTES = 512 * 1024;

async function sealService(
  principal: Principal,
  name: string,
  body: unknown,
  keyring: () => Keyring,
  db: D1Database,
  previous: StoredService | null,
): Promise<{ object: StoredService; input: unknown }> {
  const parsed = parseWith(serviceInputSchema, specOf(body, name));
  // "(sealed)" keeps what is stored — while the messages still go where they went (URL, Worker
  // secret or Slack API): a kept secret must never follow a new URL.
  const restore = (
    value: string | undefined,
    sealed: string | null | undefined,
    part: string,
    destination?: Destination,
  ) => restoreValue(keyring(), value, sealed, serviceSecretContext(name, part), part, destination);
  const url = await restore(parsed.url, previous?.urlSealed, "url");
  // A stored URL that no longer decrypts (a key replaced without a reseal) compares unequal:
  // the request can still replace it, and a "(sealed)" secret cannot follow it (409 names that one).
  const previousUrl = previous?.urlSealed
    ? await storedValueIfReadable(keyring(), previous.urlSealed, serviceSecretContext(name, "url"))
    : undefined;
  const destination: Destination = {
    unchanged:
      previous !== null &&
      previousUrl !== null &&
      url === previousUrl &&
      (parsed.urlSecret ?? null) === previous.urlSecret &&
      (parsed.apiUrl ?? null) === (previous.apiUrl ?? null),
    field: "url (or urlSecret, apiUrl)",
  };
  const input = {
    ...parsed,
    url,
    secret: await restore(parsed.secret, previous?.secretSealed, "secret", destination),
    token: await restore(parsed.token, previous?.tokenSealed, "token", destination),
    // Verifies what comes in from Slack; it is never sent anywhere, so it may stay with a new URL.
    signingSecret: await restore(parsed.signingSecret, previous?.signingSecretSealed, "signing-secret"),
    // A Lark app's secret goes to its Open API: kept only while the app and the API stay the same.
    appSecret: await restore(parsed.appSecret, previous?.appSecretSealed, "app-secret", {
      unchanged: previous !== null && (parsed.appId ?? null) === (previous.appId ?? null) && destination.unchanged,
      field: "appId (or apiUrl)",
    }),
    verificationToken: await restore(parsed.verificationToken, previous?.verificationTokenSealed, "verification-token"),
    encryptKey: await restore(parsed.encryptKey, previous?.encryptKeySealed, "encrypt-key"),
    headers: await restoreHeaders(
      keyring(),
      parsed.headers,
      previous?.headers,
      (header) => serviceSecretContext(name, `header/${header}`),
      "headers",
      destination,
    ),
  };
  authorizeWorkerSecretNames(principal, [
    ...(input.urlSecret === undefined ? [] : [{ field: "urlSecret" }]),
    ...workerSecretFields(input.headers, "headers"),
  ]);
  const decisions = await decisionRights(principal, name, input, keyring(), db, previous);
  let box: SecretBox | undefined;
  const boxOf = () => {
    box ??= new SecretBox(keyring());
    return box;
  };
  const seal = async (value: string | undefined, part: string) =>
    value === undefined ? null : boxOf().seal(value, serviceSecretContext(name, part));
  const object: StoredService = {
    name,
    type: input.type,
    urlSealed: await seal(input.url, "url"),
    urlSecret: input.urlSecret ?? null,
    secretSealed: await seal(input.secret, "secret"),
    method: input.method,
    headers: await sealHeaders(input.headers, boxOf, (header) => serviceSecretContext(name, `header/${header}`)),
    ratePerMinute: input.ratePerMinute ?? null,
    tokenSealed: await seal(input.token, "token"),
    apiUrl: input.apiUrl ?? null,
    username: input.username ?? null,
    icon: input.icon ?? null,
    signingSecretSealed: await seal(input.signingSecret, "signing-secret"),
    appId: input.appId ?? null,
    appSecretSealed: await seal(input.appSecret, "app-secret"),
    verificationTokenSealed: await seal(input.verificationToken, "verification-token"),
    encryptKeySealed: await seal(input.encryptKey, "encrypt-key"),
    adminConfigured: decisions.adminConfigured,
    decisionFingerprint: decisions.fingerprint,
    updatedAt: new Date().toISOString(),
  };
  return { object, input };
}

/**
 * Who may set what a service verifies and where it sends. Its type, URL, tokens, secrets, app
 * and `apiUrl` decide whose clicks it vouches for and who receives a gate's links: once a policy
 * names the service in `manual.channels`, changing them needs admin (403 otherwise, whether the
 * service exists yet or not). The service remembers whether an admin set them — only then does
 * it carry decisions.
 */
async function decisionRights(
  principal: Principal,
  name: string,
  input: { type: string } & {
    [field in
      | "url"
      | "urlSecret"
      | "apiUrl"
      | "token"
      | "signingSecret"
      | "appId"
      | "appSecret"
      | "verificationToken"
      | "encryptKey"]?: string | undefined;
  },
  keyring: Keyring,
  db: D1Database,
  previous: StoredService | null,
): Promise<{ adminConfigured: boolean; fingerprint: string }> {
  const fields = {
    type: input.type,
    url: input.url ?? null,
    urlSecret: input.urlSecret ?? null,
    apiUrl: input.apiUrl ?? null,
    token: input.token ?? null,
    signingSecret: input.signingSecret ?? null,
    appId: input.appId ?? null,
    appSecret: input.appSecret ?? null,
    verificationToken: input.verificationToken ?? null,
    encryptKey: input.encryptKey ?? null,
  };
  const prints = await fingerprint(keyring, fields);
  const unchanged = previous?.decisionFingerprint !== undefined && prints.all.includes(previous.decisionFingerprint);
  if (isGatewayAdmin(principal)) return { adminConfigured: true, fingerprint: prints.current };
  if (!unchanged) await assertNoDecisionsThrough(db, name, "changing its url, token, secrets, app or apiUrl");
  return { adminConfigured: unchanged && previous?.adminConfigured === true, fingerprint: prints.current };
}

/** 403 when a policy's channels name the service: it carries approval decisions, and only an admin changes it. */
async function assertNoDecisionsThrough(db: D1Database, service: string, what: string): Promise<void> {
  const policies = await policiesDecidingThrough(db, service);
  if (policies.length === 0) return;
  throw new AppError(
    "permission_denied",
    `service "${service}" carries approval decisions (named in manual.channels of policy ${policies.join(", ")}): ${what} needs the "admin" scope`,
  );
}

/** A service as the API shows it: URL and secrets are never returned. */
function describeService(service: StoredService) {
  return {
    name: service.name,
    type: service.type,
    url: service.urlSealed === null ? null : SEALED,
    urlSecret: service.urlSecret,
    ...(service.tokenSealed ? { token: SEALED } : {}),
    ...(service.secretSealed ? { secret: SEALED } : {}),
    ...(service.signingSecretSealed ? { signingSecret: SEALED } : {}),
    ...(service.appId ? { appId: service.appId } : {}),
    ...(service.appSecretSealed ? { appSecret: SEALED } : {}),
    ...(service.verificationTokenSealed ? { verificationToken: SEALED } : {}),
    ...(service.encryptKeySealed ? { encryptKey: SEALED } : {}),
    ...(service.apiUrl ? { apiUrl: service.apiUrl } : {}),
    ...(service.username ? { username: service.username } : {}),
    ...(service.icon ? { icon: service.icon } : {}),
    hasSecret: service.secretSealed !== null,
    // Whether an admin set what it verifies and where it sends: only then may policies' channels name it.
    adminConfigured: service.adminConfigured === true,
    method: service.method,
    headers: describeHeaders(service.headers),
    ratePerMinute: service.ratePerMinute,
    updatedAt: service.updatedAt,
  };
}

/** A stored object without its apply fingerprint (which stays internal). */
function withoutFingerprint<T>(object: T): T {
  const { fingerprint: _, ...rest } = object as T & { fingerprint?: string };
  return rest as T;
}

/**
 * CRUD for one kind of stored notification object. Services, triggers and subscriptions serve
 * every namespace, so they need a principal with `namespaces: ["*"]`.
 */
function objectRoutes<T>(
  path: string,
  table: ConfigTable,
  what: string,
  /** The object to store, and the validated input it came from (what "unchanged" compares). */
  build: (
    principal: Principal,
    name: string,
    body: unknown,
    keyring: () => Keyring,
    db: D1Database,
    previous: T | null,
  ) => Promise<{ object: T; input: unknown }>,
  describe: (name: string, object: T) => unknown,
  /** Throws when the object may not be deleted (something still uses it, or the principal may not). */
  checkDelete?: (db: D1Database, name: string, principal: Principal) => Promise<void>,
) {
  return new Hono<AppEnv>()
    .put(`/notifications/${path}/:name`, async (c) => {
      const principal = authorize(c.get("principal"), "notifications:write", GLOBAL);
      const name = assertObjectName(c.req.param("name"), `${what} name`);
      const dryRun = isDryRun(c.req.query("dryRun"));
      const document = await readDocument(c.req.raw);
      const keyring = keyringOf(c.env);
      const previous = await getObject<T & { fingerprint?: string }>(c.env.DB, table, name);
      const { object, input } = await build(principal, name, document, () => keyring, c.env.DB, previous);
      // The validated input (defaults filled in, kubectl wrapper gone), so applying what `get` printed is "unchanged".
      const prints = await fingerprint(keyring, input);
      const action = applyActionOf(previous, prints, dryRun);
      if (action !== "unchanged" && !dryRun)
        await putObject(c.env.DB, table, name, { ...object, fingerprint: prints.current });
      const shown = action === "unchanged" && previous ? previous : object;
      return c.json(describe(name, withoutFingerprint(shown)), previous ? 200 : 201, { "x-hookline-action": action });
    })
    .get(`/notifications/${path}`, async (c) => {
      authorize(c.get("principal"), "notifications:read", GLOBAL);
      const items = await listObjects<T>(c.env.DB, table);
      return c.json({ items: items.map((item) => describe(item.name, withoutFingerprint(item.object))) });
    })
    .get(`/notifications/${path}/:name`, async (c) => {
      authorize(c.get("principal"), "notifications:read", GLOBAL);
      const name = assertObjectName(c.req.param("name"), `${what} name`);
      const object = await getObject<T>(c.env.DB, table, name);
      if (!object) throw notFound(`${what} "${name}" not found`);
      return c.json(describe(name, withoutFingerprint(object)));
    })
    .delete(`/notifications/${path}/:name`, async (c) => {
      const principal = authorize(c.get("principal"), "notifications:write", GLOBAL);
      const name = assertObjectName(c.req.param("name"), `${what} name`);
      await checkDelete?.(c.env.DB, name, principal);
      if (!(await deleteObject(c.env.DB, table, name))) throw notFound(`${what} "${name}" not found`);
      return c.body(null, 204);
    });
}

const serviceRoutes = objectRoutes<StoredService>(
  "services",
  "notification_services",
  "service",
  sealService,
  (_name, service) => describeService(service),
  async (db, name, principal) => {
    if (!isGatewayAdmin(principal)) await assertNoDecisionsThrough(db, name, "deleting it");
  },
);

const triggerRoutes = objectRoutes<TriggerSpec>(
  "triggers",
  "notification_triggers",
  "trigger",
  async (_principal, name, body, _keyring, db) => {
    const spec = parseWith(triggerInputSchema, specOf(body, name));
    const compiled = compileTrigger(spec, await objectNames(db, "notification_templates"));
    if (!compiled.ok) throw new AppError("invalid_argument", compiled.error.message);
    const { translated } = compiled.value;
    return { object: Object.keys(translated).length > 0 ? { ...spec, status: { translated } } : spec, input: spec };
  },
  (name, spec) => ({ name, ...spec, builtIn: false }),
);

/** Builds an object stored as its validated spec, once `check` (compiling it) accepts it. */
function specBuilder<S>(schema: z.ZodType<S>, check: (name: string, spec: S) => Result<unknown>) {
  return async (_principal: Principal, name: string, body: unknown) => {
    const spec = parseWith(schema, specOf(body, name));
    const checked = check(name, spec);
    if (!checked.ok) throw new AppError("invalid_argument", checked.error.message);
    return { object: spec, input: spec };
  };
}

const templateRoutes = objectRoutes<TemplateSpec>(
  "templates",
  "notification_templates",
  "template",
  specBuilder(templateInputSchema, compileTemplate),
  (name, spec) => ({ name, ...spec }),
  async (db, name) => {
    const users = (await triggersByTemplate(db)).get(name) ?? [];
    if (users.length > 0)
      throw new AppError("aborted", `template "${name}" is used by trigger(s) ${users.join(", ")}; change them first`);
  },
);

const subscriptionRoutes = objectRoutes<SubscriptionSpec>(
  "subscriptions",
  "notification_subscriptions",
  "subscription",
  specBuilder(subscriptionInputSchema, compileSubscription),
  (name, spec) => ({ name, ...spec }),
);

/** `/api/v1/notifications/…`: services, templates, triggers, subscriptions, context, resources, deliveries. */
export const notificationRoutes = new Hono<AppEnv>()
  .get("/notifications/triggers/catalog", (c) => {
    authorize(c.get("principal"), "notifications:read", GLOBAL);
    return c.json({
      items: Object.entries(BUILT_IN_TRIGGERS).map(([name, spec]) => ({ name, ...spec, builtIn: true })),
    });
  })
  .route("/", serviceRoutes)
  .route("/", templateRoutes)
  .route("/", triggerRoutes)
  .route("/", subscriptionRoutes)
  .put("/notifications/context", async (c) => {
    authorize(c.get("principal"), "notifications:write", GLOBAL);
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
    authorize(c.get("principal"), "notifications:read", GLOBAL);
    return c.json(await getContext(c.env.DB));
  })
  .post("/notifications/resources", async (c) => {
    const principal = authorize(c.get("principal"), "notifications:write");
    const length = Number(c.req.header("content-length") ?? 0);
    if (length > MAX_RESOURCE_BYTES)
      throw new AppError("payload_too_large", `a resource document may be at most ${MAX_RESOURCE_BYTES} bytes`);
    const document = await readDocument(c.req.raw);
    if (document === null || typeof document !== "object" || Array.isArray(document)) {
      throw new AppError("invalid_argument", "the body must be a resource object (e.g. an Argo CD Application)");
    }
    const found = resourceOf(document as Record<string, unknown>);
    if (!found.ok) throw new AppError(found.error.code, found.error.message);
    const resource = found.value;
    // The resource's deliveries belong to its namespace: the principal must be allowed there.
    authorize(principal, "notifications:write", resource.namespace === "" ? GLOBAL : resource.namespace);
    const config = await loadNotificationConfig(c.env.DB);
    const result = await fanOut(c.env.DB, config, resource);
    try {
      await enqueueDeliveries(c.env.DB, c.env.NOTIFICATIONS, result.deliveries);
    } catch (error) {
      // Recorded but not queued: the sweeper sends them within minutes.
      log.error("queueing deliveries failed; the sweeper will send them", {}, error);
    }
    return c.json(
      { resource: resource.key, fired: result.fired, deliveries: result.deliveries, problems: result.problems },
      202,
    );
  })
  .get("/notifications/deliveries", async (c) => {
    const principal = authorize(c.get("principal"), "notifications:read");
    const { items, nextCursor } = await listDeliveryPage(c.env.DB, principal, c.req.query());
    return c.json({ items, nextCursor });
  })
  .get("/notifications/deliveries/:id", async (c) => {
    const principal = authorize(c.get("principal"), "notifications:read");
    const delivery = await findDelivery(c.env.DB, principal, c.req.param("id"), "notifications:read");
    return c.json({ ...describeDelivery(delivery), message: visibleMessage(delivery.message) });
  })
  .post("/notifications/deliveries/:id/retry", async (c) => {
    const principal = authorize(c.get("principal"), "notifications:write");
    const id = c.req.param("id");
    await retryDelivery(c.env, principal, id);
    return c.json({ id, status: "pending" }, 202);
  });
