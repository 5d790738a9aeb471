// @ts-check
// Where the CLI finds its server and token: flags, then HOOKLINE_URL / HOOKLINE_TOKEN, then the
// config file `hookline login` writes (XDG_CONFIG_HOME or ~/.config, hookline/config.json).
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export function configPath() {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "hookline", "config.json");
}

/** @returns {{ server?: string, token?: string }} */
export function readConfigFile() {
  try {
    return JSON.parse(readFileSync(configPath(), "utf8"));
  } catch {
    return {};
  }
}

/** @param {{ server: string, token: string }} config */
export function writeConfigFile(config) {
  const path = configPath();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/**
 * @param {{ server?: string, token?: string }} flags
 * @returns {{ server: string | undefined, token: string | undefined }}
 */
export function resolveConfig(flags) {
  const file = readConfigFile();
  return {
    server: (flags.server || process.env.HOOKLINE_URL || file.server)?.replace(/\/+$/, ""),
    token: flags.token || process.env.HOOKLINE_TOKEN || file.token,
  };
}
