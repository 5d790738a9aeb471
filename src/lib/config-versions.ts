/**
 * Configuration versions: one counter per scope (`bindings:<namespace>`, `clusters`), bumped in
 * the same D1 batch as every change. Consumers compare one small row per batch with the
 * version of what they cached, so a change is seen by the next batch after it is applied.
 */

/** A statement that bumps a scope's version (creating it at 1). */
export function bumpVersionStatement(db: D1Database, scope: string): D1PreparedStatement {
  return db
    .prepare(
      "INSERT INTO config_versions (scope, version) VALUES (?1, 1) ON CONFLICT (scope) DO UPDATE SET version = version + 1",
    )
    .bind(scope);
}

/**
 * Current versions of the given scopes (0 for a scope never written). `alongside` statements run
 * first, in the same D1 round trip.
 */
export async function readVersions(
  db: D1Database,
  scopes: readonly string[],
  alongside: readonly D1PreparedStatement[] = [],
): Promise<Map<string, number>> {
  const versions = new Map(scopes.map((scope) => [scope, 0]));
  if (scopes.length === 0 && alongside.length === 0) return versions;
  const query = db
    .prepare("SELECT scope, version FROM config_versions WHERE scope IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(scopes));
  type Row = { scope: string; version: number };
  const { results } =
    alongside.length === 0
      ? await query.all<Row>()
      : ((await db.batch<Row>([...alongside, query])).at(-1) as D1Result<Row>);
  for (const row of results) versions.set(row.scope, row.version);
  return versions;
}

/** The statement readVersions runs, for a caller that batches it with its own reads. */
export function versionsStatement(db: D1Database, scopes: readonly string[]): D1PreparedStatement {
  return db
    .prepare("SELECT scope, version FROM config_versions WHERE scope IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(scopes));
}

/** The versions a versionsStatement answered (0 for a scope never written). */
export function versionsOf(answer: D1Result<unknown>, scopes: readonly string[]): Map<string, number> {
  const versions = new Map(scopes.map((scope) => [scope, 0]));
  for (const row of answer.results as Array<{ scope: string; version: number }>) versions.set(row.scope, row.version);
  return versions;
}

export const bindingsScope = (namespace: string) => `bindings:${namespace}`;
export const CLUSTERS_SCOPE = "clusters";
