// @ts-check
// `hookline diff -f`: what apply would change, as `get -o yaml` shows the server's side.
import { stringify } from "yaml";
import { readSources } from "../apply.mjs";
import { enc, firstNamespace, parse, resolveConfig } from "../args.mjs";
import { client, ServerError, UsageError } from "../http.mjs";
import { findKind, toDocument } from "../kinds.mjs";
import { bold, green, red } from "../output.mjs";

/** @import { Kind } from "../kinds.mjs" */

/** @type {import("../args.mjs").Command} */
export const diffCommand = {
  name: "diff",
  synopsis: "diff -f FILE|DIR|-",
  summary: "show what apply would change, object by object",
  usage:
    "Usage: hookline diff -f FILE|DIR|- [-n NAMESPACE]\n\nCompares each document with what the server holds (as get -o yaml prints it) and prints the\ndifferences as a unified diff. Exit code 0: no differences; 1: differences (or an error), as kubectl.",
  run: diff,
};

/**
 * Line diff of two texts (longest common subsequence), as unified-diff lines.
 * @param {string} before @param {string} after
 */
export function diffLines(before, after) {
  const a = before.split("\n");
  const b = after.split("\n");
  // lcs[i][j]: the longest common subsequence of a from i and b from j (a flat array, row by row).
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  const at = (/** @type {number} */ i, /** @type {number} */ j) => lcs[i * width + j] ?? 0;
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i * width + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
  /** @type {string[]} */
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(` ${a[i]}`);
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || at(i, j + 1) >= at(i + 1, j))) out.push(green(`+${b[j++]}`));
    else out.push(red(`-${a[i++]}`));
  }
  return out;
}

/** @param {string[]} argv @param {string} usage */
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
    const theirs = current === null ? "" : stringify(comparable(kind, toDocument(kind, current, namespace))).trimEnd();
    const mine = stringify(comparable(kind, toDocument(kind, planned.body, namespace))).trimEnd();
    if (current !== null && theirs === mine) {
      // The server never says whether a secret given in plain text equals the stored one (that
      // would make dry runs an oracle for sealed secrets): only the rest can be compared.
      console.log(
        `${kind.kind}/${name}: unchanged but for its secrets, which a dry run never compares (give "(sealed)" to keep them)`,
      );
      continue;
    }
    different = true;
    console.log(bold(`--- ${kind.kind}/${name} (server)${current === null ? ": does not exist yet" : ""}`));
    console.log(bold(`+++ ${kind.kind}/${name} (after apply)`));
    for (const line of diffLines(theirs, mine)) console.log(line);
  }
  return different ? 1 : 0;
}

/**
 * A value with every object's keys sorted, so that two documents print alike when they are alike.
 * @param {unknown} value
 * @returns {unknown}
 */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(Reflect.get(value, key))]),
  );
}

/**
 * The parts of a document both sides have: what the user writes (spec and name), keys sorted.
 * @param {Kind} kind @param {{ metadata?: { name?: unknown }, spec?: unknown }} document
 */
function comparable(kind, document) {
  if (kind.wholeObject) return sortKeys({ metadata: { name: document.metadata?.name }, spec: document.spec });
  return sortKeys({ kind: kind.kind, metadata: { name: document.metadata?.name }, spec: document.spec ?? {} });
}
