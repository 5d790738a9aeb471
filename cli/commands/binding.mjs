// @ts-check
// `hookline binding test NAME -f EVENT`: a dry run of one binding on a sample event;
// `hookline binding pause|resume NAME`: hold a binding's submissions, or release them in order.
import { readFileSync } from "node:fs";
import { enc, firstNamespace, outputFormat, parse, resolveConfig } from "../args.mjs";
import { client, UsageError } from "../http.mjs";
import { printData, red } from "../output.mjs";

/** @type {import("../args.mjs").Command} */
export const bindingCommand = {
  name: "binding",
  synopsis: "binding test|pause|resume NAME",
  summary: "dry-run a binding on a sample event; pause or resume its submissions",
  usage: [
    "Usage: hookline binding test NAME -n NS -f event.json|- [-o table|json|yaml]",
    "       hookline binding pause NAME -n NS",
    "       hookline binding resume NAME -n NS",
    "",
    "test: the file holds {payload, metadata?, discriminator?}, or just the payload.",
    "pause: events are still logged and matched; their submissions are held until resume,",
    "which releases them in the order the events arrived.",
  ].join("\n"),
  run: binding,
};

/** @param {string[]} argv @param {string} usage */
async function binding(argv, usage) {
  const { positionals } = parse(argv, { filename: { type: "string", short: "f" } });
  const [action] = positionals;
  if (action === "pause" || action === "resume") return pauseOrResume(argv, usage, action);
  return bindingTest(argv, usage);
}

/** @param {string[]} argv @param {string} usage @param {"pause" | "resume"} action */
async function pauseOrResume(argv, usage, action) {
  const { values, positionals } = parse(argv, {});
  const [, name, ...rest] = positionals;
  if (!name || rest.length > 0) throw new UsageError(usage);
  const namespace = firstNamespace(values) ?? "default";
  const api = client(resolveConfig(values));
  const { headers } = await api.request(
    "POST",
    `/api/v1/namespaces/${enc(namespace)}/workfloweventbindings/${enc(name)}/${action}`,
  );
  const unchanged = headers.get("x-hookline-action") === "unchanged";
  const done = action === "pause" ? "paused" : "resumed";
  console.log(
    `workfloweventbinding/${name} ${unchanged ? `already ${action === "pause" ? "paused" : "running"}` : done}`,
  );
  return 0;
}

/**
 * What the server's dry run answers (the parts the table prints).
 * @typedef {object} BindingTestResult
 * @property {boolean} matched
 * @property {{ name?: string, template: { name?: string }, cluster?: string } | null} [workflow]
 * @property {Record<string, unknown>} [parameters]
 * @property {Array<{ field: string, message: string }>} [errors]
 */

/** @param {string[]} argv @param {string} usage */
async function bindingTest(argv, usage) {
  const { values, positionals } = parse(argv, { filename: { type: "string", short: "f" } });
  const [action, name] = positionals;
  if (action !== "test" || !name || !values.filename) throw new UsageError(usage);
  /** @type {unknown} */
  let sample;
  try {
    sample = JSON.parse(readFileSync(values.filename === "-" ? 0 : values.filename, "utf8"));
  } catch (error) {
    throw new UsageError(`${values.filename}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const body = sample !== null && typeof sample === "object" && "payload" in sample ? sample : { payload: sample };
  const namespace = firstNamespace(values) ?? "default";
  const api = client(resolveConfig(values));
  /** @type {{ body: BindingTestResult }} */
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
