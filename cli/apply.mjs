// @ts-check
// `hookline apply -f FILE|DIR|-`: kubectl-style apply of every kind the API knows, from YAML
// (multi-document) or JSON, printing created / configured / unchanged per object.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { ServerError, UsageError } from "./http.mjs";
import { findKind } from "./kinds.mjs";
import { colorStatus, red } from "./output.mjs";

/**
 * @typedef {object} SourceDocument
 * @property {string} file
 * @property {number} line     1-based line where the document starts
 * @property {number} index    1-based document number in its file
 * @property {any} value
 */

/** Files named by -f: a file, every .yaml/.yml/.json file of a directory, or "-" for stdin. */
function expandFiles(/** @type {string[]} */ paths) {
  return paths.flatMap((path) => {
    if (path === "-") return ["-"];
    let stats;
    try {
      stats = statSync(path);
    } catch {
      throw new UsageError(`${path}: no such file or directory`);
    }
    if (!stats.isDirectory()) return [path];
    return readdirSync(path)
      .filter((name) => /\.(ya?ml|json)$/.test(name))
      .sort()
      .map((name) => join(path, name));
  });
}

/**
 * Reads every document of every file; a document that does not parse is reported (file and
 * line) and left out.
 * @returns {{ documents: SourceDocument[], errors: string[] }}
 */
export function readSources(/** @type {string[]} */ paths) {
  /** @type {SourceDocument[]} */
  const documents = [];
  /** @type {string[]} */
  const errors = [];
  for (const file of expandFiles(paths)) {
    const name = file === "-" ? "<stdin>" : file;
    const text = readFileSync(file === "-" ? 0 : file, "utf8");
    const lineOf = (/** @type {number} */ offset) => text.slice(0, offset).split("\n").length;
    const parsed = parseAllDocuments(text, { uniqueKeys: true });
    const list = Array.isArray(parsed) ? parsed : [parsed];
    list.forEach((document, i) => {
      // Where the document's content starts (after any `---` and comments).
      const contents = /** @type {{ range?: number[] } | null} */ (document.contents);
      const start = contents?.range?.[0] ?? document.range?.[0] ?? 0;
      const [problem] = document.errors;
      if (problem) {
        const line = problem.linePos?.[0]?.line ?? lineOf(start);
        errors.push(`${name}:${line} (document ${i + 1}): ${problem.message.split("\n")[0]}`);
        return;
      }
      const value = document.toJS({ maxAliasCount: 100 });
      if (value === null || value === undefined) return;
      const items =
        value &&
        typeof value === "object" &&
        typeof value.kind === "string" &&
        value.kind.endsWith("List") &&
        Array.isArray(value.items)
          ? value.items
          : [value];
      for (const item of items) documents.push({ file: name, line: lineOf(start), index: i + 1, value: item });
    });
  }
  return { documents, errors };
}

/**
 * A Kubernetes Secret's values: `stringData` as it is, `data` decoded from base64.
 * @param {any} secret
 * @returns {Map<string, string>}
 */
export function secretValues(secret) {
  /** @type {Map<string, string>} */
  const values = new Map();
  for (const [key, value] of Object.entries(secret?.data ?? {}))
    values.set(key, Buffer.from(String(value), "base64").toString("utf8"));
  for (const [key, value] of Object.entries(secret?.stringData ?? {})) values.set(key, String(value));
  return values;
}

/** The Secret Argo Workflows reads webhook clients from (argo-workflows-webhook-clients). */
const ARGO_WEBHOOK_CLIENTS = "argo-workflows-webhook-clients";

/**
 * Argo's webhook-clients Secret as WebhookClient documents: one per key (the client's name),
 * each value a YAML `{type, secret}`.
 * @param {any} secret @param {string[]} problems
 */
function webhookClientsOf(secret, problems) {
  /** @type {any[]} */
  const clients = [];
  for (const [name, text] of secretValues(secret)) {
    let client;
    try {
      client = parse(text);
    } catch (error) {
      problems.push(
        `${ARGO_WEBHOOK_CLIENTS}: ${name}: not YAML: ${error instanceof Error ? error.message : String(error)}`,
      );
      continue;
    }
    if (!client || typeof client !== "object" || typeof client.type !== "string" || client.secret === undefined) {
      problems.push(`${ARGO_WEBHOOK_CLIENTS}: ${name}: expected "type" and "secret"`);
      continue;
    }
    clients.push({
      apiVersion: "hookline.dev/v1",
      kind: "WebhookClient",
      metadata: { name, ...(secret.metadata?.namespace ? { namespace: secret.metadata.namespace } : {}) },
      spec: { type: client.type, secret: String(client.secret) },
    });
  }
  return clients;
}

/**
 * @param {ReturnType<typeof import("./http.mjs").client>} api
 * @param {{ files: string[], namespace?: string, dryRun: boolean, clientOnly?: boolean, importArgo?: boolean }} options
 * @returns {Promise<number>} the exit code
 */
export async function apply(api, options) {
  const { documents: read, errors } = readSources(options.files);
  // `import argo` also takes Argo's webhook-clients Secret (its clients become WebhookClients).
  const documents = options.importArgo
    ? read.flatMap((source) =>
        source.value?.kind === "Secret" && source.value?.metadata?.name === ARGO_WEBHOOK_CLIENTS
          ? webhookClientsOf(source.value, errors).map((value) => ({ ...source, value }))
          : [source],
      )
    : read;
  for (const error of errors) console.error(red(`error: ${error}`));
  const showProgress = documents.length > 10 && process.stderr.isTTY;
  let failed = errors.length;
  for (const [i, source] of documents.entries()) {
    if (showProgress) process.stderr.write(`\r[${i + 1}/${documents.length}] `);
    const where = `${source.file}:${source.line} (document ${source.index})`;
    const value = source.value;
    const kind =
      value && typeof value === "object" && typeof value.kind === "string" ? findKind(value.kind) : undefined;
    const name = value?.metadata?.name;
    if (!kind?.appliable) {
      console.error(
        red(`error: ${where}: ${value?.kind ? `kind "${value.kind}" cannot be applied` : "the document has no kind"}`),
      );
      failed++;
      continue;
    }
    if (typeof name !== "string" || name === "") {
      console.error(red(`error: ${where}: metadata.name is required`));
      failed++;
      continue;
    }
    const namespace = value.metadata.namespace ?? options.namespace ?? "default";
    let body;
    if (kind.wholeObject) {
      body = { ...value, metadata: { ...value.metadata, ...(kind.namespaced ? { namespace } : {}) } };
      if (options.importArgo) body.spec = { ...body.spec, expressionLanguage: "expr" };
    } else {
      const { apiVersion: _v, kind: _k, metadata: _m, ...rest } = value;
      body = value.spec ?? rest;
    }
    if (options.clientOnly) {
      console.log(`${kind.kind.toLowerCase()}/${name} read (client dry run: nothing sent)`);
      continue;
    }
    const path = `${kind.collection(namespace)}/${encodeURIComponent(name)}${options.dryRun ? "?dryRun=All" : ""}`;
    try {
      const response = await api.request("PUT", path, { body });
      const action = response.headers.get("x-hookline-action") ?? (response.status === 201 ? "created" : "configured");
      if (showProgress) process.stderr.write("\r");
      console.log(
        `${kind.kind.toLowerCase()}/${name} ${colorStatus(action)}${options.dryRun ? " (server dry run)" : ""}`,
      );
    } catch (error) {
      if (!(error instanceof ServerError)) throw error;
      if (showProgress) process.stderr.write("\r");
      console.error(red(`error: ${where}, ${kind.kind}/${name}: ${error.message}`));
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}
