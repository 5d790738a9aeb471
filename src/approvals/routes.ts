import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { applyActionOf, fingerprint } from "../auth/fingerprint";
import { authorize } from "../auth/principal";
import { keyringOf } from "../auth/secrets";
import { isDryRun } from "../lib/apply";
import { readDocument } from "../lib/documents";
import { AppError, notFound } from "../lib/errors";
import { assertNamespace, assertObjectName, isDns1123Label } from "../lib/names";
import { limitSchema, pageOf } from "../lib/paging";
import { isTraceId } from "../lib/trace";
import { parseWith } from "../lib/validation";
import { FORGED_URI } from "./approval-gate";
import { principalDecider } from "./approvers";
import { presentedCapability } from "./callback-uris";
import { checkDecisionChannels } from "./channels";
import { decideApproval, gateOf, isGateId, MAX_MESSAGE_LENGTH, readAudit, readGate, unwrapGate } from "./decide";
import { APPROVAL_STATUSES } from "./gate-state";
import { CALLBACK_SCOPE, clientExists, verifyAccessToken } from "./oauth";
import { openApprovalGate } from "./open";
import { buildPolicy, describePolicy } from "./policy";
import { deletePolicy, getPolicy, listApprovals, listPolicies, savePolicy } from "./store";

export const callbackSchema = z.strictObject({
  success: z.boolean(),
  mdMessage: z.string().max(MAX_MESSAGE_LENGTH).default(""),
});

export const approvalListSchema = z.strictObject({
  status: z.enum(APPROVAL_STATUSES).optional(),
  traceId: z.string().refine(isTraceId, "must be a trace id (32 lowercase hex digits)").optional(),
  limit: limitSchema,
  cursor: z.string().refine(isGateId, "must be a cursor returned by a previous page").optional(),
});

/** A page of a namespace's gates, newest first (the API and the console list through here). */
export async function listApprovalPage(db: D1Database, namespace: string, query: unknown) {
  const { status, traceId, limit, cursor } = parseWith(approvalListSchema, query);
  const rows = await listApprovals(db, {
    namespace,
    limit: limit + 1,
    ...(status === undefined ? {} : { status }),
    ...(traceId === undefined ? {} : { traceId }),
    ...(cursor === undefined ? {} : { before: cursor }),
  });
  const page = pageOf(rows, limit, (row) => row.id);
  return {
    items: page.items.map((row) => ({
      id: row.id,
      namespace: row.namespace,
      policy: row.policy,
      status: row.status,
      subject: row.subject,
      createdAt: new Date(row.createdAt).toISOString(),
      expiresAt: new Date(row.expiresAt).toISOString(),
      decidedAt: row.decidedAt === null ? null : new Date(row.decidedAt).toISOString(),
      ...(row.traceId === null ? {} : { traceId: row.traceId }),
    })),
    nextCursor: page.nextCursor,
  };
}

