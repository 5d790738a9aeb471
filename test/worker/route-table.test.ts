import { describe, expect, it } from "vitest";
import securityDoc from "../../docs/security.md?raw";
import { describeRule, ROUTE_SCOPES } from "../support/route-scopes";

// docs/security.md's scope table is the route declarations' (src/http/route.ts): a route added,
// or its rule changed, without the table following fails here.
describe("docs/security.md", () => {
  it("lists every declared route with the access rule the suite enforces", () => {
    const missing = ROUTE_SCOPES.map(([route, rule]) => `| \`${route}\` | ${describeRule(rule)} |`).filter(
      (row) => !securityDoc.includes(row),
    );
    expect(missing).toEqual([]);
  });
});
