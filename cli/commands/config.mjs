// @ts-check
// `hookline config …`: the contexts of the config file, like kubeconfig's (../config.mjs reads and writes it).
import { readFileSync } from "node:fs";
import { outputFormat, parse } from "../args.mjs";
import { readConfigFile, saveContext, writeConfigFile } from "../config.mjs";
import { UsageError } from "../http.mjs";
import { printData, printTable } from "../output.mjs";

/** @type {import("../args.mjs").Command} */
export const configCommand = {
  name: "config",
  synopsis: "config get-contexts|use-context",
  summary: "contexts, like kubeconfig: named server + token pairs",
  usage:
    "Usage: hookline config get-contexts [-o table|json|yaml]\n       hookline config current-context\n       hookline config use-context NAME\n       hookline config set-context NAME --server URL [--token TOKEN | --token-stdin]\n       hookline config delete-context NAME\n\n--context NAME on any command uses that context for the one command.",
  run: config,
};

/** @param {string[]} argv @param {string} usage */
async function config(argv, usage) {
  const { values, positionals } = parse(argv, { "token-stdin": { type: "boolean" } });
  const [action, name] = positionals;
  const file = readConfigFile();
  switch (action) {
    case "get-contexts": {
      const format = outputFormat(values.output);
      const shown = file.contexts.map((context) => ({
        current: context.name === file.currentContext,
        name: context.name,
        server: context.server,
        token: context.token ? "(set)" : "",
      }));
      if (format !== "table") printData({ currentContext: file.currentContext, contexts: shown }, format);
      else
        printTable(
          ["current", "name", "server"],
          shown.map((row) => [row.current ? "*" : "", row.name, row.server]),
        );
      return 0;
    }
    case "current-context":
      if (!file.currentContext)
        throw new UsageError("no current context (hookline login, or hookline config use-context NAME)");
      console.log(file.currentContext);
      return 0;
    case "use-context":
      if (!name) throw new UsageError(usage);
      if (!file.contexts.some((context) => context.name === name))
        throw new UsageError(`no context named "${name}" (hookline config get-contexts)`);
      writeConfigFile({ ...file, currentContext: name });
      console.log(`Switched to context "${name}".`);
      return 0;
    case "set-context": {
      if (!name || !values.server) throw new UsageError(usage);
      const previous = file.contexts.find((context) => context.name === name);
      const token = values["token-stdin"] ? readFileSync(0, "utf8").trim() : (values.token ?? previous?.token);
      saveContext({ name, server: String(values.server).replace(/\/+$/, ""), ...(token ? { token } : {}) }, false);
      console.log(`Context "${name}" ${previous ? "modified" : "created"}.`);
      return 0;
    }
    case "delete-context":
      if (!name) throw new UsageError(usage);
      if (!file.contexts.some((context) => context.name === name)) throw new UsageError(`no context named "${name}"`);
      writeConfigFile({
        currentContext: file.currentContext === name ? null : file.currentContext,
        contexts: file.contexts.filter((context) => context.name !== name),
      });
      console.log(`Context "${name}" deleted.`);
      return 0;
    default:
      throw new UsageError(usage);
  }
}