/** Policies, gates, manual decisions under `/api/v1/namespaces/{ns}`. */
export const approvalRoutes = new Hono<AppEnv>()
  .put("/namespaces/:namespace/approvalpolicies/:name", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    const principal = authorize(c.get("principal"), "bindings:write", namespace);
    const name = assertObjectName(c.req.param("name"), "policy name");
    const dryRun = isDryRun(c.req.query("dryRun"));
    const keyring = keyringOf(c.env);
    const previous = await getPolicy(c.env.DB, namespace, name);
    const document = await readDocument(c.req.raw);
    const { policy, input } = await buildPolicy(principal, namespace, name, document, () => keyring, previous);
    await checkDecisionChannels(c.env.DB, policy);
    const prints = await fingerprint(keyring, input);
    policy.fingerprint = prints.current;
    const action = applyActionOf(previous, prints, dryRun);
    if (action !== "unchanged" && !dryRun) await savePolicy(c.env.DB, policy);
    const shown = action === "unchanged" && previous ? previous : policy;
    return c.json(describePolicy(shown), previous ? 200 : 201, { "x-hookline-action": action });
  })
  .get("/namespaces/:namespace/approvalpolicies", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "approvals:read", namespace);
    return c.json({ items: (await listPolicies(c.env.DB, namespace)).map(describePolicy) });
  })
  .get("/namespaces/:namespace/approvalpolicies/:name", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "approvals:read", namespace);
    const name = assertObjectName(c.req.param("name"), "policy name");
    const policy = await getPolicy(c.env.DB, namespace, name);
    if (!policy) throw notFound(`approval policy "${name}" not found in namespace "${namespace}"`);
    return c.json(describePolicy(policy));
  })
  .delete("/namespaces/:namespace/approvalpolicies/:name", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "bindings:write", namespace);
    const name = assertObjectName(c.req.param("name"), "policy name");
    if (!(await deletePolicy(c.env.DB, namespace, name))) {
      throw notFound(`approval policy "${name}" not found in namespace "${namespace}"`);
    }
    return c.body(null, 204);
  })
  .post("/namespaces/:namespace/approvals", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    // Opening a gate holds a workflow node: its own scope, not events:write.
    authorize(c.get("principal"), "approvals:create", namespace);
    const view = await openApprovalGate(c.env, namespace, await readDocument(c.req.raw), c.req.header("traceparent"));
    return c.json(view, 201);
  })
  .get("/namespaces/:namespace/approvals", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "approvals:read", namespace);
    return c.json(await listApprovalPage(c.env.DB, namespace, c.req.query()));
  })
  .get("/namespaces/:namespace/approvals/:id", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "approvals:read", namespace);
    return c.json(await readGate(c.env, namespace, c.req.param("id")));
  })
  .get("/namespaces/:namespace/approvals/:id/audit", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "approvals:read", namespace);
    return c.json(await readAudit(c.env, namespace, c.req.param("id")));
  })
  .post("/namespaces/:namespace/approvals/:id/decision", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    const principal = authorize(c.get("principal"), "approvals:decide", namespace);
    const view = await decideApproval(
      c.env,
      principalDecider(principal, "api"),
      namespace,
      c.req.param("id"),
      await readDocument(c.req.raw),
    );
    return c.json({ id: view.id, status: view.status, approval: view });
  });

const invalidToken = (message: string) =>
  new AppError("unauthenticated", message, {
    headers: { "www-authenticate": 'Bearer realm="hookline", error="invalid_token"' },
  });

const forgedUri = () => new AppError("permission_denied", FORGED_URI);

/**
 * `POST /callbacks/approvals/{id}/{webhook}/{capability}`: an approver's answer. Needs both the
 * webhook's own capability URI and an OAuth access token with the callback scope.
 */
async function callback(c: Context<AppEnv>): Promise<Response> {
  const header = c.req.header("authorization") ?? "";
  const token = /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
  if (!token) throw invalidToken("send Authorization: Bearer <access token from POST /oauth/token>");
  const keyring = keyringOf(c.env);
  const claims = await verifyAccessToken(keyring, token);
  if (!claims) throw invalidToken("the access token is invalid or expired");
  if (!claims.scopes.includes(CALLBACK_SCOPE)) {
    throw new AppError("permission_denied", `the access token lacks the "${CALLBACK_SCOPE}" scope`, {
      headers: { "www-authenticate": `Bearer realm="hookline", error="insufficient_scope", scope="${CALLBACK_SCOPE}"` },
    });
  }
  if (!(await clientExists(c.env.DB, claims.clientId)))
    throw invalidToken("the OAuth client of this token was deleted");
  const id = c.req.param("id") ?? "";
  const webhook = c.req.param("webhook") ?? "";
  const capability = c.req.param("capability") ?? "";
  if (!isGateId(id) || !isDns1123Label(webhook) || presentedCapability(capability) === null) throw forgedUri();
  const input = parseWith(callbackSchema, await readDocument(c.req.raw));
  const view = unwrapGate(
    await gateOf(c.env, id).callback(
      webhook,
      capability,
      input.success,
      input.mdMessage,
      `oauth:${claims.clientId}`,
      claims.namespaces,
    ),
  );
  return c.json({ id: view.id, status: view.status, approval: view });
}

/** A callback URI without its capability (built from the gate id and a name alone): refused. */
async function uncapable(): Promise<Response> {
  throw forgedUri();
}

export const callbackRoutes = new Hono<AppEnv>()
  .post("/callbacks/approvals/:id/:webhook/:capability", callback)
  .post("/callbacks/approvals/:id/:webhook", uncapable)
  .post("/callbacks/approvals/:id", uncapable);
