import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { applyLocalMigrations } from "../../scripts/lib/migrate-local.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const state = mkdtempSync(join(tmpdir(), "hookline-migrate-"));
// Three databases, as a sharded deployment declares them (the bench Worker has eight).
const config = join(root, ".wrangler-migrate-test.toml");
writeFileSync(
  config,
  `${readFileSync(join(root, "wrangler.toml"), "utf8")}
[[d1_databases]]
binding = "EVENT_LOG_2"
database_name = "hookline-events-2"
database_id = "00000000-0000-4000-8000-000000000002"
migrations_dir = "migrations"

[[d1_databases]]
binding = "EVENT_LOG_3"
database_name = "hookline-events-3"
database_id = "00000000-0000-4000-8000-000000000003"
migrations_dir = "migrations"
`,
);
afterAll(() => {
  rmSync(state, { recursive: true, force: true });
  rmSync(config, { force: true });
});

const migrationCount = readdirSync(join(root, "migrations")).filter((name) => name.endsWith(".sql")).length;

describe("npm start's local migrations", () => {
  it("apply every database's migrations in one run, then none again, as wrangler itself records them", async () => {
    const started = Date.now();
    const first = await applyLocalMigrations({ configPath: config, persistTo: state });
    for (const binding of ["DB", "EVENT_LOG_2", "EVENT_LOG_3"]) expect(first.get(binding)).toHaveLength(migrationCount);
    expect(first.get("DB")?.[1]).toBe("0002_events.sql");
    // One local runtime for all three: well under what three wrangler runs took (~6 s each).
    expect(Date.now() - started).toBeLessThan(15_000);
    const again = await applyLocalMigrations({ configPath: config, persistTo: state });
    expect(Object.fromEntries(again)).toEqual({ DB: [], EVENT_LOG_2: [], EVENT_LOG_3: [] });
    // wrangler's own bookkeeping agrees: nothing left to apply in the same local state.
    const listed = spawnSync(
      process.execPath,
      [
        join(root, "node_modules/wrangler/bin/wrangler.js"),
        "d1",
        "migrations",
        "list",
        "EVENT_LOG_3",
        "--local",
        "--config",
        config,
        "--persist-to",
        state,
      ],
      { cwd: root, env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" }, encoding: "utf8" },
    );
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/No migrations to apply/);
  }, 120_000);
});
