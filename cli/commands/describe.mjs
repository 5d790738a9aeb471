// @ts-check
// `hookline describe binding|approval|cluster NAME`: an object with what happened to it.
import { stringify } from "yaml";
import { enc, firstNamespace, listPages, parse, resolveConfig } from "../args.mjs";
import { client, UsageError } from "../http.mjs";
import { findKind } from "../kinds.mjs";
import { bold, printTable } from "../output.mjs";

/** @import { LoggedEvent } from "./events.mjs" */

/** @type {import("../args.mjs").Command} */
export const describeCommand = {
  name: "describe",
  synopsis: "describe KIND NAME",
  summary: "an object with what happened to it (a binding's events, a gate's timeline, a cluster's breaker)",
  usage: "Usage: hookline describe binding|approval|cluster NAME [-n NS]",
  run: describe,
};

/**
 * One attempt on a gate, as its audit lists it.
 * @typedef {{ at: string, by: string, via: string, action: string, counted: boolean, reason: string }} AuditEntry
 */

/** A titled section: the value as YAML, indented under its title. @param {string} title @param {unknown} value */
function section(title, value) {
  console.log(`${bold(title)}:\n${stringify(value).trimEnd().replace(/^/gm, "  ")}`);
}

/** @param {string[]} argv @param {string} usage */
async function describe(argv, usage) {
  const { values, positionals } = parse(argv);
  const [kindName, name] = positionals;
  if (!kindName || !name) throw new UsageError(usage);
  const namespace = firstNamespace(values) ?? "default";
  const api = client(resolveConfig(values));
  const kind = findKind(kindName);
  if (kind?.kind === "WorkflowEventBinding") {
    const { body } = await api.request("GET", `${kind.collection(namespace)}/${enc(name)}`);
    section("Binding", { name: body.metadata.name, namespace, generation: body.metadata.generation });
    section("Spec", body.spec);
    if (body.status) section("Status", body.status);
    const events = await listPages(api, `/api/v1/namespaces/${enc(namespace)}/events`, { limit: "100" });
    const recent = events.items
      .flatMap((/** @type {LoggedEvent} */ event) =>
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
    const path = `/api/v1/namespaces/${enc(namespace)}/approvals/${enc(name)}`;
    /** @type {[{ body: unknown }, { body: { items: AuditEntry[] } }]} */
    const [{ body: gate }, { body: audit }] = await Promise.all([
      api.request("GET", path),
      api.request("GET", `${path}/audit`),
    ]);
    section("Approval", gate);
    console.log(bold("Audit:"));
    if (audit.items.length === 0) console.log("  (no attempts yet)");
    else
      printTable(
        ["at", "by", "via", "action", "counted", "reason"],
        audit.items.map((entry) => [
          entry.at,
          entry.by,
          entry.via,
          entry.action,
          entry.counted ? "yes" : "no",
          entry.reason,
        ]),
      );
    return 0;
  }
  if (kind?.kind === "Cluster") {
    const { body } = await api.request("GET", `${kind.collection(namespace)}/${enc(name)}`);
    const { status, ...cluster } = body;
    section("Cluster", cluster);
    /** @type {Array<{ name: string, status?: unknown }>} */
    const clusters = (await api.request("GET", kind.collection(namespace))).body.items;
    const listed = clusters.find((item) => item.name === name);
    section("Circuit breaker", status ?? listed?.status ?? "unknown");
    return 0;
  }
  throw new UsageError(usage);
}
