import { GO_TIME_CONSTANTS } from "../go-time";
import { compileRegex, RegexSyntaxError } from "../regex";
import { type Node, parseExpr } from "./parse";

/** A construct the translation does not support, with its position in the expr source. */
export class ExprTranslationError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = "ExprTranslationError";
  }
}

const jsonataKeywords = new Set(["and", "or", "in", "true", "false", "null", "function"]);

function field(name: string, pos: number): string {
  if (name.includes("`")) throw new ExprTranslationError(`field name "${name}" contains a backtick`, pos);
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !jsonataKeywords.has(name) ? name : `\`${name}\``;
}

const literal = (value: string | number | boolean | null) => (value === null ? "null" : JSON.stringify(value));

/** A literal that is not nil: JSONata's `=` and `in` then behave as expr's. */
function isPlainLiteral(node: Node): boolean {
  if (node.kind === "literal") return node.value !== null;
  if (node.kind === "array") return node.items.every(isPlainLiteral);
  if (node.kind === "map") return node.entries.every((entry) => isPlainLiteral(entry.value));
  return false;
}

const isNilLiteral = (node: Node) => node.kind === "literal" && node.value === null;

/** A Go (RE2) pattern for `matches`, checked now so a bad one is refused when the expression is applied. */
function regexPattern(pattern: string, pos: number): string {
  try {
    compileRegex(pattern);
  } catch (error) {
    if (error instanceof RegexSyntaxError) throw new ExprTranslationError(error.message, pos);
    throw error;
  }
  return JSON.stringify(pattern);
}

const sprigFunctions = [
  "toString",
  "lower",
  "upper",
  "trim",
  "trimPrefix",
  "trimSuffix",
  "replace",
  "contains",
  "hasPrefix",
  "hasSuffix",
  "title",
  "substr",
  "trunc",
  "default",
  "empty",
  "splitList",
  "join",
  "toJson",
  "quote",
];

/**
 * Translates an expr-lang expression into JSONata with the same meaning, including expr's nil
 * semantics (`payload.missing != ""` is true). `roots` are the variables the environment has
 * (`payload`, `metadata`, `discriminator` for bindings; `app` for notification triggers).
 * Throws ExprSyntaxError or ExprTranslationError (with the position) for what it cannot take.
 */
export function translateExpr(source: string, roots: readonly string[], options: ExprOptions = {}): string {
  void options;
  return translate(parseExpr(source), { roots, depth: 0 });
}

/** How the environment's values were decoded. */
export interface ExprOptions {
  /** Argo Workflows' events decode JSON numbers as float64; Argo CD's resources decode whole numbers as int64. */
  wholeNumbers?: "float64" | "int64";
}

interface Scope {
  roots: readonly string[];
  /** Predicate nesting: `#` is `$v<depth>`. */
  depth: number;
}

function translate(node: Node, scope: Scope): string {
  const t = (child: Node) => translate(child, scope);
  switch (node.kind) {
    case "literal":
      return literal(node.value);
    case "array":
      return `[${node.items.map(t).join(", ")}]`;
    case "map":
      return `{${node.entries.map((entry) => `${JSON.stringify(entry.key)}: ${t(entry.value)}`).join(", ")}}`;
    case "name":
      if (!scope.roots.includes(node.name)) {
        throw new ExprTranslationError(
          `unknown variable "${node.name}" (the environment has ${scope.roots.join(", ")})`,
          node.pos,
        );
      }
      return scope.depth > 0 ? `$$.${field(node.name, node.pos)}` : field(node.name, node.pos);
    case "pointer":
      if (scope.depth === 0) throw new ExprTranslationError("# is only meaningful inside a predicate", node.pos);
      return `$v${scope.depth}`;
    case "member": {
      const property = node.property;
      if (node.object.kind === "name" && node.object.name === "time" && !scope.roots.includes("time"))
        return timeConstant(property);
      const object = t(node.object);
      if (property.kind === "literal" && typeof property.value === "string") {
        // A root (payload, metadata, app…) is always a map: a plain path. Deeper, Go's rules: a
        // field of nil or of a non-map is an error (unless `?.`), a missing key is nil.
        if (node.object.kind === "name" && !node.optional) return `${object}.${field(property.value, property.pos)}`;
        return `$exprFetch(${object}, ${JSON.stringify(property.value)}${node.optional ? ", true" : ""})`;
      }
      return `$exprIndex(${object}, ${t(property)}${node.optional ? ", true" : ""})`;
    }
    case "method":
      return `$exprMethod(${t(node.object)}, ${JSON.stringify(node.name)}, [${node.args.map(t).join(", ")}])`;
    case "slice":
      return `$exprSlice(${t(node.object)}, ${node.from ? t(node.from) : "null"}, ${node.to ? t(node.to) : "null"})`;
    case "unary":
      if (node.op === "not") return `$not(${condition(node.operand, scope)})`;
      return node.op === "-" ? `-(${t(node.operand)})` : t(node.operand);
    case "conditional":
      return `(${condition(node.test, scope)} ? ${t(node.then)} : ${t(node.otherwise)})`;
    case "binary":
      return binaryOperator(node, scope);
    case "call":
      return call(node, scope);
    case "predicate":
      throw new ExprTranslationError(
        "a predicate ({…}) is only allowed as the argument of all, any, none, one, filter, map or count",
        node.pos,
      );
  }
}

