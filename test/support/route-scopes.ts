// The scope table: who may call every route of the API and the console. The worker suite walks
// the app's route table against it (a route missing here fails the suite), and checks that a
// token of each scope — limited to one namespace, or to all — is answered exactly as it says.
// docs/security.md shows the same table; a node test keeps the two in step.

export type Rule =
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

const ns = (scope: string): Rule => ({ access: "namespace", scope });
const global = (scope: string): Rule => ({ access: "global", scope });
const filtered = (scope: string): Rule => ({ access: "filtered", scope });
const admin: Rule = global("admin");
const open: Rule = { access: "public" };
const signedIn: Rule = { access: "signed-in" };

export const ROUTE_SCOPES: ReadonlyArray<readonly [route: string, rule: Rule]> = [
  ["GET /healthz", open],
  ["GET /", open],
  ["POST /oauth/token", open],
  ["POST /callbacks/approvals/:id/:webhook/:capability", open],
  ["POST /callbacks/approvals/:id/:webhook", open],
  ["POST /callbacks/approvals/:id", open],

  ["POST /api/v1/events/:namespace/", ns("events:write")],
  ["POST /api/v1/events/:namespace", ns("events:write")],
  ["POST /api/v1/events/:namespace/:discriminator", ns("events:write")],
  ["GET /api/v1/namespaces/:namespace/events", ns("events:read")],
  ["GET /api/v1/namespaces/:namespace/events/:id", ns("events:read")],
  ["POST /api/v1/namespaces/:namespace/events/:id/replay", ns("events:write")],
  ["GET /api/v1/namespaces/:namespace/deadletters", ns("events:read")],
  ["GET /api/v1/deadletters", global("events:read")],
  ["GET /api/v1/whoami", signedIn],

  ["POST /api/v1/tokens", admin],
  ["GET /api/v1/tokens", admin],
  ["GET /api/v1/tokens/:name", admin],
  ["DELETE /api/v1/tokens/:name", admin],
  ["PUT /api/v1/namespaces/:namespace/webhookclients/:name", admin],
  ["GET /api/v1/namespaces/:namespace/webhookclients", admin],
  ["GET /api/v1/namespaces/:namespace/webhookclients/:name", admin],
  ["DELETE /api/v1/namespaces/:namespace/webhookclients/:name", admin],

  ["PUT /api/v1/namespaces/:namespace/workfloweventbindings", ns("bindings:write")],
  ["PUT /api/v1/namespaces/:namespace/workfloweventbindings/:name", ns("bindings:write")],
  ["GET /api/v1/namespaces/:namespace/workfloweventbindings", ns("bindings:read")],
  ["GET /api/v1/namespaces/:namespace/workfloweventbindings/:name", ns("bindings:read")],
  ["DELETE /api/v1/namespaces/:namespace/workfloweventbindings/:name", ns("bindings:write")],
  ["POST /api/v1/namespaces/:namespace/workfloweventbindings/:name/test", ns("bindings:read")],

  ["PUT /api/v1/clusters/:name", admin],
  ["GET /api/v1/clusters", admin],
  ["GET /api/v1/clusters/:name", admin],
  ["DELETE /api/v1/clusters/:name", admin],

  ["PUT /api/v1/namespaces/:namespace/approvalpolicies/:name", ns("bindings:write")],
  ["GET /api/v1/namespaces/:namespace/approvalpolicies", ns("approvals:read")],
  ["GET /api/v1/namespaces/:namespace/approvalpolicies/:name", ns("approvals:read")],
  ["DELETE /api/v1/namespaces/:namespace/approvalpolicies/:name", ns("bindings:write")],
  ["POST /api/v1/namespaces/:namespace/approvals", ns("approvals:create")],
  ["GET /api/v1/namespaces/:namespace/approvals", ns("approvals:read")],
  ["GET /api/v1/namespaces/:namespace/approvals/:id", ns("approvals:read")],
  ["POST /api/v1/namespaces/:namespace/approvals/:id/decision", ns("approvals:decide")],
  ["POST /api/v1/oauth/clients", admin],
  ["GET /api/v1/oauth/clients", admin],
  ["DELETE /api/v1/oauth/clients/:id", admin],

  ["GET /api/v1/notifications/triggers/catalog", global("notifications:read")],
  ["PUT /api/v1/notifications/services/:name", global("notifications:write")],
  ["GET /api/v1/notifications/services", global("notifications:read")],
  ["GET /api/v1/notifications/services/:name", global("notifications:read")],
  ["DELETE /api/v1/notifications/services/:name", global("notifications:write")],
  ["PUT /api/v1/notifications/templates/:name", global("notifications:write")],
  ["GET /api/v1/notifications/templates", global("notifications:read")],
  ["GET /api/v1/notifications/templates/:name", global("notifications:read")],
  ["DELETE /api/v1/notifications/templates/:name", global("notifications:write")],
  ["PUT /api/v1/notifications/triggers/:name", global("notifications:write")],
  ["GET /api/v1/notifications/triggers", global("notifications:read")],
  ["GET /api/v1/notifications/triggers/:name", global("notifications:read")],
  ["DELETE /api/v1/notifications/triggers/:name", global("notifications:write")],
  ["PUT /api/v1/notifications/subscriptions/:name", global("notifications:write")],
  ["GET /api/v1/notifications/subscriptions", global("notifications:read")],
  ["GET /api/v1/notifications/subscriptions/:name", global("notifications:read")],
  ["DELETE /api/v1/notifications/subscriptions/:name", global("notifications:write")],
  ["PUT /api/v1/notifications/context", global("notifications:write")],
  ["GET /api/v1/notifications/context", global("notifications:read")],
  ["POST /api/v1/notifications/resources", filtered("notifications:write")],
  ["GET /api/v1/notifications/deliveries", filtered("notifications:read")],
  ["GET /api/v1/notifications/deliveries/:id", filtered("notifications:read")],
  ["POST /api/v1/notifications/deliveries/:id/retry", filtered("notifications:write")],
  ["POST /api/v1/admin/reseal", admin],

  ["GET /ui/assets/console.css", open],
  ["GET /ui/login", open],
  ["POST /ui/login", open],
  ["GET /ui", signedIn],
  ["POST /ui/logout", signedIn],
  ["GET /ui/events", filtered("events:read")],
  ["GET /ui/workfloweventbindings", filtered("bindings:read")],
  ["GET /ui/approvals", filtered("approvals:read")],
  ["GET /ui/namespaces/:namespace/events", ns("events:read")],
  ["GET /ui/namespaces/:namespace/events/:id", ns("events:read")],
  ["POST /ui/namespaces/:namespace/events/:id/replay", ns("events:write")],
  ["GET /ui/namespaces/:namespace/deadletters", ns("events:read")],
  ["GET /ui/deadletters", filtered("events:read")],
  ["GET /ui/namespaces/:namespace/workfloweventbindings", ns("bindings:read")],
  ["GET /ui/namespaces/:namespace/workfloweventbindings/:name", ns("bindings:read")],
  ["POST /ui/namespaces/:namespace/workfloweventbindings/:name", ns("bindings:write")],
  ["POST /ui/namespaces/:namespace/workfloweventbindings/:name/test", ns("bindings:read")],
  ["GET /ui/namespaces/:namespace/approvals", ns("approvals:read")],
  ["GET /ui/namespaces/:namespace/approvals/:id", ns("approvals:read")],
  ["POST /ui/namespaces/:namespace/approvals/:id/decision", ns("approvals:decide")],
  ["GET /ui/notifications/deliveries", filtered("notifications:read")],
  ["GET /ui/notifications/templates", global("notifications:read")],
  ["GET /ui/notifications/templates/:name", global("notifications:read")],
  ["POST /ui/notifications/deliveries/:id/retry", filtered("notifications:write")],
  ["GET /ui/clusters", admin],
];

/** How a rule reads in docs/security.md. */
export function describeRule(rule: Rule): string {
  switch (rule.access) {
    case "public":
      return "—";
    case "signed-in":
      return "any credential";
    case "namespace":
      return `\`${rule.scope}\` in the namespace`;
    case "global":
      return rule.scope === "admin" ? "`admin`" : `\`${rule.scope}\`, namespaces \`["*"]\``;
    case "filtered":
      return `\`${rule.scope}\` (own namespaces only)`;
  }
}
