import { z } from "zod";
import { applyActionOf, fingerprint } from "../auth/fingerprint";
import type { Keyring } from "../auth/keys";
import type { Principal } from "../auth/principal";
import { keyringOf } from "../auth/secrets";
import { type ApplyAction, canonicalJson } from "../lib/apply";
import { specOf } from "../lib/documents";
import { AppError, notFound } from "../lib/errors";
import { assertObjectName } from "../lib/names";
import type { Result } from "../lib/result";
import { parseWith } from "../lib/validation";
import { BUILT_IN_TRIGGERS } from "./catalog";
import { compileSubscription, compileTrigger } from "./config";
import {
  contextSchema,
  type StoredService,
  type SubscriptionSpec,
  serviceInputSchema,
  subscriptionInputSchema,
  type TriggerSpec,
  triggerInputSchema,
} from "./schema";
import { checkServiceDelete, describeService, sealService, serviceViewSchema } from "./service-config";
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

/**
 * The stored notification objects — services, templates, triggers, subscriptions — and the
 * context, as the API, the CLI and the console apply, read and delete them. Each kind says how an
 * object is built from an applied document (validated, compiled, secrets sealed) and shown.
 */
export interface ObjectKind<T> {
  /** The URL segment and the word for it (`services`, "service"). */
  path: string;
  what: string;
  table: ConfigTable;
  /** What an apply accepts, and what the API shows. */
  input: z.ZodType;
  view: z.ZodType;
  /** The object to store, and the validated input it came from (what "unchanged" compares). */
  build(
    principal: Principal,
    name: string,
    body: unknown,
    keyring: () => Keyring,
    db: D1Database,
    previous: T | null,
  ): Promise<{ object: T; input: unknown }>;
  describe(name: string, object: T): unknown;
  /** Throws when the object may not be deleted (something still uses it, or the principal may not). */
  checkDelete?(db: D1Database, name: string, principal: Principal): Promise<void>;
}

/** Builds an object stored as its validated spec, once `check` (compiling it) accepts it. */
function specBuilder<S>(schema: z.ZodType<S>, check: (name: string, spec: S) => Result<unknown>) {
  return async (_principal: Principal, name: string, body: unknown) => {
    const spec = parseWith(schema, specOf(body, name));
    const checked = check(name, spec);
    if (!checked.ok) throw new AppError("invalid_argument", checked.error.message);
    return { object: spec, input: spec };
  };
}

export const SERVICES: ObjectKind<StoredService> = {
  path: "services",
  what: "service",
  table: "notification_services",
  input: serviceInputSchema,
  view: serviceViewSchema,
  build: sealService,
  describe: (_name, service) => describeService(service),
  checkDelete: checkServiceDelete,
};

export const TEMPLATES: ObjectKind<TemplateSpec> = {
  path: "templates",
  what: "template",
  table: "notification_templates",
  input: templateInputSchema,
  view: templateInputSchema.extend({ name: z.string() }),
  build: specBuilder(templateInputSchema, compileTemplate),
  describe: (name, spec) => ({ name, ...spec }),
  async checkDelete(db, name) {
    const users = (await triggersByTemplate(db)).get(name) ?? [];
    if (users.length > 0)
      throw new AppError("aborted", `template "${name}" is used by trigger(s) ${users.join(", ")}; change them first`);
  },
};

/** A trigger as the API shows it: its spec, whether hookline ships it, and its expressions' translations. */
export const triggerViewSchema = triggerInputSchema.extend({
  name: z.string(),
  builtIn: z.boolean(),
  status: z.object({ translated: z.record(z.string(), z.string()) }).optional(),
});

export const TRIGGERS: ObjectKind<TriggerSpec> = {
  path: "triggers",
  what: "trigger",
  table: "notification_triggers",
  input: triggerInputSchema,
  view: triggerViewSchema,
  async build(_principal, name, body, _keyring, db) {
    const spec = parseWith(triggerInputSchema, specOf(body, name));
    const compiled = compileTrigger(spec, await objectNames(db, "notification_templates"));
    if (!compiled.ok) throw new AppError("invalid_argument", compiled.error.message);
    const { translated } = compiled.value;
    return { object: Object.keys(translated).length > 0 ? { ...spec, status: { translated } } : spec, input: spec };
  },
  describe: (name, spec) => ({ name, ...spec, builtIn: false }),
};

