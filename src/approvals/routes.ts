import { z } from "zod";
import { can, route } from "../http/route";
import { isDryRun } from "../lib/apply";
import { readDocument } from "../lib/documents";
import { principalDecider } from "./approvers";
import { answerCallback, callbackSchema, refuseUncapable } from "./callbacks";
import { decideApproval, decisionSchema, readAudit, readGate } from "./decide";
import { gateViewSchema } from "./gate-view";
import { approvalListSchema, approvalPageSchema, listApprovalPage } from "./listing";
import { createApprovalSchema, openApprovalGate } from "./open";
import { applyPolicy, policyList, policyNamed, policyViewSchema, removePolicy } from "./policies";
import { policySpecSchema } from "./policy";

const policies = "/api/v1/namespaces/:namespace/approvalpolicies";
const gates = "/api/v1/namespaces/:namespace/approvals";

/** The answer to a decision or a callback: where the gate stands. */
const decidedSchema = z.object({ id: z.string(), status: z.string(), approval: gateViewSchema });

const auditSchema = z.object({
  items: z.array(
    z.object({
      at: z.string(),
      by: z.string(),
      via: z.string(),
      action: z.string(),
      counted: z.boolean(),
      reason: z.string(),
    }),
  ),
  overflow: z.number().int(),
});

/** Policies, gates and decisions under `/api/v1/namespaces/{ns}`, and approvers' callbacks. */
export const approvalRoutes = [
  route(
    {
      method: "PUT",
      path: `${policies}/:name`,
      access: can.inNamespace("bindings:write"),
      summary: "Create or replace an approval policy",
      tag: "approvals",
      body: policySpecSchema,
      yaml: true,
      responses: { 200: policyViewSchema, 201: policyViewSchema },
    },
    async (c, { principal, namespace, param }) => {
      const applied = await applyPolicy(
        c.env,
        principal,
        namespace,
        param("name"),
        await readDocument(c.req.raw),
        isDryRun(c.req.query("dryRun")),
      );
      return c.json(applied.policy, applied.created ? 201 : 200, { "x-hookline-action": applied.action });
    },
  ),
  route(
    {
      method: "GET",
      path: policies,
      access: can.inNamespace("approvals:read"),
      summary: "List a namespace's approval policies",
      tag: "approvals",
      responses: { 200: z.object({ items: z.array(policyViewSchema) }) },
    },
    async (c, { namespace }) => c.json(await policyList(c.env.DB, namespace)),
  ),
  route(
    {
      method: "GET",
      path: `${policies}/:name`,
      access: can.inNamespace("approvals:read"),
      summary: "Read one approval policy",
      tag: "approvals",
      responses: { 200: policyViewSchema },
    },
    async (c, { namespace, param }) => c.json(await policyNamed(c.env.DB, namespace, param("name"))),
  ),
  route(
    {
      method: "DELETE",
      path: `${policies}/:name`,
      access: can.inNamespace("bindings:write"),
      summary: "Delete an approval policy (open gates keep theirs)",
      tag: "approvals",
      responses: { 204: "empty" },
    },
    async (c, { namespace, param }) => {
      await removePolicy(c.env.DB, namespace, param("name"));
      return c.body(null, 204);
    },
  ),
  route(
    {
      method: "POST",
      path: gates,
      // Opening a gate holds a workflow node: its own scope, not events:write.
      access: can.inNamespace("approvals:create"),
      summary: "Open an approval gate (its webhooks are called; its creator gets their callback URIs)",
      tag: "approvals",
      body: createApprovalSchema,
      responses: { 201: gateViewSchema },
    },
    async (c, { namespace }) =>
      c.json(await openApprovalGate(c.env, namespace, await readDocument(c.req.raw), c.req.header("traceparent")), 201),
  ),
  route(
    {
      method: "GET",
      path: gates,
      access: can.inNamespace("approvals:read"),
      summary: "List a namespace's approval gates",
      tag: "approvals",
      query: approvalListSchema,
      responses: { 200: approvalPageSchema },
    },
    async (c, { namespace }) => c.json(await listApprovalPage(c.env.DB, namespace, c.req.query())),
  ),
  route(
    {
      method: "GET",
      path: `${gates}/:id`,
      access: can.inNamespace("approvals:read"),
      summary: "One approval gate",
      tag: "approvals",
      responses: { 200: gateViewSchema },
    },
    async (c, { namespace, param }) => c.json(await readGate(c.env, namespace, param("id"))),
  ),
  route(
    {
      method: "GET",
      path: `${gates}/:id/audit`,
      access: can.inNamespace("approvals:read"),
      summary: "Every attempt to change an approval gate, in order: who, through what, counted or not, why",
      tag: "approvals",
      responses: { 200: auditSchema },
    },
    async (c, { namespace, param }) => c.json(await readAudit(c.env, namespace, param("id"))),
  ),
  route(
    {
      method: "POST",
      path: `${gates}/:id/decision`,
      access: can.inNamespace("approvals:decide"),
      summary: "Decide an approval gate (as one of its policy's approvers; override with a reason during a window)",
      tag: "approvals",
      body: decisionSchema,
      responses: { 200: decidedSchema },
    },
    async (c, { principal, namespace, param }) => {
      const view = await decideApproval(
        c.env,
        principalDecider(principal, "api"),
        namespace,
        param("id"),
        await readDocument(c.req.raw),
      );
      return c.json({ id: view.id, status: view.status, approval: view });
    },
  ),
  route(
    {
      method: "POST",
      path: "/callbacks/approvals/:id/:webhook/:capability",
      access: can.anyone,
      summary: "An approver's callback (the URI its webhook received), with an OAuth bearer token",
      tag: "approvals",
      body: callbackSchema,
      responses: { 200: decidedSchema },
    },
    async (c, { param }) => {
      const view = await answerCallback(
        c.env,
        c.req.header("authorization"),
        { id: param("id"), webhook: param("webhook"), capability: param("capability") },
        () => readDocument(c.req.raw),
      );
      return c.json({ id: view.id, status: view.status, approval: view });
    },
  ),
  ...["/callbacks/approvals/:id/:webhook", "/callbacks/approvals/:id"].map((path) =>
    route(
      {
        method: "POST",
        path,
        access: can.anyone,
        summary: "Refused: a callback URI without its webhook and capability (403)",
        tag: "approvals",
        responses: {},
      },
      () => refuseUncapable(),
    ),
  ),
];
