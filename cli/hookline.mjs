#!/usr/bin/env node
// hookline — the command line for the hookline gateway. It talks only to the HTTP API.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { apply } from "./apply.mjs";
import { resolveConfig, writeConfigFile } from "./config.mjs";
import { client, ServerError, UsageError } from "./http.mjs";
import { findKind, KINDS } from "./kinds.mjs";
import { colorStatus, printData, printTable, red } from "./output.mjs";

const GLOBAL_HELP = `hookline — edge gateway for Argo Workflows / Argo CD

Usage: hookline <command> [options]

Commands:
  login                      save the server URL and token to the config file
  apply -f FILE|DIR|-        create or update objects from YAML or JSON (kubectl-style)
  get KIND [NAME]            show objects (${KINDS.map((kind) => kind.names[0]).join(", ")})
  delete KIND NAME           delete an object
  events [get|replay ID]     list events, show one, or replay it
  send NS [DISCRIMINATOR]    post an event (-f payload.json)
  approvals                  list approval gates
  approve ID | reject ID     decide an approval gate (-m message)
  token create NAME          create an API token
  oauth client create NAME   create an OAuth client for approval callbacks
  import argo -f FILE        apply Argo WorkflowEventBindings written in Argo's expression language
  import argocd-notifications -f argocd-notifications-cm.yaml
                             turn an Argo CD notifications ConfigMap into hookline objects

Global options:
  --server URL    the hookline URL (or HOOKLINE_URL, or \`hookline login\`)
  --token TOKEN   an API token or the admin token (or HOOKLINE_TOKEN, or \`hookline login\`)
  -h, --help      help for any command

Exit codes: 0 ok, 1 the server said no (its message is shown), 2 usage error.`;

const HELP = {
  login:
    "Usage: hookline login --server URL --token TOKEN\n\nChecks the token against the server and saves both to the config file.",
  apply:
    'Usage: hookline apply -f FILE|DIR|- [-f …] [-n NAMESPACE] [--dry-run]\n\nApplies WorkflowEventBinding, ApprovalPolicy, Cluster, NotificationService, NotificationTrigger,\nNotificationSubscription and WebhookClient documents (YAML, multi-document, Lists, or JSON).\nPrints created / configured / unchanged per object. --dry-run validates on the server only.\nNamespaced objects go to metadata.namespace, else -n, else "default".',
  get: `Usage: hookline get KIND [NAME] [-n NAMESPACE] [-o table|json|yaml]\n\nKinds: ${KINDS.map((kind) => kind.names[0]).join(", ")}`,
  delete: "Usage: hookline delete KIND NAME [-n NAMESPACE]",
  events:
    "Usage: hookline events [-n NS] [--discriminator D] [--outcome O] [--watch] [-o table|json|yaml]\n       hookline events get ID [-n NS] [-o …]\n       hookline events replay ID [-n NS]",
  send: "Usage: hookline send NAMESPACE [DISCRIMINATOR] -f payload.json|- [-H 'X-Header: value' …]\n\nPosts the payload as an event and prints its id.",
  approvals: "Usage: hookline approvals [-n NS] [--pending] [-o table|json|yaml]",
  approve: "Usage: hookline approve ID [-m MESSAGE] [-n NS]",
  reject: "Usage: hookline reject ID [-m MESSAGE] [-n NS]",
  token:
    "Usage: hookline token create NAME --namespace NS [--namespace …] --scope SCOPE [--scope …] [--template T …] [--expires-at RFC3339] [-o …]",
  oauth: "Usage: hookline oauth client create NAME [--namespace NS …] [-o …]",
  import:
    "Usage: hookline import argo -f FILE|DIR|- [-n NS] [--dry-run]\n       hookline import argocd-notifications -f argocd-notifications-cm.yaml [--templates-dir templates/notifications] [--dry-run]",
};

const common = {
  server: { type: "string" },
  token: { type: "string" },
  help: { type: "boolean", short: "h" },
  output: { type: "string", short: "o" },
  namespace: { type: "string", short: "n", multiple: true },
};

