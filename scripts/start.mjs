#!/usr/bin/env node
// `npm start`: runs hookline locally on workerd with local D1, Queues, R2 and Durable Objects.
// 1. creates .dev.vars with a random admin token and secret key when it is missing (printed once);
// 2. applies the D1 migrations to every local database, in this process (one local runtime for
//    all of them — start-up barely grows with the number of event-log shards);
// 3. runs `wrangler dev`, passing extra arguments through (`npm start -- --port 8899`), with
//    PUBLIC_URL set to http://localhost:<port> unless the secrets file or the arguments set it;
// 4. stands in for what the platform does on a schedule: the cron (retention, the notification
//    sweep) every 5 minutes, and — as local R2 has no lifecycle rules — EVENT_BODIES_EXPIRY=sweep,
//    so that job also deletes expired event bodies.
// HOOKLINE_DEV_VARS points at another secrets file (the end-to-end tests use their own).
// Secrets you name yourself (NOTIFY_*, a cluster's tokenSecret…) work too: wrangler dev loads
// only the secrets wrangler.toml lists as required, so every name in the secrets file is added
// to that list in a generated copy of wrangler.toml that this run uses.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDevVars } from "./lib/dev-vars.mjs";
import { applyLocalMigrations } from "./lib/migrate-local.mjs";

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

const configArgs = localConfig(Object.keys(vars));
// Migrations go to the same local state (and configuration) that wrangler dev will use — every
// database it declares: the configuration's (DB) and any event-log shards.
const givenConfig = forwardedOptions(args, ["--config", "-c"])
  .at(-1)
  ?.replace(/^(--config|-c)=/, "");
const configPath = resolve(root, givenConfig ?? configArgs[1] ?? "wrangler.toml");
const persistTo = optionValue(["--persist-to"]);
const environment = optionValue(["--env", "-e"]);
try {
  const started = Date.now();
  const applied = await applyLocalMigrations({
    configPath,
    // wrangler dev runs in the project root, so a relative --persist-to is relative to it.
    ...(persistTo ? { persistTo: resolve(root, persistTo) } : {}),
    ...(environment ? { environment } : {}),
  });
  for (const [binding, names] of applied)
    console.log(names.length === 0 ? `${binding}: migrations up to date` : `${binding}: applied ${names.join(", ")}`);
  console.log(`Local D1 migrations checked in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
} catch (error) {
  console.error(`Applying the local D1 migrations failed: ${error instanceof Error ? error.message : error}`);
  if (configArgs.length > 0) rmSync(resolve(root, configArgs[1]), { force: true });
  process.exit(1);
}

const devArgs = [
  "dev",
  "--local",
  ...(process.env.HOOKLINE_DEV_VARS ? ["--env-file", varsPath] : []),
  ...configArgs,
  ...publicUrlArgs(),
  ...bodyExpiryArgs(),
  ...args,
];
const child = spawn(process.execPath, [wrangler, ...devArgs], { cwd: root, env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => {
  clearInterval(cron);
  if (configArgs.length > 0) rmSync(resolve(root, configArgs[1]), { force: true });
  process.exit(code ?? (signal ? 1 : 0));
});

// wrangler dev does not run cron triggers; its local endpoint runs the scheduled handler.
const CRON_MS = 5 * 60_000;
const cron = setInterval(() => {
  const host = optionValue(["--ip"]) ?? "localhost";
  fetch(
    `http://${host.includes(":") ? `[${host}]` : host}:${port()}/cdn-cgi/local/scheduled?cron=${encodeURIComponent("*/5 * * * *")}`,
  )
    .then((response) => response.arrayBuffer())
    .catch(() => undefined);
}, CRON_MS);

/**
 * `--config` for a copy of wrangler.toml whose `[secrets] required` also lists `names` (the
 * secrets file's), or nothing when they are already listed or the caller passed its own config.
 */
function localConfig(names) {
  if (forwardedOptions(args, ["--config", "-c"]).length > 0) return [];
  const source = readFileSync(resolve(root, "wrangler.toml"), "utf8");
  const listed = /^required = \[(.*)\]$/m.exec(source);
  if (!listed) return [];
  const required = JSON.parse(`[${listed[1]}]`);
  const extra = names.filter((name) => !required.includes(name));
  if (extra.length === 0) return [];
  const text = source.replace(listed[0], `required = ${JSON.stringify([...required, ...extra])}`);
  // One file per secrets file: end-to-end tests run several Workers at once. Beside wrangler.toml,
  // so its relative paths (main, migrations) still hold.
  const name = `.wrangler.dev-${createHash("sha256").update(varsPath).digest("hex").slice(0, 12)}.toml`;
  writeFileSync(
    resolve(root, name),
    `# Generated by scripts/start.mjs for this run (secrets file ${varsPath}); do not edit.\n${text}`,
  );
  return ["--config", name];
}

/**
 * `--var PUBLIC_URL:http://localhost:<port>` unless the secrets file or the arguments set it:
 * approval callback URIs and chat links are built from PUBLIC_URL only, never from a request's
 * Host, so a local run names its own origin.
 */
function publicUrlArgs() {
  if (vars.PUBLIC_URL || args.some((arg) => arg.startsWith("PUBLIC_URL:") || arg.startsWith("--var=PUBLIC_URL:")))
    return [];
  return ["--var", `PUBLIC_URL:http://localhost:${port()}`];
}

/**
 * `--var EVENT_BODIES_EXPIRY:sweep` unless the secrets file or the arguments set it: local R2 has
 * no lifecycle rules, so the scheduled job deletes expired event bodies itself.
 */
function bodyExpiryArgs() {
  if (vars.EVENT_BODIES_EXPIRY || args.some((arg) => /^(--var=)?EVENT_BODIES_EXPIRY:/.test(arg))) return [];
  return ["--var", "EVENT_BODIES_EXPIRY:sweep"];
}

/** The port wrangler dev listens on. */
function port() {
  return optionValue(["--port"]) ?? "8787";
}

/** The value of the last of these options in the arguments (`--name value` or `--name=value`). */
function optionValue(names) {
  const picked = forwardedOptions(args, names);
  const last = picked.at(-1);
  if (last === undefined) return undefined;
  return last.includes("=") && names.includes(last.split("=")[0]) ? last.slice(last.indexOf("=") + 1) : last;
}

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
