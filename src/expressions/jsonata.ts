import jsonata from "jsonata";
import { BUDGET, Budget, budgetOf, WORK_PER_STEP } from "./budget";
import { EXPR_HELPERS } from "./expr/helpers";
import { GoDuration, GoTime } from "./go-time";
import { charged, chargedBuiltins, chargeNode, chargeOperators, checkResult } from "./jsonata-memory";
import { MemoryBudgetError } from "./memory";
import { compileRegex, RegexSyntaxError, regexWork } from "./regex";

/** Bounds on one evaluation besides its work budget (budget.ts). */
export const EVALUATION_LIMITS = {
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

const entryHook = Symbol.for("jsonata.__evaluate_entry");
const exitHook = Symbol.for("jsonata.__evaluate_exit");

/** Charges one step to the evaluation's budget (JSONata calls this on entering every node). */
function countStep(_node: unknown, _input: unknown, environment: unknown): void {
  budgetOf(environment).spend(WORK_PER_STEP);
}

/**
 * JSONata's RegexEngine, backed by RE2: `exec` with `lastIndex`, as JSONata drives a global
 * RegExp. Each scan is paid for from the evaluation's budget before it runs, so a regular
 * expression over a large input fails the evaluation instead of running long.
 */
class Re2Engine {
  lastIndex = 0;
  private readonly compiled;

  constructor(
    regexp: RegExp,
    private readonly budget: Budget,
  ) {
    this.compiled = compileRegex(regexp.source, regexp.flags);
  }

  exec(input: string): RegExpExecArray | null {
    const from = this.lastIndex;
    if (from > input.length) {
      this.lastIndex = 0;
      return null;
    }
    const length = input.length - from;
    // A match-or-not scan first (RE2's fast path): most selectors do not match most events.
    if (from === 0) {
      this.budget.spend(regexWork(this.compiled, length, false));
      if (!this.compiled.test(input)) return null;
    }
    this.budget.spend(regexWork(this.compiled, length, true));
    const matcher = this.compiled.matcher(input);
    if (!matcher.find(from)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: string[] = [];
    for (let group = 0; group <= matcher.groupCount(); group++) groups.push(matcher.group(group) ?? "");
    const result = Object.assign(groups, { index: matcher.start(), input }) as unknown as RegExpExecArray;
    this.lastIndex = matcher.end();
    return result;
  }
}

/** A RegexEngine constructor bound to one evaluation's budget (JSONata calls it with `new`). */
function engineFor(budget: Budget): RegExpConstructor {
  // A function declaration, not an arrow: JSONata calls the engine with `new`.
  function Engine(regexp: RegExp): Re2Engine {
    return new Re2Engine(regexp, budget);
  }
  return Object.assign(Engine, { [BUDGET]: budget }) as unknown as RegExpConstructor;
}

/** Refused at apply: `$eval` evaluates a string as an expression (payload-controlled code). */
const FORBIDDEN_FUNCTIONS = new Set(["eval"]);

/** Compiles a JSONata expression, refusing syntax errors, `$eval` and patterns RE2 cannot run. */
export function compileExpression(source: string): CompiledExpression {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, null, null);
  }
  if (source.trim() === "") throw new ExpressionError("expression is empty", null, null);
  const options: { stack: number; sequence: number; RegexEngine: RegExpConstructor } = {
    stack: EVALUATION_LIMITS.maxDepth,
    sequence: EVALUATION_LIMITS.maxSequence,
    RegexEngine: engineFor(new Budget()),
  };
  let expression: jsonata.Expression;
  try {
    expression = jsonata(source, options);
  } catch (error) {
    throw toExpressionError(error);
  }
  const ast = expression.ast();
  checkTree(ast);
  // Hooks are looked up by symbol on the expression's frame; JSONata's typings only allow strings.
  const assign = expression.assign as (name: string | symbol, value: unknown) => void;
  assign(entryHook, countStep);
  // Only an expression with `&` or `..` pays for the exit hook (it runs on every node).
  if (chargeOperators(ast)) assign(exitHook, chargeNode);
  for (const [name, [implementation]] of Object.entries(EXPR_HELPERS))
    expression.registerFunction(name, charged(name, implementation));
  // Defence in depth: even a `$eval` that slipped past the check cannot run.
  expression.registerFunction("eval", () => {
    throw { code: "U1003", message: "$eval is not available" };
  });
  let builtinsCharged = false;
  return {
    source,
    ast,
    async evaluate(input) {
      if (!builtinsCharged) {
        for (const [name, definition] of await chargedBuiltins()) assign(name, definition);
        builtinsCharged = true;
      }
      // Set synchronously before JSONata's evaluate starts: it copies the engine (and with it
      // this evaluation's budget) onto the evaluation's own root frame, so concurrent
      // evaluations never share a budget.
      options.RegexEngine = engineFor(new Budget());
      let result: unknown;
      try {
        result = await expression.evaluate(input);
        checkResult(result);
      } catch (error) {
        throw toExpressionError(error);
      }
      return normalize(result);
    },
  };
}

/** JSONata returns sequences (arrays with extra flags); hand out plain JSON values (times and durations as Go marshals them). */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value instanceof GoTime) return value.format("2006-01-02T15:04:05.999999999Z07:00");
  if (value instanceof GoDuration) return value.nanoseconds;
  if (typeof value === "function") return undefined;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      // defineProperty, not assignment: a "__proto__" key in the data stays a plain key.
      Object.defineProperty(out, key, {
        value: normalize(child),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

function toExpressionError(error: unknown): ExpressionError {
  if (error instanceof ExpressionError) return error;
  if (error instanceof RegexSyntaxError) return new ExpressionError(error.message, null, "regex");
  const record = (error ?? {}) as { message?: unknown; position?: unknown; code?: unknown };
  const position = typeof record.position === "number" ? record.position : null;
  if (error instanceof MemoryBudgetError) return new ExpressionError(error.message, position, error.code);
  const code = typeof record.code === "string" ? record.code : null;
  let message = typeof record.message === "string" ? record.message : String(error);
  if (code === "D1011")
    message = `evaluation nested deeper than ${EVALUATION_LIMITS.maxDepth} levels (runaway recursion?)`;
  if (code === "D2015") message = `evaluation built a sequence longer than ${EVALUATION_LIMITS.maxSequence} items`;
  if (error instanceof RangeError) message = "evaluation exhausted the stack (runaway recursion?)";
  return new ExpressionError(message, position, code);
}

/** Walks the syntax tree: every regex must compile on RE2, and no forbidden function may be named. */
function checkTree(node: unknown, seen = new Set<object>()): void {
  if (node === null || typeof node !== "object" || seen.has(node)) return;
  seen.add(node);
  const record = node as Record<string, unknown>;
  if (record.type === "regex" && record.value instanceof RegExp) {
    try {
      compileRegex(record.value.source, record.value.flags);
    } catch (error) {
      if (error instanceof RegexSyntaxError) throw new ExpressionError(error.message, positionOf(record), "regex");
      throw error;
    }
  }
  if (record.type === "variable" && typeof record.value === "string" && FORBIDDEN_FUNCTIONS.has(record.value)) {
    throw new ExpressionError(`$${record.value} is not available in hookline expressions`, positionOf(record), "eval");
  }
  for (const child of Object.values(record)) {
    const children = Array.isArray(child) ? child : [child];
    for (const item of children) checkTree(item, seen);
  }
}

function positionOf(record: Record<string, unknown>): number | null {
  return typeof record.position === "number" ? record.position : null;
}