/** @param {string[]} argv @param {Record<string, any>} options */
function parse(argv, options = {}) {
  try {
    return parseArgs({ args: argv, options: { ...common, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** @param {Record<string, any>} values */
const firstNamespace = (values) => (Array.isArray(values.namespace) ? values.namespace.at(-1) : undefined);

/** @param {string | undefined} format */
function outputFormat(format) {
  const value = format ?? "table";
  if (!["table", "json", "yaml"].includes(value))
    throw new UsageError(`-o must be table, json or yaml, not "${value}"`);
  return value;
}

const enc = encodeURIComponent;

async function main(argv) {
  const [command, ...rest] = argv;
  if (!command || command === "-h" || command === "--help" || command === "help") {
    console.log(GLOBAL_HELP);
    return 0;
  }
  if (command === "version" || command === "--version") {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    console.log(pkg.version);
    return 0;
  }
  const help = HELP[/** @type {keyof typeof HELP} */ (command)];
  if (!help) throw new UsageError(`unknown command "${command}"; see hookline --help`);
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(help);
    return 0;
  }
  switch (command) {
    case "login": {
      const { values } = parse(rest);
      if (!values.server || !values.token) throw new UsageError(help);
      const api = client({ server: String(values.server).replace(/\/+$/, ""), token: String(values.token) });
      const me = (await api.request("GET", "/api/v1/whoami")).body;
      const path = writeConfigFile({ server: api.server, token: String(values.token) });
      console.log(`Logged in to ${api.server} as ${me.name} (${me.scopes.join(", ")}); saved to ${path}`);
      return 0;
    }
    case "apply": {
      const { values } = parse(rest, {
        filename: { type: "string", short: "f", multiple: true },
        "dry-run": { type: "boolean" },
      });
      if (!values.filename?.length) throw new UsageError(`-f is required\n\n${help}`);
      return apply(client(resolveConfig(values)), {
        files: values.filename,
        namespace: firstNamespace(values),
        dryRun: Boolean(values["dry-run"]),
      });
    }
    case "get":
    case "delete": {
      const { values, positionals } = parse(rest);
      const [kindName, name] = positionals;
      if (!kindName) throw new UsageError(help);
      const kind = findKind(kindName);
      if (!kind) throw new UsageError(`unknown kind "${kindName}"; kinds: ${KINDS.map((k) => k.names[0]).join(", ")}`);
      const namespace = firstNamespace(values) ?? "default";
      const api = client(resolveConfig(values));
      const collection = kind.collection(namespace);
      if (command === "delete") {
        if (!name) throw new UsageError(help);
        await api.request("DELETE", `${collection}/${enc(name)}`);
        console.log(`${kind.kind.toLowerCase()}/${name} deleted`);
        return 0;
      }
      const format = outputFormat(values.output);
      if (name) {
        const { body } = await api.request("GET", `${collection}/${enc(name)}`);
        if (format === "table") printTable(kind.columns, [kind.row(body)]);
        else printData(body, format);
        return 0;
      }
      const { body } = await api.request("GET", collection);
      if (format === "table") printTable(kind.columns, body.items.map(kind.row));
      else printData(body, format);
      return 0;
    }
    case "events":
      return events(rest, help);
    case "send": {
      const { values, positionals } = parse(rest, {
        filename: { type: "string", short: "f" },
        header: { type: "string", short: "H", multiple: true },
      });
      const [namespace, discriminator = ""] = positionals;
      if (!namespace || !values.filename) throw new UsageError(help);
      const payload = readFileSync(values.filename === "-" ? 0 : values.filename, "utf8");
      const api = client(resolveConfig(values));
      const headers = {};
      for (const header of values.header ?? []) {
        const colon = header.indexOf(":");
        if (colon <= 0) throw new UsageError(`-H "${header}" is not "Name: value"`);
        headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
      }
      const { body } = await requestWithHeaders(
        api,
        `/api/v1/events/${enc(namespace)}/${enc(discriminator)}`,
        payload,
        headers,
      );
      console.log(body.id);
      return 0;
    }
    case "approvals": {
      const { values } = parse(rest, { pending: { type: "boolean" } });
      const namespace = firstNamespace(values) ?? "default";
      const api = client(resolveConfig(values));
      const { body } = await api.request(
        "GET",
        `/api/v1/namespaces/${enc(namespace)}/approvals${values.pending ? "?status=pending" : ""}`,
      );
      const format = outputFormat(values.output);
      if (format !== "table") printData(body, format);
      else
        printTable(
          ["id", "policy", "status", "workflow", "expires"],
          body.items.map((a) => [a.id, a.policy, colorStatus(a.status), a.subject?.workflow ?? "", a.expiresAt]),
        );
      return 0;
    }
    case "approve":
    case "reject": {
      const { values, positionals } = parse(rest, { message: { type: "string", short: "m" } });
      const [id] = positionals;
      if (!id) throw new UsageError(help);
      const namespace = firstNamespace(values) ?? "default";
      const api = client(resolveConfig(values));
      const { body } = await api.request("POST", `/api/v1/namespaces/${enc(namespace)}/approvals/${enc(id)}/decision`, {
        body: { approve: command === "approve", message: values.message ?? "" },
      });
      console.log(`approval ${id} ${colorStatus(body.status)}`);
      return 0;
    }
    case "token": {
      const { values, positionals } = parse(rest, {
        scope: { type: "string", multiple: true },
        template: { type: "string", multiple: true },
        "expires-at": { type: "string" },
      });
      const [action, name] = positionals;
      if (action !== "create" || !name || !values.namespace?.length || !values.scope?.length)
        throw new UsageError(help);
      const api = client(resolveConfig(values));
      const { body } = await api.request("POST", "/api/v1/tokens", {
        body: {
          name,
          namespaces: values.namespace,
          scopes: values.scope,
          ...(values.template ? { templates: values.template } : {}),
          ...(values["expires-at"] ? { expiresAt: values["expires-at"] } : {}),
        },
      });
      const format = values.output ? outputFormat(values.output) : "table";
      if (format !== "table") printData(body, format);
      else console.log(`token ${body.name} created; it is shown only now:\n${body.token}`);
      return 0;
    }
    case "oauth": {
      const { values, positionals } = parse(rest);
      const [noun, action, name] = positionals;
      if (noun !== "client" || action !== "create" || !name) throw new UsageError(help);
      const api = client(resolveConfig(values));
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
    case "import": {
      const { values, positionals } = parse(rest, {
        filename: { type: "string", short: "f", multiple: true },
        "dry-run": { type: "boolean" },
        "templates-dir": { type: "string" },
      });
      const [source] = positionals;
      if (!values.filename?.length || (source !== "argo" && source !== "argocd-notifications"))
        throw new UsageError(help);
      const api = client(resolveConfig(values));
      if (source === "argo") {
        return apply(api, {
          files: values.filename,
          namespace: firstNamespace(values),
          dryRun: Boolean(values["dry-run"]),
          importArgo: true,
        });
      }
      const { importArgoCdNotifications } = await import("./import-argocd.mjs");
      return importArgoCdNotifications(api, {
        files: values.filename,
        templatesDir: values["templates-dir"] ?? "templates/notifications",
        dryRun: Boolean(values["dry-run"]),
      });
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** POST a raw event body with extra headers. */
function requestWithHeaders(api, path, payload, headers) {
  return api.request("POST", path, { raw: payload, contentType: "application/json", headers });
}

async function events(argv, help) {
  const { values, positionals } = parse(argv, {
    discriminator: { type: "string" },
    outcome: { type: "string" },
    watch: { type: "boolean", short: "w" },
  });
  const namespace = firstNamespace(values) ?? "default";
  const api = client(resolveConfig(values));
  const base = `/api/v1/namespaces/${enc(namespace)}/events`;
  const [action, id] = positionals;
  if (action === "get" || action === "replay") {
    if (!id) throw new UsageError(help);
    if (action === "replay") {
      const { body } = await api.request("POST", `${base}/${enc(id)}/replay`);
      console.log(body.id);
      return 0;
    }
    const { body } = await api.request("GET", `${base}/${enc(id)}`);
    const format = outputFormat(values.output);
    if (format !== "table") printData(body, format);
    else {
      printTable(
        ["id", "received", "discriminator", "outcome"],
        [[body.id, body.receivedAt, body.discriminator, colorStatus(body.outcome)]],
      );
      if (body.results.length > 0) {
        console.log("");
        printTable(
          ["binding", "matched", "status", "workflow", "reason / error"],
          body.results.map((r) => [
            r.binding,
            r.matched ? "yes" : "no",
            colorStatus(r.status),
            r.workflow ?? "",
            r.error ?? r.reason ?? "",
          ]),
        );
      }
    }
    return 0;
  }
  if (action) throw new UsageError(help);
  const query = new URLSearchParams();
  if (values.discriminator) query.set("discriminator", values.discriminator);
  if (values.outcome) query.set("outcome", values.outcome);
  const format = outputFormat(values.output);
  const row = (e) => [
    e.id,
    e.receivedAt,
    e.discriminator,
    colorStatus(e.outcome),
    e.results
      .filter((r) => r.workflow)
      .map((r) => r.workflow)
      .join(","),
  ];
  const { body } = await api.request("GET", `${base}?${query}`);
  if (format !== "table") printData(body, format);
  else printTable(["id", "received", "discriminator", "outcome", "workflows"], body.items.map(row));
  if (!values.watch) return 0;
  const seen = new Map(body.items.map((e) => [e.id, e.outcome]));
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const { body: page } = await api.request("GET", `${base}?${query}`);
    for (const event of [...page.items].reverse()) {
      if (seen.get(event.id) === event.outcome) continue;
      seen.set(event.id, event.outcome);
      if (format === "table") console.log(row(event).join("   "));
      else console.log(format === "json" ? JSON.stringify(event) : `---\n${stringify(event).trimEnd()}`);
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    if (error instanceof UsageError) {
      console.error(red(`error: ${error.message}`));
      process.exitCode = 2;
    } else if (error instanceof ServerError) {
      console.error(red(`error: ${error.message}${error.status ? ` (${error.status} ${error.code})` : ""}`));
      process.exitCode = 1;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  },
);
