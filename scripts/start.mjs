#!/usr/bin/env node
// `npm start`: runs hookline locally on workerd with local D1, Queues, R2 and Durable Objects.
// 1. creates .dev.vars with a random admin token and secret key when it is missing (printed once);
// 2. applies the D1 migrations to the local database;
// 3. runs `wrangler dev`, passing extra arguments through (`npm start -- --port 8899`).
// HOOKLINE_DEV_VARS points at another secrets file (the end-to-end tests use their own).
import { spawn, spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDevVars } from "./lib/dev-vars.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = resolve(root, "node_modules/wrangler/bin/wrangler.js");
const args = process.argv.slice(2);
const varsPath = resolve(process.env.HOOKLINE_DEV_VARS ?? resolve(root, ".dev.vars"));
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };

const { created, vars } = ensureDevVars(varsPath);
if (created) {
  console.log(`\nCreated ${varsPath} with a new admin token and secret key (shown only now):\n`);
  console.log(`  HOOKLINE_ADMIN_TOKEN=${vars.HOOKLINE_ADMIN_TOKEN}\n`);
  console.log('Use it as: curl -H "Authorization: Bearer $HOOKLINE_ADMIN_TOKEN" ...\n');
} else {
  console.log(`Using the secrets in ${varsPath} (HOOKLINE_ADMIN_TOKEN is the admin token).`);
}

// Migrations go to the same local state (and configuration) that wrangler dev will use.
const migrationArgs = forwardedOptions(args, ["--persist-to", "--config", "-c"]);
const migrate = spawnSync(
  process.execPath,
  [wrangler, "d1", "migrations", "apply", "DB", "--local", ...migrationArgs],
  {
    cwd: root,
    env: { ...env, CI: "true" },
    stdio: ["ignore", "inherit", "inherit"],
  },
);
if (migrate.status !== 0) {
  console.error("Applying the local D1 migrations failed.");
  process.exit(migrate.status ?? 1);
}

const devArgs = ["dev", "--local", ...(process.env.HOOKLINE_DEV_VARS ? ["--env-file", varsPath] : []), ...args];
const child = spawn(process.execPath, [wrangler, ...devArgs], { cwd: root, env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/** The given options (as `--name value` or `--name=value`) picked out of `argv`. */
function forwardedOptions(argv, names) {
  const picked = [];
  argv.forEach((arg, index) => {
    const name = arg.split("=")[0];
    if (!names.includes(name)) return;
    picked.push(arg);
    if (!arg.includes("=") && index + 1 < argv.length) picked.push(argv[index + 1]);
  });
  return picked;
}
