import { z } from "zod";
import type { SecretBox } from "../auth/secret-box";
import { multiRowStatements } from "../lib/sql";
import { APPROVAL_STATUSES, type ApprovalStatus } from "./gate-state";
import { resealHeaderSecrets, type StoredPolicy } from "./policy";

/** One policy, or null. */
export async function getPolicy(db: D1Database, namespace: string, name: string): Promise<StoredPolicy | null> {
  const row = await db
    .prepare("SELECT object FROM approval_policies WHERE namespace = ?1 AND name = ?2")
    .bind(namespace, name)
    .first<{ object: string }>();
  return row ? (JSON.parse(row.object) as StoredPolicy) : null;
}

/** Every policy of a namespace, by name. */
export async function listPolicies(db: D1Database, namespace: string): Promise<StoredPolicy[]> {
  const { results } = await db
    .prepare("SELECT object FROM approval_policies WHERE namespace = ?1 ORDER BY name")
    .bind(namespace)
    .all<{ object: string }>();
  return results.map((row) => JSON.parse(row.object) as StoredPolicy);
}

/** Creates or replaces a policy. */
export async function savePolicy(db: D1Database, policy: StoredPolicy): Promise<void> {
  await db
    .prepare(
      `INSERT INTO approval_policies (namespace, name, object, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
       ON CONFLICT (namespace, name) DO UPDATE SET object = ?3, updated_at = ?5`,
    )
    .bind(
      policy.namespace,
      policy.name,
      JSON.stringify(policy),
      Date.parse(policy.createdAt),
      Date.parse(policy.updatedAt),
    )
    .run();
}

/** Deletes a policy; returns whether it existed. Gates already created keep their snapshot. */
export async function deletePolicy(db: D1Database, namespace: string, name: string): Promise<boolean> {
  const result = await db
    .prepare("DELETE FROM approval_policies WHERE namespace = ?1 AND name = ?2")
    .bind(namespace, name)
    .run();
  return result.meta.changes > 0;
}

/** Ids of every gate still pending, in every namespace (key rotation reseals their policy snapshots). */
export async function listPendingGateIds(db: D1Database, after: string, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT id FROM approvals WHERE status = 'pending' AND id > ?1 ORDER BY id LIMIT ?2")
    .bind(after, limit)
    .all<{ id: string }>();
  return results.map((row) => row.id);
}

/** The listing mirror of a gate. */
export interface ApprovalRow {
  id: string;
  namespace: string;
  policy: string;
  status: ApprovalStatus;
  subject: { cluster: string; workflow: string; node: string } | null;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
  revision: number;
  traceId: string | null;
}

interface MirrorRow {
  id: string;
  namespace: string;
  policy: string;
  status: ApprovalStatus;
  subject: string | null;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
  revision: number;
  trace_id: string | null;
}

/**
 * A gate's new mirror row, as the gate announces it on the NOTIFICATIONS queue (with its hookline
 * events, in one send): the consumer writes a batch of them in one statement, so a gate's change
 * costs no D1 round trip of its own and the list shows it within the queue's batch window.
 */
export const mirrorMessageSchema = z.object({
  v: z.literal(1),
  kind: z.literal("approval-mirror"),
  row: z.object({
    id: z.string().min(1).max(100),
    namespace: z.string().min(1).max(253),
    policy: z.string().min(1).max(253),
    status: z.enum(APPROVAL_STATUSES),
    subject: z.object({ cluster: z.string(), workflow: z.string(), node: z.string() }).nullable(),
    createdAt: z.number(),
    expiresAt: z.number(),
    decidedAt: z.number().nullable(),
    revision: z.number().int(),
    traceId: z.string().nullable(),
  }),
});
export type MirrorMessage = z.infer<typeof mirrorMessageSchema>;

/** Writes gates' mirror rows (in as few statements as fit); a row never replaces a newer revision. */
export async function writeMirrors(db: D1Database, rows: readonly ApprovalRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.batch(
    multiRowStatements(
      db,
      rows.map((row) => [
        row.id,
        row.namespace,
        row.policy,
        row.status,
        row.subject === null ? null : JSON.stringify(row.subject),
        row.createdAt,
        row.expiresAt,
        row.decidedAt,
        row.revision,
        row.traceId,
      ]),
      (select) =>
        `INSERT INTO approvals (id, namespace, policy, status, subject, created_at, expires_at, decided_at, revision, trace_id)
         ${select}
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, decided_at = excluded.decided_at, revision = excluded.revision
         WHERE approvals.revision < excluded.revision`,
      10,
    ),
  );
}

/** A page of a namespace's gates, newest first, optionally by status. */
export async function listApprovals(
  db: D1Database,
  query: { namespace: string; status?: ApprovalStatus; traceId?: string; before?: string; limit: number },
): Promise<ApprovalRow[]> {
  const conditions = ["namespace = ?1"];
  const params: unknown[] = [query.namespace];
  if (query.traceId !== undefined) {
    params.push(query.traceId);
    conditions.push(`trace_id = ?${params.length}`);
  }
  if (query.status !== undefined) {
    params.push(query.status);
    conditions.push(`status = ?${params.length}`);
  }
  if (query.before !== undefined) {
    params.push(query.before);
    conditions.push(`id < ?${params.length}`);
  }
  params.push(query.limit);
  const { results } = await db
    .prepare(`SELECT * FROM approvals WHERE ${conditions.join(" AND ")} ORDER BY id DESC LIMIT ?${params.length}`)
    .bind(...params)
    .all<MirrorRow>();
  return results.map((row) => ({
    id: row.id,
    namespace: row.namespace,
    policy: row.policy,
    status: row.status,
    subject: row.subject === null ? null : (JSON.parse(row.subject) as ApprovalRow["subject"]),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedAt: row.decided_at,
    revision: row.revision,
    traceId: row.trace_id ?? null,
  }));
}

/** Re-seals the header secrets of every policy under the current key; returns how many changed. */
export async function resealPolicies(db: D1Database, box: SecretBox): Promise<number> {
  let count = 0;
  const { results } = await db.prepare("SELECT object FROM approval_policies").all<{ object: string }>();
  for (const row of results) {
    const policy = JSON.parse(row.object) as StoredPolicy;
    const changed = await resealHeaderSecrets(policy, box);
    if (changed === 0) continue;
    const result = await db
      .prepare("UPDATE approval_policies SET object = ?3 WHERE namespace = ?1 AND name = ?2 AND object = ?4")
      .bind(policy.namespace, policy.name, JSON.stringify(policy), row.object)
      .run();
    if (result.meta.changes > 0) count += changed;
  }
  return count;
}
