import { ExpressionError } from "../expressions/jsonata";
import { sha256Hex } from "../lib/crypto";
import { fail, ok, type Result } from "../lib/result";
import { isTraceId } from "../lib/trace";
import { isHooklineEventTemplate, isHooklineEventTrigger } from "./catalog";
import type { CompiledCondition, NotificationConfig } from "./config";
import type { InternalEvent } from "./internal-events";
import { renderNotification } from "./render";
import type { ServiceType } from "./schema";
import { type Delivery, insertDeliveryStatement } from "./store";

/** A resource notifications are about: an Argo CD Application, or one of hookline's own events. */
export interface NotificationResource {
  /** Stable identity: `<apiVersion>/<kind>/<namespace>/<name>`. */
  key: string;
  /** The namespace its deliveries belong to ('' for a resource without one). */
  namespace: string;
  doc: Record<string, unknown>;
  /** True for hookline's own events: only they fire the triggers of hookline's events (`on-approval-*`…). */
  own: boolean;
}

const SUBSCRIBE_PREFIX = "notifications.argoproj.io/subscribe.";

/** The API group of hookline's own events: no posted resource may use it. */
const HOOKLINE_GROUP = "hookline.dev";
const HOOKLINE_EVENT_KIND = "HooklineEvent";
/** Where the keys of hookline's own events start. */
const HOOKLINE_EVENT_KEYS = `${HOOKLINE_GROUP}/v1/${HOOKLINE_EVENT_KIND}/`;

/** Kubernetes' shapes: `group/version` or `version`, a CamelCase kind, DNS names. */
const apiVersionPattern = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v[0-9]+((alpha|beta)[0-9]+)?$/;
const kindPattern = /^[A-Z][A-Za-z0-9]{0,62}$/;
const namePattern = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const namespacePattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The identity of a posted resource document, or why it cannot be one. hookline's own events come
 * only from hookline: a document of kind HooklineEvent, in hookline's API group, or whose key a
 * hookline event uses is refused — a resource posted here can never stand in for an approval
 * request or a decision, nor take over the state of one. The parts of the key must have
 * Kubernetes' shapes, so no two documents share a key by splitting it differently.
 */
