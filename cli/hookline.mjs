#!/usr/bin/env node
// hookline — the command line for the hookline gateway. It talks only to the HTTP API.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { apply, readSources } from "./apply.mjs";
import { readConfigFile, resolveConfig as resolveFromConfig, saveContext, writeConfigFile } from "./config.mjs";
import { client, ServerError, UsageError } from "./http.mjs";
import { createdAt, findKind, KINDS, toDocument } from "./kinds.mjs";
import { bold, colorStatus, green, printData, printTable, red } from "./output.mjs";

const common = {
  server: { type: "string" },
  context: { type: "string" },
  token: { type: "string" },
  help: { type: "boolean", short: "h" },
  output: { type: "string", short: "o" },
  namespace: { type: "string", short: "n", multiple: true },
};

/** @param {string[]} argv @param {Record<string, any>} options @param {string[]} [args] argv without --dry-run's value */
function parse(argv, options = {}, args = argv) {
  try {
    return parseArgs({ args, options: { ...common, ...options }, allowPositionals: true, strict: true });
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

/** `get`'s formats: kubectl's table, wide, name, json, yaml and jsonpath=TEMPLATE. @param {string | undefined} format */
function getFormat(format) {
  const value = format ?? "table";
  if (["table", "wide", "name", "json", "yaml"].includes(value) || value.startsWith("jsonpath=")) return value;
  throw new UsageError(`-o must be table, wide, name, json, yaml or jsonpath=TEMPLATE, not "${value}"`);
}

/** How long ago, kubectl style: 45s, 12m, 5h, 3d. @param {number | null} time */
function age(time) {
  if (time === null) return "";
  const seconds = Math.max(0, Math.round((Date.now() - time) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/**
 * kubectl's jsonpath, the part people use: `{.items[*].name}`, `{.spec.url}`, `{.items[0].name}`
 * and text between expressions. Several values print separated by spaces.
 * @param {string} template @param {unknown} data
 */
export function jsonpath(template, data) {
  return template.replace(/\{([^}]*)\}/g, (_all, path) => {
    let values = [data];
    for (const [, field, index] of String(path).matchAll(/\.([^.[\]]+)|\[(\*|\d+)\]/g)) {
      values = values.flatMap((value) => {
        if (value === null || typeof value !== "object") return [];
        if (field !== undefined) return field in value ? [/** @type {any} */ (value)[field]] : [];
        if (!Array.isArray(value)) return [];
        return index === "*" ? value : value[Number(index)] === undefined ? [] : [value[Number(index)]];
      });
    }
    return values.map((value) => (typeof value === "object" ? JSON.stringify(value) : String(value))).join(" ");
  });
}

const enc = encodeURIComponent;

/** Server and token for a command (flags, environment, then the context); a missing context is a usage error. @param {Record<string, any>} values */
function resolveConfig(values) {
  try {
    return resolveFromConfig(values);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** `--dry-run`, `--dry-run=server` or `--dry-run=client` (kubectl's forms): which, or null. @param {string[]} argv */
function dryRunMode(argv) {
  const given = argv.filter((arg) => arg === "--dry-run" || arg.startsWith("--dry-run="));
  if (given.length === 0) return null;
  const mode = (given.at(-1) ?? "").split("=")[1] ?? "server";
  if (mode !== "server" && mode !== "client") throw new UsageError(`--dry-run must be server or client, not "${mode}"`);
  return mode;
}

/** argv without the --dry-run flags (they are read by dryRunMode). @param {string[]} argv */
const dryRunArgs = (argv) => argv.filter((arg) => arg !== "--dry-run" && !arg.startsWith("--dry-run="));

/**
 * @typedef {object} Command
 * @property {string} name
 * @property {string} synopsis   the line in `hookline --help`
 * @property {string} summary
 * @property {string} usage      `hookline <command> --help`
 * @property {(argv: string[], usage: string) => Promise<number>} run
 */

/** Every command: its help and its handler, in one place. @type {Command[]} */
const COMMANDS = [
  {
    name: "login",
    synopsis: "login",
    summary: "check a token against the server and save both to the config file",
    usage:
      'Usage: hookline login --server URL [--token-stdin | --token TOKEN] [--context NAME]\n\nReads the token from standard input with --token-stdin (or asks for it when standard input is a\nterminal), so it stays out of your shell history. Checks it, then saves server and token to the\nconfig file as a context (NAME, default "default") and makes it the current one.',
    run: login,
  },
  {
    name: "apply",
    synopsis: "apply -f FILE|DIR|-",
    summary: "create or update objects from YAML or JSON (kubectl-style)",
    usage:
      'Usage: hookline apply -f FILE|DIR|- [-f …] [-n NAMESPACE] [--dry-run[=server|client]]\n\nApplies WorkflowEventBinding, ApprovalPolicy, Cluster, NotificationService, NotificationTemplate,\nNotificationTrigger, NotificationSubscription and WebhookClient documents (YAML, multi-document,\nLists, or JSON). Prints created / configured / unchanged per object. --dry-run (=server) validates\non the server and writes nothing; --dry-run=client only reads the files.\nNamespaced objects go to metadata.namespace, else -n, else "default".',
    run: async (argv, usage) => {
      const { values } = parse(argv, { filename: { type: "string", short: "f", multiple: true } }, dryRunArgs(argv));
      if (!values.filename?.length) throw new UsageError(`-f is required\n\n${usage}`);
      const dryRun = dryRunMode(argv);
      return apply(client(resolveConfig(values)), {
        files: values.filename,
        namespace: firstNamespace(values),
        dryRun: dryRun === "server",
        clientOnly: dryRun === "client",
      });
    },
  },
  {
    name: "get",
    synopsis: "get KIND [NAME]",
    summary: "show objects (kinds: hookline get --help)",
    usage: `Usage: hookline get KIND [NAME] [-n NAMESPACE | -A] [-o table|wide|name|json|yaml|jsonpath=TEMPLATE] [--no-headers]\n\n-o yaml prints documents that apply -f takes back (get … -o yaml | hookline apply -f -).\nKinds: ${KINDS.map((kind) => kind.names[0]).join(", ")}`,
    run: (argv, usage) => getOrDelete("get", argv, usage),
  },
  {
    name: "diff",
    synopsis: "diff -f FILE|DIR|-",
    summary: "show what apply would change, object by object",
    usage:
      "Usage: hookline diff -f FILE|DIR|- [-n NAMESPACE]\n\nCompares each document with what the server holds (as get -o yaml prints it) and prints the\ndifferences as a unified diff. Exit code 0: no differences; 1: differences (or an error), as kubectl.",
    run: diff,
  },
  {
    name: "delete",
    synopsis: "delete KIND NAME",
    summary: "delete an object",
    usage:
      "Usage: hookline delete KIND NAME [-n NAMESPACE]\n       hookline delete -f FILE|DIR|-   the objects the files describe",
    run: (argv, usage) => getOrDelete("delete", argv, usage),
  },
  {
    name: "events",
    synopsis: "events [get|replay ID|dead]",
    summary: "list events, show one, replay it, or list dead letters",
    usage:
      "Usage: hookline events [-n NS] [--discriminator D] [--outcome O] [--limit N | --all] [--watch] [-o table|json|yaml]\n       hookline events get ID [-n NS] [-o …]\n       hookline events replay ID [-n NS]\n       hookline events dead [-n NS | -A] [-o …]   messages kept in the graveyard",
    run: events,
  },
  {
    name: "send",
    synopsis: "send NS [DISCRIMINATOR]",
    summary: "post an event (-f payload.json)",
    usage:
      "Usage: hookline send NAMESPACE [DISCRIMINATOR] -f payload.json|- [-H 'X-Header: value' …] [--wait 10s] [-o …]\n\nPosts the payload as an event and prints its id. --wait waits (up to 25 s) for its receipt:\nthe outcome and, per binding, the workflow it started.",
    run: send,
  },
  {
    name: "approvals",
    synopsis: "approvals",
    summary: "list approval gates",
    usage: "Usage: hookline approvals [-n NS] [--pending] [-o table|json|yaml]",
    run: approvals,
  },
  {
    name: "approve",
    synopsis: "approve ID | reject ID",
    summary: "decide an approval gate (-m message)",
    usage: "Usage: hookline approve ID [-m MESSAGE] [-n NS]",
    run: (argv, usage) => decide(true, argv, usage),
  },
  {
    name: "reject",
    synopsis: "",
    summary: "",
    usage: "Usage: hookline reject ID [-m MESSAGE] [-n NS]",
    run: (argv, usage) => decide(false, argv, usage),
  },
  {
    name: "token",
    synopsis: "token create NAME",
    summary: "create an API token",
    usage:
      "Usage: hookline token create NAME --namespace NS [--namespace …] --scope SCOPE [--scope …] [--template T …]\n                              [--expires-at RFC3339] [--rate-limit N/10s|N/1m] [-o …]",
    run: token,
  },
  {
    name: "oauth",
    synopsis: "oauth client create NAME",
    summary: "create an OAuth client for approval callbacks",
    usage:
      "Usage: hookline oauth client create NAME [--namespace NS …] [-o …]\n       hookline oauth client list [-o …]\n       hookline oauth client delete CLIENT_ID",
    run: oauthClient,
  },
  {
    name: "admin",
    synopsis: "admin reseal",
    summary: "re-encrypt every sealed secret under the current key (after a key rotation)",
    usage:
      "Usage: hookline admin reseal [-o table|json|yaml]\n\nWith HOOKLINE_SECRET_KEY set to the new key and HOOKLINE_SECRET_KEY_PREVIOUS to the old one,\nre-encrypts every sealed value under the new key and prints how many of each kind moved.",
    run: admin,
  },
  {
    name: "deliveries",
    synopsis: "deliveries [retry ID]",
    summary: "list notification deliveries, or send a failed one again",
    usage:
      "Usage: hookline deliveries [--status pending|sending|delivered|failed] [--limit N | --all] [-o table|json|yaml]\n       hookline deliveries retry ID",
    run: deliveries,
  },
  {
    name: "binding",
    synopsis: "binding test NAME -f EVENT",
    summary: "dry-run a binding on a sample event (match, parameters, workflow name)",
    usage:
      "Usage: hookline binding test NAME -n NS -f event.json|- [-o table|json|yaml]\n\nThe file holds {payload, metadata?, discriminator?}, or just the payload.",
    run: bindingTest,
  },
  {
    name: "describe",
    synopsis: "describe KIND NAME",
    summary: "an object with what happened to it (a binding's events, a gate's timeline, a cluster's breaker)",
    usage: "Usage: hookline describe binding|approval|cluster NAME [-n NS]",
    run: describe,
  },
  {
    name: "config",
    synopsis: "config get-contexts|use-context",
    summary: "contexts, like kubeconfig: named server + token pairs",
    usage:
      "Usage: hookline config get-contexts [-o table|json|yaml]\n       hookline config current-context\n       hookline config use-context NAME\n       hookline config set-context NAME --server URL [--token TOKEN | --token-stdin]\n       hookline config delete-context NAME\n\n--context NAME on any command uses that context for the one command.",
    run: configCommand,
  },
  {
    name: "completion",
    synopsis: "completion bash|zsh|fish",
    summary: "print a shell completion script",
    usage: "Usage: hookline completion bash|zsh|fish\n\n  source <(hookline completion bash)",
    run: (argv, usage) => completion(argv, usage),
  },
  {
    name: "import",
    synopsis: "import argo -f FILE",
    summary: "apply Argo WorkflowEventBindings written in Argo's expression language",
    usage:
      "Usage: hookline import argo -f FILE|DIR|- [-n NS] [--dry-run]\n       hookline import argo-events -f sensor.yaml [-n NS] [--dry-run]\n       hookline import argocd-notifications -f argocd-notifications-cm.yaml [-f argocd-notifications-secret.yaml] [--dry-run]",
    run: importCommand,
  },
];

const GLOBAL_HELP = `hookline — edge gateway for Argo Workflows / Argo CD

Usage: hookline <command> [options]

Commands:
${COMMANDS.filter((command) => command.synopsis)
  .map((command) => `  ${command.synopsis.padEnd(26)} ${command.summary}`)
  .join("\n")}
  import argo-events -f sensor.yaml
                             turn Argo Events Sensors (webhook dependencies, Argo Workflow triggers) into bindings
  import argocd-notifications -f argocd-notifications-cm.yaml
                             turn an Argo CD notifications ConfigMap into hookline objects

Global options:
  --server URL    the hookline URL (or HOOKLINE_URL, or \`hookline login\`)
  --token TOKEN   an API token or the admin token (or HOOKLINE_TOKEN, or \`hookline login\`)
  -h, --help      help for any command

Exit codes: 0 ok, 1 the server said no (its message is shown), 2 usage error.`;

async function main(argv) {
  const [name, ...rest] = argv;
  if (!name || name === "-h" || name === "--help" || name === "help") {
    console.log(GLOBAL_HELP);
    return 0;
  }
  if (name === "version" || name === "--version") {
    const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
    console.log(pkg.version);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"; see hookline --help`);
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.usage);
    return 0;
  }
  return command.run(rest, command.usage);
}

/** @param {string[]} argv @param {string} usage */
async function login(argv, usage) {
  const { values } = parse(argv, { "token-stdin": { type: "boolean" } });
  if (!values.server) throw new UsageError(usage);
  let token = values.token;
  if (values["token-stdin"]) token = readFileSync(0, "utf8").trim();
  else if (!token && process.stdin.isTTY) token = await promptHidden("Token: ");
  if (!token) throw new UsageError(usage);
  const api = client({ server: String(values.server).replace(/\/+$/, ""), token: String(token) });
  const me = (await api.request("GET", "/api/v1/whoami")).body;
  const path = saveContext({ name: values.context ?? "default", server: api.server, token: String(token) }, true);
  console.log(`Logged in to ${api.server} as ${me.name} (${me.scopes.join(", ")}); saved to ${path}`);
  return 0;
}

/** Asks on the terminal without echoing what is typed. @param {string} question */
function promptHidden(question) {
  return new Promise((resolve) => {
    process.stderr.write(question);
    const input = process.stdin;
    input.setRawMode?.(true);
    input.resume();
    input.setEncoding("utf8");
    let typed = "";
    const onData = (/** @type {string} */ chunk) => {
      for (const char of chunk) {
        if (char === "\n" || char === "\r" || char === "\u0004") {
          input.setRawMode?.(false);
          input.pause();
          input.off("data", onData);
          process.stderr.write("\n");
          resolve(typed);
          return;
        }
        if (char === "\u0003") process.exit(130);
        typed = char === "\u007f" ? typed.slice(0, -1) : typed + char;
      }
    };
    input.on("data", onData);
  });
}

/** @param {"get" | "delete"} action @param {string[]} argv @param {string} usage */
async function getOrDelete(action, argv, usage) {
  const { values, positionals } = parse(argv, {
    "no-headers": { type: "boolean" },
    "all-namespaces": { type: "boolean", short: "A" },
    filename: { type: "string", short: "f", multiple: true },
  });
  if (action === "delete" && values.filename?.length) return deleteFiles(values, values.filename);
  const [kindName, name] = positionals;
  if (!kindName) throw new UsageError(usage);
  const kind = findKind(kindName);
  if (!kind) throw new UsageError(`unknown kind "${kindName}"; kinds: ${KINDS.map((k) => k.names[0]).join(", ")}`);
  const namespace = firstNamespace(values) ?? "default";
  const api = client(resolveConfig(values));
  const collection = kind.collection(namespace);
  if (action === "delete") {
    if (!name) throw new UsageError(usage);
    await api.request("DELETE", `${collection}/${enc(name)}`);
    console.log(`${kind.kind.toLowerCase()}/${name} deleted`);
    return 0;
  }
  const format = getFormat(values.output);
  const everywhere = Boolean(values["all-namespaces"]) && kind.namespaced && !name;
  let body;
  if (everywhere) {
    // -A: every namespace the token may see, each item marked with its namespace.
    const { body: namespaces } = await api.request("GET", "/api/v1/namespaces");
    /** @type {any[]} */
    const all = [];
    for (const { name: ns } of namespaces.items) {
      const { body: page } = await api.request("GET", kind.collection(ns));
      for (const item of page.items) all.push(kind.wholeObject ? item : { namespace: ns, ...item });
    }
    body = { items: all };
  } else body = (await api.request("GET", name ? `${collection}/${enc(name)}` : collection)).body;
  /** @type {any[]} */
  const items = name ? [body] : body.items;
  if (format === "json") printData(body, "json");
  else if (format === "yaml") {
    const documents = items.map((item) => toDocument(kind, item, namespace));
    printData(name ? documents[0] : { apiVersion: "v1", kind: "List", items: documents }, "yaml");
  } else if (format === "name")
    for (const item of items) console.log(`${kind.kind.toLowerCase()}/${kind.nameOf(item)}`);
  else if (format.startsWith("jsonpath=")) console.log(jsonpath(format.slice("jsonpath=".length), body));
  else {
    const wide = format === "wide";
    const namespaceOf = (/** @type {any} */ item) => item.namespace ?? item.metadata?.namespace ?? namespace;
    const headers = [
      ...(everywhere ? ["namespace"] : []),
      ...kind.columns,
      ...(wide ? ["namespace", "updated"] : []),
      "age",
    ];
    const rows = items.map((item) => [
      ...(everywhere ? [namespaceOf(item)] : []),
      ...kind.row(item),
      ...(wide
        ? [item.namespace ?? item.metadata?.namespace ?? (kind.namespaced ? namespace : ""), item.updatedAt ?? ""]
        : []),
      age(createdAt(item)),
    ]);
    printTable(headers, rows, { headers: !values["no-headers"] });
  }
  return 0;
}

/** Line diff of two texts (longest common subsequence), as unified-diff lines. @param {string} before @param {string} after */
export function diffLines(before, after) {
  const a = before.split("\n");
  const b = after.split("\n");
  /** @type {number[][]} */
  const lcs = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  /** @type {string[]} */
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(` ${a[i]}`);
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i][j + 1] >= lcs[i + 1][j])) out.push(green(`+${b[j++]}`));
    else out.push(red(`-${a[i++]}`));
  }
  return out;
}

/** `diff -f`: what apply would change, as `get -o yaml` shows the server's side. @param {string[]} argv @param {string} usage */
async function diff(argv, usage) {
  const { values } = parse(argv, { filename: { type: "string", short: "f", multiple: true } });
  if (!values.filename?.length) throw new UsageError(usage);
  const { documents, errors } = readSources(values.filename);
  for (const error of errors) console.error(red(`error: ${error}`));
  const api = client(resolveConfig(values));
  let different = errors.length > 0;
  for (const { value } of documents) {
    const kind = typeof value?.kind === "string" ? findKind(value.kind) : undefined;
    const name = value?.metadata?.name;
    if (!kind?.appliable || typeof name !== "string") {
      console.error(red(`error: a document without an appliable kind and metadata.name (${value?.kind ?? "no kind"})`));
      different = true;
      continue;
    }
    const namespace = value.metadata.namespace ?? firstNamespace(values) ?? "default";
    let current = null;
    try {
      current = (await api.request("GET", `${kind.collection(namespace)}/${enc(name)}`)).body;
    } catch (error) {
      if (!(error instanceof ServerError) || error.status !== 404) throw error;
    }
    // What apply would store, as the server answers a dry run (defaults filled in, secrets sealed).
    const { apiVersion: _v, kind: _k, metadata: _m, ...rest } = value;
    const body = kind.wholeObject
      ? { ...value, metadata: { ...value.metadata, ...(kind.namespaced ? { namespace } : {}) } }
      : (value.spec ?? rest);
    let planned;
    try {
      planned = await api.request("PUT", `${kind.collection(namespace)}/${enc(name)}?dryRun=All`, { body });
    } catch (error) {
      if (!(error instanceof ServerError)) throw error;
      console.error(red(`error: ${kind.kind}/${name}: ${error.message}`));
      different = true;
      continue;
    }
    if (planned.headers.get("x-hookline-action") === "unchanged") continue;
    different = true;
    const theirs = current === null ? "" : stringify(comparable(kind, toDocument(kind, current, namespace))).trimEnd();
    const mine = stringify(comparable(kind, toDocument(kind, planned.body, namespace))).trimEnd();
    console.log(bold(`--- ${kind.kind}/${name} (server)${current === null ? ": does not exist yet" : ""}`));
    console.log(bold(`+++ ${kind.kind}/${name} (after apply)`));
    if (theirs === mine) console.log("  (a secret value changes; secrets are never shown)");
    else for (const line of diffLines(theirs, mine)) console.log(line);
  }
  return different ? 1 : 0;
}

/** The parts of a document both sides have: what the user writes (spec and name), keys sorted. @param {any} kind @param {any} document */
function comparable(kind, document) {
  const sort = (/** @type {any} */ value) =>
    Array.isArray(value)
      ? value.map(sort)
      : value !== null && typeof value === "object"
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((key) => [key, sort(value[key])]),
          )
        : value;
  if (kind.wholeObject) return sort({ metadata: { name: document.metadata?.name }, spec: document.spec });
  return sort({ kind: kind.kind, metadata: { name: document.metadata?.name }, spec: document.spec ?? {} });
}

/** `delete -f`: deletes the objects the files describe (kind and metadata.name, as apply reads them). */
async function deleteFiles(/** @type {Record<string, any>} */ values, /** @type {string[]} */ files) {
  const { documents, errors } = readSources(files);
  for (const error of errors) console.error(red(`error: ${error}`));
  const api = client(resolveConfig(values));
  let failed = errors.length;
  for (const { value } of documents) {
    const kind = typeof value?.kind === "string" ? findKind(value.kind) : undefined;
    const name = value?.metadata?.name;
    if (!kind || typeof name !== "string") {
      console.error(red(`error: a document without a known kind and metadata.name (${value?.kind ?? "no kind"})`));
      failed++;
      continue;
    }
    const namespace = value.metadata.namespace ?? firstNamespace(values) ?? "default";
    try {
      await api.request("DELETE", `${kind.collection(namespace)}/${enc(name)}`);
      console.log(`${kind.kind.toLowerCase()}/${name} deleted`);
    } catch (error) {
      if (!(error instanceof ServerError)) throw error;
      console.error(red(`error: ${kind.kind}/${name}: ${error.message}`));
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}

/** @param {string[]} argv @param {string} usage */
async function send(argv, usage) {
  const { values, positionals } = parse(argv, {
    filename: { type: "string", short: "f" },
    header: { type: "string", short: "H", multiple: true },
    wait: { type: "string" },
  });
  const [namespace, discriminator = ""] = positionals;
  if (!namespace || !values.filename) throw new UsageError(usage);
  const payload = readFileSync(values.filename === "-" ? 0 : values.filename, "utf8");
  const api = client(resolveConfig(values));
  const headers = {};
  for (const header of values.header ?? []) {
    const colon = header.indexOf(":");
    if (colon <= 0) throw new UsageError(`-H "${header}" is not "Name: value"`);
    headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  const wait = values.wait ? `?wait=${enc(values.wait)}` : "";
  const { body } = await api.request("POST", `/api/v1/events/${enc(namespace)}/${enc(discriminator)}${wait}`, {
    raw: payload,
    contentType: "application/json",
    headers,
  });
  if (!values.wait) {
    console.log(body.id);
    return 0;
  }
  const format = outputFormat(values.output);
  if (format !== "table") printData(body, format);
  else {
    console.log(`${body.id} ${colorStatus(body.outcome)}`);
    if (body.results?.length > 0)
      printTable(
        ["binding", "matched", "status", "workflow", "cluster"],
        body.results.map((r) => [
          r.binding,
          r.matched ? "yes" : "no",
          colorStatus(r.status),
          r.workflow ?? "",
          r.cluster ?? "",
        ]),
      );
  }
  return 0;
}

/** @param {string[]} argv */
async function approvals(argv) {
  const { values } = parse(argv, { pending: { type: "boolean" } });
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

/** @param {boolean} approve @param {string[]} argv @param {string} usage */
async function decide(approve, argv, usage) {
  const { values, positionals } = parse(argv, { message: { type: "string", short: "m" } });
  const [id] = positionals;
  if (!id) throw new UsageError(usage);
  const namespace = firstNamespace(values) ?? "default";
  const api = client(resolveConfig(values));
  const { body } = await api.request("POST", `/api/v1/namespaces/${enc(namespace)}/approvals/${enc(id)}/decision`, {
    body: { approve, message: values.message ?? "" },
  });
  console.log(`approval ${id} ${colorStatus(body.status)}`);
  return 0;
}

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

/** @param {string[]} argv @param {string} usage */
async function oauthClient(argv, usage) {
  const { values, positionals } = parse(argv);
  const [noun, action, name] = positionals;
  if (noun !== "client") throw new UsageError(usage);
  const api = client(resolveConfig(values));
  if (action === "list") {
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

/** @param {string[]} argv @param {string} usage */
async function admin(argv, usage) {
  const { values, positionals } = parse(argv);
  if (positionals[0] !== "reseal" || positionals.length !== 1) throw new UsageError(usage);
  const { body } = await client(resolveConfig(values)).request("POST", "/api/v1/admin/reseal");
  const format = outputFormat(values.output);
  if (format !== "table") printData(body, format);
  else printTable(["kind", "resealed"], Object.entries(body.resealed));
  return 0;
}

/** @param {string[]} argv @param {string} usage */
async function importCommand(argv, usage) {
  const { values, positionals } = parse(
    argv,
    { filename: { type: "string", short: "f", multiple: true } },
    dryRunArgs(argv),
  );
  const dryRun = dryRunMode(argv);
  if (dryRun === "client") throw new UsageError("import takes --dry-run=server (the server translates and validates)");
  const [source] = positionals;
  if (!values.filename?.length || !["argo", "argo-events", "argocd-notifications"].includes(source ?? ""))
    throw new UsageError(usage);
  const api = client(resolveConfig(values));
  if (source === "argo") {
    return apply(api, {
      files: values.filename,
      namespace: firstNamespace(values),
      dryRun: dryRun === "server",
      importArgo: true,
    });
  }
  if (source === "argo-events") {
    const { importArgoEvents } = await import("./import-argo-events.mjs");
    return importArgoEvents(api, {
      files: values.filename,
      namespace: firstNamespace(values),
      dryRun: dryRun === "server",
    });
  }
  const { importArgoCdNotifications } = await import("./import-argocd.mjs");
  return importArgoCdNotifications(api, {
    files: values.filename,
    dryRun: dryRun === "server",
  });
}

/** Every page of a list, or the first `limit` items (`--all` follows nextCursor). @param {any} api @param {string} path @param {{ all?: boolean, limit?: string }} values */
async function listPages(api, path, values) {
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new UsageError("--limit must be a positive number");
  /** @type {any[]} */
  const items = [];
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

/** @param {string[]} argv @param {string} usage */
async function deliveries(argv, usage) {
  const { values, positionals } = parse(argv, {
    status: { type: "string" },
    limit: { type: "string" },
    all: { type: "boolean" },
  });
  const api = client(resolveConfig(values));
  const [action, id] = positionals;
  if (action === "retry") {
    if (!id) throw new UsageError(usage);
    await api.request("POST", `/api/v1/notifications/deliveries/${enc(id)}/retry`);
    console.log(`delivery ${id} pending`);
    return 0;
  }
  if (action) throw new UsageError(usage);
  const body = await listPages(
    api,
    `/api/v1/notifications/deliveries${values.status ? `?status=${enc(values.status)}` : ""}`,
    values,
  );
  const format = outputFormat(values.output);
  if (format !== "table") printData(body, format);
  else
    printTable(
      ["id", "service", "trigger", "status", "attempts", "last error", "age"],
      body.items.map((item) => [
        item.id,
        item.service,
        item.trigger,
        colorStatus(item.status),
        item.attempts,
        item.lastError ?? "",
        age(createdAt(item)),
      ]),
    );
  return 0;
}

/** @param {string[]} argv @param {string} usage */
async function bindingTest(argv, usage) {
  const { values, positionals } = parse(argv, { filename: { type: "string", short: "f" } });
  const [action, name] = positionals;
  if (action !== "test" || !name || !values.filename) throw new UsageError(usage);
  let sample;
  try {
    sample = JSON.parse(readFileSync(values.filename === "-" ? 0 : values.filename, "utf8"));
  } catch (error) {
    throw new UsageError(`${values.filename}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const body = sample !== null && typeof sample === "object" && "payload" in sample ? sample : { payload: sample };
  const namespace = firstNamespace(values) ?? "default";
  const api = client(resolveConfig(values));
  const { body: result } = await api.request(
    "POST",
    `/api/v1/namespaces/${enc(namespace)}/workfloweventbindings/${enc(name)}/test`,
    { body },
  );
  const format = outputFormat(values.output);
  if (format !== "table") printData(result, format);
  else {
    console.log(`matched:   ${result.matched ? "yes" : "no"}`);
    console.log(
      `workflow:  ${result.workflow?.name ?? "-"} (${result.workflow?.template.name ?? "-"} on ${result.workflow?.cluster ?? "-"})`,
    );
    for (const [parameter, value] of Object.entries(result.parameters ?? {}))
      console.log(`parameter: ${parameter}=${value}`);
    for (const error of result.errors ?? []) console.log(red(`error:     ${error.field}: ${error.message}`));
  }
  return 0;
}

/** @param {string[]} argv @param {string} usage */
async function describe(argv, usage) {
  const { values, positionals } = parse(argv);
  const [kindName, name] = positionals;
  if (!kindName || !name) throw new UsageError(usage);
  const namespace = firstNamespace(values) ?? "default";
  const api = client(resolveConfig(values));
  const kind = findKind(kindName);
  const section = (/** @type {string} */ title, /** @type {unknown} */ value) =>
    console.log(`${bold(title)}:\n${stringify(value).trimEnd().replace(/^/gm, "  ")}`);
  if (kind?.kind === "WorkflowEventBinding") {
    const { body } = await api.request("GET", `${kind.collection(namespace)}/${enc(name)}`);
    section("Binding", { name: body.metadata.name, namespace, generation: body.metadata.generation });
    section("Spec", body.spec);
    if (body.status) section("Status", body.status);
    const events = await listPages(api, `/api/v1/namespaces/${enc(namespace)}/events`, { limit: "100" });
    const recent = events.items
      .flatMap((event) =>
        event.results
          .filter((result) => result.binding === name)
          .map((result) => ({
            event: event.id,
            received: event.receivedAt,
            status: result.status,
            workflow: result.workflow ?? "",
            reason: result.error ?? result.reason ?? "",
          })),
      )
      .slice(0, 10);
    console.log(bold("Recent events:"));
    if (recent.length === 0) console.log("  (none of the last 100 events reached this binding)");
    else
      printTable(
        ["event", "received", "status", "workflow", "reason"],
        recent.map((row) => Object.values(row)),
      );
    return 0;
  }
  if (kindName === "approval" || kindName === "approvals" || kindName === "gate") {
    const { body } = await api.request("GET", `/api/v1/namespaces/${enc(namespace)}/approvals/${enc(name)}`);
    const { timeline, ...gate } = body;
    section("Approval", gate);
    if (timeline) section("Timeline", timeline);
    return 0;
  }
  if (kind?.kind === "Cluster") {
    const { body } = await api.request("GET", `${kind.collection(namespace)}/${enc(name)}`);
    const { status, ...cluster } = body;
    section("Cluster", cluster);
    const listed = (await api.request("GET", kind.collection(namespace))).body.items.find((item) => item.name === name);
    section("Circuit breaker", status ?? listed?.status ?? "unknown");
    return 0;
  }
  throw new UsageError(usage);
}

/** `hookline config …`: the contexts in the config file. @param {string[]} argv @param {string} usage */
async function configCommand(argv, usage) {
  const { values, positionals } = parse(argv, { "token-stdin": { type: "boolean" } });
  const [action, name] = positionals;
  const config = readConfigFile();
  switch (action) {
    case "get-contexts": {
      const format = outputFormat(values.output);
      const shown = config.contexts.map((context) => ({
        current: context.name === config.currentContext,
        name: context.name,
        server: context.server,
        token: context.token ? "(set)" : "",
      }));
      if (format !== "table") printData({ currentContext: config.currentContext, contexts: shown }, format);
      else
        printTable(
          ["current", "name", "server"],
          shown.map((row) => [row.current ? "*" : "", row.name, row.server]),
        );
      return 0;
    }
    case "current-context":
      if (!config.currentContext)
        throw new UsageError("no current context (hookline login, or hookline config use-context NAME)");
      console.log(config.currentContext);
      return 0;
    case "use-context":
      if (!name) throw new UsageError(usage);
      if (!config.contexts.some((context) => context.name === name))
        throw new UsageError(`no context named "${name}" (hookline config get-contexts)`);
      writeConfigFile({ ...config, currentContext: name });
      console.log(`Switched to context "${name}".`);
      return 0;
    case "set-context": {
      if (!name || !values.server) throw new UsageError(usage);
      const previous = config.contexts.find((context) => context.name === name);
      const token = values["token-stdin"] ? readFileSync(0, "utf8").trim() : (values.token ?? previous?.token);
      saveContext({ name, server: String(values.server).replace(/\/+$/, ""), ...(token ? { token } : {}) }, false);
      console.log(`Context "${name}" ${previous ? "modified" : "created"}.`);
      return 0;
    }
    case "delete-context":
      if (!name) throw new UsageError(usage);
      if (!config.contexts.some((context) => context.name === name)) throw new UsageError(`no context named "${name}"`);
      writeConfigFile({
        currentContext: config.currentContext === name ? null : config.currentContext,
        contexts: config.contexts.filter((context) => context.name !== name),
      });
      console.log(`Context "${name}" deleted.`);
      return 0;
    default:
      throw new UsageError(usage);
  }
}

/** `hookline completion bash|zsh|fish`: a script completing commands, kinds and flags. @param {string[]} argv @param {string} usage */
async function completion(argv, usage) {
  const [shell] = argv;
  const commands = COMMANDS.map((command) => command.name).join(" ");
  const kinds = KINDS.map((kind) => kind.names[0]).join(" ");
  const flags = "--server --token --output --namespace --filename --dry-run --no-headers --help";
  if (shell === "bash") {
    console.log(`# hookline completion for bash: source <(hookline completion bash)
_hookline() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  case "$prev" in
    get|delete) COMPREPLY=( $(compgen -W "${kinds}" -- "$cur") ); return ;;
    -o|--output) COMPREPLY=( $(compgen -W "table wide name json yaml jsonpath=" -- "$cur") ); return ;;
    -f|--filename) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
  esac
  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=( $(compgen -W "${commands}" -- "$cur") );
  else COMPREPLY=( $(compgen -W "${flags}" -- "$cur") ); fi
}
complete -F _hookline hookline`);
    return 0;
  }
  if (shell === "zsh") {
    console.log(`#compdef hookline
# hookline completion for zsh: source <(hookline completion zsh)
_hookline() {
  if (( CURRENT == 2 )); then compadd ${commands}
  elif [[ $words[2] == (get|delete) && CURRENT == 3 ]]; then compadd ${kinds}
  else compadd -- ${flags}; fi
}
compdef _hookline hookline`);
    return 0;
  }
  if (shell === "fish") {
    console.log(`# hookline completion for fish: hookline completion fish | source
complete -c hookline -f -n "__fish_use_subcommand" -a "${commands}"
complete -c hookline -f -n "__fish_seen_subcommand_from get delete" -a "${kinds}"
complete -c hookline -s o -l output -x -a "table wide name json yaml jsonpath="
complete -c hookline -s n -l namespace -x
complete -c hookline -s f -l filename -r`);
    return 0;
  }
  throw new UsageError(usage);
}

async function events(argv, help) {
  const { values, positionals } = parse(argv, {
    discriminator: { type: "string" },
    outcome: { type: "string" },
    watch: { type: "boolean", short: "w" },
    "all-namespaces": { type: "boolean", short: "A" },
    limit: { type: "string" },
    all: { type: "boolean" },
  });
  const namespace = firstNamespace(values) ?? "default";
  const api = client(resolveConfig(values));
  const base = `/api/v1/namespaces/${enc(namespace)}/events`;
  const [action, id] = positionals;
  if (action === "dead") {
    const path = values["all-namespaces"] ? "/api/v1/deadletters" : `/api/v1/namespaces/${enc(namespace)}/deadletters`;
    const { body } = await api.request("GET", path);
    const format = outputFormat(values.output);
    if (format !== "table") printData(body, format);
    else
      printTable(
        ["buried", "queue", "namespace", "attempts", "reason"],
        body.items.map((item) => [item.buriedAt, item.queue, item.namespace ?? "", item.attempts, item.reason]),
      );
    return 0;
  }
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
      if (body.detail === "sampled")
        console.log(
          "\nDetail sampled away: no binding matched it; its body, metadata and outcome are kept for replay.",
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
  const body =
    values.limit || values.all
      ? await listPages(api, `${base}?${query}`, values)
      : (await api.request("GET", `${base}?${query}`)).body;
  if (values.watch && format === "json") {
    // A stream: one JSON object per line, oldest first, and nothing else.
    for (const event of [...body.items].reverse()) console.log(JSON.stringify(event));
  } else if (format !== "table") printData(body, format);
  else {
    printTable(["id", "received", "discriminator", "outcome", "workflows"], body.items.map(row));
    if (body.sampledAway > 0)
      console.log(
        `\n${body.sampledAway} more event(s) of these minutes matched no binding and are only counted (hookline events get ID still shows and replays one).`,
      );
  }
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
