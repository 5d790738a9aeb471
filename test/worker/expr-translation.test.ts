import { describe, expect, it } from "vitest";
import { translateExpr } from "../../src/expressions/expr/translate";
import { compileExpression } from "../../src/expressions/jsonata";
import { DEFAULT_ENV } from "../support/expr-corpus";

// The corpus is judged by Go's own expr library in test/node/expr.test.ts; here, the translation
// runs inside workerd, where bindings and triggers evaluate it.
describe("expr-lang → JSONata inside workerd", () => {
  it("evaluates Argo CD's on-deployed condition with its time helpers", async () => {
    const source =
      "app.status.operationState != nil and app.status.operationState.phase in ['Succeeded'] and app.status.health.status == 'Healthy' and (!time.Parse(app.status.health.lastTransitionTime).Before(time.Parse(app.status.operationState.finishedAt)))";
    const compiled = compileExpression(translateExpr(source, ["app", "context"]));
    const app = (healthy: string) => ({
      status: {
        operationState: { phase: "Succeeded", finishedAt: "2026-01-02T03:00:05Z" },
        health: { status: "Healthy", lastTransitionTime: healthy },
      },
    });
    expect(await compiled.evaluate({ app: app("2026-01-02T03:00:10Z") })).toBe(true);
    expect(await compiled.evaluate({ app: app("2026-01-02T02:59:00Z") })).toBe(false);
  });

  it("evaluates what expr-lang v1.17.8 added: durations, let, pipes, ?.[…], built-ins", async () => {
    const cases: Array<[string, unknown]> = [
      ["1 * time.Minute > time.Second", true],
      ['let name = payload.pusher.name | lower(); name + "!"', "ada!"],
      ["payload.commits?.[1]?.id ?? payload.missing?.[0]", "c2"],
      ['payload.commits | map(.id) | join(",")', "c1,c2"],
      ["reduce(1..4, #acc + #)", 10],
      ["sum(payload.commits, len(.added))", 1],
      ['payload.ref not startsWith "refs/tags/"', true],
    ];
    for (const [source, expected] of cases) {
      const env = { ...DEFAULT_ENV };
      expect(await compileExpression(translateExpr(source, Object.keys(env))).evaluate(env), source).toEqual(expected);
    }
  });

  it("fails at run time, as expr does, on a field of nil", async () => {
    const compiled = compileExpression(translateExpr('payload.missing.field == "x"', ["payload"]));
    await expect(compiled.evaluate({ payload: {} })).rejects.toThrow(/cannot fetch field from <nil>/);
  });
});

describe("expr-lang translation: what it refuses", () => {
  const roots = ["payload", "metadata", "discriminator"];
  const refused: Array<[string, RegExp]> = [
    ["sprig.sha256sum(payload.x)", /sprig\.sha256sum is not supported/],
    ["repo.GetAppDetails()", /need Argo CD.s repo server/],
    ["time.Since(payload.x)", /time\.Since\(\) is not supported/],
    ['payload.a == "\\q"', /invalid char escape/],
    [`${"(".repeat(150)}1${")".repeat(150)}`, /nested deeper than 100 levels/],
    [`${"!".repeat(150)}true`, /nested deeper than 100 levels/],
    ["payload.x | 1", /expected a function call after \|/],
    ["workflow.name == 'x'", /unknown variable "workflow"/],
    ['payload.x matches "(unclosed"', /missing closing \)|missing \)/],
    ["payload.a == ", /unexpected end of expression/],
    ['"unterminated', /unterminated string/],
    ["payload.a @ 1", /unexpected character "@"/],
  ];
  for (const [source, message] of refused) {
    it(`refuses ${source}`, () => {
      expect(() => translateExpr(source, roots)).toThrow(message);
    });
  }

  it("translates nested predicates in linear time (each list is evaluated once, into a variable)", () => {
    const nested = `${"filter(".repeat(60)}payload.list${", # > 0)".repeat(60)}`;
    const started = Date.now();
    const jsonata = translateExpr(nested, roots);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(jsonata.length).toBeLessThan(20_000);
  });

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
