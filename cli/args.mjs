// @ts-check
// What every command shares: its declaration's shape, the global options and their parsing,
// where server and token come from, `-o` and `--dry-run`, ages and paging through a list.
import { parseArgs } from "node:util";
import { resolveConfig as resolveFromConfig } from "./config.mjs";
import { UsageError } from "./http.mjs";

/** @import { ParseArgsOptionsConfig } from "node:util" */
/** @import { Api } from "./http.mjs" */

/**
 * A command, declared once: its help beside its handler. `hookline.mjs` lists them in order.
 * @typedef {object} Command
 * @property {string} name       the word after `hookline`
 * @property {string} synopsis   its line in `hookline --help` ("" leaves it out)
 * @property {string} summary
 * @property {string} usage      `hookline <command> --help`, and what a usage error shows
 * @property {(argv: string[], usage: string, commands: readonly Command[]) => Promise<number>} run
 *   the exit code; `commands` is the whole list (for `completion`)
 */

/** The options every command takes. */
const common = /** @satisfies {ParseArgsOptionsConfig} */ ({
  server: { type: "string" },
  context: { type: "string" },
  token: { type: "string" },
  help: { type: "boolean", short: "h" },
  output: { type: "string", short: "o" },
  namespace: { type: "string", short: "n", multiple: true },
});

/**
 * A command's flags and positionals: the common options and its own; a mistake is a usage error.
 * @template {ParseArgsOptionsConfig} [T={}]
 * @param {string[]} argv
 * @param {T} [options] the command's own options
 * @param {string[]} [args] argv without --dry-run's value
 */
export function parse(argv, options, args = argv) {
  try {
    return parseArgs({
      args,
      options: { ...common, .../** @type {T} */ (options ?? {}) },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** The namespace `-n` names (the last one given), if any. @param {{ namespace?: string[] }} values */
export const firstNamespace = (values) => (Array.isArray(values.namespace) ? values.namespace.at(-1) : undefined);

/** `-o` for the commands that print table, json or yaml. @param {string | undefined} format */
export function outputFormat(format) {
  const value = format ?? "table";
  if (value !== "table" && value !== "json" && value !== "yaml")
    throw new UsageError(`-o must be table, json or yaml, not "${value}"`);
  return value;
}

/** How long ago, kubectl style: 45s, 12m, 5h, 3d. @param {number | null} time */
export function age(time) {
  if (time === null) return "";
  const seconds = Math.max(0, Math.round((Date.now() - time) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** A path segment of an API URL. */
export const enc = encodeURIComponent;

/**
 * Server and token for a command (flags, environment, then the context); a missing context is a usage error.
 * @param {{ server?: string, token?: string, context?: string }} values
 */
export function resolveConfig(values) {
  try {
    return resolveFromConfig(values);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * `--dry-run`, `--dry-run=server` or `--dry-run=client` (kubectl's forms): which, or null.
 * @param {string[]} argv
 * @returns {"server" | "client" | null}
 */
export function dryRunMode(argv) {
  const given = argv.filter((arg) => arg === "--dry-run" || arg.startsWith("--dry-run="));
  if (given.length === 0) return null;
  const mode = (given.at(-1) ?? "").split("=")[1] ?? "server";
  if (mode !== "server" && mode !== "client") throw new UsageError(`--dry-run must be server or client, not "${mode}"`);
  return mode;
}

/** argv without the --dry-run flags (they are read by dryRunMode). @param {string[]} argv */
export const dryRunArgs = (argv) => argv.filter((arg) => arg !== "--dry-run" && !arg.startsWith("--dry-run="));

/**
 * Every page of a list, or the first `limit` items (`--all` follows nextCursor).
 * @param {Api} api
 * @param {string} path
 * @param {{ all?: boolean, limit?: string }} values
 * @returns {Promise<{ items: any[], nextCursor: string | null }>} the server's items, as it shapes them
 */
export async function listPages(api, path, values) {
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new UsageError("--limit must be a positive number");
  /** @type {any[]} */
  const items = [];
  /** @type {string | null} */
  let cursor = null;
  do {
    const query = new URLSearchParams(path.includes("?") ? path.slice(path.indexOf("?") + 1) : "");
    if (limit !== undefined) query.set("limit", String(Math.min(500, limit - items.length)));
    if (cursor) query.set("cursor", cursor);
    const { body } = await api.request("GET", `${path.split("?")[0]}?${query}`);
    items.push(...body.items);
    cursor = body.nextCursor ?? null;
  } while (cursor && (values.all || (limit !== undefined && items.length < limit)));
  return { items, nextCursor: cursor };
}
