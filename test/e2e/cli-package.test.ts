// The CLI is a package of its own: `npm pack` + `npm install -g` give a working `hookline`
// anywhere, with no wrangler, no Worker and no clone.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "../../scripts/lib/local-worker";

/** npm as the test runner was started with (`npm test`), else the one on PATH. */
function npm(args: string[], cwd: string) {
  const execPath = process.env.npm_execpath;
  const result = execPath
    ? spawnSync(process.execPath, [execPath, ...args], { cwd, encoding: "utf8", timeout: 120_000 })
    : spawnSync("npm", args, { cwd, encoding: "utf8", timeout: 120_000 });
  expect(result.status, `npm ${args.join(" ")}: ${result.stderr}`).toBe(0);
  return result;
}

describe("the CLI installs on its own", () => {
  it("npm pack → npm install -g into an empty prefix → hookline --help works there", () => {
    const work = mkdtempSync(join(tmpdir(), "hookline-cli-package-"));
    npm(["pack", "--pack-destination", work, "--silent"], join(root, "cli"));
    const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
    expect(tarball).toBeDefined();
    const prefix = join(work, "prefix");
    npm(["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", join(work, tarball ?? "")], work);
    const help = spawnSync(join(prefix, "bin", "hookline"), ["--help"], {
      cwd: work,
      encoding: "utf8",
      env: { PATH: `${join(prefix, "bin")}:${process.env.PATH ?? ""}`, HOME: work },
    });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^hookline — edge gateway for Argo Workflows/);
    const version = spawnSync(join(prefix, "bin", "hookline"), ["--version"], { cwd: work, encoding: "utf8" });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // Nothing of the project came along: no wrangler, no Worker sources.
    const installed = join(prefix, "lib", "node_modules", "hookline-cli");
    expect(readdirSync(installed).sort()).toEqual(expect.arrayContaining(["hookline.mjs", "package.json"]));
    expect(readdirSync(join(installed, "node_modules"))).not.toContain("wrangler");
  });
});