/** `time.Hour`, `time.RFC3339`…: Argo CD's time constants. */
function timeConstant(property: Node): string {
  const name = property.kind === "literal" ? String(property.value) : "";
  const constant = GO_TIME_CONSTANTS.get(name);
  if (constant === undefined)
    throw new ExprTranslationError(
      `time.${name} is not supported (supported: ${[...GO_TIME_CONSTANTS.keys()].map((key) => `time.${key}`).join(", ")})`,
      property.pos,
    );
  return typeof constant === "string" ? JSON.stringify(constant) : `$exprDuration(${constant.nanoseconds})`;
}

const isStringLiteral = (node: Node) => node.kind === "literal" && typeof node.value === "string";

const BOOLEAN_OPERATORS = new Set([
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "&&",
  "and",
  "||",
  "or",
  "in",
  "not in",
  "matches",
  "contains",
  "startsWith",
  "endsWith",
]);
const BOOLEAN_FUNCTIONS = new Set([
  "all",
  "any",
  "none",
  "one",
  "hasPrefix",
  "hasSuffix",
  "sprig.contains",
  "sprig.hasPrefix",
  "sprig.hasSuffix",
  "sprig.empty",
]);

/** Whether a node is a boolean whatever the data (so it needs no run-time check). */
function isBoolean(node: Node): boolean {
  if (node.kind === "literal") return typeof node.value === "boolean";
  if (node.kind === "binary") return BOOLEAN_OPERATORS.has(node.op);
  if (node.kind === "unary") return node.op === "not";
  if (node.kind === "call") return BOOLEAN_FUNCTIONS.has(node.callee);
  if (node.kind === "conditional") return isBoolean(node.then) && isBoolean(node.otherwise);
  return false;
}

/** An operand of and/or/not/?: — expr requires a boolean there (JSONata would take any truthy value). */
function condition(node: Node, scope: Scope): string {
  const translated = translate(node, scope);
  return isBoolean(node) ? translated : `$exprBool(${translated})`;
}

