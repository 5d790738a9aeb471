// Starts hookline the way `npm start` does (scripts/start.mjs → migrations → wrangler dev) on a
// free port, with its own secrets file and local state, for tests and benchmarks in Node.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface RunningWorker {
  url: string;
  adminToken: string;
  /** Where the local D1/Queues/R2/DO state lives. */
  persistDir: string;
  /** Everything the process printed so far. */
  output: () => string;
  /** The process group of `npm start` and everything it runs (workerd included). */
  processGroup: number;
  stop: () => Promise<void>;
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface StartOptions {
  /** Contents for the secrets file; absent = let `npm start` create it. */
  devVars?: string;
  /** Extra arguments for wrangler dev (e.g. `--config bench/wrangler.toml`). */
  args?: string[];
  /** Extra environment for the process. */
  env?: Record<string, string>;
}

/** This process's environment minus hookline secrets (wrangler would prefer them to the file). */
function inheritedEnv(): Record<string, string | undefined> {
  const env = { ...process.env };
  delete env.HOOKLINE_ADMIN_TOKEN;
  delete env.HOOKLINE_SECRET_KEY;
  return env;
}

/** Runs `node scripts/start.mjs` on a free port and waits until /healthz answers. */
export async function startWorker(options: StartOptions = {}): Promise<RunningWorker> {
  const dir = mkdtempSync(join(tmpdir(), "hookline-e2e-"));
  const varsPath = join(dir, ".dev.vars");
  if (options.devVars !== undefined) writeFileSync(varsPath, options.devVars);
  const running = await launch({
    dir,
    script: join(root, "scripts/start.mjs"),
    leading: [],
    trailing: options.args ?? [],
    env: { ...options.env, HOOKLINE_DEV_VARS: varsPath },
    probe: "/healthz",
    what: "npm start",
  });
  if (!existsSync(varsPath)) throw new Error("npm start did not create the secrets file");
  const adminToken = /HOOKLINE_ADMIN_TOKEN=(\S+)/.exec(readFileSync(varsPath, "utf8"))?.[1] ?? "";
  return { ...running, adminToken };
}

/**
 * Runs a plain `wrangler dev` of another configuration (a bench baseline Worker) on a free port,
 * with its own local state, and waits until it answers GET /.
 */
export function startPlainWorker(configPath: string): Promise<RunningWorker> {
  return launch({
    dir: mkdtempSync(join(tmpdir(), "hookline-baseline-")),
    script: join(root, "node_modules/wrangler/bin/wrangler.js"),
    leading: ["dev", "--local", "--config", configPath, "--log-level", "warn"],
    trailing: [],
    env: {},
    probe: "/",
    what: configPath,
  });
}

/** Starts `script` (wrangler dev, directly or through npm start) on free ports with state in `dir`; waits for `probe`. */
async function launch(options: {
  dir: string;
  script: string;
  /** Arguments before and after the ports and state directory this adds. */
  leading: string[];
  trailing: string[];
  env: Record<string, string>;
  probe: string;
  what: string;
}): Promise<RunningWorker> {
  const { dir } = options;
  const port = await freePort();
  const inspectorPort = await freePort();
  let output = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [
      options.script,
      ...options.leading,
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      join(dir, "state"),
      "--show-interactive-dev-session=false",
      ...options.trailing,
    ],
    {
      cwd: root,
      env: { ...inheritedEnv(), ...options.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((done) => child.once("exit", done));
      process.kill(-child.pid, "SIGTERM");
      await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000))]);
      if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.what} exited early (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.what} did not become healthy in time:\n${output}`);
    }
    try {
      const response = await fetch(`${url}${options.probe}`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  return {
    url,
    adminToken: "",
    persistDir: join(dir, "state"),
    output: () => output,
    // Spawned detached: the child leads its own process group.
    processGroup: child.pid ?? 0,
    stop,
  };
}

/** Polls `check` until it returns a value (not undefined) or the timeout passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ""}`);
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}
