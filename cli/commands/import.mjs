// @ts-check
// `hookline import argo|argo-events|argocd-notifications -f FILE`: Argo's own objects into hookline.
import { apply } from "../apply.mjs";
import { dryRunArgs, dryRunMode, firstNamespace, parse, resolveConfig } from "../args.mjs";
import { client, UsageError } from "../http.mjs";

/** @type {import("../args.mjs").Command} */
export const importCommand = {
  name: "import",
  synopsis: "import argo -f FILE",
  summary: "apply Argo WorkflowEventBindings written in Argo's expression language",
  usage:
    "Usage: hookline import argo -f FILE|DIR|- [-n NS] [--dry-run]\n       hookline import argo-events -f sensor.yaml [-n NS] [--dry-run]\n       hookline import argocd-notifications -f argocd-notifications-cm.yaml [-f argocd-notifications-secret.yaml] [--dry-run]",
  run: importObjects,
};

/** @param {string[]} argv @param {string} usage */
async function importObjects(argv, usage) {
  const { values, positionals } = parse(
    argv,
    { filename: { type: "string", short: "f", multiple: true } },
    dryRunArgs(argv),
  );
  const dryRun = dryRunMode(argv);
  if (dryRun === "client") throw new UsageError("import takes --dry-run=server (the server translates and validates)");
  const [source] = positionals;
  if (!values.filename?.length || !["argo", "argo-events", "argocd-notifications"].includes(source ?? ""))
    throw new UsageError(usage);
  const api = client(resolveConfig(values));
  if (source === "argo") {
    return apply(api, {
      files: values.filename,
      namespace: firstNamespace(values),
      dryRun: dryRun === "server",
      importArgo: true,
    });
  }
  // The importers load only when asked for: most commands never need them.
  if (source === "argo-events") {
    const { importArgoEvents } = await import("../import-argo-events.mjs");
    return importArgoEvents(api, {
      files: values.filename,
      namespace: firstNamespace(values),
      dryRun: dryRun === "server",
    });
  }
  const { importArgoCdNotifications } = await import("../import-argocd.mjs");
  return importArgoCdNotifications(api, {
    files: values.filename,
    dryRun: dryRun === "server",
  });
}
