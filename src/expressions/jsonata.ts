import jsonata from "jsonata";
import { EXPR_HELPERS } from "./expr/helpers";
import { unsafeRegexReason } from "./safe-regex";

/** Bounds on one evaluation. workerd's clock does not advance while code runs, so time is bounded in steps. */
export const EVALUATION_LIMITS = {
  /** Expression nodes evaluated (a proxy for CPU time: roughly 1–5 µs each). */
  maxSteps: 50_000,
  /** Nesting of evaluation (recursion through lambdas, deep paths). */
  maxDepth: 200,
  /** Longest sequence an evaluation may build. */
  maxSequence: 100_000,
} as const;

/** Longest expression text accepted. */
export const MAX_EXPRESSION_LENGTH = 4096;

/** A compile or evaluation error, with the character position JSONata reports when it has one. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly position: number | null,
    readonly code: string | null,
  ) {
    super(message);
    this.name = "ExpressionError";
  }

  /** `field: message (at position N)`, as shown to users. */
  describe(field: string): string {
    return `${field}: ${this.message}${this.position === null ? "" : ` (at position ${this.position})`}`;
  }
}

/** A compiled JSONata expression with bounded evaluation. */
export interface CompiledExpression {
  readonly source: string;
  readonly ast: jsonata.ExprNode;
  /** Evaluates against `input`; throws ExpressionError on failure or when a limit is hit. */
  evaluate(input: unknown): Promise<unknown>;
}

const stepsKey = Symbol("hookline.steps");
const entryHook = Symbol.for("jsonata.__evaluate_entry");

interface EvaluationFrame {
  base: { [stepsKey]?: number };
}

/** Counts steps on the evaluation's own root frame, so concurrent evaluations never share a budget. */
function countStep(_node: unknown, _input: unknown, environment: EvaluationFrame): void {
  const base = environment.base;
  const steps = (base[stepsKey] ?? 0) + 1;
  base[stepsKey] = steps;
  if (steps > EVALUATION_LIMITS.maxSteps) {
    throw {
      code: "U1002",
      message: `evaluation stopped after ${EVALUATION_LIMITS.maxSteps} steps (runaway expression?)`,
    };
  }
}

/** Compiles a JSONata expression, refusing syntax errors and unsafe regular expressions. */
export function compileExpression(source: string): CompiledExpression {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, null, null);
  }
  if (source.trim() === "") throw new ExpressionError("expression is empty", null, null);
  let expression: jsonata.Expression;
  try {
    expression = jsonata(source, { stack: EVALUATION_LIMITS.maxDepth, sequence: EVALUATION_LIMITS.maxSequence });
  } catch (error) {
    throw toExpressionError(error);
  }
  const ast = expression.ast();
  const regexProblem = findUnsafeRegex(ast);
  if (regexProblem) throw new ExpressionError(regexProblem.reason, regexProblem.position, "regex");
  // The hook is looked up by symbol on the expression's frame; JSONata's typings only allow strings.
  (expression.assign as (name: string | symbol, value: unknown) => void)(entryHook, countStep);
  for (const [name, [implementation]] of Object.entries(EXPR_HELPERS))
    expression.registerFunction(name, implementation);
  return {
    source,
    ast,
    async evaluate(input) {
      try {
        return normalize(await expression.evaluate(input));
      } catch (error) {
        throw toExpressionError(error);
      }
    },
  };
}

/** JSONata returns sequences (arrays with extra flags); hand out plain JSON values. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "function") return undefined;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[key] = normalize(child);
    return out;
  }
  return value;
}

function toExpressionError(error: unknown): ExpressionError {
  if (error instanceof ExpressionError) return error;
  const record = (error ?? {}) as { message?: unknown; position?: unknown; code?: unknown };
  const code = typeof record.code === "string" ? record.code : null;
  let message = typeof record.message === "string" ? record.message : String(error);
  if (code === "D1011")
    message = `evaluation nested deeper than ${EVALUATION_LIMITS.maxDepth} levels (runaway recursion?)`;
  if (code === "D2015") message = `evaluation built a sequence longer than ${EVALUATION_LIMITS.maxSequence} items`;
  if (error instanceof RangeError) message = "evaluation exhausted the stack (runaway recursion?)";
  return new ExpressionError(message, typeof record.position === "number" ? record.position : null, code);
}

function findUnsafeRegex(node: unknown, seen = new Set<object>()): { reason: string; position: number | null } | null {
  if (node === null || typeof node !== "object" || seen.has(node)) return null;
  seen.add(node);
  const record = node as Record<string, unknown>;
  if (record.type === "regex" && record.value instanceof RegExp) {
    const reason = unsafeRegexReason(record.value.source);
    if (reason)
      return { reason: `unsafe regular expression /${record.value.source}/: ${reason}`, position: positionOf(record) };
  }
  for (const child of Object.values(record)) {
    const children = Array.isArray(child) ? child : [child];
    for (const item of children) {
      const found = findUnsafeRegex(item, seen);
      if (found) return found;
    }
  }
  return null;
}

function positionOf(record: Record<string, unknown>): number | null {
  return typeof record.position === "number" ? record.position : null;
}
