import { bindingsScope, bumpVersionStatement } from "../lib/config-versions";
import type { StoredBinding } from "./schema";

interface BindingRow {
  object: string;
}

/** One binding, or null. */
export async function getBinding(db: D1Database, namespace: string, name: string): Promise<StoredBinding | null> {
  const row = await db
    .prepare("SELECT object FROM bindings WHERE namespace = ?1 AND name = ?2")
    .bind(namespace, name)
    .first<BindingRow>();
  return row ? (JSON.parse(row.object) as StoredBinding) : null;
}

/** The bindings of a namespace with the given names (absent ones are left out). */
export async function getBindings(
  db: D1Database,
  namespace: string,
  names: readonly string[],
): Promise<StoredBinding[]> {
  const { results } = await db
    .prepare("SELECT object FROM bindings WHERE namespace = ?1 AND name IN (SELECT value FROM json_each(?2))")
    .bind(namespace, JSON.stringify(names))
    .all<BindingRow>();
  return results.map((row) => JSON.parse(row.object) as StoredBinding);
}

/** Every binding of a namespace, by name. */
export async function listBindings(db: D1Database, namespace: string): Promise<StoredBinding[]> {
  const { results } = await db
    .prepare("SELECT object FROM bindings WHERE namespace = ?1 ORDER BY name")
    .bind(namespace)
    .all<BindingRow>();
  return results.map((row) => JSON.parse(row.object) as StoredBinding);
}

/** Writes bindings of one namespace and bumps its version, in one transaction. */
export async function saveBindings(
  db: D1Database,
  namespace: string,
  bindings: readonly StoredBinding[],
): Promise<void> {
  if (bindings.length === 0) return;
  const now = Date.now();
  const statements = bindings.map((binding) =>
    db
      .prepare(
        `INSERT INTO bindings (namespace, name, uid, generation, created_at, updated_at, object)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (namespace, name) DO UPDATE SET uid = ?3, generation = ?4, updated_at = ?6, object = ?7`,
      )
      .bind(
        namespace,
        binding.metadata.name,
        binding.metadata.uid,
        binding.metadata.generation,
        Date.parse(binding.metadata.creationTimestamp),
        now,
        JSON.stringify(binding),
      ),
  );
  await db.batch([...statements, bumpVersionStatement(db, bindingsScope(namespace))]);
}

/** Deletes a binding (bumping the namespace's version); returns whether it existed. */
export async function deleteBinding(db: D1Database, namespace: string, name: string): Promise<boolean> {
  const [deleted] = await db.batch([
    db.prepare("DELETE FROM bindings WHERE namespace = ?1 AND name = ?2").bind(namespace, name),
    bumpVersionStatement(db, bindingsScope(namespace)),
  ]);
  return (deleted?.meta.changes ?? 0) > 0;
}
