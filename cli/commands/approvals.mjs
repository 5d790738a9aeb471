// @ts-check
// `hookline approvals`, `hookline approve ID`, `hookline reject ID`: list approval gates, decide one.
import { enc, firstNamespace, outputFormat, parse, resolveConfig } from "../args.mjs";
import { client, UsageError } from "../http.mjs";
import { colorStatus, printData, printTable } from "../output.mjs";

/** @typedef {import("../args.mjs").Command} Command */

/**
 * A gate as the list shows it (the parts the table prints).
 * @typedef {{ id: string, policy: string, status: string, subject?: { workflow?: string }, expiresAt: string }} Gate
 */

/** @type {Command} */
export const approvalsCommand = {
  name: "approvals",
  synopsis: "approvals",
  summary: "list approval gates",
  usage: "Usage: hookline approvals [-n NS] [--pending] [-o table|json|yaml]",
  run: approvals,
};

/** @type {Command} */
export const approveCommand = {
  name: "approve",
  synopsis: "approve ID | reject ID",
  summary: "decide an approval gate (-m message; --override REASON: break-glass past a change window)",
  usage: "Usage: hookline approve ID [-m MESSAGE] [--override REASON] [-n NS]",
  run: (argv, usage) => decide(true, argv, usage),
};

/** `reject` shares approve's line in `hookline --help`. @type {Command} */
export const rejectCommand = {
  name: "reject",
  synopsis: "",
  summary: "",
  usage: "Usage: hookline reject ID [-m MESSAGE] [-n NS]",
  run: (argv, usage) => decide(false, argv, usage),
};

/** @param {string[]} argv */
async function approvals(argv) {
  const { values } = parse(argv, { pending: { type: "boolean" } });
  const namespace = firstNamespace(values) ?? "default";
  const api = client(resolveConfig(values));
  /** @type {{ body: { items: Gate[] } }} */
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
  const { values, positionals } = parse(argv, {
    message: { type: "string", short: "m" },
    // Only approve takes --override: reject has nothing to break through.
    ...(approve ? { override: { type: "string" } } : {}),
  });
  const [id] = positionals;
  if (!id) throw new UsageError(usage);
  const namespace = firstNamespace(values) ?? "default";
  const api = client(resolveConfig(values));
  const override = typeof values.override === "string" ? { override: { reason: values.override } } : {};
  const { body } = await api.request("POST", `/api/v1/namespaces/${enc(namespace)}/approvals/${enc(id)}/decision`, {
    body: { approve, message: values.message ?? "", ...override },
  });
  console.log(`approval ${id} ${colorStatus(body.status)}`);
  return 0;
}
