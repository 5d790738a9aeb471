import { describe, expect, it } from "vitest";
import { Budget, MAX_WORK } from "../../../src/expressions/budget";
import { translateExpr } from "../../../src/expressions/expr/translate";
import { compileExpression, ExpressionError } from "../../../src/expressions/jsonata";
import { EVIL_INPUTS, EVIL_PATTERNS } from "../../support/evil-regex";

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

  it("stops a runaway loop at the work budget, as an error not a hang", async () => {
    const loop = compileExpression("$map([1..100000], function($v) { $v * 2 })");
    await expect(loop.evaluate(input)).rejects.toThrow(/work budget/);
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
  });

  it("keeps a __proto__ key in the data a plain key", async () => {
    const value = await compileExpression("payload").evaluate({ payload: JSON.parse('{"__proto__": {"x": 1}}') });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value as object)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe("$eval and other doors to code at run time", () => {
  it("refuses $eval when the expression is compiled, with its position", () => {
    expect(() => compileExpression('$eval("1 + 1")')).toThrow(/\$eval is not available/);
    expect(() => compileExpression("($e := $eval; $e(payload.code))")).toThrow(/\$eval is not available/);
    try {
      compileExpression('payload.a and $eval("x")');
      expect.unreachable();
    } catch (error) {
      expect((error as ExpressionError).position).not.toBeNull();
    }
  });
});

describe("regular expressions run on RE2 (Go syntax, linear time)", () => {
  it("matches Go's syntax: POSIX classes, Unicode classes, inline flags through expr", async () => {
    const alpha = compileExpression("$contains(payload.s, /^[[:alpha:]]+$/)");
    expect(await alpha.evaluate({ payload: { s: "abcXYZ" } })).toBe(true);
    expect(await alpha.evaluate({ payload: { s: "abc1" } })).toBe(false);
    // In JavaScript `[[:alpha:]]` is a class of `[ : a l p h` followed by `]` — not what Argo means.
    expect(await alpha.evaluate({ payload: { s: "[:" } })).toBe(false);
    const letters = compileExpression("$contains(payload.s, /^\\pL+$/)");
    expect(await letters.evaluate({ payload: { s: "héllo" } })).toBe(true);
    expect(await letters.evaluate({ payload: { s: "h3llo" } })).toBe(false);
    const translated = compileExpression(translateExpr('payload.s matches "(?i)^hello$"', ["payload"]));
    expect(await translated.evaluate({ payload: { s: "HeLLo" } })).toBe(true);
  });

  it("$match, $replace and $split keep JSONata's semantics, including UTF-16 positions", async () => {
    expect(await compileExpression('$match("aé1b22", /[0-9]+/)').evaluate({})).toEqual([
      { match: "1", index: 2, groups: [] },
      { match: "22", index: 4, groups: [] },
    ]);
    expect(await compileExpression('$match("😀ab", /(a)(b)/).groups').evaluate({})).toEqual(["a", "b"]);
    expect(await compileExpression('$match("😀ab", /ab/).index').evaluate({})).toBe(2);
    expect(await compileExpression('$replace("a-b-c", /-/, "+")').evaluate({})).toBe("a+b+c");
    expect(await compileExpression('$split("a1b22c", /[0-9]+/)').evaluate({})).toEqual(["a", "b", "c"]);
    expect(await compileExpression('$contains("Release", /release/i)').evaluate({})).toBe(true);
  });

  it.each([
    ["(a)\\1", /RE2/],
    ["(?=a)b", /RE2/],
    ["(?<!a)b", /RE2/],
  ])("refuses /%s/ (not expressible in linear time) when compiled", (pattern, message) => {
    expect(() => compileExpression(`$contains(payload.s, /${pattern}/)`)).toThrow(message);
  });

  it("refuses a bad pattern in Argo's `matches` when it is translated", () => {
    expect(() => translateExpr('payload.s matches "(a)\\\\1"', ["payload"])).toThrow(/RE2/);
  });
});

describe("evil regular expressions × 20 KB inputs", () => {
  it("every evaluation ends, with a result or the budget error, and never costs more than the budget", async () => {
    for (const pattern of EVIL_PATTERNS) {
      for (const text of EVIL_INPUTS) {
        for (const source of [
          `$contains(payload.s, /${pattern}/)`,
          `$match(payload.s, /${pattern}/)`,
          `$replace(payload.s, /${pattern}/, "-")`,
        ]) {
          const expression = compileExpression(source);
          try {
            await expression.evaluate({ payload: { s: text } });
          } catch (error) {
            expect(error, `${source}: ${String(error)}`).toBeInstanceOf(ExpressionError);
            expect((error as ExpressionError).message).toMatch(/work budget|zero length|D1004|matches/);
          }
        }
      }
    }
  });

  it("the budget is charged before a scan runs: a scan that would not fit is refused", () => {
    const budget = new Budget();
    budget.spend(MAX_WORK - 10);
    expect(budget.fits(10)).toBe(true);
    expect(() => budget.spend(11)).toThrow();
  });
});
