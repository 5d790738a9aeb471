/**
 * Every route of the API, the callbacks and the console: who may call it and what it does. The
 * OpenAPI document is generated from this table (with the request schemas of
 * request-schemas.ts), the worker suite walks the app's routes against it (a route missing here
 * fails) and checks every rule with tokens of every scope, and docs/security.md shows it.
 */

export type Access =
  /** Anyone: the route authenticates itself (OAuth client credentials, capability URIs) or is public. */
  | { access: "public" }
  /** Any valid credential. */
  | { access: "signed-in" }
  /** `scope`, in the namespace of the path. */
  | { access: "namespace"; scope: string }
  /** `scope`, with `namespaces: ["*"]` (global objects, or everything at once). */
  | { access: "global"; scope: string }
  /** `scope` in any namespace; what is shown or touched is limited to the token's namespaces. */
  | { access: "filtered"; scope: string };

export interface Operation {
  /** `METHOD /path/:param`, as Hono lists it. */
  route: string;
  access: Access;
  summary?: string;
}

const ns = (scope: string): Access => ({ access: "namespace", scope });
const global = (scope: string): Access => ({ access: "global", scope });
const filtered = (scope: string): Access => ({ access: "filtered", scope });
const admin: Access = global("admin");
const open: Access = { access: "public" };
const signedIn: Access = { access: "signed-in" };

