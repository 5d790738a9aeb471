import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import jsonata from "jsonata";
import { describe, expect, it } from "vitest";
import { compileGoTemplate, renderGoTemplate, TemplateExecError } from "../../src/expressions/gotemplate";
import { compileExpression, ExpressionError } from "../../src/expressions/jsonata";
import { JSONATA_BUILTINS, SCALAR_BUILTINS } from "../../src/expressions/jsonata-memory";
import { EXPRESSION_CASES, type MemoryCase, TEMPLATE_CASES } from "../support/memory-corpus";

/** The refusal must come within 50 ms (the contract's bound), measured around the whole evaluation. */
const WITHIN_MS = 50;

const quoted = (names: string) => names.replace(/[$()*.?+[\]]/g, "\\$&");

async function timed(run: () => unknown): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  try {
    await run();
    return { ms: performance.now() - started, error: null };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

describe("memory-hungry expressions are refused fast, naming the function", () => {
  it.each(EXPRESSION_CASES.map((entry) => [entry.names, entry] as [string, MemoryCase]))("%s", async (_name, entry) => {
    await compileExpression("1").evaluate({}); // warm: JSONata's built-ins are wrapped once, on first use
    const expression = compileExpression(entry.hungry);
    const { ms, error } = await timed(() => expression.evaluate(entry.input ?? {}));
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).code).toBe("EXPRESSION_BUDGET");
    expect((error as ExpressionError).message).toMatch(new RegExp(`^EXPRESSION_BUDGET: ${quoted(entry.names)} `));
    expect(ms).toBeLessThan(WITHIN_MS);
  });

  it.each(EXPRESSION_CASES.map((entry) => [entry.ordinary, entry] as [string, MemoryCase]))(
    "ordinary use still works: %s",
    async (_name, entry) => {
      expect(await compileExpression(entry.ordinary).evaluate(entry.input ?? {})).toEqual(entry.value);
    },
  );

  it("the budget is per evaluation: a refused one leaves the next untouched", async () => {
    const hungry = compileExpression('$length($pad("", 30000000))');
    await expect(hungry.evaluate({})).rejects.toThrow(/EXPRESSION_BUDGET/);
    // Seven values of 1 MiB each in one evaluation are fine (8 MiB in all).
    const near = compileExpression('[1..7].($pad("", 1000000, "x") = "")');
    expect(await near.evaluate({})).toEqual(Array(7).fill(false));
    expect(await near.evaluate({})).toEqual(Array(7).fill(false));
  });

  it("reading a large event is not building: paths and comparisons over it cost nothing", async () => {
    const big = "x".repeat(3_000_000);
    const expression = compileExpression(
      'payload.big != "" and $exists(payload.big) and $type(payload.big) = "string"',
    );
    expect(await expression.evaluate({ payload: { big } })).toBe(true);
  });

  it("$pad gives what JSONata's own gives (it is built with less memory)", async () => {
    const cases = [
      '$pad("ab", 5)',
      '$pad("ab", -5, "#")',
      '$pad("ab", 7, "xyz")',
      '$pad("ab", -8, "😀é")',
      '$pad("😀😀", 4, "-")',
      '$pad("abcdef", 3)',
      '$pad("", 0)',
      '$pad("ab", 5.9, "")',
      "$pad(undefined, 5)",
    ];
    for (const source of cases)
      expect(await compileExpression(source).evaluate({}), source).toEqual(await jsonata(source).evaluate({}));
  });

  it("every JSONata built-in is charged or returns only numbers and booleans (the library's own list matches hookline's)", async () => {
    const source = readFileSync(createRequire(import.meta.url).resolve("jsonata"), "utf8");
    const bound = [...source.matchAll(/staticFrame\.bind\('(\w+)'/g)].map((match) => match[1]);
    expect(bound.filter((name) => name !== "eval").sort()).toEqual([...JSONATA_BUILTINS].sort());
    // What the uncharged ones give is never a string or a list (`$type` names a type: a short word).
    const samples: Record<string, string> = {
      sum: "$sum([1])",
      count: "$count([1])",
      max: "$max([1])",
      min: "$min([1])",
      average: "$average([1])",
      length: '$length("a")',
      number: '$number("1")',
      floor: "$floor(1.5)",
      ceil: "$ceil(1.5)",
      round: "$round(1.5)",
      abs: "$abs(-1)",
      sqrt: "$sqrt(4)",
      power: "$power(2, 2)",
      random: "$random()",
      boolean: "$boolean(1)",
      not: "$not(1)",
      exists: "$exists(1)",
      contains: '$contains("a", "a")',
      type: "$type(1) = $type(2)",
      toMillis: '$toMillis("1970-01-01T00:00:00Z")',
      parseInteger: '$parseInteger("12", "#0")',
      error: "$exists($error)",
      assert: "$assert(true)",
    };
    for (const name of SCALAR_BUILTINS) {
      const value = await compileExpression(samples[name] ?? "").evaluate({});
      expect(["number", "boolean", "undefined"], name).toContain(typeof value);
    }
  });
});

describe("memory-hungry templates are refused fast, naming the function", () => {
  it.each(TEMPLATE_CASES.map((entry) => [entry.names, entry] as [string, MemoryCase]))("%s", async (_name, entry) => {
    const template = compileGoTemplate(entry.hungry);
    const { ms, error } = await timed(() => renderGoTemplate(template, entry.input ?? {}));
    expect(error).toBeInstanceOf(TemplateExecError);
    expect((error as TemplateExecError).code).toBe("TEMPLATE_BUDGET");
    expect((error as TemplateExecError).message).toMatch(new RegExp(`^TEMPLATE_BUDGET: ${quoted(entry.names)} `));
    expect(ms).toBeLessThan(WITHIN_MS);
  });

  it.each(TEMPLATE_CASES.map((entry) => [entry.ordinary, entry] as [string, MemoryCase]))(
    "ordinary use still works: %s",
    (_name, entry) => {
      expect(renderGoTemplate(compileGoTemplate(entry.ordinary), entry.input ?? {})).toBe(entry.value);
    },
  );

  it("sprig's until is not offered at all (refused when the template is applied)", () => {
    expect(() => compileGoTemplate("{{ until 99999999 }}")).toThrow(/until.*not available/);
  });
});
