// @ts-check
// `hookline apply -f FILE|DIR|-`: kubectl-style apply of every kind the API knows, from YAML
// (multi-document) or JSON, printing created / configured / unchanged per object.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
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
 * @param {ReturnType<typeof import("./http.mjs").client>} api
 * @param {{ files: string[], namespace?: string, dryRun: boolean, importArgo?: boolean }} options
 * @returns {Promise<number>} the exit code
 */
export async function apply(api, options) {
  const { documents, errors } = readSources(options.files);
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
