import { describe, expect, it } from "vitest";
import { parseExpr } from "../../src/expressions/expr/parse";
import { translateExpr } from "../../src/expressions/expr/translate";
import { compileExpression } from "../../src/expressions/jsonata";
import { DEFAULT_ENV, EXPR_CORPUS } from "../support/expr-corpus";
import { evaluateExpr } from "../support/expr-interpreter";

describe("expr-lang → JSONata: the corpus, by both semantics", () => {
  it("has at least 40 expressions", () => {
    expect(EXPR_CORPUS.length).toBeGreaterThanOrEqual(40);
  });
  for (const entry of EXPR_CORPUS) {
    it(entry.expr, async () => {
      const env = entry.env ?? DEFAULT_ENV;
      const roots = Object.keys(env);
      expect(evaluateExpr(parseExpr(entry.expr), env), "expr semantics").toEqual(entry.expected);
      const jsonata = translateExpr(entry.expr, roots);
      expect(await compileExpression(jsonata).evaluate(env), `translation: ${jsonata}`).toEqual(entry.expected);
    });
  }
});

describe("expr-lang translation: what it refuses", () => {
  const roots = ["payload", "metadata", "discriminator"];
  const refused: Array<[string, RegExp]> = [
    ["sprig.sha256sum(payload.x)", /sprig\.sha256sum is not supported/],
    ["now() > 1", /function now\(\) is not supported/],
    ["payload.x | lower()", /pipe operator/],
    ["workflow.name == 'x'", /unknown variable "workflow"/],
    ["payload.x matches payload.pattern", /matches needs a literal pattern/],
    ["payload.a == ", /unexpected end of expression/],
    ['"unterminated', /unterminated string/],
    ["payload.a @ 1", /unexpected character "@"/],
  ];
  for (const [source, message] of refused) {
    it(`refuses ${source}`, () => {
      expect(() => translateExpr(source, roots)).toThrow(message);
    });
  }

  it("reports the position of what it refuses", () => {
    try {
      translateExpr('discriminator == "x" && sprig.md5(payload.a) == "y"', roots);
      expect.unreachable();
    } catch (error) {
      expect((error as { position: number }).position).toBe(25);
    }
  });

  it("writes readable JSONata for the seed's selector", () => {
    expect(
      translateExpr(
        'payload.message != "" && metadata["x-argo-e2e"] == ["true"] && discriminator == "my-discriminator"',
        roots,
      ),
    ).toBe(
      '(($not((payload.message = "")) and (metadata.`x-argo-e2e` = ["true"])) and (discriminator = "my-discriminator"))',
    );
  });
});
