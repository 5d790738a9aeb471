import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import packageJson from "../package.json";
import { adminRoutes } from "./admin/routes";
import { githubRoutes } from "./approvals/github";
import { larkRoutes } from "./approvals/lark";
import { oauthClientRoutes, tokenEndpoint } from "./approvals/oauth-routes";
import { approvalRoutes, callbackRoutes } from "./approvals/routes";
import { slackRoutes } from "./approvals/slack";
import type { AppEnv } from "./auth/context";
import { authenticate } from "./auth/middleware";
import { tokenRoutes } from "./auth/tokens-routes";
import { webhookClientRoutes } from "./auth/webhook-clients-routes";
import { bindingRoutes } from "./bindings/routes";
import { clusterRoutes } from "./clusters/routes";
import { namespaceRoutes } from "./discovery/namespaces";
import { discoveryRoutes } from "./discovery/routes";
import { eventRoutes } from "./events/routes";
import { AppError, type ErrorCode, errorResponse } from "./lib/errors";
import { log } from "./lib/log";
import { notificationRoutes } from "./notifications/routes";
import { approvalLinkRoutes } from "./ui/approval-links";
import { consoleRoutes } from "./ui/routes";

/** The hookline HTTP API. */
export const app = new Hono<AppEnv>();

app.get("/healthz", (c) => c.json({ status: "ok", version: packageJson.version }));
// The API describes itself: the OpenAPI document and a reference page (public, nothing secret).
app.route("/", discoveryRoutes);
// OAuth token endpoint and approval callbacks authenticate themselves (client credentials, access tokens).
app.route("/", tokenEndpoint);
app.route("/", callbackRoutes);
// Chat approvals verify themselves: Slack's and Lark's signed clicks, one-time links (the link is the capability).
app.route("/", slackRoutes);
app.route("/", larkRoutes);
app.route("/", approvalLinkRoutes);
// GitHub's deployment protection rules: deliveries signed with the webhook secret of a policy's App.
app.route("/", githubRoutes);

const api = new Hono<AppEnv>();
api.use(authenticate);
api.route("/", eventRoutes);
api.route("/", tokenRoutes);
api.route("/", webhookClientRoutes);
api.route("/", bindingRoutes);
api.route("/", clusterRoutes);
api.route("/", approvalRoutes);
api.route("/", oauthClientRoutes);
api.route("/", notificationRoutes);
api.route("/", adminRoutes);
api.route("/", namespaceRoutes);
app.route("/api/v1", api);
app.get("/", (c) => c.redirect("/ui", 302));
app.route("/ui", consoleRoutes);

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
