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

describe("Go templates: hostile input is refused or bounded, never a crash", () => {
  const data = { ...argoCdTemplateHelpers(), ...DATA };
  it("refuses nesting past 100 levels at parse time (parentheses and control structures)", () => {
    expect(() => compileGoTemplate(`{{${"(".repeat(2000)}1${")".repeat(2000)}}}`)).toThrow(/nested deeper than 100/);
    expect(() => compileGoTemplate(`${"{{if 1}}".repeat(2000)}${"{{end}}".repeat(2000)}`)).toThrow(
      /nested deeper than 100/,
    );
  });

  it("bounds what one call can build: printf widths, repeat, indent", () => {
    expect(renderGoTemplate(compileGoTemplate('{{printf "a %999999999d" 1}}'), data)).toBe(
      "a %!(NOVERB)%!(EXTRA int=1)",
    );
    expect(renderGoTemplate(compileGoTemplate('{{printf "%*d|" 2000000 1}}'), data)).toBe("%!(BADWIDTH)1|");
    expect(() => renderGoTemplate(compileGoTemplate('{{repeat 999999999 "ab"}}'), data)).toThrow(
      /TEMPLATE_BUDGET: repeat/,
    );
    expect(() => renderGoTemplate(compileGoTemplate('{{indent 999999999 "a"}}'), data)).toThrow(
      /TEMPLATE_BUDGET: indent/,
    );
  });

  it("stops a runaway range and a huge output", () => {
    const wide = { ...data, items: Array.from({ length: 50_000 }, (_, i) => i) };
    expect(() => renderGoTemplate(compileGoTemplate("{{range .items}}{{range $.items}}{{end}}{{end}}"), wide)).toThrow(
      /execution stopped after/,
    );
    expect(() => renderGoTemplate(compileGoTemplate('{{range .items}}{{repeat 100 "x"}}{{end}}'), wide)).toThrow(
      /output exceeds 256 KiB/,
    );
    expect(() =>
      renderGoTemplate(compileGoTemplate('{{define "a"}}{{template "a" .}}{{end}}{{template "a" .}}'), data),
    ).toThrow(/maximum template depth/);
  });

  it("never reaches an object's prototype", () => {
    const out = renderGoTemplate(
      compileGoTemplate(
        '{{.app.constructor}} {{.app.__proto__}} {{index .app "constructor"}} {{get (dict) "toString"}}',
      ),
      data,
    );
    expect(out).toBe("<no value> <no value> <no value> ");
  });
});
