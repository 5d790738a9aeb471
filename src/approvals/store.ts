import type { SecretBox } from "../auth/secret-box";
import { type NamespaceScope, namespaceCondition } from "../lib/namespace-scope";
import type { ApprovalStatus } from "./gate-state";
import { resealPolicySecrets, type StoredPolicy } from "./policy";

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

/** Every policy, in every namespace, that names a GitHub App (deliveries are verified against each). */
export async function listGitHubPolicies(db: D1Database): Promise<StoredPolicy[]> {
  const { results } = await db
    .prepare(
      "SELECT object FROM approval_policies WHERE json_extract(object, '$.github.appId') IS NOT NULL ORDER BY namespace, name",
    )
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

/**
 * Ids of every gate still pending — or decided since `decidedSince` (it may still be answering
 * GitHub with its snapshot's App key) — in every namespace: key rotation reseals their snapshots.
 */
export async function listPendingGateIds(
  db: D1Database,
  after: string,
  limit: number,
  decidedSince: number,
): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT id FROM approvals WHERE (status = 'pending' OR decided_at >= ?3) AND id > ?1 ORDER BY id LIMIT ?2")
    .bind(after, limit, decidedSince)
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

/** The statement writing a gate's mirror row, unless a newer revision is already there. */
export function mirrorStatement(db: D1Database, row: ApprovalRow): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO approvals (id, namespace, policy, status, subject, created_at, expires_at, decided_at, revision, trace_id)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
       ON CONFLICT (id) DO UPDATE SET status = ?4, decided_at = ?8, revision = ?9 WHERE approvals.revision < ?9`,
    )
    .bind(
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

/** How many gates of the scope's namespaces wait for a decision (the console's overview). */
export async function countPendingGates(db: D1Database, scope: NamespaceScope): Promise<number> {
  const filter = namespaceCondition(scope, "namespace", 1);
  const row = await db
    .prepare(`SELECT count(*) AS n FROM approvals WHERE status = 'pending' AND ${filter.sql}`)
    .bind(...filter.params)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Re-seals the secrets of every policy (headers, GitHub Apps) under the current key; returns how many changed. */
export async function resealPolicies(db: D1Database, box: SecretBox): Promise<number> {
  let count = 0;
  const { results } = await db.prepare("SELECT object FROM approval_policies").all<{ object: string }>();
  for (const row of results) {
    const policy = JSON.parse(row.object) as StoredPolicy;
    const changed = await resealPolicySecrets(policy, box);
    if (changed === 0) continue;
    const result = await db
      .prepare("UPDATE approval_policies SET object = ?3 WHERE namespace = ?1 AND name = ?2 AND object = ?4")
      .bind(policy.namespace, policy.name, JSON.stringify(policy), row.object)
      .run();
    if (result.meta.changes > 0) count += changed;
  }
  return count;
}

/**
 * Holds a workflow node for a gate unless another gate holds it: returns the id of the gate that
 * holds it now (this one when the hold was taken). One round trip; concurrent holds on one node
 * leave exactly one holder.
 */
export async function holdSubject(db: D1Database, key: string, gateId: string, now: number): Promise<string> {
  const [, holder] = await db.batch<{ gate_id: string }>([
    db
      .prepare(
        "INSERT INTO approval_subjects (subject, gate_id, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (subject) DO NOTHING",
      )
      .bind(key, gateId, now),
    db.prepare("SELECT gate_id FROM approval_subjects WHERE subject = ?1").bind(key),
  ]);
  return holder?.results[0]?.gate_id ?? gateId;
}

/** Moves a node's hold from a gate that no longer needs it (decided) to another; false when someone else moved it first. */
export async function takeOverSubject(db: D1Database, key: string, from: string, to: string): Promise<boolean> {
  const result = await db
    .prepare("UPDATE approval_subjects SET gate_id = ?3 WHERE subject = ?1 AND gate_id = ?2")
    .bind(key, from, to)
    .run();
  return result.meta.changes > 0;
}

/** The statement that lets go of a node a gate held (only that gate's hold). */
export function releaseSubjectStatement(db: D1Database, key: string, gateId: string): D1PreparedStatement {
  return db.prepare("DELETE FROM approval_subjects WHERE subject = ?1 AND gate_id = ?2").bind(key, gateId);
}
