// Applies the D1 migrations to every local database a wrangler configuration declares, in one
// process: one local runtime (wrangler's getPlatformProxy) opens all of them, and each database
// gets its unapplied migrations — in one batch per migration, recorded in `d1_migrations` as
// `wrangler d1 migrations apply` records them, so either can be used afterwards. A wrangler run
// per database took ~6 s each; this takes about as long for one database as for nine.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * Migrates the local databases of `configPath` (environment `environment`, if any) stored under
 * `persistTo` (as `wrangler dev --persist-to`; default `.wrangler/state` beside the
 * configuration). Returns the migrations each binding got, by file name.
 * @param {{ configPath: string, persistTo?: string, environment?: string }} options
 * @returns {Promise<Map<string, string[]>>}
 */
export async function applyLocalMigrations({ configPath, persistTo, environment }) {
  const wrangler = await import("wrangler");
  const config = wrangler.unstable_readConfig({ config: configPath, ...(environment ? { env: environment } : {}) });
  const databases = config.d1_databases ?? [];
  if (databases.length === 0) return new Map();
  const root = dirname(configPath);
  // The local runtime gets only the databases (the Worker's own code, Durable Objects and
  // queues are not needed to migrate); same ids, so the same local files as wrangler dev.
  const minimal = join(
    root,
    `.wrangler-migrate-${createHash("sha256").update(configPath).digest("hex").slice(0, 12)}.json`,
  );
  writeFileSync(
    minimal,
    JSON.stringify({
      name: "hookline-migrations",
      compatibility_date: config.compatibility_date,
      d1_databases: databases.map((database) => ({
        binding: database.binding,
        database_name: database.database_name,
        database_id: database.database_id,
        ...(database.preview_database_id ? { preview_database_id: database.preview_database_id } : {}),
      })),
    }),
  );
  const state = resolve(persistTo ?? join(root, ".wrangler/state"));
  let proxy;
  try {
    proxy = await wrangler.getPlatformProxy({ configPath: minimal, persist: { path: join(state, "v3") } });
    const applied = await Promise.all(
      databases.map(async (database) => {
        const migrations = readMigrations(resolve(root, database.migrations_dir ?? "migrations"), wrangler);
        const binding = proxy.env[database.binding];
        const table = database.migrations_table ?? "d1_migrations";
        return [database.binding, await applyMigrations(database.binding, binding, migrations, table)];
      }),
    );
    return new Map(applied);
  } finally {
    await proxy?.dispose();
    rmSync(minimal, { force: true });
  }
}

/** The `*.sql` files of a migrations directory in order, each split into statements by wrangler's own splitter. */
function readMigrations(dir, wrangler) {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".sql"))
    .sort()
    .map((name) => ({ name, statements: wrangler.unstable_splitSqlQuery(readFileSync(join(dir, name), "utf8")) }));
}

/** Applies the migrations `db` (bound as `binding`) has not recorded yet; returns their names. */
async function applyMigrations(binding, db, migrations, table) {
  const quoted = `"${table.replace(/"/g, '""')}"`;
  await db
    .prepare(
      `CREATE TABLE IF NOT EXISTS ${quoted} (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`,
    )
    .run();
  const done = new Set((await db.prepare(`SELECT name FROM ${quoted}`).all()).results.map((row) => row.name));
  const applied = [];
  for (const migration of migrations) {
    if (done.has(migration.name)) continue;
    try {
      await db.batch([
        ...migration.statements.map((statement) => db.prepare(statement)),
        db.prepare(`INSERT INTO ${quoted} (name) VALUES (?1)`).bind(migration.name),
      ]);
    } catch (error) {
      throw new Error(
        `migration ${migration.name} failed on ${binding}: ${error instanceof Error ? error.message : error}`,
      );
    }
    applied.push(migration.name);
  }
  return applied;
}
