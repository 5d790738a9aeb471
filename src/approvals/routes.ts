import { type Context, Hono } from "hono";
import { ulid } from "ulid";
import { z } from "zod";
import { randomBytes, toHex } from "../auth/crypto";
import { authorize, principalKey } from "../auth/principal";
import { actionOf, fingerprint, isDryRun } from "../lib/apply";
import type { AppEnv } from "../lib/context";
import { readDocument } from "../lib/documents";
import { AppError, notFound } from "../lib/errors";
import { assertNamespace, assertObjectName, isDns1123Subdomain } from "../lib/names";
import { parseWith } from "../lib/validation";
import type { ApprovalGate, GateAnswer, GateView } from "./approval-gate";
import { CALLBACK_SCOPE, clientExists, verifyAccessToken } from "./oauth";
import { buildPolicy, describePolicy } from "./policy";
import { APPROVAL_STATUSES, deletePolicy, getPolicy, listApprovals, listPolicies, savePolicy } from "./store";

/** Longest `mdMessage` a callback (or manual decision message) may carry. */
export const MAX_MESSAGE_LENGTH = 10_000;
const MAX_CONTEXT_BYTES = 16 * 1024;
const gateIdPattern = /^[0-9a-z]{26}[0-9a-f]{20}$/;

/** True when `id` has the shape of a gate id (so no Durable Object is made up for junk). */
export function isGateId(id: string): boolean {
  return gateIdPattern.test(id);
}

/** A new gate id: time-ordered (ULID) and unguessable (another 80 random bits). */
export function newGateId(): string {
  return `${ulid().toLowerCase()}${toHex(randomBytes(10))}`;
}

const createSchema = z.strictObject({
  policy: z.string().refine(isDns1123Subdomain, "must be a policy name"),
  subject: z
    .strictObject({
      cluster: z.string().refine(isDns1123Subdomain, "must be a cluster name"),
      workflow: z.string().refine(isDns1123Subdomain, "must be a workflow name"),
      node: z.string().min(1).max(253),
    })
    .optional(),
  context: z
    .record(z.string(), z.unknown())
    .default({})
    .refine(
      (value) => JSON.stringify(value).length <= MAX_CONTEXT_BYTES,
      `must be at most ${MAX_CONTEXT_BYTES} bytes of JSON`,
    ),
});

const decisionSchema = z.strictObject({
  approve: z.boolean(),
  message: z.string().max(MAX_MESSAGE_LENGTH).default(""),
});

const callbackSchema = z.strictObject({
  success: z.boolean(),
  mdMessage: z.string().max(MAX_MESSAGE_LENGTH).default(""),
});