function binaryOperator(node: Extract<Node, { kind: "binary" }>, scope: Scope): string {
  const t = (child: Node) => translate(child, scope);
  const { left, right } = node;
  switch (node.op) {
    case "==":
    case "!=": {
      let test: string;
      if (isNilLiteral(left) || isNilLiteral(right)) test = `$exprIsNil(${t(isNilLiteral(left) ? right : left)})`;
      else if (isPlainLiteral(left) || isPlainLiteral(right)) test = `(${t(left)} = ${t(right)})`;
      else test = `$exprEq(${t(left)}, ${t(right)})`;
      return node.op === "==" ? test : `$not(${test})`;
    }
    case "<":
    case "<=":
    case ">":
    case ">=":
      return `(${t(left)} ${node.op} ${t(right)})`;
    case "&&":
    case "and":
      return `(${condition(left, scope)} and ${condition(right, scope)})`;
    case "||":
    case "or":
      return `(${condition(left, scope)} or ${condition(right, scope)})`;
    case "in":
    case "not in": {
      const test =
        right.kind === "array" && right.items.every(isPlainLiteral) && !isNilLiteral(left)
          ? `(${t(left)} in ${t(right)})`
          : `$exprIn(${t(left)}, ${t(right)})`;
      return node.op === "in" ? test : `$not(${test})`;
    }
    case "matches":
      if (right.kind !== "literal" || typeof right.value !== "string") {
        throw new ExprTranslationError("matches needs a literal pattern (a string in quotes)", right.pos);
      }
      return `$exprMatches(${t(left)}, ${regexPattern(right.value, right.pos)})`;
    case "contains":
      return `$contains(${t(left)}, ${t(right)})`;
    case "startsWith":
      return `$exprStartsWith(${t(left)}, ${t(right)})`;
    case "endsWith":
      return `$exprEndsWith(${t(left)}, ${t(right)})`;
    case "+":
      if (isStringLiteral(left) && isStringLiteral(right)) return `(${t(left)} & ${t(right)})`;
      return `$exprAdd(${t(left)}, ${t(right)})`;
    case "-":
    case "*":
    case "/":
    case "%":
      return `(${t(left)} ${node.op} ${t(right)})`;
    case "**":
      return `$power(${t(left)}, ${t(right)})`;
    case "??":
      return `$exprCoalesce(${t(left)}, ${t(right)})`;
    case "..":
      return `[${t(left)}..${t(right)}]`;
    case "|":
      throw new ExprTranslationError("the pipe operator | is not supported; call the function directly", node.pos);
    default:
      throw new ExprTranslationError(`operator "${node.op}" is not supported`, node.pos);
  }
}

