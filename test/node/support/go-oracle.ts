// Runs test/oracle (a Go program built from Debian's Go packages in GOPATH mode) to learn what
// the real libraries make of a corpus: github.com/antonmedv/expr for expr selectors, and Go's
// text/template with Masterminds/sprig for notification templates. When Go or the packages
// are missing (a machine that did not run .ci/run's install step), `goOracle()` returns null
// and the oracle tests are skipped, loudly.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const GOPATH = "/usr/share/gocode";
const source = resolve(dirname(fileURLToPath(import.meta.url)), "../../oracle");

export interface OracleAnswer {
  value?: unknown;
  kind?: string;
  output?: string;
  error?: string;
}

export interface OracleRequest {
  expr?: Array<{ expression: string; env: Record<string, unknown> }>;
  templates?: Array<{ template: string; data: Record<string, unknown> }>;
}

let built: string | null | undefined;

/** The built oracle's path, or null (with a warning saying why) when Go or its packages are missing. */
export function goOracle(): string | null {
  if (built !== undefined) return built;
  const missing = !existsSync(`${GOPATH}/src/github.com/antonmedv/expr`)
    ? "golang-github-antonmedv-expr-dev"
    : !existsSync(`${GOPATH}/src/github.com/Masterminds/sprig`)
      ? "golang-github-masterminds-sprig-dev"
      : spawnSync("go", ["version"]).status !== 0
        ? "golang-go"
        : null;
  if (missing) {
    console.warn(`\n!!! SKIPPING the Go oracle tests: ${missing} is not installed (.ci/run installs it) !!!\n`);
    built = null;
    return null;
  }
  const output = join(mkdtempSync(join(tmpdir(), "hookline-oracle-")), "oracle");
  execFileSync("go", ["build", "-o", output, "."], {
    cwd: source,
    env: { ...process.env, GO111MODULE: "off", GOPATH, GOCACHE: join(tmpdir(), "hookline-gocache"), GOFLAGS: "" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  built = output;
  return output;
}

/** Asks the oracle; answers come back in the order of the request. */
export function askOracle(oracle: string, request: OracleRequest): { expr: OracleAnswer[]; templates: OracleAnswer[] } {
  const result = spawnSync(oracle, [], {
    input: JSON.stringify(request),
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, TZ: "UTC" },
  });
  if (result.status !== 0) throw new Error(`oracle failed: ${result.stderr.toString()}`);
  return JSON.parse(result.stdout.toString()) as { expr: OracleAnswer[]; templates: OracleAnswer[] };
}
