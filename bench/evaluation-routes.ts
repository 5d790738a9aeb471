// Benchmark routes that run the consumer's evaluation code path inside workerd (its clock does
// not advance while code runs, so the load generator times each call from outside).
import { Hono } from "hono";
import jsonata from "jsonata";
import { compileNamespace, type NamespaceBindings } from "../src/bindings/cache";
import { evaluateBinding } from "../src/bindings/evaluate";
import type { StoredBinding } from "../src/bindings/schema";
import { compileGoTemplate, renderGoTemplate, TemplateExecError } from "../src/expressions/gotemplate";
import { compileExpression, ExpressionError } from "../src/expressions/jsonata";
import { EVIL_INPUTS, EVIL_PATTERNS } from "../test/support/evil-regex";
import { EXPRESSION_CASES, TEMPLATE_CASES } from "../test/support/memory-corpus";

/** The selector every benchmark binding uses, for repository `i`. */
export function typicalSelector(i: number): string {
  return `discriminator = "repo-${i}" and metadata."x-github-event" = ["push"] and payload.ref = "refs/heads/main"`;
}

/** One selector in ten also matches the ref with a regular expression (RE2 in hookline, RegExp in the baseline). */
function regexSelector(i: number): string {
  return `discriminator = "repo-${i}" and $contains(payload.ref, /^refs/heads/(main|release-[0-9]+)$/)`;
}

function benchBinding(i: number): StoredBinding {
  // One binding in fifty has no equality to index (as real namespaces have a few).
  const selector =
    i % 50 === 49
      ? `$contains(payload.repository.full_name, "acme/repo-${i}")`
      : i % 10 === 5
        ? regexSelector(i)
        : typicalSelector(i);
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "WorkflowEventBinding",
    metadata: {
      name: `binding-${i}`,
      namespace: "bench",
      uid: `uid-${i}`,
      generation: 1,
      creationTimestamp: "2026-01-01T00:00:00Z",
    },
    spec: {
      cluster: "default",
      expressionLanguage: "jsonata",
      event: { selector },
      submit: {
        workflowTemplateRef: { name: `build-${i}`, clusterScope: false },
        arguments: { parameters: [{ name: "revision", valueFrom: { event: "payload.after" } }] },
      },
    },
  };
}

/** The environment expressions see for an event to repository `i`. */
function environment(i: number) {
  return {
    payload: {
      ref: "refs/heads/main",
      after: "59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5",
      repository: { name: `repo-${i}`, full_name: `acme/repo-${i}` },
      commits: [{ id: "1", message: "fix" }],
    },
    metadata: { "x-github-event": ["push"], "x-github-delivery": ["72d3162e"] },
    discriminator: `repo-${i}`,
    namespace: "bench",
  };
}

const namespaces = new Map<number, NamespaceBindings>();
const plainSelectors = new Map<number, jsonata.Expression[]>();
function namespaceOf(count: number): NamespaceBindings {
  let namespace = namespaces.get(count);
  if (!namespace) {
    namespace = compileNamespace(
      1,
      Array.from({ length: count }, (_, i) => benchBinding(i)),
    );
    namespaces.set(count, namespace);
  }
  return namespace;
}

export const evaluationRoutes = new Hono()
  /**
   * Baseline: plain JSONata (no limits, no hookline code) evaluating the same selectors over the
   * same events as `/bench/eval/consumer?prefilter=0`, in a loop.
   */
  .get("/bench/eval/loop", async (c) => {
    const count = Number(c.req.query("bindings") ?? 1);
    const events = Number(c.req.query("events") ?? 100);
    let selectors = plainSelectors.get(count);
    if (!selectors) {
      selectors = namespaceOf(count).bindings.map((binding) => jsonata(binding.selector.source));
      plainSelectors.set(count, selectors);
    }
    let evaluations = 0;
    let matched = 0;
    for (let e = 0; e < events; e++) {
      const input = environment((e * 7919) % count);
      for (const selector of selectors) {
        evaluations++;
        if ((await selector.evaluate(input)) === true) matched++;
      }
    }
    return c.json({ evaluations, matched });
  })
  /**
   * The consumer's path for `events` events in a namespace of `bindings` bindings: prefilter
   * (unless `prefilter=0`), then evaluateBinding for each candidate.
   */
  .get("/bench/eval/consumer", async (c) => {
    const count = Number(c.req.query("bindings") ?? 1);
    const events = Number(c.req.query("events") ?? 100);
    const prefilter = c.req.query("prefilter") !== "0";
    const namespace = namespaceOf(count);
    let evaluations = 0;
    let matched = 0;
    for (let e = 0; e < events; e++) {
      const target = (e * 7919) % count;
      const input = {
        id: `01BENCH${String(e).padStart(19, "0")}`,
        environment: environment(target),
        senderTemplates: null,
      };
      const candidates = prefilter ? namespace.index.candidates(input.environment) : namespace.bindings;
      for (const binding of candidates) {
        evaluations++;
        if ((await evaluateBinding(binding, input)).matched) matched++;
      }
    }
    return c.json({ evaluations, matched, events });
  })
  /**
   * One evaluation of an evil regular expression over a 20 KB input (test/support/evil-regex.ts),
   * through hookline's expressions: RE2, on the evaluation's work budget.
   */
  .get("/bench/eval/evil", async (c) => {
    const pattern = EVIL_PATTERNS[Number(c.req.query("pattern"))] ?? "a";
    const text = EVIL_INPUTS[Number(c.req.query("input"))] ?? "";
    const form = c.req.query("form") ?? "contains";
    const source =
      form === "match"
        ? `$match(payload.s, /${pattern}/)`
        : form === "replace"
          ? `$replace(payload.s, /${pattern}/, "-")`
          : `$contains(payload.s, /${pattern}/)`;
    const expression = compileExpression(source);
    try {
      await expression.evaluate({ payload: { s: text } });
      return c.json({ outcome: "evaluated" });
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      return c.json({ outcome: /work budget/.test(error.message) ? "budget" : "error" });
    }
  })
  /**
   * One memory-hungry expression or template of the corpus (test/support/memory-corpus.ts),
   * through hookline's evaluators: refused by the memory budget, naming the function.
   */
  .get("/bench/eval/memory", async (c) => {
    const kind = c.req.query("kind") === "template" ? "template" : "expression";
    const entry = (kind === "template" ? TEMPLATE_CASES : EXPRESSION_CASES)[Number(c.req.query("case"))];
    if (!entry) return c.json({ outcome: "no such case" }, 404);
    try {
      if (kind === "template") renderGoTemplate(compileGoTemplate(entry.hungry), entry.input ?? {});
      else await compileExpression(entry.hungry).evaluate(entry.input ?? {});
      return c.json({ outcome: "evaluated" });
    } catch (error) {
      if (!(error instanceof ExpressionError || error instanceof TemplateExecError)) throw error;
      return c.json({ outcome: /^(EXPRESSION|TEMPLATE)_BUDGET: /.test(error.message) ? "budget" : "error" });
    }
  })
  /** Nothing at all: the cost of one benchmark call, subtracted from the others. */
  .get("/bench/eval/noop", (c) => c.json({}));