export function resourceOf(doc: Record<string, unknown>): Result<NotificationResource> {
  const metadata = (doc.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const apiVersion = doc.apiVersion;
  const kind = doc.kind;
  if (typeof apiVersion !== "string" || !apiVersionPattern.test(apiVersion))
    return fail(
      "invalid_argument",
      'apiVersion: required, as "group/version" or "version" (e.g. argoproj.io/v1alpha1)',
    );
  if (typeof kind !== "string" || !kindPattern.test(kind))
    return fail("invalid_argument", "kind: required, a Kubernetes kind (e.g. Application)");
  if (kind === HOOKLINE_EVENT_KIND || apiVersion === HOOKLINE_GROUP || apiVersion.startsWith(`${HOOKLINE_GROUP}/`))
    return fail(
      "invalid_argument",
      `${kind === HOOKLINE_EVENT_KIND ? "kind" : "apiVersion"}: hookline's own events (${HOOKLINE_GROUP}, ${HOOKLINE_EVENT_KIND}) come only from hookline; post your own resources (e.g. an Argo CD Application)`,
    );
  if (typeof metadata.name !== "string" || !namePattern.test(metadata.name))
    return fail("invalid_argument", "metadata.name: required, a Kubernetes name (DNS-1123 subdomain)");
  const namespace = metadata.namespace === undefined ? "" : metadata.namespace;
  if (typeof namespace !== "string" || (namespace !== "" && !namespacePattern.test(namespace)))
    return fail("invalid_argument", "metadata.namespace: must be a Kubernetes namespace (DNS-1123 label)");
  const key = `${apiVersion}/${kind}/${namespace}/${metadata.name}`;
  return ok({ key, namespace, doc, own: false });
}

/** hookline's own event as a resource: triggers see it as `app` (`app.type`, `app.data`). */
export function internalResource(event: InternalEvent): NotificationResource {
  return {
    own: true,
    key: `${HOOKLINE_EVENT_KEYS}${event.namespace}/${event.id}`,
    namespace: event.namespace,
    doc: {
      apiVersion: "hookline.dev/v1",
      kind: "HooklineEvent",
      metadata: { name: event.id, namespace: event.namespace },
      id: event.id,
      type: event.type,
      namespace: event.namespace,
      at: event.at,
      data: event.data,
      ...(event.traceId ? { traceId: event.traceId } : {}),
    },
  };
}

interface Destination {
  service: string;
  recipient: string;
}

interface StateRow {
  trigger: string;
  condition: number;
  destination: string;
  once_per: string;
  active: number;
  fired: number;
}

export interface FanOutResult {
  /** Deliveries created now (new ids only). */
  deliveries: string[];
  /** Conditions that fired, and problems met (unknown triggers, expression errors). */
  fired: Array<{ trigger: string; condition: number; destination: string; templates: string[] }>;
  problems: string[];
}

/**
 * Evaluates the triggers this resource is subscribed to (by subscriptions whose selector
 * matches, and by its own `notifications.argoproj.io/subscribe.<trigger>.<service>`
 * annotations) and records a delivery for each condition that became true — Argo CD's
 * semantics: without `oncePer`, again only after the condition was false; with `oncePer`, once
 * per distinct value. State and deliveries are written in one batch; delivery ids derive from
 * what fired, so repeated documents and concurrent fan-outs never create a second delivery.
 */
export async function fanOut(
  db: D1Database,
  config: NotificationConfig,
  resource: NotificationResource,
  now = Date.now(),
): Promise<FanOutResult> {
  const result: FanOutResult = { deliveries: [], fired: [], problems: [] };
  const input = triggerInput(config, resource);
  const destinations = await destinationsByTrigger(config, resource, input, result.problems);
  if (destinations.size === 0) return result;

  const { results: rows } = await db
    .prepare(
      "SELECT trigger, condition, destination, once_per, active, fired FROM notification_state WHERE resource = ?1",
    )
    .bind(resource.key)
    .all<StateRow>();
  const state = new Map(rows.map((row) => [stateKey(row.trigger, row.condition, row.destination, row.once_per), row]));
  const statements: D1PreparedStatement[] = [];
  const deliveries: Delivery[] = [];
  const upsertState = (
    trigger: string,
    condition: number,
    destination: string,
    oncePer: string,
    active: number,
    fired: number,
  ) =>
    statements.push(
      db
        .prepare(
          `INSERT INTO notification_state (resource, trigger, condition, destination, once_per, active, fired, updated_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
           ON CONFLICT (resource, trigger, condition, destination, once_per) DO UPDATE SET active = ?6, fired = ?7, updated_at = ?8`,
        )
        .bind(resource.key, trigger, condition, destination, oncePer, active, fired, now),
    );

  for (const [trigger, targets] of destinations) {
    if (!resource.own && isHooklineEventTrigger(trigger)) {
      result.problems.push(`trigger "${trigger}" fires only for hookline's own events, not for posted resources`);
      continue;
    }
    const conditions = config.triggers.get(trigger);
    if (!conditions) {
      result.problems.push(`trigger "${trigger}" does not exist`);
      continue;
    }
    for (const condition of conditions) {
      const outcome = await evaluateCondition(condition, input, trigger, result.problems);
      for (const target of targets.values()) {
        const destination = `${target.service}:${target.recipient}`;
        const once = outcome.oncePer ?? "";
        const row = state.get(stateKey(trigger, condition.index, destination, once));
        if (!outcome.when) {
          if (condition.oncePer === null && row?.active)
            upsertState(trigger, condition.index, destination, once, 0, row.fired);
          continue;
        }
        if (condition.oncePer !== null ? row !== undefined : row?.active === 1) continue;
        const fired = (row?.fired ?? 0) + 1;
        upsertState(trigger, condition.index, destination, once, 1, fired);
        result.fired.push({ trigger, condition: condition.index, destination, templates: condition.send });
        for (const template of condition.send) {
          deliveries.push(
            await buildDelivery(config, resource, trigger, condition.index, target, once, fired, template, now),
          );
        }
      }
    }
  }
  for (const delivery of deliveries) statements.push(insertDeliveryStatement(db, delivery));
  if (statements.length > 0) await db.batch(statements);
  result.deliveries = deliveries.filter((delivery) => delivery.status === "pending").map((delivery) => delivery.id);
  return result;
}

/**
 * Whether fanning this resource out could deliver anything: a subscription (or one of its
 * annotations) routes it to a trigger — or a selector failed, which only the fan-out records.
 */
export async function isSubscribed(config: NotificationConfig, resource: NotificationResource): Promise<boolean> {
  const problems: string[] = [];
  const destinations = await destinationsByTrigger(config, resource, triggerInput(config, resource), problems);
  return destinations.size > 0 || problems.length > 0;
}

/** What selectors and trigger conditions see: the resource as `app`, and the configured context. */
function triggerInput(config: NotificationConfig, resource: NotificationResource) {
  return { app: resource.doc, context: config.context };
}

async function destinationsByTrigger(
  config: NotificationConfig,
  resource: NotificationResource,
  input: unknown,
  problems: string[],
): Promise<Map<string, Map<string, Destination>>> {
  const byTrigger = new Map<string, Map<string, Destination>>();
  const add = (trigger: string, service: string, recipient: string) => {
    let targets = byTrigger.get(trigger);
    if (!targets) {
      targets = new Map();
      byTrigger.set(trigger, targets);
    }
    targets.set(`${service}:${recipient}`, { service, recipient });
  };
  for (const subscription of config.subscriptions) {
    if (subscription.selector) {
      try {
        if ((await subscription.selector.evaluate(input)) !== true) continue;
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        problems.push(error.describe(`subscription ${subscription.name} selector`));
        continue;
      }
    }
    for (const trigger of subscription.triggers) {
      for (const destination of subscription.destinations) {
        for (const recipient of destination.recipients) add(trigger, destination.service, recipient);
      }
    }
  }
  const annotations = ((resource.doc.metadata ?? {}) as { annotations?: Record<string, unknown> }).annotations ?? {};
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith(SUBSCRIBE_PREFIX) || typeof value !== "string") continue;
    const rest = key.slice(SUBSCRIBE_PREFIX.length);
    const dot = rest.lastIndexOf(".");
    if (dot <= 0 || dot === rest.length - 1) continue;
    const recipients = value
      .split(";")
      .map((recipient) => recipient.trim())
      .filter(Boolean);
    for (const recipient of recipients.length > 0 ? recipients : [""])
      add(rest.slice(0, dot), rest.slice(dot + 1), recipient);
  }
  return byTrigger;
}

