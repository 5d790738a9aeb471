// @ts-check
// `hookline get KIND [NAME]` and `hookline delete KIND NAME | -f FILE`: one object or a list, by
// kind, in kubectl's formats; they take the same flags.
import { readSources } from "../apply.mjs";
import { age, enc, firstNamespace, parse, resolveConfig } from "../args.mjs";
import { client, ServerError, UsageError } from "../http.mjs";
import { createdAt, findKind, KINDS, toDocument } from "../kinds.mjs";
import { printData, printTable, red } from "../output.mjs";

/** @typedef {import("../args.mjs").Command} Command */

/** @type {Command} */
export const getCommand = {
  name: "get",
  synopsis: "get KIND [NAME]",
  summary: "show objects (kinds: hookline get --help)",
  usage: `Usage: hookline get KIND [NAME] [-n NAMESPACE | -A] [-o table|wide|name|json|yaml|jsonpath=TEMPLATE] [--no-headers]\n\n-o yaml prints documents that apply -f takes back (get … -o yaml | hookline apply -f -).\nKinds: ${KINDS.map((kind) => kind.names[0]).join(", ")}`,
  run: (argv, usage) => getOrDelete("get", argv, usage),
};

/** @type {Command} */
export const deleteCommand = {
  name: "delete",
  synopsis: "delete KIND NAME",
  summary: "delete an object",
  usage:
    "Usage: hookline delete KIND NAME [-n NAMESPACE]\n       hookline delete -f FILE|DIR|-   the objects the files describe",
  run: (argv, usage) => getOrDelete("delete", argv, usage),
};

/** `get`'s formats: kubectl's table, wide, name, json, yaml and jsonpath=TEMPLATE. @param {string | undefined} format */
function getFormat(format) {
  const value = format ?? "table";
  if (["table", "wide", "name", "json", "yaml"].includes(value) || value.startsWith("jsonpath=")) return value;
  throw new UsageError(`-o must be table, wide, name, json, yaml or jsonpath=TEMPLATE, not "${value}"`);
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
        if (field !== undefined) return field in value ? [Reflect.get(value, field)] : [];
        if (!Array.isArray(value)) return [];
        return index === "*" ? value : value[Number(index)] === undefined ? [] : [value[Number(index)]];
      });
    }
    return values.map((value) => (typeof value === "object" ? JSON.stringify(value) : String(value))).join(" ");
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

/**
 * `delete -f`: deletes the objects the files describe (kind and metadata.name, as apply reads them).
 * @param {{ server?: string, token?: string, context?: string, namespace?: string[] }} values
 * @param {string[]} files
 */
async function deleteFiles(values, files) {
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
