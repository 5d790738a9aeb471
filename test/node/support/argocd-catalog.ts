// Argo CD's own notifications catalog (test/fixtures/argocd-notifications-catalog.yaml, committed
// unchanged from argoproj/argo-cd) and Applications in the states Argo CD's controller reports
// them, for judging every trigger × state and every template field against what Go computes
// (the answers are committed in test/oracle/argocd-catalog-1.17.8.json; test/oracle/README.md).
import { readFileSync } from "node:fs";
import { parse } from "yaml";

const fixture = new URL("../../fixtures/argocd-notifications-catalog.yaml", import.meta.url);

/** The catalog ConfigMap's text, as Argo CD publishes it. */
export const CATALOG_YAML = readFileSync(fixture, "utf8");

const data = (parse(CATALOG_YAML) as { data: Record<string, string> }).data;

export interface CatalogCondition {
  description?: string;
  when: string;
  oncePer?: string;
  send: string[];
}

/** trigger name → its conditions, in the catalog's order. */
export const CATALOG_TRIGGERS: Array<[string, CatalogCondition[]]> = Object.entries(data)
  .filter(([key]) => key.startsWith("trigger."))
  .map(([key, value]) => [key.slice("trigger.".length), parse(value) as CatalogCondition[]]);

/** template name → its fields (`message`, `email.subject`, `slack.attachments`…), each a Go template. */
export const CATALOG_TEMPLATES: Array<[string, Array<[string, string]>]> = Object.entries(data)
  .filter(([key]) => key.startsWith("template."))
  .map(([key, value]) => {
    const fields: Array<[string, string]> = [];
    const walk = (node: unknown, path: string) => {
      if (typeof node === "string") fields.push([path, node]);
      else if (node !== null && typeof node === "object")
        for (const [name, child] of Object.entries(node)) walk(child, path ? `${path}.${name}` : name);
    };
    walk(parse(value), "");
    return [key.slice("template.".length), fields];
  });

const SOURCE = {
  repoURL: "https://github.com/argoproj/argocd-example-apps.git",
  path: "guestbook",
  targetRevision: "HEAD",
};
const metadata = {
  name: "guestbook",
  namespace: "argocd",
  uid: "5b1a7d1e-2f0c-4c1e-9f55-3c2d1a0b9e77",
  generation: 12,
  resourceVersion: "812345",
  creationTimestamp: "2026-01-01T09:00:00Z",
  labels: { team: "web" },
};
const syncedResult = {
  resources: [
    {
      group: "apps",
      kind: "Deployment",
      name: "guestbook-ui",
      namespace: "default",
      status: "Synced",
      message: "deployment.apps/guestbook-ui configured",
      syncPhase: "Sync",
      hookPhase: "Running",
    },
    {
      kind: "Service",
      name: "guestbook-ui",
      namespace: "default",
      status: "Synced",
      message: "service/guestbook-ui unchanged",
      syncPhase: "Sync",
      hookPhase: "Running",
    },
  ],
  revision: "53e28ff20cc530b9ada2173fbbd64d48338583ba",
  source: SOURCE,
};
const operation = {
  sync: { revision: "53e28ff20cc530b9ada2173fbbd64d48338583ba", syncStrategy: { hook: {} } },
  initiatedBy: { username: "admin" },
  retry: {},
};

/** An Application after a sync from 10:00:00 to `finishedAt` (10:01:00), healthy since `healthSince`. */
function synced(healthSince: string, health = "Healthy", finishedAt = "2026-01-02T10:01:00Z") {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata,
    spec: {
      project: "default",
      source: SOURCE,
      destination: { server: "https://kubernetes.default.svc", namespace: "default" },
    },
    status: {
      sync: { status: "Synced", revision: "53e28ff20cc530b9ada2173fbbd64d48338583ba", comparedTo: { source: SOURCE } },
      health: { status: health, lastTransitionTime: healthSince },
      reconciledAt: "2026-01-02T10:01:30Z",
      sourceType: "Kustomize",
      summary: { images: ["gcr.io/heptio-images/ks-guestbook-demo:0.2"] },
      operationState: {
        operation,
        phase: "Succeeded",
        message: "successfully synced (all tasks run)",
        startedAt: "2026-01-02T10:00:00Z",
        finishedAt,
        syncResult: syncedResult,
      },
      resources: [
        {
          group: "apps",
          version: "v1",
          kind: "Deployment",
          namespace: "default",
          name: "guestbook-ui",
          status: "Synced",
          health: { status: health },
        },
        {
          version: "v1",
          kind: "Service",
          namespace: "default",
          name: "guestbook-ui",
          status: "Synced",
          health: { status: "Healthy" },
        },
      ],
    },
  };
}

