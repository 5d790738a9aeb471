#!/usr/bin/env node
// `npm run deploy`: checks that PUBLIC_URL is set (approval callback URIs and chat links are built
// from it alone), applies the D1 migrations to every database wrangler.toml declares (the
// configuration database and any event-log shards), sets the event-body bucket's lifecycle rule
// (objects expire after EVENT_RETENTION_DAYS — event bodies are never deleted one by one), then
// runs `wrangler deploy`. Extra arguments go to `wrangler deploy` (`npm run deploy -- --env staging`).
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { d1Bindings } from "./lib/d1-bindings.mjs";
import { eventBodiesExpiry, LIFECYCLE_RULE } from "./lib/event-bodies.mjs";
import { publicUrl } from "./lib/public-url.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = resolve(root, "node_modules/wrangler/bin/wrangler.js");
const args = process.argv.slice(2);
const run = (argv, stdio = "inherit") =>
  spawnSync(process.execPath, [wrangler, ...argv], { cwd: root, stdio }).status ?? 1;

const envIndex = args.findIndex((arg) => arg === "--env" || arg === "-e");
const environment =
  envIndex >= 0 ? args[envIndex + 1] : args.find((arg) => arg.startsWith("--env="))?.slice("--env=".length);
const envArgs = environment ? ["--env", environment] : [];
const origin = publicUrl(resolve(root, "wrangler.toml"), environment);
if (!/^https:\/\/[^/]+$/.test(origin)) {
  console.error(
    `PUBLIC_URL is ${origin ? `"${origin}", not an https origin` : "not set"}${environment ? ` for environment ${environment}` : ""}: set it under [${environment ? `env.${environment}.` : ""}vars] in wrangler.toml to the origin hookline is reached at (e.g. PUBLIC_URL = "https://hookline.example.com"). Approval callback URIs and chat links are built from it alone.`,
  );
  process.exit(1);
}
for (const binding of d1Bindings(resolve(root, "wrangler.toml"), environment)) {
  const status = run(["d1", "migrations", "apply", binding, "--remote", ...envArgs]);
  if (status !== 0) process.exit(status);
}
const expiry = await eventBodiesExpiry(resolve(root, "wrangler.toml"), environment);
// The rule is replaced, not added to: remove it (absent on a first deploy — its error is not shown), then add it.
run(["r2", "bucket", "lifecycle", "remove", expiry.bucket, "--name", LIFECYCLE_RULE, ...envArgs], "ignore");
const lifecycle = run([
  "r2",
  "bucket",
  "lifecycle",
  "add",
  expiry.bucket,
  LIFECYCLE_RULE,
  "--expire-days",
  String(expiry.days),
  "--force",
  ...envArgs,
]);
if (lifecycle !== 0) {
  console.error(`Setting the lifecycle rule of bucket ${expiry.bucket} failed: event bodies would never expire.`);
  process.exit(lifecycle);
}
process.exit(run(["deploy", ...args]));
