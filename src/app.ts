import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { adminRoutes } from "./admin/routes";
import { githubRoutes } from "./approvals/github";
import { larkRoutes } from "./approvals/lark";
import { oauthRoutes } from "./approvals/oauth-routes";
import { approvalRoutes } from "./approvals/routes";
import { slackRoutes } from "./approvals/slack";
import type { AppEnv } from "./auth/context";
import { authenticate } from "./auth/middleware";
import { tokenRoutes } from "./auth/tokens-routes";
import { webhookClientRoutes } from "./auth/webhook-clients-routes";
import { bindingRoutes } from "./bindings/routes";
import { clusterRoutes } from "./clusters/routes";
import { namespaceRoutes } from "./discovery/namespaces";
import { gatewayRoutes } from "./discovery/routes";
import { eventRoutes } from "./events/routes";
import { mount, type Route } from "./http/route";
import { AppError, type ErrorCode, errorResponse } from "./lib/errors";
import { log } from "./lib/log";
import { notificationRoutes } from "./notifications/routes";
import { approvalLinkRoutes } from "./ui/approval-links";
import { CONSOLE_ROUTES, consoleApp } from "./ui/routes";

/**
 * The API's routes, each declared once with who may call it (src/http/route.ts): events,
 * credentials, bindings, clusters, approvals (with the callbacks, chat clicks, GitHub deliveries and
 * one-time links that authenticate themselves), notifications, administration.
 */
const API_ROUTES: readonly Route[] = [
  ...eventRoutes,
  ...tokenRoutes,
  ...webhookClientRoutes,
  ...bindingRoutes,
  ...clusterRoutes,
  ...approvalRoutes,
  ...oauthRoutes,
  ...slackRoutes,
  ...larkRoutes,
  ...githubRoutes,
  ...approvalLinkRoutes,
  ...notificationRoutes,
  ...adminRoutes,
  ...namespaceRoutes,
];

/**
 * Every route of the Worker — the gateway's own, the API's, the console's — from which the
 * OpenAPI document, the scope table in docs/security.md and the route × scope test are derived.
 */
export const ROUTES: readonly Route[] = [...gatewayRoutes(() => ROUTES), ...API_ROUTES, ...CONSOLE_ROUTES];

/** The hookline HTTP API. */
export const app = new Hono<AppEnv>();

// The API resolves `Authorization` for the routes that need a caller; public ones authenticate themselves.
mount(
  app,
  ROUTES.filter((declared) => declared.spec.tag !== "console"),
  authenticate,
);
app.route("/", consoleApp);

app.notFound((c) => errorResponse(new AppError("not_found", `no route for ${c.req.method} ${c.req.path}`)));

app.onError((error) => {
  if (error instanceof AppError) {
    if (error.status >= 500) log.error("request failed", { code: error.code }, error);
    return errorResponse(error);
  }
  if (error instanceof HTTPException) {
    return errorResponse(new AppError(codeForStatus(error.status), error.message || "request refused"));
  }
  log.error("unhandled error", {}, error);
  return errorResponse(new AppError("internal", "internal error"));
});

const codesByStatus = new Map<number, ErrorCode>([
  [400, "invalid_argument"],
  [401, "unauthenticated"],
  [403, "permission_denied"],
  [404, "not_found"],
  [409, "aborted"],
  [413, "payload_too_large"],
  [415, "unsupported_media_type"],
  [429, "resource_exhausted"],
]);

function codeForStatus(status: number): ErrorCode {
  return codesByStatus.get(status) ?? "internal";
}