export const SUBSCRIPTIONS: ObjectKind<SubscriptionSpec> = {
  path: "subscriptions",
  what: "subscription",
  table: "notification_subscriptions",
  input: subscriptionInputSchema,
  view: subscriptionInputSchema.extend({ name: z.string() }),
  build: specBuilder(subscriptionInputSchema, compileSubscription),
  describe: (name, spec) => ({ name, ...spec }),
};

/** A stored object without its apply fingerprint (which stays internal). */
function withoutFingerprint<T>(object: T): T {
  const { fingerprint: _, ...rest } = object as T & { fingerprint?: string };
  return rest as T;
}

/** Applies an object of a kind (create or replace; a dry run stores nothing): what it shows, and what the apply did. */
export async function applyObject<T>(
  kind: ObjectKind<T>,
  env: Env,
  principal: Principal,
  name: string,
  body: unknown,
  dryRun: boolean,
): Promise<{ shown: unknown; action: ApplyAction; created: boolean }> {
  assertObjectName(name, `${kind.what} name`);
  const keyring = keyringOf(env);
  const previous = await getObject<T & { fingerprint?: string }>(env.DB, kind.table, name);
  const { object, input } = await kind.build(principal, name, body, () => keyring, env.DB, previous);
  // The validated input (defaults filled in, kubectl wrapper gone), so applying what `get` printed is "unchanged".
  const prints = await fingerprint(keyring, input);
  const action = applyActionOf(previous, prints, dryRun);
  if (action !== "unchanged" && !dryRun)
    await putObject(env.DB, kind.table, name, { ...object, fingerprint: prints.current });
  const shown = action === "unchanged" && previous ? previous : object;
  return { shown: kind.describe(name, withoutFingerprint(shown)), action, created: previous === null };
}

/** Every object of a kind, as the API shows them. */
export async function objectList<T>(kind: ObjectKind<T>, db: D1Database): Promise<{ items: unknown[] }> {
  const items = await listObjects<T>(db, kind.table);
  return { items: items.map((item) => kind.describe(item.name, withoutFingerprint(item.object))) };
}

/** One object of a kind, or not_found. */
export async function objectNamed<T>(kind: ObjectKind<T>, db: D1Database, name: string): Promise<unknown> {
  const object = await getObject<T>(db, kind.table, assertObjectName(name, `${kind.what} name`));
  if (!object) throw notFound(`${kind.what} "${name}" not found`);
  return kind.describe(name, withoutFingerprint(object));
}

/** Deletes an object of a kind (when nothing still uses it and the principal may), or not_found. */
export async function removeObject<T>(
  kind: ObjectKind<T>,
  db: D1Database,
  principal: Principal,
  name: string,
): Promise<void> {
  assertObjectName(name, `${kind.what} name`);
  await kind.checkDelete?.(db, name, principal);
  if (!(await deleteObject(db, kind.table, name))) throw notFound(`${kind.what} "${name}" not found`);
}

/** The built-in triggers (Argo CD's catalog and hookline's own events). */
export function triggerCatalog(): { items: unknown[] } {
  return { items: Object.entries(BUILT_IN_TRIGGERS).map(([name, spec]) => ({ name, ...spec, builtIn: true })) };
}

/** The notification context (values templates see as `context`). */
export function contextOf(db: D1Database): Promise<Record<string, string>> {
  return getContext(db);
}

/** Replaces the notification context (values templates see as `context`). */
export async function applyContext(
  db: D1Database,
  body: unknown,
  dryRun: boolean,
): Promise<{ context: Record<string, string>; action: ApplyAction }> {
  const context = parseWith(contextSchema, body);
  const previous = await getContext(db);
  const action =
    Object.keys(previous).length === 0
      ? "created"
      : canonicalJson(previous) === canonicalJson(context)
        ? "unchanged"
        : "configured";
  if (action !== "unchanged" && !dryRun) await putContext(db, context);
  return { context, action };
}
