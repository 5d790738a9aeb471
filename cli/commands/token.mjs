// @ts-check
// `hookline token create NAME`: an API token for some namespaces and scopes, shown once.
import { outputFormat, parse, resolveConfig } from "../args.mjs";
import { client, UsageError } from "../http.mjs";
import { printData } from "../output.mjs";

/** @type {import("../args.mjs").Command} */
export const tokenCommand = {
  name: "token",
  synopsis: "token create NAME",
  summary: "create an API token",
  usage:
    "Usage: hookline token create NAME --namespace NS [--namespace …] --scope SCOPE [--scope …] [--template T …]\n                              [--expires-at RFC3339] [--rate-limit N/10s|N/1m] [-o …]",
  run: token,
};

/** `100/10s` or `20/1m` → the API's rateLimit. @param {string} text */
function parseRateLimit(text) {
  const match = /^(\d+)\/(10s|1m)$/.exec(text);
  if (!match) throw new UsageError(`--rate-limit must be N/10s or N/1m, not "${text}"`);
  return { requests: Number(match[1]), period: match[2] };
}

/** @param {string[]} argv @param {string} usage */
async function token(argv, usage) {
  const { values, positionals } = parse(argv, {
    scope: { type: "string", multiple: true },
    template: { type: "string", multiple: true },
    "expires-at": { type: "string" },
    "rate-limit": { type: "string" },
  });
  const [action, name] = positionals;
  if (action !== "create" || !name || !values.namespace?.length || !values.scope?.length) throw new UsageError(usage);
  const api = client(resolveConfig(values));
  const { body } = await api.request("POST", "/api/v1/tokens", {
    body: {
      name,
      namespaces: values.namespace,
      scopes: values.scope,
      ...(values.template ? { templates: values.template } : {}),
      ...(values["expires-at"] ? { expiresAt: values["expires-at"] } : {}),
      ...(values["rate-limit"] ? { rateLimit: parseRateLimit(values["rate-limit"]) } : {}),
    },
  });
  const format = values.output ? outputFormat(values.output) : "table";
  if (format !== "table") printData(body, format);
  else console.log(`token ${body.name} created; it is shown only now:\n${body.token}`);
  return 0;
}
