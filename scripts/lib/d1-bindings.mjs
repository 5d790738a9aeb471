import { readFileSync } from "node:fs";

/**
 * The D1 binding names a wrangler.toml declares — at the top level, or in `[env.<name>]` when an
 * environment is given: `DB` and any event-log shards, every one of which gets the migrations.
 */
export function d1Bindings(configPath, environment) {
  const text = readFileSync(configPath, "utf8");
  const table = environment ? `env\\.${environment.replace(/[^A-Za-z0-9_-]/g, "")}\\.d1_databases` : "d1_databases";
  const names = [];
  for (const block of text.split(new RegExp(`^\\[\\[${table}\\]\\]\\s*$`, "m")).slice(1)) {
    const body = block.split(/^\[/m)[0] ?? "";
    const binding = /^binding\s*=\s*"([^"]+)"/m.exec(body);
    if (binding?.[1]) names.push(binding[1]);
  }
  return names.length > 0 ? names : ["DB"];
}
