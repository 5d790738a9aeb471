import { applyD1Migrations, type D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eventLogs } from "../../src/events/shards";

// Each test file runs against its own storage; apply the real migrations to it first — to the
// configuration database and to every event-log shard (the sharded project has three).
const migrations = (env as unknown as { TEST_MIGRATIONS: D1Migration[] }).TEST_MIGRATIONS;
const databases = new Set([env.DB, ...eventLogs(env).map((shard) => shard.resource)]);
for (const database of databases) await applyD1Migrations(database, migrations);
