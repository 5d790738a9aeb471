// @ts-check
// `hookline events`: the event log (list, --watch, one event), replays and dead letters.
import { stringify } from "yaml";
import { enc, firstNamespace, listPages, outputFormat, parse, resolveConfig } from "../args.mjs";
import { client, UsageError } from "../http.mjs";
import { colorStatus, printData, printTable } from "../output.mjs";

/**
 * What one binding did with an event, as the API shows it.
 * @typedef {object} EventResult
 * @property {string} binding
 * @property {boolean} matched
 * @property {string} status
 * @property {string | null} [workflow]
 * @property {string | null} [cluster]
 * @property {string | null} [reason]
 * @property {string | null} [error]
 */

/**
 * An event of the log, as the API shows it (the parts the CLI prints).
 * @typedef {object} LoggedEvent
 * @property {string} id
 * @property {string} receivedAt
 * @property {string} discriminator
 * @property {string} outcome
 * @property {EventResult[]} results
 * @property {"full" | "sampled"} [detail] `sampled`: no row (no binding matched it); found through its body pack
 */

/**
 * A message kept in the graveyard.
 * @typedef {{ buriedAt: string, queue: string, namespace?: string | null, attempts: number, reason: string }} DeadLetter
 */

/** @type {import("../args.mjs").Command} */
export const eventsCommand = {
  name: "events",
  synopsis: "events [get|replay ID|replay --filter F|dead]",
  summary: "list events, show one, replay one or many, or list dead letters",
  usage: [
    "Usage: hookline events [-n NS] [--discriminator D] [--outcome O] [--limit N | --all] [--watch] [-o table|json|yaml]",
    "       hookline events get ID [-n NS] [-o …]",
    "       hookline events replay ID [-n NS]",
    "       hookline events replay --filter KEY=VALUE[,KEY=VALUE…] [-n NS] [--dry-run] [-o …]",
    "       hookline events dead [-n NS | -A] [-o …]   messages kept in the graveyard",
    "",
    "replay --filter: every logged event of the namespace that matches, sent again (paced; the same",
    "filter again starts nothing new). Keys: outcome, discriminator, binding (events it matched),",
    "since, until (RFC 3339, or an age such as 30m, 6h, 2d; at most 7 days apart).",
  ].join("\n"),
  run: events,
};

/** @param {string[]} argv @param {string} usage */
async function events(argv, usage) {
  const { values, positionals } = parse(argv, {
    discriminator: { type: "string" },
    outcome: { type: "string" },
    watch: { type: "boolean", short: "w" },
    filter: { type: "string", multiple: true },
    "dry-run": { type: "boolean" },
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
    /** @type {{ body: { items: DeadLetter[] } }} */
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
  if (action === "replay" && values.filter) {
    if (id) throw new UsageError(usage);
    return replayMany(api, base, filterOf(values.filter), values["dry-run"] === true, values.output);
  }
  if (values.filter || values["dry-run"]) throw new UsageError(usage);
  if (action === "get" || action === "replay") {
    if (!id) throw new UsageError(usage);
    if (action === "replay") {
      const { body } = await api.request("POST", `${base}/${enc(id)}/replay`);
      console.log(body.id);
      return 0;
    }
    /** @type {{ body: LoggedEvent }} */
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
  if (action) throw new UsageError(usage);
  const query = new URLSearchParams();
  if (values.discriminator) query.set("discriminator", values.discriminator);
  if (values.outcome) query.set("outcome", values.outcome);
  const format = outputFormat(values.output);
  const row = (/** @type {LoggedEvent} */ e) => [
    e.id,
    e.receivedAt,
    e.discriminator,
    colorStatus(e.outcome),
    e.results
      .filter((r) => r.workflow)
      .map((r) => r.workflow)
      .join(","),
  ];
  /** @type {{ items: LoggedEvent[], sampledAway?: number }} */
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
    if ((body.sampledAway ?? 0) > 0)
      console.log(
        `\n${body.sampledAway} more event(s) of these minutes matched no binding and are only counted (hookline events get ID still shows and replays one).`,
      );
  }
  if (!values.watch) return 0;
  const seen = new Map(body.items.map((e) => [e.id, e.outcome]));
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    /** @type {{ body: { items: LoggedEvent[] } }} */
    const { body: page } = await api.request("GET", `${base}?${query}`);
    for (const event of [...page.items].reverse()) {
      if (seen.get(event.id) === event.outcome) continue;
      seen.set(event.id, event.outcome);
      if (format === "table") console.log(row(event).join("   "));
      else console.log(format === "json" ? JSON.stringify(event) : `---\n${stringify(event).trimEnd()}`);
    }
  }
}

const FILTER_KEYS = new Set(["outcome", "discriminator", "binding", "since", "until"]);

/**
 * `--filter outcome=failed,since=6h` (repeatable) as the API's filter; ages become RFC 3339 times.
 * @param {string[]} given
 * @returns {Record<string, string>}
 */
function filterOf(given) {
  /** @type {Record<string, string>} */
  const filter = {};
  for (const pair of given.flatMap((text) => text.split(","))) {
    const index = pair.indexOf("=");
    const key = pair.slice(0, index).trim();
    if (index <= 0 || !FILTER_KEYS.has(key))
      throw new UsageError(`--filter: "${pair}" is not KEY=VALUE with KEY one of ${[...FILTER_KEYS].join(", ")}`);
    const value = pair.slice(index + 1).trim();
    filter[key] = key === "since" || key === "until" ? timeOf(value) : value;
  }
  return filter;
}

/** An RFC 3339 time as given, or an age (`30m`, `6h`, `2d`) before now. @param {string} value */
function timeOf(value) {
  const age = /^(\d+)([smhd])$/.exec(value);
  if (!age) return value;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[/** @type {"s" | "m" | "h" | "d"} */ (age[2])];
  return new Date(Date.now() - Number(age[1]) * unit).toISOString();
}

/**
 * @param {import("../http.mjs").Api} api
 * @param {string} base
 * @param {Record<string, string>} filter
 * @param {boolean} dryRun
 * @param {string | undefined} output
 */
async function replayMany(api, base, filter, dryRun, output) {
  /** @type {{ body: { matched: number, replayed: number } }} */
  const { body } = await api.request("POST", `${base}/replay`, {
    body: { filter, ...(dryRun ? { dryRun: true } : {}) },
  });
  const format = outputFormat(output);
  if (format !== "table") printData(body, format);
  else if (dryRun) console.log(`${body.matched} event(s) match; nothing replayed (dry run)`);
  else console.log(`${body.matched} event(s) match; ${body.replayed} replayed`);
  return 0;
}
