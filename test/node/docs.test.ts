import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeRule, ROUTE_SCOPES } from "../support/route-scopes";

describe("docs/security.md", () => {
  it("lists every route with the scope the suite enforces", () => {
    const docs = readFileSync(new URL("../../docs/security.md", import.meta.url), "utf8");
    const missing = ROUTE_SCOPES.map(([route, rule]) => `| \`${route}\` | ${describeRule(rule)} |`).filter(
      (row) => !docs.includes(row),
    );
    expect(missing).toEqual([]);
  });
});
