import { describe, expect, it } from "vitest";
import { compileField } from "../../src/expressions/compile";
import { type ExprOptions, translateExpr } from "../../src/expressions/expr/translate";
import { compileExpression } from "../../src/expressions/jsonata";
import { TRIGGER_ROOTS, triggerExprOptions } from "../../src/notifications/trigger-language";
import catalogAnswers from "../oracle/argocd-catalog-1.17.8.json";
import answers1178 from "../oracle/expr-1.17.8.json";
import { DEFAULT_ENV, EXPR_CORPUS, type ExprMode, exprModeOf } from "../support/expr-corpus";
import { CATALOG_TRIGGER_CASES } from "./support/argocd-catalog";
import { askOracle, goOracle, type OracleAnswer } from "./support/go-oracle";
import { caseKey } from "./support/oracle-key";

/** The oracles' clock (test/oracle): time.Now() and now() answer this in Go and here. */
const ORACLE_NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

interface CommittedAnswer {
  expr: string;
  mode: string;
  key: string;
  value?: unknown;
  kind?: string;
  error?: string;
  agrees189: boolean;
}

const committed = answers1178 as CommittedAnswer[];

/** How hookline translates a case of each mode: a binding's fields, or an Argo CD trigger's. */
const OPTIONS: Record<ExprMode, ExprOptions> = {
  binding: { environment: "workflows" },
  metadata: { environment: "workflows" },
  trigger: { environment: "argocd" },
};

/** Runs `body` with hookline's clock at the oracles' `now`. */
async function atOracleNow<T>(body: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  Date.now = () => ORACLE_NOW;
  try {
    return await body();
  } finally {
    Date.now = realNow;
  }
}

/** What hookline makes of a case: the translation's value, or an error. */
async function evaluate(expression: string, env: Record<string, unknown>, mode: ExprMode): Promise<OracleAnswer> {
  try {
    const jsonata = translateExpr(expression, Object.keys(env), OPTIONS[mode]);
    const value = await atOracleNow(() => compileExpression(jsonata).evaluate(env));
    return value === undefined || value === null ? {} : { value: JSON.parse(JSON.stringify(value)) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String((error as { message?: string }).message ?? error) };
  }
}

describe("expr: hookline's translation agrees with expr-lang/expr v1.17.8, as Argo runs it (committed answers)", () => {
  it("has at least 250 cases, each answered for the case as it stands", () => {
    expect(EXPR_CORPUS.length).toBeGreaterThanOrEqual(250);
    expect(committed.length, "regenerate test/oracle/expr-1.17.8.json (test/oracle/README.md)").toBe(
      EXPR_CORPUS.length,
    );
  });

  EXPR_CORPUS.forEach((entry, index) => {
    const mode = exprModeOf(entry);
    it(`[${mode}] ${entry.expr}`, async () => {
      const env = entry.env ?? DEFAULT_ENV;
      const go = committed[index] as CommittedAnswer;
      expect(go.key, "the case changed since its answer was computed: regenerate (test/oracle/README.md)").toBe(
        caseKey(entry.expr, env),
      );
      const mine = await evaluate(entry.expr, env, mode);
      if (go.error !== undefined) expect(mine, `Go fails with: ${go.error}`).toHaveProperty("error");
      else expect(mine).toEqual(go.value === undefined ? {} : { value: go.value });
    });
  });
});

interface CatalogAnswer {
  trigger: string;
  condition: number;
  state: string;
  key: string;
  fires: boolean;
  oncePer?: string;
  error?: string;
}

describe("Argo CD's catalog: every trigger × Application state fires exactly when Go says", () => {
  const answers = catalogAnswers as CatalogAnswer[];
  it("covers every trigger of the catalog in at least 14 states", () => {
    expect(answers.length).toBe(CATALOG_TRIGGER_CASES.length);
    expect(new Set(CATALOG_TRIGGER_CASES.map((c) => c.state)).size).toBeGreaterThanOrEqual(14);
  });

  CATALOG_TRIGGER_CASES.forEach((entry, index) => {
    it(`${entry.trigger} — ${entry.state}`, async () => {
      const go = answers[index] as CatalogAnswer;
      expect(go.key, "regenerate test/oracle/argocd-catalog-1.17.8.json").toBe(caseKey(entry.when, entry.env));
      // As hookline compiles an Argo CD trigger (src/notifications/config.ts).
      const compile = (field: "when" | "oncePer", source: string) => {
        const compiled = compileField(field, source, "expr", TRIGGER_ROOTS, triggerExprOptions(field));
        if (!compiled.ok) throw new Error(compiled.error.message);
        return compiled.value.expression;
      };
      const condition = {
        when: compile("when", entry.when),
        oncePer: entry.oncePer ? compile("oncePer", entry.oncePer) : null,
      };
      const fires = await atOracleNow(() => condition.when.evaluate(entry.env)).then(
        (value) => value === true,
        () => false,
      );
      expect(fires, go.error ? `Go: ${go.error}` : "").toBe(go.fires);
      if (go.fires && condition.oncePer) {
        expect(
          await atOracleNow(() => (condition.oncePer as NonNullable<typeof condition.oncePer>).evaluate(entry.env)),
        ).toBe(go.oncePer);
      }
    });
  });
});

/** JSON with map keys in order (Go's maps have none). */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, item: unknown) =>
    item !== null && typeof item === "object" && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1)))
      : item,
  );
}

const oracle189 = goOracle();

describe.skipIf(oracle189 === null)(
  "expr: Debian's expr 1.8.9, built now, still gives the same answers where the versions agree",
  () => {
    const agreed = EXPR_CORPUS.map((entry, index) => ({ entry, go: committed[index] as CommittedAnswer })).filter(
      ({ go }) => go.agrees189,
    );
    it("judges at least 200 cases", () => {
      expect(agreed.length).toBeGreaterThanOrEqual(200);
    });
    it("agrees with the committed v1.17.8 answers and with hookline", async () => {
      const live = askOracle(oracle189 as string, {
        expr: agreed.map(({ entry }) => ({ expression: entry.expr, env: entry.env ?? DEFAULT_ENV })),
      }).expr;
      const differences: string[] = [];
      for (const [i, { entry, go }] of agreed.entries()) {
        const old = live[i] as OracleAnswer;
        const mine = await evaluate(entry.expr, entry.env ?? DEFAULT_ENV, exprModeOf(entry));
        const oldShape = old.error !== undefined ? "error" : canonical(old.value);
        const newShape = go.error !== undefined ? "error" : canonical(go.value);
        const myShape = mine.error !== undefined ? "error" : canonical(mine.value);
        if (oldShape !== newShape || myShape !== oldShape)
          differences.push(`${entry.expr}: 1.8.9 ${oldShape}, committed ${newShape}, hookline ${myShape}`);
      }
      expect(differences).toEqual([]);
    });
  },
);
