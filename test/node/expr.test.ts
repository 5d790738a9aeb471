import { beforeAll, describe, expect, it } from "vitest";
import { translateExpr } from "../../src/expressions/expr/translate";
import { compileExpression } from "../../src/expressions/jsonata";
import { DEFAULT_ENV, EXPR_CORPUS, NEWER_EXPR } from "../support/expr-corpus";
import { askOracle, goOracle, type OracleAnswer } from "./support/go-oracle";

/** The oracle's clock (test/oracle/main.go): time.Now() answers this in both. */
const ORACLE_NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

/** What hookline makes of a case: the translation's value, or an error. */
async function evaluate(expression: string, env: Record<string, unknown>): Promise<OracleAnswer> {
  try {
    const jsonata = translateExpr(expression, Object.keys(env));
    const value = await compileExpression(jsonata).evaluate(env);
    return value === undefined || value === null ? {} : { value: JSON.parse(JSON.stringify(value)) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String((error as { message?: string }).message ?? error) };
  }
}

const oracle = goOracle();

describe.skipIf(oracle === null)("expr: hookline's JSONata translation agrees with github.com/antonmedv/expr", () => {
  let answers: OracleAnswer[] = [];
  beforeAll(() => {
    answers = askOracle(oracle as string, {
      expr: EXPR_CORPUS.map((entry) => ({ expression: entry.expr, env: entry.env ?? DEFAULT_ENV })),
    }).expr;
  });

  it("has at least 150 selectors", () => {
    expect(EXPR_CORPUS.length).toBeGreaterThanOrEqual(150);
  });

  EXPR_CORPUS.forEach((entry, index) => {
    it(entry.expr, async () => {
      const go = answers[index] as OracleAnswer;
      const realNow = Date.now;
      Date.now = () => ORACLE_NOW;
      try {
        const mine = await evaluate(entry.expr, entry.env ?? DEFAULT_ENV);
        if (go.error !== undefined) expect(mine, `Go fails with: ${go.error}`).toHaveProperty("error");
        else expect(mine).toEqual(go.value === undefined ? {} : { value: go.value });
      } finally {
        Date.now = realNow;
      }
    });
  });
});

describe("expr: what later expr-lang releases added (beyond the oracle's version), as expr-lang documents it", () => {
  for (const entry of NEWER_EXPR) {
    it(entry.expr, async () => {
      expect(await evaluate(entry.expr, entry.env ?? DEFAULT_ENV)).toEqual({ value: entry.expected });
    });
  }
});
