// @ts-check
// `hookline login`: check a token against the server, then save both as a context.
import { readFileSync } from "node:fs";
import { parse } from "../args.mjs";
import { saveContext } from "../config.mjs";
import { client, UsageError } from "../http.mjs";

/** @type {import("../args.mjs").Command} */
export const loginCommand = {
  name: "login",
  synopsis: "login",
  summary: "check a token against the server and save both to the config file",
  usage:
    'Usage: hookline login --server URL [--token-stdin | --token TOKEN] [--context NAME]\n\nReads the token from standard input with --token-stdin (or asks for it when standard input is a\nterminal), so it stays out of your shell history. Checks it, then saves server and token to the\nconfig file as a context (NAME, default "default") and makes it the current one.',
  run: login,
};

/** @param {string[]} argv @param {string} usage */
async function login(argv, usage) {
  const { values } = parse(argv, { "token-stdin": { type: "boolean" } });
  if (!values.server) throw new UsageError(usage);
  let token = values.token;
  if (values["token-stdin"]) token = readFileSync(0, "utf8").trim();
  else if (!token && process.stdin.isTTY) token = await promptHidden("Token: ");
  if (!token) throw new UsageError(usage);
  const api = client({ server: String(values.server).replace(/\/+$/, ""), token: String(token) });
  /** @type {{ name: string, scopes: string[] }} */
  const me = (await api.request("GET", "/api/v1/whoami")).body;
  const path = saveContext({ name: values.context ?? "default", server: api.server, token: String(token) }, true);
  console.log(`Logged in to ${api.server} as ${me.name} (${me.scopes.join(", ")}); saved to ${path}`);
  return 0;
}

/**
 * Asks on the terminal without echoing what is typed.
 * @param {string} question
 * @returns {Promise<string>}
 */
function promptHidden(question) {
  return new Promise((resolve) => {
    process.stderr.write(question);
    const input = process.stdin;
    input.setRawMode?.(true);
    input.resume();
    input.setEncoding("utf8");
    let typed = "";
    const onData = (/** @type {string} */ chunk) => {
      for (const char of chunk) {
        if (char === "\n" || char === "\r" || char === "\u0004") {
          input.setRawMode?.(false);
          input.pause();
          input.off("data", onData);
          process.stderr.write("\n");
          resolve(typed);
          return;
        }
        if (char === "\u0003") process.exit(130);
        typed = char === "\u007f" ? typed.slice(0, -1) : typed + char;
      }
    };
    input.on("data", onData);
  });
}
