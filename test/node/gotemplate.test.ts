import { describe, expect, it } from "vitest";
import { compileGoTemplate, renderGoTemplate } from "../../src/expressions/gotemplate";
import { argoCdTemplateHelpers, argoCdTemplateVariables } from "../../src/notifications/argocd-helpers";

import committedAnswers from "../oracle/templates-argocd.json";
import { DATA, TEMPLATE_CORPUS } from "../support/gotemplate-corpus";
import { CATALOG_TEMPLATE_CASES } from "./support/argocd-catalog";
import { askOracle, goOracle, type OracleAnswer } from "./support/go-oracle";
import { caseKey } from "./support/oracle-key";

/** What hookline's interpreter makes of a case, with the variables as Argo CD hands them over: its output, or that it failed (and why). */
function render(template: string, data: Record<string, unknown>): OracleAnswer {
  try {
    return { output: renderGoTemplate(compileGoTemplate(template), argoCdTemplateVariables(data)) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

interface CommittedTemplate {
  name: string;
  key: string;
  output?: string;
  error?: string;
  agrees189: boolean;
}

const cases = [
  ...TEMPLATE_CORPUS.map((entry) => ({ name: entry.name, template: entry.template, data: entry.data ?? DATA })),
  ...CATALOG_TEMPLATE_CASES,
];
const committed = committedAnswers as CommittedTemplate[];

describe("Go templates: hookline's interpreter renders what Argo CD renders (Go text/template + sprig, committed answers)", () => {
  it("has at least 120 cases, each answered for the case as it stands", () => {
    expect(cases.length).toBeGreaterThanOrEqual(120);
    expect(committed.length, "regenerate test/oracle/templates-argocd.json (test/oracle/README.md)").toBe(cases.length);
  });

  cases.forEach((entry, index) => {
    it(entry.name, () => {
      const go = committed[index] as CommittedTemplate;
      expect(go.key, "the case changed since its answer was computed: regenerate (test/oracle/README.md)").toBe(
        caseKey(entry.template, entry.data),
      );
      const mine = render(entry.template, entry.data as Record<string, unknown>);
      if (go.error !== undefined) expect(mine, `Go fails with: ${go.error}`).toHaveProperty("error");
      else expect(mine).toEqual({ output: go.output });
    });
  });
});

const oracle = goOracle();

describe.skipIf(oracle === null)(
  "Go templates: the Debian-built oracle, run now, still renders the same where it agreed",
  () => {
    it("renders every agreed case as committed", () => {
      const agreed = cases.filter((_, index) => committed[index]?.agrees189);
      expect(agreed.length).toBeGreaterThanOrEqual(100);
      const live = askOracle(oracle as string, {
        templates: agreed.map((entry) => ({ template: entry.template, data: entry.data as Record<string, unknown> })),
      }).templates;
      const differences = agreed.flatMap((entry, i) => {
        const go = committed[cases.indexOf(entry)] as CommittedTemplate;
        const now = live[i] as OracleAnswer;
        const same = go.error !== undefined ? now.error !== undefined : now.output === go.output;
        return same ? [] : [entry.name];
      });
      expect(differences).toEqual([]);
    });
  },
);

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
