import { describe, expect, it } from "vitest";
import { compileExpression, EVALUATION_LIMITS, ExpressionError } from "../../../src/expressions/jsonata";
import { unsafeRegexReason } from "../../../src/expressions/safe-regex";

const input = {
  payload: { message: "hello", repository: { name: "app" }, commits: [{ id: "a" }, { id: "b" }] },
  metadata: { "x-github-event": ["push"] },
  discriminator: "github",
  namespace: "team-a",
};

describe("JSONata expressions", () => {
  it("evaluates over the event environment and returns plain JSON values", async () => {
    expect(
      await compileExpression('discriminator = "github" and metadata."x-github-event" = ["push"]').evaluate(input),
    ).toBe(true);
    expect(await compileExpression("payload.commits.id").evaluate(input)).toEqual(["a", "b"]);
    expect(await compileExpression('"build-" & payload.repository.name').evaluate(input)).toBe("build-app");
    expect(await compileExpression("payload.missing").evaluate(input)).toBeUndefined();
  });

  it("reports syntax errors with their position", () => {
    try {
      compileExpression("payload.a = = 3");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ExpressionError);
      expect((error as ExpressionError).position).toBe(13);
      expect((error as ExpressionError).describe("spec.event.selector")).toMatch(
        /^spec\.event\.selector: .+ \(at position 13\)$/,
      );
    }
    expect(() => compileExpression("")).toThrow(ExpressionError);
    expect(() => compileExpression("x".repeat(5000))).toThrow(/longer than/);
  });

  it("stops a runaway loop after the step budget, as an error not a hang", async () => {
    const loop = compileExpression("$map([1..100000], function($v) { $v * 2 })");
    await expect(loop.evaluate(input)).rejects.toThrow(/steps/);
  });

  it("stops runaway recursion at the depth limit", async () => {
    const recursion = compileExpression("($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))");
    await expect(recursion.evaluate(input)).rejects.toThrow(ExpressionError);
  });

  it("gives each concurrent evaluation its own budget", async () => {
    // Each evaluation alone stays under the budget; together they would exceed it if shared.
    const medium = compileExpression("$count($map([1..2000], function($v) { $v }))");
    const results = await Promise.all(Array.from({ length: 20 }, () => medium.evaluate(input)));
    expect(results.every((result) => result === 2000)).toBe(true);
    expect(EVALUATION_LIMITS.maxSteps).toBeLessThan(20 * 2000 * 3);
  });

  it("refuses regular expressions that can backtrack exponentially", () => {
    expect(() => compileExpression("$contains(payload.message, /(a+)+$/)")).toThrow(/unsafe regular expression/);
    expect(() => compileExpression("$contains(payload.message, /^(\\w+\\s?)*$/)")).toThrow(/nested quantifiers/);
    expect(() => compileExpression("$contains(payload.message, /(a)\\1/)")).toThrow(/backreferences/);
    expect(() => compileExpression("$contains(payload.message, /^v[0-9]+\\.[0-9]+$/)")).not.toThrow();
    expect(() => compileExpression("$contains(payload.message, /^(release|hotfix)-[a-z]+$/i)")).not.toThrow();
  });
});

describe("unsafe regex check", () => {
  it.each([
    ["(a+)+", false],
    ["(a*)*", false],
    ["(ab|a+)*", false],
    ["((a)+)+", false],
    ["(a+)?", true],
    ["[(+]+", true],
    ["\\(a+\\)+", true],
    ["(abc)+", true],
    ["a{1,3}b+", true],
  ])("%s → safe: %s", (pattern, safe) => {
    expect(unsafeRegexReason(pattern) === null).toBe(safe);
  });
});
