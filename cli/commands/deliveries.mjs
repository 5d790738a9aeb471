// @ts-check
// `hookline deliveries [retry ID]`: notification deliveries, and sending a failed one again.
import { age, enc, listPages, outputFormat, parse, resolveConfig } from "../args.mjs";
import { client, UsageError } from "../http.mjs";
import { createdAt } from "../kinds.mjs";
import { colorStatus, printData, printTable } from "../output.mjs";

/** @type {import("../args.mjs").Command} */
export const deliveriesCommand = {
  name: "deliveries",
  synopsis: "deliveries [retry ID]",
  summary: "list notification deliveries, or send a failed one again",
  usage:
    "Usage: hookline deliveries [--status pending|sending|delivered|failed] [--limit N | --all] [-o table|json|yaml]\n       hookline deliveries retry ID",
  run: deliveries,
};

/**
 * A delivery as the list shows it (the parts the table prints).
 * @typedef {{ id: string, service: string, trigger: string, status: string, attempts: number, lastError?: string | null }} Delivery
 */

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
      body.items.map((/** @type {Delivery} */ item) => [
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
