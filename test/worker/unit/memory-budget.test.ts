import { describe, expect, it } from "vitest";
import { compileGoTemplate, renderGoTemplate, TemplateExecError } from "../../../src/expressions/gotemplate";
import { compileExpression, ExpressionError } from "../../../src/expressions/jsonata";
import { EXPRESSION_CASES, TEMPLATE_CASES } from "../../support/memory-corpus";

// The memory-hungry corpus inside workerd (the platform whose isolate is at stake); the time each
// refusal takes is measured in Node (test/node/memory-budget.test.ts) and by `npm run bench -- regex`.
describe("inside workerd, memory-hungry expressions and templates fail alone, naming the function", () => {
  it("every expression in the corpus is refused with EXPRESSION_BUDGET; its ordinary use still gives its value", async () => {
    for (const entry of EXPRESSION_CASES) {
      const error = await compileExpression(entry.hungry)
        .evaluate(entry.input ?? {})
        .then(
          () => null,
          (thrown: unknown) => thrown,
        );
      expect(error, entry.hungry).toBeInstanceOf(ExpressionError);
      expect((error as ExpressionError).code, entry.hungry).toBe("EXPRESSION_BUDGET");
      expect((error as ExpressionError).message, entry.hungry).toContain(`EXPRESSION_BUDGET: ${entry.names} `);
      expect(await compileExpression(entry.ordinary).evaluate(entry.input ?? {}), entry.ordinary).toEqual(entry.value);
    }
  });

  it("every template in the corpus is refused with TEMPLATE_BUDGET; its ordinary use still renders", () => {
    for (const entry of TEMPLATE_CASES) {
      let error: unknown = null;
      try {
        renderGoTemplate(compileGoTemplate(entry.hungry), entry.input ?? {});
      } catch (thrown) {
        error = thrown;
      }
      expect(error, entry.hungry).toBeInstanceOf(TemplateExecError);
      expect((error as TemplateExecError).message, entry.hungry).toContain(`TEMPLATE_BUDGET: ${entry.names} `);
      expect(renderGoTemplate(compileGoTemplate(entry.ordinary), entry.input ?? {}), entry.ordinary).toBe(entry.value);
    }
  });
});