const deployed = synced("2026-01-02T10:01:20Z");
const base = deployed.status;

/** Applications in the states Argo CD reports, by name. */
export const APPLICATION_STATES: Array<[string, Record<string, unknown>]> = [
  [
    "created (never synced)",
    {
      ...deployed,
      status: {
        sync: { status: "OutOfSync", comparedTo: { source: SOURCE }, revision: base.sync.revision },
        health: { status: "Missing", lastTransitionTime: "2026-01-02T09:59:00Z" },
        reconciledAt: "2026-01-02T09:59:00Z",
      },
    },
  ],
  ["created by kubectl (no status yet)", { ...deployed, status: undefined }],
  [
    "sync running",
    {
      ...deployed,
      status: {
        ...base,
        sync: { ...base.sync, status: "OutOfSync" },
        health: { status: "Progressing", lastTransitionTime: "2026-01-02T10:00:02Z" },
        operationState: {
          operation,
          phase: "Running",
          message: "waiting for healthy state of apps/Deployment/guestbook-ui",
          startedAt: "2026-01-02T10:00:00Z",
        },
      },
    },
  ],
  ["synced and healthy after the sync", deployed],
  ["healthy within a minute of the sync's end", synced("2026-01-02T10:00:30Z")],
  ["healthy long before the sync started", synced("2026-01-01T08:00:00Z")],
  [
    "healthy early in a long sync, over a minute before its end",
    synced("2026-01-02T10:01:00Z", "Healthy", "2026-01-02T10:05:00Z"),
  ],
  ["synced but still progressing", synced("2026-01-02T10:01:20Z", "Progressing")],
  ["synced but degraded", synced("2026-01-02T10:03:00Z", "Degraded")],
  [
    "sync failed with a message",
    {
      ...deployed,
      status: {
        ...base,
        sync: { ...base.sync, status: "OutOfSync" },
        health: { status: "Healthy", lastTransitionTime: "2026-01-01T08:00:00Z" },
        operationState: {
          operation,
          phase: "Failed",
          message:
            'one or more objects failed to apply, reason: Deployment.apps "guestbook-ui" is invalid: spec.template.spec.containers[0].image: Required value',
          startedAt: "2026-01-02T10:00:00Z",
          finishedAt: "2026-01-02T10:00:09Z",
          syncResult: { ...syncedResult, resources: [{ ...syncedResult.resources[0], status: "SyncFailed" }] },
        },
        conditions: [
          {
            type: "SyncError",
            message: "Failed sync attempt to 53e28ff2: one or more objects failed to apply (dry run)",
            lastTransitionTime: "2026-01-02T10:00:09Z",
          },
        ],
      },
    },
  ],
  [
    "sync errored",
    {
      ...deployed,
      status: {
        ...base,
        operationState: {
          operation,
          phase: "Error",
          message: "rpc error: code = Unknown desc = authentication required",
          startedAt: "2026-01-02T10:00:00Z",
          finishedAt: "2026-01-02T10:00:01Z",
        },
      },
    },
  ],
  [
    "sync status unknown (repository unreachable)",
    {
      ...deployed,
      status: {
        ...base,
        sync: { status: "Unknown", comparedTo: { source: SOURCE } },
        conditions: [
          {
            type: "ComparisonError",
            message: "Failed to load target state: rpc error: code = Unknown desc = repository not found",
            lastTransitionTime: "2026-01-02T10:05:00Z",
          },
        ],
      },
    },
  ],
  [
    "being deleted",
    {
      ...deployed,
      metadata: {
        ...metadata,
        deletionTimestamp: "2026-01-02T11:00:00Z",
        deletionGracePeriodSeconds: 0,
        finalizers: ["resources-finalizer.argocd.argoproj.io"],
      },
    },
  ],
  [
    "multi-source (spec.sources) synced and healthy",
    {
      ...deployed,
      spec: {
        project: "default",
        sources: [
          { repoURL: "https://github.com/acme/charts.git", path: "guestbook", targetRevision: "main" },
          { repoURL: "https://github.com/acme/values.git", targetRevision: "main", ref: "values" },
        ],
        destination: { server: "https://kubernetes.default.svc", namespace: "default" },
      },
      status: {
        ...base,
        sync: {
          status: "Synced",
          revisions: ["1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"],
        },
        operationState: {
          ...base.operationState,
          syncResult: {
            resources: syncedResult.resources,
            revisions: ["1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"],
          },
        },
      },
    },
  ],
  [
    "synced and healthy, with warnings (conditions)",
    {
      ...deployed,
      status: {
        ...base,
        conditions: [
          {
            type: "OrphanedResourceWarning",
            message: "Application has 2 orphaned resources",
            lastTransitionTime: "2026-01-02T10:02:00Z",
          },
          {
            type: "SharedResourceWarning",
            message: "ConfigMap/default/shared is part of applications argocd/guestbook and argocd/other",
            lastTransitionTime: "2026-01-02T10:02:00Z",
          },
        ],
      },
    },
  ],
  [
    "synced and healthy without a health transition time (older Argo CD)",
    { ...deployed, status: { ...base, health: { status: "Healthy" } } },
  ],
];

