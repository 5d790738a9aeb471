#!/usr/bin/env node
// @ts-check
// hookline — the command line for the hookline gateway. It talks only to the HTTP API.
// Each command is a module of commands/ declaring its name, help and handler; this file lists
// them in the order `hookline --help` shows them and runs the one asked for.
import { readFileSync } from "node:fs";
import { adminCommand } from "./commands/admin.mjs";
import { applyCommand } from "./commands/apply.mjs";
import { approvalsCommand, approveCommand, rejectCommand } from "./commands/approvals.mjs";
import { bindingCommand } from "./commands/binding.mjs";
import { completionCommand } from "./commands/completion.mjs";
import { configCommand } from "./commands/config.mjs";
import { deliveriesCommand } from "./commands/deliveries.mjs";
import { describeCommand } from "./commands/describe.mjs";
import { diffCommand } from "./commands/diff.mjs";
import { eventsCommand } from "./commands/events.mjs";
import { deleteCommand, getCommand } from "./commands/get-delete.mjs";
import { importCommand } from "./commands/import.mjs";
import { loginCommand } from "./commands/login.mjs";
import { oauthCommand } from "./commands/oauth.mjs";
import { sendCommand } from "./commands/send.mjs";
import { tokenCommand } from "./commands/token.mjs";
import { ServerError, UsageError } from "./http.mjs";
import { red } from "./output.mjs";

/** Every command, in the order of `hookline --help`. @type {readonly import("./args.mjs").Command[]} */
const COMMANDS = [
  loginCommand,
  applyCommand,
  getCommand,
  diffCommand,
  deleteCommand,
  eventsCommand,
  sendCommand,
  approvalsCommand,
  approveCommand,
  rejectCommand,
  tokenCommand,
  oauthCommand,
  adminCommand,
  deliveriesCommand,
  bindingCommand,
  describeCommand,
  configCommand,
  completionCommand,
  importCommand,
];

const GLOBAL_HELP = `hookline — edge gateway for Argo Workflows / Argo CD

Usage: hookline <command> [options]

Commands:
${COMMANDS.filter((command) => command.synopsis)
  .map((command) => `  ${command.synopsis.padEnd(26)} ${command.summary}`)
  .join("\n")}
  import argo-events -f sensor.yaml
                             turn Argo Events Sensors (webhook dependencies, Argo Workflow triggers) into bindings
  import argocd-notifications -f argocd-notifications-cm.yaml
                             turn an Argo CD notifications ConfigMap into hookline objects

Global options:
  --server URL    the hookline URL (or HOOKLINE_URL, or \`hookline login\`)
  --token TOKEN   an API token or the admin token (or HOOKLINE_TOKEN, or \`hookline login\`)
  -h, --help      help for any command

Exit codes: 0 ok, 1 the server said no (its message is shown), 2 usage error.`;

/** Runs the command argv names; answers its exit code. @param {string[]} argv */
async function main(argv) {
  const [name, ...rest] = argv;
  if (!name || name === "-h" || name === "--help" || name === "help") {
    console.log(GLOBAL_HELP);
    return 0;
  }
  if (name === "version" || name === "--version") {
    /** @type {{ version: string }} */
    const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
    console.log(pkg.version);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"; see hookline --help`);
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.usage);
    return 0;
  }
  return command.run(rest, command.usage, COMMANDS);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    if (error instanceof UsageError) {
      console.error(red(`error: ${error.message}`));
      process.exitCode = 2;
    } else if (error instanceof ServerError) {
      console.error(red(`error: ${error.message}${error.status ? ` (${error.status} ${error.code})` : ""}`));
      process.exitCode = 1;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  },
);
