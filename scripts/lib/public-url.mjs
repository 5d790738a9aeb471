import { readFileSync } from "node:fs";

/**
 * The PUBLIC_URL a wrangler.toml sets — under `[vars]`, or `[env.<name>.vars]` when an environment
 * is given — or "" when it sets none. `npm run deploy` refuses to deploy without one: approval
 * callback URIs and chat links are built from it alone.
 */
export function publicUrl(configPath, environment) {
  const text = readFileSync(configPath, "utf8");
  const table = environment ? `env\\.${environment.replace(/[^A-Za-z0-9_-]/g, "")}\\.vars` : "vars";
  const block = text.split(new RegExp(`^\\[${table}\\]\\s*$`, "m"))[1];
  const body = block?.split(/^\[/m)[0] ?? "";
  return /^PUBLIC_URL\s*=\s*"([^"]*)"/m.exec(body)?.[1] ?? "";
}