/** The context Argo CD's catalog expects (`argocd-notifications-cm`'s `context`). */
export const CATALOG_CONTEXT = { argocdUrl: "https://argocd.example.com" };

/** One trigger condition, for one Application state. */
export interface TriggerCase {
  trigger: string;
  condition: number;
  state: string;
  when: string;
  oncePer?: string;
  env: { app: Record<string, unknown>; context: Record<string, string> };
}

/** Every catalog trigger condition × every Application state. */
export const CATALOG_TRIGGER_CASES: TriggerCase[] = CATALOG_TRIGGERS.flatMap(([trigger, conditions]) =>
  conditions.flatMap((condition, index) =>
    APPLICATION_STATES.map(([state, app]) => ({
      trigger,
      condition: index,
      state,
      when: condition.when,
      ...(condition.oncePer !== undefined ? { oncePer: condition.oncePer } : {}),
      env: { app, context: CATALOG_CONTEXT },
    })),
  ),
);

/** The states each template is rendered for, and the services (by name, as Argo CD names them) it goes to. */
const RENDERED_STATES = [
  "synced and healthy after the sync",
  "multi-source (spec.sources) synced and healthy",
  "sync failed with a message",
];
const SERVICES = ["slack", "teams", "email"];

/** One template field rendered for one state and service. */
export interface CatalogTemplateCase {
  name: string;
  template: string;
  data: Record<string, unknown>;
}

/** Every field of every catalog template, for three states; the message for each of three services. */
export const CATALOG_TEMPLATE_CASES: CatalogTemplateCase[] = CATALOG_TEMPLATES.flatMap(([name, fields]) =>
  fields.flatMap(([field, template]) =>
    RENDERED_STATES.flatMap((state) => {
      const app = APPLICATION_STATES.find(([candidate]) => candidate === state)?.[1];
      const services = field === "message" ? SERVICES : [field.split(".")[0] === "teams" ? "teams" : "slack"];
      return services.map((service) => ({
        name: `catalog ${name} ${field} — ${state} — to ${service}`,
        template,
        data: { app, context: CATALOG_CONTEXT, serviceType: service, recipient: "deploys" },
      }));
    }),
  ),
);