async function evaluateCondition(
  condition: CompiledCondition,
  input: unknown,
  trigger: string,
  problems: string[],
): Promise<{ when: boolean; oncePer: string | null }> {
  try {
    const when = (await condition.when.evaluate(input)) === true;
    if (!when || condition.oncePer === null) return { when, oncePer: null };
    const value = await condition.oncePer.evaluate(input);
    return { when, oncePer: value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value) };
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    problems.push(error.describe(`trigger ${trigger} conditions[${condition.index}]`));
    return { when: false, oncePer: null };
  }
}

async function buildDelivery(
  config: NotificationConfig,
  resource: NotificationResource,
  trigger: string,
  condition: number,
  target: Destination,
  oncePer: string,
  fired: number,
  template: string,
  now: number,
): Promise<Delivery> {
  const id = await sha256Hex(
    JSON.stringify([resource.key, trigger, condition, target.service, target.recipient, oncePer, fired, template]),
  );
  const service = config.services.get(target.service);
  const base = {
    id: id.slice(0, 32),
    createdAt: now,
    namespace: resource.namespace,
    resource: resource.key,
    trigger,
    service: target.service,
    recipient: target.recipient,
    template,
    attempts: 0,
    deliveredAt: null,
    traceId: isTraceId(resource.doc.traceId) ? resource.doc.traceId : null,
  };
  if (!service) {
    return {
      ...base,
      message: { title: "", body: "", webhookBody: null },
      status: "failed",
      lastError: `service "${target.service}" is not configured`,
    };
  }
  const stored = config.templates.get(template);
  if (!stored && !resource.own && isHooklineEventTemplate(template)) {
    return {
      ...base,
      message: { title: "", body: "", webhookBody: null },
      status: "failed",
      lastError: `template "${template}" renders hookline's own events only; a posted resource cannot use it`,
    };
  }
  try {
    const message = renderNotification(template, stored, {
      resource: resource.doc,
      context: config.context,
      serviceType: service.type as ServiceType,
      recipient: target.recipient,
      serviceName: target.service,
    });
    return { ...base, message, status: "pending", lastError: null };
  } catch (error) {
    return {
      ...base,
      message: { title: "", body: "", webhookBody: null },
      status: "failed",
      lastError: `template "${template}" failed to render: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

function stateKey(trigger: string, condition: number, destination: string, oncePer: string): string {
  return JSON.stringify([trigger, condition, destination, oncePer]);
}
