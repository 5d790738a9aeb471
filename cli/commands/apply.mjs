// @ts-check
// `hookline apply -f`: the command; what it does is ../apply.mjs (which `import argo` shares).
import { apply } from "../apply.mjs";
import { dryRunArgs, dryRunMode, firstNamespace, parse, resolveConfig } from "../args.mjs";
import { client, UsageError } from "../http.mjs";

/** @type {import("../args.mjs").Command} */
export const applyCommand = {
  name: "apply",
  synopsis: "apply -f FILE|DIR|-",
  summary: "create or update objects from YAML or JSON (kubectl-style)",
  usage:
    'Usage: hookline apply -f FILE|DIR|- [-f …] [-n NAMESPACE] [--dry-run[=server|client]]\n\nApplies WorkflowEventBinding, ApprovalPolicy, Cluster, NotificationService, NotificationTemplate,\nNotificationTrigger, NotificationSubscription and WebhookClient documents (YAML, multi-document,\nLists, or JSON). Prints created / configured / unchanged per object. --dry-run (=server) validates\non the server and writes nothing; --dry-run=client only reads the files.\nNamespaced objects go to metadata.namespace, else -n, else "default".',
  run: async (argv, usage) => {
    const { values } = parse(argv, { filename: { type: "string", short: "f", multiple: true } }, dryRunArgs(argv));
    if (!values.filename?.length) throw new UsageError(`-f is required\n\n${usage}`);
    const dryRun = dryRunMode(argv);
    return apply(client(resolveConfig(values)), {
      files: values.filename,
      namespace: firstNamespace(values),
      dryRun: dryRun === "server",
      clientOnly: dryRun === "client",
    });
  },
};
