// @ts-check
// `hookline oauth client create|list|delete`: the OAuth clients approval callbacks authenticate as.
import { age, enc, outputFormat, parse, resolveConfig } from "../args.mjs";
import { client, UsageError } from "../http.mjs";
import { createdAt } from "../kinds.mjs";
import { printData, printTable } from "../output.mjs";

/** @type {import("../args.mjs").Command} */
export const oauthCommand = {
  name: "oauth",
  synopsis: "oauth client create NAME",
  summary: "create an OAuth client for approval callbacks",
  usage:
    "Usage: hookline oauth client create NAME [--namespace NS …] [-o …]\n       hookline oauth client list [-o …]\n       hookline oauth client delete CLIENT_ID",
  run: oauthClient,
};

/** @param {string[]} argv @param {string} usage */
async function oauthClient(argv, usage) {
  const { values, positionals } = parse(argv);
  const [noun, action, name] = positionals;
  if (noun !== "client") throw new UsageError(usage);
  const api = client(resolveConfig(values));
  if (action === "list") {
    /** @type {{ body: { items: Array<{ client_id: string, name: string, namespaces?: string[] }> } }} */
    const { body } = await api.request("GET", "/api/v1/oauth/clients");
    const format = outputFormat(values.output);
    if (format !== "table") printData(body, format);
    else
      printTable(
        ["client id", "name", "namespaces", "age"],
        body.items.map((item) => [item.client_id, item.name, (item.namespaces ?? []).join(","), age(createdAt(item))]),
      );
    return 0;
  }
  if (action === "delete" && name) {
    await api.request("DELETE", `/api/v1/oauth/clients/${enc(name)}`);
    console.log(`oauth client ${name} deleted`);
    return 0;
  }
  if (action !== "create" || !name) throw new UsageError(usage);
  const { body } = await api.request("POST", "/api/v1/oauth/clients", {
    body: { name, ...(values.namespace ? { namespaces: values.namespace } : {}) },
  });
  const format = values.output ? outputFormat(values.output) : "table";
  if (format !== "table") printData(body, format);
  else
    console.log(
      `OAuth client ${body.name} created; the secret is shown only now:\nclient_id:     ${body.client_id}\nclient_secret: ${body.client_secret}`,
    );
  return 0;
}
