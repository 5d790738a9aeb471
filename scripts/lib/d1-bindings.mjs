import { readFileSync } from "node:fs";

/**
 * The D1 binding names a wrangler.toml declares (top level, not per-environment): `DB` and any
 * event-log shards — every one of them gets the migrations.
 */
export function d1Bindings(configPath) {
  const text = readFileSync(configPath, "utf8");
  const names = [];
  for (const block of text.split(/^\[\[d1_databases\]\]\s*$/m).slice(1)) {
    const body = block.split(/^\[/m)[0] ?? "";
    const binding = /^binding\s*=\s*"([^"]+)"/m.exec(body);
    if (binding?.[1]) names.push(binding[1]);
  }
  return names.length > 0 ? names : ["DB"];
}
