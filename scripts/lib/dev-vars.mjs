// Creates the local secrets file `npm start` runs with, unless it exists.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** Reads KEY=VALUE lines (the .dev.vars format). */
export function readDevVars(path) {
  const vars = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (match) vars[match[1]] = match[2].replace(/^"(.*)"$/, "$1");
  }
  return vars;
}

/**
 * Ensures `path` holds HOOKLINE_ADMIN_TOKEN and HOOKLINE_SECRET_KEY. An existing file is kept
 * as it is. Returns the values and whether the file was created now.
 */
export function ensureDevVars(path) {
  if (existsSync(path)) return { created: false, vars: readDevVars(path) };
  const vars = {
    HOOKLINE_ADMIN_TOKEN: randomBytes(32).toString("base64url"),
    HOOKLINE_SECRET_KEY: randomBytes(32).toString("base64url"),
  };
  const text = [
    "# Local secrets for `npm start` (wrangler dev). Never commit this file.",
    "# In production set them with `wrangler secret put NAME`.",
    ...Object.entries(vars).map(([key, value]) => `${key}=${value}`),
    "",
  ].join("\n");
  writeFileSync(path, text, { mode: 0o600 });
  return { created: true, vars };
}
