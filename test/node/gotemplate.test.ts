import { Eta } from "eta";
import { describe, expect, it } from "vitest";
import { translateGoTemplate } from "../../cli/gotemplate.mjs";
import { GO_HELPERS } from "../../src/notifications/go-helpers";
import { DATA, TEMPLATE_CORPUS } from "./support/gotemplate-corpus";
import { executeGoTemplate } from "./support/gotemplate-interpreter";

// The same Eta options the Worker's build compiles templates with (scripts/build-templates.mjs).
const eta = new Eta({ autoEscape: false, useWith: false });
const renderTranslated = (template: string, data: Record<string, unknown>) =>
  eta.renderString(translateGoTemplate(template), { ...data, go: GO_HELPERS });

describe("Go templates → Eta: the corpus, by both semantics", () => {
  it("has at least 20 templates", () => {
    expect(TEMPLATE_CORPUS.length).toBeGreaterThanOrEqual(20);
  });
  for (const entry of TEMPLATE_CORPUS) {
    it(entry.name, () => {
      const data = entry.data ?? DATA;
      expect(executeGoTemplate(entry.template, data), "Go semantics").toBe(entry.expected);
      expect(renderTranslated(entry.template, data), "translation").toBe(entry.expected);
    });
  }
});

describe("Go templates → Eta: what it refuses", () => {
  const refused: Array<[string, RegExp]> = [
    ["{{call .repo.RepoURLToHTTPS .app.spec.source.repoURL}}", /call is not supported/],
    ["{{(call .repo.GetCommitMetadata .app.status.sync.revision).Author}}", /call is not supported/],
    ["{{.time.Now}}", /time helpers/],
    ['{{template "x" .}}', /\{\{template\}\} is not supported/],
    ["{{sha256sum .app.metadata.name}}", /function "sha256sum" is not supported/],
    ["{{if .a}}open", /unclosed \{\{if\}\}/],
    ["{{end}}", /end without/],
    ["{{.a", /unclosed action/],
    ["{{$nope}}", /undefined variable \$nope/],
  ];
  for (const [template, message] of refused) {
    it(`refuses ${template}`, () => {
      expect(() => translateGoTemplate(template)).toThrow(message);
    });
  }

  it("fails at render time like Go on a field of a missing value", () => {
    expect(() => executeGoTemplate("{{.app.status.missing.phase}}", DATA)).toThrow(/nil pointer/);
    expect(() => renderTranslated("{{.app.status.missing.phase}}", DATA)).toThrow(/nil pointer/);
  });
});