function call(node: Extract<Node, { kind: "call" }>, scope: Scope): string {
  const t = (child: Node) => translate(child, scope);
  const args = node.args;
  const arity = (min: number, max = min) => {
    if (args.length < min || args.length > max) {
      throw new ExprTranslationError(
        `${node.callee}() takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`,
        node.pos,
      );
    }
  };
  const a = (i: number) => translate(args[i] as Node, scope);
  const lambda = (i: number) => {
    const arg = args[i] as Node;
    const body = arg.kind === "predicate" ? arg.body : arg;
    const inner: Scope = { roots: scope.roots, depth: scope.depth + 1 };
    return `function($v${inner.depth}) { ${translate(body, inner)} }`;
  };
  const plain = (count: number, jsonata: (...translated: string[]) => string) => {
    arity(count);
    return jsonata(...args.map(t));
  };
  if (node.callee.startsWith("time.") || node.callee.startsWith("strings.")) {
    switch (node.callee) {
      case "time.Now":
        return plain(0, () => "$exprTimeNow()");
      case "time.Parse":
        return plain(1, (x) => `$exprTimeParse(${x})`);
      case "strings.ToUpper":
        return plain(1, (x) => `$exprGoString("ToUpper", [${x}])`);
      case "strings.ToLower":
        return plain(1, (x) => `$exprGoString("ToLower", [${x}])`);
      case "strings.ReplaceAll":
        return plain(3, (x, old, replacement) => `$exprGoString("ReplaceAll", [${x}, ${old}, ${replacement}])`);
      default:
        throw new ExprTranslationError(
          `${node.callee}() is not supported (supported: time.Now, time.Parse, strings.ToUpper, strings.ToLower, strings.ReplaceAll)`,
          node.pos,
        );
    }
  }
  if (node.callee.startsWith("sprig.")) {
    const name = node.callee.slice("sprig.".length);
    switch (name) {
      case "toString":
        return plain(1, (x) => `$exprToString(${x})`);
      case "lower":
        return plain(1, (x) => `$lowercase(${x})`);
      case "upper":
        return plain(1, (x) => `$uppercase(${x})`);
      case "trim":
        return plain(1, (x) => `$exprTrim(${x})`);
      case "trimPrefix":
        return plain(2, (prefix, s) => `$exprTrimPrefix(${s}, ${prefix})`);
      case "trimSuffix":
        return plain(2, (suffix, s) => `$exprTrimSuffix(${s}, ${suffix})`);
      case "replace":
        return plain(3, (old, replacement, s) => `$replace(${s}, ${old}, ${replacement})`);
      case "contains":
        return plain(2, (sub, s) => `$contains(${s}, ${sub})`);
      case "hasPrefix":
        return plain(2, (prefix, s) => `$exprStartsWith(${s}, ${prefix})`);
      case "hasSuffix":
        return plain(2, (suffix, s) => `$exprEndsWith(${s}, ${suffix})`);
      case "title":
        return plain(1, (s) => `$exprTitle(${s})`);
      case "substr":
        return plain(3, (start, end, s) => `$exprSubstr(${start}, ${end}, ${s})`);
      case "trunc":
        return plain(2, (n, s) => `$exprTrunc(${n}, ${s})`);
      case "default":
        return plain(2, (fallback, value) => `$exprDefault(${fallback}, ${value})`);
      case "empty":
        return plain(1, (value) => `$exprEmpty(${value})`);
      case "splitList":
        return plain(2, (separator, s) => `$split(${s}, ${separator})`);
      case "join":
        return plain(2, (separator, list) => `$exprJoin(${list}, ${separator})`);
      case "toJson":
        return plain(1, (value) => `$exprToJson(${value})`);
      case "quote":
        return plain(1, (value) => `("\\"" & $exprToString(${value}) & "\\"")`);
      default:
        throw new ExprTranslationError(
          `sprig.${name} is not supported (supported: ${sprigFunctions.map((f) => `sprig.${f}`).join(", ")})`,
          node.pos,
        );
    }
  }
  switch (node.callee) {
    case "len":
      return plain(1, (x) => `$exprLen(${x})`);
    case "lower":
      return plain(1, (x) => `$lowercase(${x})`);
    case "upper":
      return plain(1, (x) => `$uppercase(${x})`);
    case "trim":
      arity(1, 2);
      return `$exprTrim(${args.map(t).join(", ")})`;
    case "trimPrefix":
      return plain(2, (s, prefix) => `$exprTrimPrefix(${s}, ${prefix})`);
    case "trimSuffix":
      return plain(2, (s, suffix) => `$exprTrimSuffix(${s}, ${suffix})`);
    case "split":
      return plain(2, (s, separator) => `$split(${s}, ${separator})`);
    case "join":
      arity(1, 2);
      return `$exprJoin(${a(0)}, ${args.length > 1 ? a(1) : '""'})`;
    case "hasPrefix":
      return plain(2, (s, prefix) => `$exprStartsWith(${s}, ${prefix})`);
    case "hasSuffix":
      return plain(2, (s, suffix) => `$exprEndsWith(${s}, ${suffix})`);
    case "string":
      return plain(1, (x) => `$exprToString(${x})`);
    case "int":
      return plain(1, (x) => `$exprInt(${x})`);
    case "float":
      return plain(1, (x) => `$number(${x})`);
    case "abs":
      return plain(1, (x) => `$abs(${x})`);
    case "first":
      return plain(1, (x) => `$exprFirst(${x})`);
    case "last":
      return plain(1, (x) => `$exprLast(${x})`);
    case "keys":
      return plain(1, (x) => `$exprArray($keys(${x}))`);
    case "values":
      return plain(1, (x) => `$exprValues(${x})`);
    case "toJSON":
      return plain(1, (x) => `$exprToJson(${x})`);
    case "all":
      arity(2);
      return `($count($filter(${a(0)}, ${lambda(1)})) = $exprLen(${a(0)}))`;
    case "any":
      arity(2);
      return `($count($filter(${a(0)}, ${lambda(1)})) > 0)`;
    case "none":
      arity(2);
      return `($count($filter(${a(0)}, ${lambda(1)})) = 0)`;
    case "one":
      arity(2);
      return `($count($filter(${a(0)}, ${lambda(1)})) = 1)`;
    case "count":
      arity(2);
      return `$count($filter(${a(0)}, ${lambda(1)}))`;
    case "filter":
      arity(2);
      return `$exprArray($filter(${a(0)}, ${lambda(1)}))`;
    case "map":
      arity(2);
      return `$exprArray($map(${a(0)}, ${lambda(1)}))`;
    default:
      throw new ExprTranslationError(`function ${node.callee}() is not supported`, node.pos);
  }
}
