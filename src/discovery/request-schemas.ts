import type { z } from "zod";
import { decisionSchema } from "../approvals/decide";
import { createClientSchema } from "../approvals/oauth-routes";
import { createApprovalSchema } from "../approvals/open";
import { policySpecSchema } from "../approvals/policy";
import { approvalListSchema, callbackSchema } from "../approvals/routes";
import { createTokenSchema } from "../auth/tokens-routes";
import { webhookClientSchema } from "../auth/webhook-clients-routes";
import { dryRunInputSchema } from "../bindings/dry-run";
import { bindingInputSchema } from "../bindings/schema";
import { clusterSchema } from "../clusters/routes";
import { eventQuerySchema } from "../events/log";
import { deadLetterQuerySchema, ingestQuerySchema } from "../events/routes";
import { deliveryQuerySchema } from "../notifications/deliveries";
import {
  contextSchema,
  serviceInputSchema,
  subscriptionInputSchema,
  triggerInputSchema,
} from "../notifications/schema";
import { templateInputSchema } from "../notifications/templates";

/**
 * The zod schemas that validate each route's body and query — the ones the routes parse with —
 * by route (src/discovery/operations.ts names every route). The OpenAPI document shows them.
 */
export const REQUEST_SCHEMAS: ReadonlyMap<string, { body?: z.ZodType; query?: z.ZodType }> = new Map([
  ["POST /callbacks/approvals/:id/:webhook/:capability", { body: callbackSchema }],
  ["POST /api/v1/tokens", { body: createTokenSchema }],
  ["PUT /api/v1/namespaces/:namespace/webhookclients/:name", { body: webhookClientSchema }],
  ["PUT /api/v1/namespaces/:namespace/workfloweventbindings/:name", { body: bindingInputSchema }],
  ["POST /api/v1/namespaces/:namespace/workfloweventbindings/:name/test", { body: dryRunInputSchema }],
  ["PUT /api/v1/clusters/:name", { body: clusterSchema }],
  ["PUT /api/v1/namespaces/:namespace/approvalpolicies/:name", { body: policySpecSchema }],
  ["POST /api/v1/namespaces/:namespace/approvals", { body: createApprovalSchema }],
  ["POST /api/v1/namespaces/:namespace/approvals/:id/decision", { body: decisionSchema }],
  ["POST /api/v1/oauth/clients", { body: createClientSchema }],
  ["PUT /api/v1/notifications/services/:name", { body: serviceInputSchema }],
  ["PUT /api/v1/notifications/templates/:name", { body: templateInputSchema }],
  ["PUT /api/v1/notifications/triggers/:name", { body: triggerInputSchema }],
  ["PUT /api/v1/notifications/subscriptions/:name", { body: subscriptionInputSchema }],
  ["PUT /api/v1/notifications/context", { body: contextSchema }],
  ["POST /api/v1/events/:namespace", { query: ingestQuerySchema }],
  ["POST /api/v1/events/:namespace/", { query: ingestQuerySchema }],
  ["POST /api/v1/events/:namespace/:discriminator", { query: ingestQuerySchema }],
  ["GET /api/v1/namespaces/:namespace/events", { query: eventQuerySchema }],
  ["GET /api/v1/namespaces/:namespace/deadletters", { query: deadLetterQuerySchema }],
  ["GET /api/v1/deadletters", { query: deadLetterQuerySchema }],
  ["GET /api/v1/namespaces/:namespace/approvals", { query: approvalListSchema }],
  ["GET /api/v1/notifications/deliveries", { query: deliveryQuerySchema }],
]);