const listSchema = z.strictObject({
  status: z.enum(APPROVAL_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().regex(gateIdPattern, "must be a cursor returned by a previous page").optional(),
});

/** The gate's Durable Object, typed by its RPC methods (its JSON context defeats RPC type inference). */
type GateStub = Pick<ApprovalGate, "create" | "read" | "callback" | "decideManually">;
export function gate(env: Env, id: string): GateStub {
  return env.APPROVAL_GATE.getByName(id) as unknown as GateStub;
}

/** Reads a gate of this namespace from its Durable Object, or throws not_found. */
async function readGate(env: Env, namespace: string, id: string): Promise<GateView> {
  const view = isGateId(id) ? await gate(env, id).read() : null;
  if (!view || view.namespace !== namespace)
    throw notFound(`approval "${id.slice(0, 60)}" not found in namespace "${namespace}"`);
  return view;
}

function answer(c: Context<AppEnv>, result: GateAnswer): Response {
  if (result.ok) return c.json({ id: result.view.id, status: result.view.status, approval: result.view });
  const codes = { 400: "invalid_argument", 403: "permission_denied", 404: "not_found", 409: "aborted" } as const;
  const code = codes[result.status];
  throw new AppError(code, result.message);
}

/** Policies, gates, manual decisions under `/api/v1/namespaces/{ns}`. */
export const approvalRoutes = new Hono<AppEnv>()
  .put("/namespaces/:namespace/approvalpolicies/:name", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "bindings:write", namespace);
    const name = assertObjectName(c.req.param("name"), "policy name");
    const dryRun = isDryRun(c.req.query("dryRun"));
    const previous = await getPolicy(c.env.DB, namespace, name);
    const document = await readDocument(c.req.raw);
    const policy = await buildPolicy(namespace, name, document, c.env.HOOKLINE_SECRET_KEY, previous);
    policy.fingerprint = await fingerprint(c.env.HOOKLINE_SECRET_KEY, document);
    const action = actionOf(previous?.fingerprint, previous !== null, policy.fingerprint);
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
    // Asking for an approval is what a workflow step does; deciding one needs approvals:decide.
    authorize(c.get("principal"), "events:write", namespace);
    const input = parseWith(createSchema, await readDocument(c.req.raw));
    const policy = await getPolicy(c.env.DB, namespace, input.policy);
    if (!policy) throw notFound(`approval policy "${input.policy}" not found in namespace "${namespace}"`);
    const id = newGateId();
    const view = await gate(c.env, id).create({
      id,
      namespace,
      policy,
      subject: input.subject ?? null,
      context: input.context,
      callbackBase: c.env.PUBLIC_URL ? c.env.PUBLIC_URL.replace(/\/+$/, "") : new URL(c.req.url).origin,
    });
    return c.json(view, 201);
  })
  .get("/namespaces/:namespace/approvals", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "approvals:read", namespace);
    const query = parseWith(listSchema, c.req.query());
    const rows = await listApprovals(c.env.DB, {
      namespace,
      limit: query.limit + 1,
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.cursor === undefined ? {} : { before: query.cursor }),
    });
    const page = rows.slice(0, query.limit);
    return c.json({
      items: page.map((row) => ({
        id: row.id,
        namespace: row.namespace,
        policy: row.policy,
        status: row.status,
        subject: row.subject,
        createdAt: new Date(row.createdAt).toISOString(),
        expiresAt: new Date(row.expiresAt).toISOString(),
        decidedAt: row.decidedAt === null ? null : new Date(row.decidedAt).toISOString(),
      })),
      nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
    });
  })
  .get("/namespaces/:namespace/approvals/:id", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "approvals:read", namespace);
    return c.json(await readGate(c.env, namespace, c.req.param("id")));
  })
  .post("/namespaces/:namespace/approvals/:id/decision", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    const principal = authorize(c.get("principal"), "approvals:decide", namespace);
    const input = parseWith(decisionSchema, await readDocument(c.req.raw));
    const id = c.req.param("id");
    if (!isGateId(id)) throw notFound(`approval "${id.slice(0, 60)}" not found in namespace "${namespace}"`);
    return answer(
      c,
      await gate(c.env, id).decideManually(namespace, input.approve, input.message, principalKey(principal)),
    );
  });

const invalidToken = (message: string) =>
  new AppError("unauthenticated", message, {
    headers: { "www-authenticate": 'Bearer realm="hookline", error="invalid_token"' },
  });

/** `POST /callbacks/approvals/{id}[/{webhook}]`: an approver's answer, with an OAuth access token. */
async function callback(c: Context<AppEnv>): Promise<Response> {
  const header = c.req.header("authorization") ?? "";
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token) throw invalidToken("send Authorization: Bearer <access token from POST /oauth/token>");
  const claims = await verifyAccessToken(c.env.HOOKLINE_SECRET_KEY, token);
  if (!claims) throw invalidToken("the access token is invalid or expired");
  if (!claims.scopes.includes(CALLBACK_SCOPE)) {
    throw new AppError("permission_denied", `the access token lacks the "${CALLBACK_SCOPE}" scope`, {
      headers: { "www-authenticate": `Bearer realm="hookline", error="insufficient_scope", scope="${CALLBACK_SCOPE}"` },
    });
  }
  if (!(await clientExists(c.env.DB, claims.clientId)))
    throw invalidToken("the OAuth client of this token was deleted");
  const id = c.req.param("id") ?? "";
  if (!isGateId(id)) throw notFound("approval gate not found");
  const input = parseWith(callbackSchema, await readDocument(c.req.raw));
  const by = `oauth:${claims.clientId}`;
  return answer(
    c,
    await gate(c.env, id).callback(c.req.param("webhook"), input.success, input.mdMessage, by, claims.namespaces),
  );
}

export const callbackRoutes = new Hono<AppEnv>()
  .post("/callbacks/approvals/:id", callback)
  .post("/callbacks/approvals/:id/:webhook", callback);
