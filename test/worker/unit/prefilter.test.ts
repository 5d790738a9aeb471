import { describe, expect, it } from "vitest";
import { PrefilterIndex, requiredEqualities } from "../../../src/bindings/prefilter";
import { compileExpression } from "../../../src/expressions/jsonata";

const selectors = [
  'discriminator = "github"',
  '"github" = discriminator',
  'discriminator = "github" and metadata."x-github-event" = ["push"]',
  'metadata."x-github-event" = ["push"] and payload.ref = "refs/heads/main"',
  'payload.repository.name = "app" and payload.after != ""',
  "payload.count = 3",
  "payload.flag = true",
  "payload.nothing = null",
  'payload.tags = ["a", "b"]',
  'discriminator = "github" or discriminator = "gitlab"',
  '$not(discriminator = "github")',
  'payload.commits.id = "c1"',
  '$contains(payload.ref, "main")',
  'namespace = "team-a" and discriminator = "x"',
  "true",
];

const events = [
  {
    discriminator: "github",
    metadata: { "x-github-event": ["push"] },
    payload: { ref: "refs/heads/main", after: "x", repository: { name: "app" } },
  },
  { discriminator: "github", metadata: { "x-github-event": ["pull_request"] }, payload: { ref: "refs/heads/dev" } },
  { discriminator: "gitlab", metadata: {}, payload: { repository: [{ name: "app" }], count: 3 } },
  { discriminator: "x", metadata: {}, payload: { count: "3", flag: true, nothing: null, tags: ["a", "b"] } },
  { discriminator: "", metadata: {}, payload: [1, 2, 3] },
  { discriminator: "y", metadata: {}, payload: { commits: [{ id: "c1" }], repository: { name: ["app"] } } },
  { discriminator: "y", metadata: {}, payload: { commits: { id: "c1" }, tags: ["b", "a"], count: 3.0 } },
  { discriminator: "github", metadata: { "x-github-event": "push" }, payload: null },
].map((event) => ({ ...event, namespace: "team-a" }));

describe("binding prefilter", () => {
  it("extracts only necessary equalities from top-level and-chains", () => {
    const equalities = (source: string) => requiredEqualities(compileExpression(source).ast);
    expect(equalities('discriminator = "github" and metadata."x-github-event" = ["push"]')).toEqual([
      { path: ["discriminator"], literal: '"github"' },
      { path: ["metadata", "x-github-event"], literal: '["push"]' },
    ]);
    expect(equalities('discriminator = "a" or discriminator = "b"')).toEqual([]);
    expect(equalities('$not(discriminator = "a")')).toEqual([]);
    expect(equalities("payload.a[0] = 1")).toEqual([]);
    expect(equalities("$x = 1")).toEqual([]);
  });

  it("never rules out a binding whose selector would be true (checked against JSONata itself)", async () => {
    const compiled = selectors.map((source) => ({ source, expression: compileExpression(source) }));
    const index = new PrefilterIndex(compiled, (item) => requiredEqualities(item.expression.ast));
    let pruned = 0;
    for (const event of events) {
      const candidates = new Set(index.candidates(event));
      for (const item of compiled) {
        const result = await item.expression.evaluate(event).catch(() => undefined);
        if (result === true) expect(candidates.has(item), `${item.source} on ${JSON.stringify(event)}`).toBe(true);
        if (!candidates.has(item)) pruned++;
      }
    }
    expect(pruned).toBeGreaterThan(events.length * 3);
  });

  it("keeps candidates in binding order", () => {
    const items = ['discriminator = "b"', "true", 'discriminator = "a"', 'discriminator = "b" and true'].map(
      compileExpression,
    );
    const index = new PrefilterIndex(items, (item) => requiredEqualities(item.ast));
    expect(index.candidates({ discriminator: "b" }).map((item) => item.source)).toEqual([
      'discriminator = "b"',
      "true",
      'discriminator = "b" and true',
    ]);
  });
});
