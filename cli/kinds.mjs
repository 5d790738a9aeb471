// @ts-check
// The kinds the API knows: how to name them, where they live, how to show them.

/**
 * @typedef {object} Kind
 * @property {string} kind            the `kind` in documents
 * @property {string} apiVersion
 * @property {string[]} names         what `get`/`delete` accept
 * @property {boolean} namespaced
 * @property {(ns: string) => string} collection   API path of the collection
 * @property {boolean} appliable
 * @property {boolean} [wholeObject]  apply sends the whole document (bindings), not its spec
 * @property {string[]} columns
 * @property {(item: any) => Array<string | number | null | undefined>} row
 * @property {(item: any) => string} nameOf
 * @property {string[]} [readOnly]   fields the server shows but does not take (left out of `get -o yaml`)
 */

const enc = encodeURIComponent;
const nameField = (/** @type {any} */ item) => item.name ?? item.metadata?.name ?? item.id ?? "";

/** @type {Kind[]} */
export const KINDS = [
  {
    kind: "WorkflowEventBinding",
    apiVersion: "argoproj.io/v1alpha1",
    names: ["workfloweventbindings", "workfloweventbinding", "wfeb", "bindings", "binding"],
    namespaced: true,
    collection: (ns) => `/api/v1/namespaces/${enc(ns)}/workfloweventbindings`,
    appliable: true,
    wholeObject: true,
    columns: ["name", "selector", "template", "cluster", "generation", "held"],
    row: (b) => [
      b.metadata.name,
      b.spec.event.selector,
      b.spec.submit.workflowTemplateRef.name,
      b.spec.cluster,
      b.metadata.generation,
      [b.spec.paused ? "paused" : "", b.spec.maxPending ? `maxPending ${b.spec.maxPending}` : ""]
        .filter(Boolean)
        .join(", "),
    ],
    nameOf: (b) => b.metadata.name,
  },
  {
    kind: "ApprovalPolicy",
    readOnly: ["name", "namespace", "createdAt", "updatedAt"],
    apiVersion: "hookline.dev/v1",
    names: ["approvalpolicies", "approvalpolicy", "policies", "policy"],
    namespaced: true,
    collection: (ns) => `/api/v1/namespaces/${enc(ns)}/approvalpolicies`,
    appliable: true,
    columns: ["name", "webhooks", "manual", "timeout"],
    row: (p) => [
      p.name,
      p.webhooks.map((/** @type {any} */ w) => w.name).join(",") || "-",
      p.manual.required ? "required" : "-",
      p.timeout,
    ],
    nameOf: nameField,
  },
  {
    kind: "Cluster",
    readOnly: ["name", "hasToken", "status", "createdAt", "updatedAt"],
    apiVersion: "hookline.dev/v1",
    names: ["clusters", "cluster"],
    namespaced: false,
    collection: () => "/api/v1/clusters",
    appliable: true,
    columns: ["name", "type", "url", "token", "circuit", "queued", "running", "held", "last error"],
    row: (c) => [
      c.name,
      c.type,
      c.url,
      c.hasToken ? "sealed" : c.tokenSecret ? `secret ${c.tokenSecret}` : "-",
      c.status ? `${c.status.circuit} since ${c.status.since}` : "",
      c.status?.queued ?? "",
      c.status?.pending
        ? `${c.status.pending.countedAt === null ? "-" : c.status.pending.active}${c.maxPending ? ` / ${c.maxPending}` : ""}`
        : "",
      c.status?.pending?.held ?? "",
      c.status?.lastError ?? "",
    ],
    nameOf: nameField,
  },
  {
    kind: "NotificationService",
    readOnly: ["name", "hasSecret", "adminConfigured", "updatedAt"],
    apiVersion: "hookline.dev/v1",
    names: ["notificationservices", "notificationservice", "services", "service"],
    namespaced: false,
    collection: () => "/api/v1/notifications/services",
    appliable: true,
    columns: ["name", "type", "url"],
    row: (s) => [s.name, s.type, s.url ?? (s.urlSecret ? `secret ${s.urlSecret}` : "")],
    nameOf: nameField,
  },
  {
    kind: "NotificationTemplate",
    readOnly: ["name"],
    apiVersion: "hookline.dev/v1",
    names: ["notificationtemplates", "notificationtemplate", "templates", "template"],
    namespaced: false,
    collection: () => "/api/v1/notifications/templates",
    appliable: true,
    columns: ["name", "fields"],
    row: (t) => [
      t.name,
      Object.entries(t)
        .filter(([key]) => key !== "name")
        .flatMap(([key, value]) =>
          value !== null && typeof value === "object" ? Object.keys(value).map((inner) => `${key}.${inner}`) : [key],
        )
        .join(","),
    ],
    nameOf: nameField,
  },
  {
    kind: "NotificationTrigger",
    readOnly: ["name", "builtIn", "status"],
    apiVersion: "hookline.dev/v1",
    names: ["notificationtriggers", "notificationtrigger", "triggers", "trigger"],
    namespaced: false,
    collection: () => "/api/v1/notifications/triggers",
    appliable: true,
    columns: ["name", "conditions", "templates"],
    row: (t) => [
      t.name,
      t.conditions.length,
      [...new Set(t.conditions.flatMap((/** @type {any} */ c) => c.send))].join(","),
    ],
    nameOf: nameField,
  },
  {
    kind: "NotificationSubscription",
    readOnly: ["name"],
    apiVersion: "hookline.dev/v1",
    names: ["notificationsubscriptions", "notificationsubscription", "subscriptions", "subscription"],
    namespaced: false,
    collection: () => "/api/v1/notifications/subscriptions",
    appliable: true,
    columns: ["name", "triggers", "destinations"],
    row: (s) => [s.name, s.triggers.join(","), s.destinations.map((/** @type {any} */ d) => d.service).join(",")],
    nameOf: nameField,
  },
  {
    kind: "WebhookClient",
    readOnly: ["name", "namespace", "createdAt", "updatedAt", "hasSecret"],
    apiVersion: "hookline.dev/v1",
    names: ["webhookclients", "webhookclient"],
    namespaced: true,
    collection: (ns) => `/api/v1/namespaces/${enc(ns)}/webhookclients`,
    appliable: true,
    columns: ["name", "type", "updated"],
    row: (w) => [w.name, w.type, w.updatedAt],
    nameOf: nameField,
  },
  {
    kind: "Token",
    apiVersion: "hookline.dev/v1",
    names: ["tokens", "token"],
    namespaced: false,
    collection: () => "/api/v1/tokens",
    appliable: false,
    columns: ["name", "namespaces", "scopes", "expires", "rate limit"],
    row: (t) => [
      t.name,
      t.namespaces.join(","),
      t.scopes.join(","),
      t.expiresAt ?? "never",
      t.rateLimit ? `${t.rateLimit.requests}/${t.rateLimit.period}` : "default",
    ],
    nameOf: nameField,
  },
];

/**
 * An object as `get -o yaml` prints it: a document `apply -f` takes back (apiVersion, kind,
 * metadata, spec), for the kinds whose API shape is flat.
 * @param {Kind} kind @param {any} item @param {string} namespace
 */
export function toDocument(kind, item, namespace) {
  if (kind.wholeObject || !kind.readOnly) return item;
  // Read-only fields and unset (null) ones are left out: the API takes neither.
  const spec = Object.fromEntries(
    Object.entries(item).filter(([field, value]) => value !== null && !kind.readOnly?.includes(field)),
  );
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    metadata: { name: kind.nameOf(item), ...(kind.namespaced ? { namespace: item.namespace ?? namespace } : {}) },
    spec,
  };
}

/** When an object was made (or last changed), for the AGE column. @param {any} item */
export function createdAt(item) {
  const when = item.createdAt ?? item.metadata?.creationTimestamp ?? item.receivedAt ?? item.updatedAt;
  const time = typeof when === "number" ? when : Date.parse(String(when ?? ""));
  return Number.isFinite(time) ? time : null;
}

/** @param {string} name */
export function findKind(name) {
  const lower = name.toLowerCase();
  return KINDS.find((kind) => kind.names.includes(lower) || kind.kind.toLowerCase() === lower);
}