export const OPERATIONS: readonly Operation[] = [
  { route: "GET /healthz", access: open, summary: "Liveness: status and version, no auth, no D1" },
  { route: "GET /api/v1/openapi.json", access: open, summary: "This API's OpenAPI 3.1 document" },
  { route: "GET /api/docs", access: open, summary: "The API reference page" },
  { route: "GET /", access: open, summary: "A pointer to the API, the console and the docs" },
  {
    route: "POST /oauth/token",
    access: open,
    summary: "OAuth 2.0 client credentials: an access token for approval callbacks",
  },
  {
    route: "POST /callbacks/approvals/:id/:webhook/:capability",
    access: open,
    summary: "An approver's callback (the URI its webhook received), with an OAuth bearer token",
  },
  {
    route: "POST /callbacks/approvals/:id/:webhook",
    access: open,
    summary: "Refused: a callback URI without its capability (403)",
  },
  {
    route: "POST /callbacks/approvals/:id",
    access: open,
    summary: "Refused: a callback URI without its webhook and capability (403)",
  },
  {
    route: "POST /callbacks/slack/interactions",
    access: open,
    summary: "Slack's interactivity request URL: Approve / Reject clicks, verified with the app's signing secret",
  },
  {
    route: "POST /callbacks/lark/card",
    access: open,
    summary: "A Lark app's card callback: Approve / Reject clicks, verified with its token (and encrypt key)",
  },
  {
    route: "POST /callbacks/github/deployment-protection",
    access: open,
    summary:
      "A GitHub App's deployment_protection_rule deliveries: signed with the webhook secret of an App a policy names, they open gates",
  },
  {
    route: "GET /approve/:token",
    access: open,
    summary: "A one-time chat link's confirm page (the link is the credential; a GET never decides)",
  },
  {
    route: "POST /approve/:token",
    access: open,
    summary: "A one-time chat link's decision (once; then 410)",
  },
  {
    route: "POST /api/v1/events/:namespace/",
    access: ns("events:write"),
    summary: "Send an event (no discriminator), Argo style",
  },
  {
    route: "POST /api/v1/events/:namespace",
    access: ns("events:write"),
    summary: "Send an event (no discriminator), Argo style",
  },
  {
    route: "POST /api/v1/events/:namespace/:discriminator",
    access: ns("events:write"),
    summary: "Send an event, Argo style: any JSON body; 202 {id}",
  },
  {
    route: "GET /api/v1/namespaces/:namespace/events",
    access: ns("events:read"),
    summary: "The event log, newest first",
  },
  {
    route: "GET /api/v1/namespaces/:namespace/events/:id",
    access: ns("events:read"),
    summary: "One event: payload, metadata, sender, results per binding",
  },
  {
    route: "POST /api/v1/namespaces/:namespace/events/:id/replay",
    access: ns("events:write"),
    summary: "Re-queue an event as a new one",
  },
  {
    route: "GET /api/v1/namespaces/:namespace/deadletters",
    access: ns("events:read"),
    summary: "Messages kept in the graveyard, for a namespace",
  },
  {
    route: "GET /api/v1/deadletters",
    access: global("events:read"),
    summary: "Messages kept in the graveyard, everywhere",
  },
  {
    route: "GET /api/v1/namespaces",
    access: signedIn,
    summary: "The namespaces that hold objects, as far as the caller may act in them",
  },
  { route: "GET /api/v1/whoami", access: signedIn, summary: "The caller's credential: kind, scopes, namespaces" },
  { route: "POST /api/v1/tokens", access: admin, summary: "Create an API token (shown once)" },
  { route: "GET /api/v1/tokens", access: admin, summary: "List API tokens" },
  { route: "GET /api/v1/tokens/:name", access: admin, summary: "One API token" },
  { route: "DELETE /api/v1/tokens/:name", access: admin, summary: "Revoke an API token" },
  {
    route: "PUT /api/v1/namespaces/:namespace/webhookclients/:name",
    access: admin,
    summary: "Create or replace a webhook client (a sender's signing secret)",
  },
  { route: "GET /api/v1/namespaces/:namespace/webhookclients", access: admin, summary: "List webhook clients" },
  {
    route: "GET /api/v1/namespaces/:namespace/webhookclients/:name",
    access: admin,
    summary: "One webhook client (never its secret)",
  },
  {
    route: "DELETE /api/v1/namespaces/:namespace/webhookclients/:name",
    access: admin,
    summary: "Delete a webhook client",
  },
  {
    route: "PUT /api/v1/namespaces/:namespace/workfloweventbindings",
    access: ns("bindings:write"),
    summary: "Apply several bindings (a List or a YAML stream)",
  },
  {
    route: "PUT /api/v1/namespaces/:namespace/workfloweventbindings/:name",
    access: ns("bindings:write"),
    summary: "Create or replace a WorkflowEventBinding",
  },
  {
    route: "GET /api/v1/namespaces/:namespace/workfloweventbindings",
    access: ns("bindings:read"),
    summary: "List bindings",
  },
  {
    route: "GET /api/v1/namespaces/:namespace/workfloweventbindings/:name",
    access: ns("bindings:read"),
    summary: "One binding",
  },
  {
    route: "DELETE /api/v1/namespaces/:namespace/workfloweventbindings/:name",
    access: ns("bindings:write"),
    summary: "Delete a binding",
  },
  {
    route: "POST /api/v1/namespaces/:namespace/workfloweventbindings/:name/test",
    access: ns("bindings:read"),
    summary: "Dry run: match, parameters and workflow name for a sample event",
  },
  {
    route: "PUT /api/v1/clusters/:name",
    access: admin,
    summary: "Create or replace a cluster (Argo Server or Kubernetes API)",
  },
  { route: "GET /api/v1/clusters", access: admin, summary: "List clusters with their circuit breakers" },
  { route: "GET /api/v1/clusters/:name", access: admin, summary: "One cluster" },
  { route: "DELETE /api/v1/clusters/:name", access: admin, summary: "Delete a cluster" },
  {
    route: "PUT /api/v1/namespaces/:namespace/approvalpolicies/:name",
    access: ns("bindings:write"),
    summary: "Create or replace an approval policy",
  },
  {
    route: "GET /api/v1/namespaces/:namespace/approvalpolicies",
    access: ns("approvals:read"),
    summary: "List approval policies",
  },
  {
    route: "GET /api/v1/namespaces/:namespace/approvalpolicies/:name",
    access: ns("approvals:read"),
    summary: "One approval policy",
  },
  {
    route: "DELETE /api/v1/namespaces/:namespace/approvalpolicies/:name",
    access: ns("bindings:write"),
    summary: "Delete an approval policy",
  },
  {
    route: "POST /api/v1/namespaces/:namespace/approvals",
    access: ns("approvals:create"),
    summary: "Open an approval gate (calls the policy's webhooks)",
  },
  {
    route: "GET /api/v1/namespaces/:namespace/approvals",
    access: ns("approvals:read"),
    summary: "List approval gates",
  },
  {
    route: "GET /api/v1/namespaces/:namespace/approvals/:id",
    access: ns("approvals:read"),
    summary: "One approval gate",
  },
  {
    route: "GET /api/v1/namespaces/:namespace/approvals/:id/audit",
    access: ns("approvals:read"),
    summary: "Every attempt to change an approval gate, in order: who, through what, counted or not, why",
  },
  {
    route: "POST /api/v1/namespaces/:namespace/approvals/:id/decision",
    access: ns("approvals:decide"),
    summary: "Decide a gate manually",
  },
  {
    route: "POST /api/v1/oauth/clients",
    access: admin,
    summary: "Create an OAuth client for approvers (secret shown once)",
  },
  { route: "GET /api/v1/oauth/clients", access: admin, summary: "List OAuth clients" },
  { route: "DELETE /api/v1/oauth/clients/:id", access: admin, summary: "Delete an OAuth client" },
  {
    route: "GET /api/v1/notifications/triggers/catalog",
    access: global("notifications:read"),
    summary: "The built-in triggers",
  },
  {
    route: "PUT /api/v1/notifications/services/:name",
    access: global("notifications:write"),
    summary: "Create or replace a notification service",
  },
  {
    route: "GET /api/v1/notifications/services",
    access: global("notifications:read"),
    summary: "List notification services",
  },
  {
    route: "GET /api/v1/notifications/services/:name",
    access: global("notifications:read"),
    summary: "One notification service (never its secrets)",
  },
  {
    route: "DELETE /api/v1/notifications/services/:name",
    access: global("notifications:write"),
    summary: "Delete a notification service",
  },
  {
    route: "PUT /api/v1/notifications/templates/:name",
    access: global("notifications:write"),
    summary: "Create or replace a notification template (Argo CD's fields, Go templates)",
  },
  {
    route: "GET /api/v1/notifications/templates",
    access: global("notifications:read"),
    summary: "List notification templates",
  },
  {
    route: "GET /api/v1/notifications/templates/:name",
    access: global("notifications:read"),
    summary: "One notification template",
  },
  {
    route: "DELETE /api/v1/notifications/templates/:name",
    access: global("notifications:write"),
    summary: "Delete a notification template no trigger sends",
  },
  {
    route: "PUT /api/v1/notifications/triggers/:name",
    access: global("notifications:write"),
    summary: "Create or replace a notification trigger",
  },
  {
    route: "GET /api/v1/notifications/triggers",
    access: global("notifications:read"),
    summary: "List notification triggers",
  },
  {
    route: "GET /api/v1/notifications/triggers/:name",
    access: global("notifications:read"),
    summary: "One notification trigger",
  },
  {
    route: "DELETE /api/v1/notifications/triggers/:name",
    access: global("notifications:write"),
    summary: "Delete a notification trigger",
  },
  {
    route: "PUT /api/v1/notifications/subscriptions/:name",
    access: global("notifications:write"),
    summary: "Create or replace a notification subscription",
  },
  {
    route: "GET /api/v1/notifications/subscriptions",
    access: global("notifications:read"),
    summary: "List notification subscriptions",
  },
  {
    route: "GET /api/v1/notifications/subscriptions/:name",
    access: global("notifications:read"),
    summary: "One notification subscription",
  },
  {
    route: "DELETE /api/v1/notifications/subscriptions/:name",
    access: global("notifications:write"),
    summary: "Delete a notification subscription",
  },
  {
    route: "PUT /api/v1/notifications/context",
    access: global("notifications:write"),
    summary: "Set the values templates see as `context`",
  },
  { route: "GET /api/v1/notifications/context", access: global("notifications:read"), summary: "The template context" },
  {
    route: "POST /api/v1/notifications/resources",
    access: filtered("notifications:write"),
    summary: "Post a resource (e.g. an Argo CD Application) to run triggers over",
  },
  {
    route: "GET /api/v1/notifications/deliveries",
    access: filtered("notifications:read"),
    summary: "List notification deliveries",
  },
  {
    route: "GET /api/v1/notifications/deliveries/:id",
    access: filtered("notifications:read"),
    summary: "One delivery and its message",
  },
  {
    route: "POST /api/v1/notifications/deliveries/:id/retry",
    access: filtered("notifications:write"),
    summary: "Send a failed delivery again",
  },
  { route: "POST /api/v1/admin/reseal", access: admin, summary: "Re-encrypt every sealed value under the current key" },
  { route: "GET /ui/assets/console.css", access: open },
  { route: "GET /ui/login", access: open },
  { route: "POST /ui/login", access: open },
  { route: "GET /ui", access: signedIn },
  { route: "POST /ui/logout", access: signedIn },
  { route: "GET /ui/events", access: filtered("events:read") },
  { route: "GET /ui/workfloweventbindings", access: filtered("bindings:read") },
  { route: "GET /ui/approvals", access: filtered("approvals:read") },
  { route: "GET /ui/namespaces/:namespace/events", access: ns("events:read") },
  { route: "GET /ui/namespaces/:namespace/events/:id", access: ns("events:read") },
  { route: "POST /ui/namespaces/:namespace/events/:id/replay", access: ns("events:write") },
  { route: "GET /ui/namespaces/:namespace/deadletters", access: ns("events:read") },
  { route: "GET /ui/deadletters", access: filtered("events:read") },
  { route: "GET /ui/namespaces/:namespace/workfloweventbindings", access: ns("bindings:read") },
  { route: "GET /ui/namespaces/:namespace/workfloweventbindings/:name", access: ns("bindings:read") },
  { route: "POST /ui/namespaces/:namespace/workfloweventbindings/:name", access: ns("bindings:write") },
  { route: "POST /ui/namespaces/:namespace/workfloweventbindings/:name/test", access: ns("bindings:read") },
  { route: "GET /ui/namespaces/:namespace/approvals", access: ns("approvals:read") },
  { route: "GET /ui/namespaces/:namespace/approvals/:id", access: ns("approvals:read") },
  { route: "POST /ui/namespaces/:namespace/approvals/:id/decision", access: ns("approvals:decide") },
  { route: "GET /ui/notifications/deliveries", access: filtered("notifications:read") },
  { route: "GET /ui/notifications/templates", access: global("notifications:read") },
  { route: "GET /ui/notifications/templates/:name", access: global("notifications:read") },
  { route: "POST /ui/notifications/deliveries/:id/retry", access: filtered("notifications:write") },
  { route: "GET /ui/clusters", access: admin },
];

/** How an access rule reads in docs/security.md and the API docs. */
export function describeAccess(access: Access): string {
  switch (access.access) {
    case "public":
      return "—";
    case "signed-in":
      return "any credential";
    case "namespace":
      return `\`${access.scope}\` in the namespace`;
    case "global":
      return access.scope === "admin" ? "`admin`" : `\`${access.scope}\`, namespaces \`["*"]\``;
    case "filtered":
      return `\`${access.scope}\` (own namespaces only)`;
  }
}
