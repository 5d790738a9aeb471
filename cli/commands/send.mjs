// @ts-check
// `hookline send NS [DISCRIMINATOR] -f payload.json`: post an event, and with --wait read its receipt.
import { readFileSync } from "node:fs";
import { enc, outputFormat, parse, resolveConfig } from "../args.mjs";
import { client, UsageError } from "../http.mjs";
import { colorStatus, printData, printTable } from "../output.mjs";

/** @import { EventResult } from "./events.mjs" */

/** @type {import("../args.mjs").Command} */
export const sendCommand = {
  name: "send",
  synopsis: "send NS [DISCRIMINATOR]",
  summary: "post an event (-f payload.json)",
  usage:
    "Usage: hookline send NAMESPACE [DISCRIMINATOR] -f payload.json|- [-H 'X-Header: value' …] [--wait 10s] [-o …]\n\nPosts the payload as an event and prints its id. --wait waits (up to 25 s) for its receipt:\nthe outcome and, per binding, the workflow it started.",
  run: send,
};

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
  /** @type {Record<string, string>} */
  const headers = {};
  for (const header of values.header ?? []) {
    const colon = header.indexOf(":");
    if (colon <= 0) throw new UsageError(`-H "${header}" is not "Name: value"`);
    headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  const wait = values.wait ? `?wait=${enc(values.wait)}` : "";
  /** @type {{ body: { id: string, outcome: string, results?: EventResult[] } }} */
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
    if (body.results?.length)
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
