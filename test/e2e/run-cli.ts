// Runs the hookline CLI as a user would: a subprocess, talking to a running Worker.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { type RunningWorker, root } from "../../scripts/lib/local-worker";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `hookline …` against `worker`, with the admin token unless `env` says otherwise. */
export function runCli(
  worker: RunningWorker,
  configHome: string,
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): CliResult {
  const result = spawnSync(process.execPath, [join(root, "cli/hookline.mjs"), ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      XDG_CONFIG_HOME: configHome,
      HOOKLINE_URL: worker.url,
      HOOKLINE_TOKEN: worker.adminToken,
      ...env,
    },
    input,
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
