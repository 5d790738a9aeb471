#!/usr/bin/env node
// `npm run deploy`: applies the D1 migrations to every database wrangler.toml declares (the
// configuration database and any event-log shards), then runs `wrangler deploy`. Extra
// arguments go to `wrangler deploy` (`npm run deploy -- --env staging`).
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { d1Bindings } from "./lib/d1-bindings.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = resolve(root, "node_modules/wrangler/bin/wrangler.js");
const args = process.argv.slice(2);
const run = (argv) => spawnSync(process.execPath, [wrangler, ...argv], { cwd: root, stdio: "inherit" }).status ?? 1;

const envIndex = args.findIndex((arg) => arg === "--env" || arg === "-e");
const environment =
  envIndex >= 0 ? args[envIndex + 1] : args.find((arg) => arg.startsWith("--env="))?.slice("--env=".length);
const envArgs = environment ? ["--env", environment] : [];
for (const binding of d1Bindings(resolve(root, "wrangler.toml"), environment)) {
  const status = run(["d1", "migrations", "apply", binding, "--remote", ...envArgs]);
  if (status !== 0) process.exit(status);
}
process.exit(run(["deploy", ...args]));
