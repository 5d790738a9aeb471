// @ts-check
// `hookline admin reseal`: re-encrypt every sealed secret under the current key.
import { outputFormat, parse, resolveConfig } from "../args.mjs";
import { client, UsageError } from "../http.mjs";
import { printData, printTable } from "../output.mjs";

/** @type {import("../args.mjs").Command} */
export const adminCommand = {
  name: "admin",
  synopsis: "admin reseal",
  summary: "re-encrypt every sealed secret under the current key (after a key rotation)",
  usage:
    "Usage: hookline admin reseal [-o table|json|yaml]\n\nWith HOOKLINE_SECRET_KEY set to the new key and HOOKLINE_SECRET_KEY_PREVIOUS to the old one,\nre-encrypts every sealed value under the new key and prints how many of each kind moved.",
  run: admin,
};

/** @param {string[]} argv @param {string} usage */
async function admin(argv, usage) {
  const { values, positionals } = parse(argv);
  if (positionals[0] !== "reseal" || positionals.length !== 1) throw new UsageError(usage);
  /** @type {{ body: { resealed: Record<string, number> } }} */
  const { body } = await client(resolveConfig(values)).request("POST", "/api/v1/admin/reseal");
  const format = outputFormat(values.output);
  if (format !== "table") printData(body, format);
  else printTable(["kind", "resealed"], Object.entries(body.resealed));
  return 0;
}
