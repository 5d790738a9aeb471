import { z } from "zod";
import { limitSchema, pageOf } from "../lib/paging";
import { isTraceId } from "../lib/trace";
import { parseWith } from "../lib/validation";
import { isGateId } from "./decide";
import { APPROVAL_STATUSES } from "./gate-state";
import { listApprovals } from "./store";

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

/** A gate as lists show it (from the D1 mirror). */
export const approvalSummarySchema = z.object({
  id: z.string(),
  namespace: z.string(),
  policy: z.string(),
  status: z.enum(APPROVAL_STATUSES),
  subject: z.object({ cluster: z.string(), workflow: z.string(), node: z.string() }).nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  decidedAt: z.string().nullable(),
  traceId: z.string().optional(),
});

/** A page of gates, newest first. */
export const approvalPageSchema = z.object({
  items: z.array(approvalSummarySchema),
  nextCursor: z.string().nullable(),
});
