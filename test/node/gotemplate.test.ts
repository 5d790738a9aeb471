import { beforeAll, describe, expect, it } from "vitest";
import { compileGoTemplate, renderGoTemplate } from "../../src/expressions/gotemplate";
import { argoCdTemplateHelpers } from "../../src/notifications/argocd-helpers";
import { DATA, TEMPLATE_CORPUS } from "../support/gotemplate-corpus";
import { askOracle, goOracle, type OracleAnswer } from "./support/go-oracle";

/** What hookline's interpreter makes of a case: its output, or that it failed (and why). */
function render(template: string, data: Record<string, unknown>): OracleAnswer {
  try {
    return { output: renderGoTemplate(compileGoTemplate(template), { ...argoCdTemplateHelpers(), ...data }) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

const oracle = goOracle();

describe.skipIf(oracle === null)("Go templates: hookline's interpreter agrees with Go's text/template + sprig", () => {
  let answers: OracleAnswer[] = [];
  beforeAll(() => {
    answers = askOracle(oracle as string, {
      templates: TEMPLATE_CORPUS.map((entry) => ({ template: entry.template, data: entry.data ?? DATA })),
    }).templates;
  });

  it("has at least 60 cases", () => {
    expect(TEMPLATE_CORPUS.length).toBeGreaterThanOrEqual(60);
  });

  TEMPLATE_CORPUS.forEach((entry, index) => {
    it(entry.name, () => {
      const go = answers[index] as OracleAnswer;
      const mine = render(entry.template, entry.data ?? DATA);
      if (go.error !== undefined) expect(mine, `Go fails with: ${go.error}`).toHaveProperty("error");
      else expect(mine).toEqual({ output: go.output });
    });
  });
});
