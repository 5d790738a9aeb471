// @ts-check
// Where the CLI finds its server and token: flags, then HOOKLINE_URL / HOOKLINE_TOKEN, then the
// config file (XDG_CONFIG_HOME or ~/.config, hookline/config.json) — contexts like a kubeconfig:
// named {server, token} pairs and the current one (`--context NAME` picks another for one command).
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/**
 * @typedef {{ name: string, server: string, token?: string }} Context
 * @typedef {{ currentContext: string | null, contexts: Context[] }} ConfigFile
 */

export function configPath() {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "hookline", "config.json");
}

/** The config file; an older one (a bare {server, token}) reads as one context named "default". @returns {ConfigFile} */
export function readConfigFile() {
  let raw;
  try {
    raw = JSON.parse(readFileSync(configPath(), "utf8"));
  } catch {
    return { currentContext: null, contexts: [] };
  }
  if (Array.isArray(raw?.contexts)) {
    return {
      currentContext: typeof raw.currentContext === "string" ? raw.currentContext : null,
      contexts: raw.contexts.filter((/** @type {any} */ context) => typeof context?.name === "string"),
    };
  }
  if (typeof raw?.server === "string") {
    return { currentContext: "default", contexts: [{ name: "default", server: raw.server, token: raw.token }] };
  }
  return { currentContext: null, contexts: [] };
}

/** @param {ConfigFile} config */
export function writeConfigFile(config) {
  const path = configPath();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/**
 * Adds or replaces a context (and makes it current when asked); returns the file's path.
 * @param {Context} context @param {boolean} makeCurrent
 */
export function saveContext(context, makeCurrent) {
  const config = readConfigFile();
  const others = config.contexts.filter((existing) => existing.name !== context.name);
  return writeConfigFile({
    currentContext: makeCurrent ? context.name : (config.currentContext ?? context.name),
    contexts: [...others, context],
  });
}

/**
 * @param {{ server?: string, token?: string, context?: string }} flags
 * @returns {{ server: string | undefined, token: string | undefined }}
 */
export function resolveConfig(flags) {
  const file = readConfigFile();
  const wanted = flags.context ?? file.currentContext;
  const context = file.contexts.find((candidate) => candidate.name === wanted);
  if (flags.context && !context) throw new Error(`no context named "${flags.context}" (hookline config get-contexts)`);
  return {
    server: (flags.server || process.env.HOOKLINE_URL || context?.server)?.replace(/\/+$/, ""),
    token: flags.token || process.env.HOOKLINE_TOKEN || context?.token,
  };
}
