import { GO_TIME_CONSTANTS } from "../go-time";
import { compileRegex, RegexSyntaxError } from "../regex";
import { type Node, PREDICATE_FUNCTIONS, parseExpr } from "./parse";

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

/** How Argo hands the environment over, which decides what its values are in Go. */
export interface ExprOptions {
  /**
   * "workflows": Argo Workflows' event environment (a JSON round trip: every number is a
   * float64). "argocd": Argo CD's trigger variables (a Kubernetes object: whole numbers are
   * int64; `context` is a map of strings, so a missing key is ""). Default "workflows".
   */
  environment?: "workflows" | "argocd";
  /** Give the result as Go's `fmt.Sprintf("%v", …)` prints it (notifications-engine keeps a oncePer so). */
  print?: boolean;
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
 * What the translation knows of a value's Go type before it runs: expr's int and float64 differ
 * (`%` takes ints only, `int * duration` is a duration but `float * duration` a float64, `type`
 * and `string` tell them apart), and a JSON number's type depends on the environment.
 */
interface Kind {
  t: "int" | "float" | "string" | "bool" | "nil" | "time" | "duration" | "array" | "map" | "any";
  elem?: Kind;
}

const ANY: Kind = { t: "any" };
const INT: Kind = { t: "int" };
const FLOAT: Kind = { t: "float" };
const STRING: Kind = { t: "string" };
const BOOL: Kind = { t: "bool" };
const arrayOf = (elem: Kind = ANY): Kind => ({ t: "array", elem });

/** Two kinds' common kind (an array of ints and floats is an array of anything). */
function join(a: Kind, b: Kind): Kind {
  if (a.t === b.t && a.t !== "array") return a;
  if (a.t === "array" && b.t === "array") return arrayOf(join(a.elem ?? ANY, b.elem ?? ANY));
  return ANY;
}

interface Scope {
  roots: readonly string[];
  options: Required<Pick<ExprOptions, "environment">>;
  /** Predicate nesting: `#` is `$v<depth>`, `#index` `$i<depth>`, `#acc` `$acc<depth>`. */
  depth: number;
  /** The kind of `#` at each depth. */
  elements: Kind[];
  /** `let` variables: JSONata variable and kind. */
  variables: ReadonlyMap<string, { ref: string; kind: Kind }>;
  counter: { next: number };
}

interface Out {
  code: string;
  kind: Kind;
  /** A member chain after `?.`: further steps of the chain are nil when the value is nil. */
  nilSafe?: boolean;
}

/**
 * Translates an expr-lang expression into JSONata with the same meaning as expr-lang v1.17.8
 * gives it (the version Argo CD and Argo Workflows ship), including expr's nil semantics
 * (`payload.missing != ""` is true) and Go's types (int and float64, time.Time and
 * time.Duration). `roots` are the variables the environment has (`payload`, `metadata`,
 * `discriminator`, `namespace` for bindings; `app`, `context` for notification triggers).
 * Throws ExprSyntaxError or ExprTranslationError (with the position) for what it cannot take.
 */
export function translateExpr(source: string, roots: readonly string[], options: ExprOptions = {}): string {
  const scope: Scope = {
    roots,
    options: { environment: options.environment ?? "workflows" },
    depth: 0,
    elements: [],
    variables: new Map(),
    counter: { next: 0 },
  };
  const out = tr(parseExpr(source), scope);
  return options.print ? `$exprSprint(${out.code}, ${tag(out.kind, scope)})` : out.code;
}

/** The number type a helper should take a value as: int, float, or as the environment decodes its numbers. */
function tag(kind: Kind, scope: Scope): string {
  if (kind.t === "int") return '"int"';
  if (kind.t === "float") return '"float"';
  return scope.options.environment === "argocd" ? '"k8s"' : '"json"';
}

const translate = (node: Node, scope: Scope): string => tr(node, scope).code;

function tr(node: Node, scope: Scope): Out {
  const t = (child: Node) => tr(child, scope);
  switch (node.kind) {
    case "literal":
      return {
        code: literal(node.value),
        kind:
          node.value === null
            ? { t: "nil" }
            : typeof node.value === "number"
              ? node.float
                ? FLOAT
                : INT
              : typeof node.value === "string"
                ? STRING
                : BOOL,
      };
    case "array": {
      const items = node.items.map(t);
      const elem = items.length === 0 ? ANY : items.map((item) => item.kind).reduce(join);
      // A JSONata array of literals is the same array; otherwise JSONata would drop an undefined
      // item and flatten an array one, where expr keeps nil and nests.
      const code = node.items.every(isPlainLiteral)
        ? `[${items.map((item) => item.code).join(", ")}]`
        : `$exprArrayOf(${items.map((item) => item.code).join(", ")})`;
      return { code, kind: arrayOf(elem) };
    }
    case "map":
      return {
        code: `{${node.entries.map((entry) => `${JSON.stringify(entry.key)}: ${nilKept(translate(entry.value, scope))}`).join(", ")}}`,
        kind: { t: "map" },
      };
    case "name":
      return name(node, scope);
    case "pointer": {
      if (scope.depth === 0)
        throw new ExprTranslationError(`#${node.name} is only meaningful inside a predicate`, node.pos);
      if (node.name === "index") return { code: `$i${scope.depth}`, kind: INT };
      if (node.name === "acc") return { code: `$acc${scope.depth}`, kind: ANY };
      return { code: `$v${scope.depth}`, kind: scope.elements[scope.depth] ?? ANY };
    }
    case "let": {
      if (scope.variables.has(node.name) || scope.roots.includes(node.name))
        throw new ExprTranslationError(`cannot redeclare variable ${node.name}`, node.pos);
      const value = t(node.value);
      const ref = `$let${scope.counter.next++}`;
      const variables = new Map(scope.variables);
      variables.set(node.name, { ref, kind: value.kind });
      const body = tr(node.body, { ...scope, variables });
      return { code: `(${ref} := ${value.code}; ${body.code})`, kind: body.kind };
    }
    case "member":
      return member(node, scope);
    case "method": {
      const object = t(node.object);
      return {
        code: `$exprMethod(${object.code}, ${JSON.stringify(node.name)}, [${node.args.map((arg) => translate(arg, scope)).join(", ")}]${object.nilSafe ? ", true" : ""})`,
        kind: methodKind(node.name),
        nilSafe: object.nilSafe === true,
      };
    }
    case "slice": {
      const object = t(node.object);
      return {
        code: `$exprSlice(${object.code}, ${node.from ? translate(node.from, scope) : "null"}, ${node.to ? translate(node.to, scope) : "null"})`,
        kind: object.kind,
      };
    }
    case "unary": {
      if (node.op === "not") return { code: `$not(${condition(node.operand, scope)})`, kind: BOOL };
      const operand = t(node.operand);
      if (node.op === "+") return operand;
      return { code: `$exprNegate(${operand.code})`, kind: operand.kind };
    }
    case "conditional": {
      const then = t(node.then);
      const otherwise = t(node.otherwise);
      return {
        code: `(${condition(node.test, scope)} ? ${then.code} : ${otherwise.code})`,
        kind: join(then.kind, otherwise.kind),
      };
    }
    case "binary":
      return binaryOperator(node, scope);
    case "call":
      return call(node, scope);
    case "predicate":
      throw new ExprTranslationError(
        "a predicate ({…}) is only allowed as the argument of all, any, none, one, filter, map, count, find, sum, reduce…",
        node.pos,
      );
  }
}

/** A value JSONata would drop when undefined (an array item, a map value): expr keeps it as nil. */
const nilKept = (code: string) =>
  /^(null|true|false|-?[0-9][0-9.eE+-]*|"(?:[^"\\]|\\.)*")$/.test(code) ? code : `$exprNil(${code})`;

function name(node: Extract<Node, { kind: "name" }>, scope: Scope): Out {
  const variable = scope.variables.get(node.name);
  if (variable) return { code: variable.ref, kind: variable.kind };
  if (node.name === "$env") return { code: "$$", kind: { t: "map" } };
  if (!scope.roots.includes(node.name)) {
    throw new ExprTranslationError(
      `unknown variable "${node.name}" (the environment has ${scope.roots.join(", ")})`,
      node.pos,
    );
  }
  const kind = node.name === "discriminator" || node.name === "namespace" ? STRING : ANY;
  return { code: scope.depth > 0 ? `$$.${field(node.name, node.pos)}` : field(node.name, node.pos), kind };
}

/** A helper namespace Argo CD gives triggers (`time`, `strings`, `repo`), unless a variable shadows it. */
const isHelper = (node: Node, scope: Scope, helper: string) =>
  node.kind === "name" && node.name === helper && !scope.roots.includes(helper) && !scope.variables.has(helper);

function member(node: Extract<Node, { kind: "member" }>, scope: Scope): Out {
  const property = node.property;
  if (isHelper(node.object, scope, "time")) return timeConstant(property);
  const object = tr(node.object, scope);
  const nilSafe = node.optional || object.nilSafe === true;
  if (property.kind === "literal" && typeof property.value === "string") {
    // A root (payload, metadata, app…) is always a map: a plain path. Deeper, Go's rules: a
    // field of nil or of a non-map is an error (unless after `?.`), a missing key is nil.
    if (
      node.object.kind === "name" &&
      object.code !== "$$" &&
      !scope.variables.has(node.object.name) &&
      !node.optional
    ) {
      const path = `${object.code}.${field(property.value, property.pos)}`;
      // Argo CD's context is a map[string]string: a missing key is "".
      const stringMap = node.object.name === "context" && scope.options.environment === "argocd";
      return { code: stringMap ? `$exprString(${path})` : path, kind: stringMap ? STRING : ANY };
    }
    return {
      code: `$exprFetch(${object.code}, ${JSON.stringify(property.value)}${nilSafe ? ", true" : ""})`,
      kind: ANY,
      nilSafe,
    };
  }
  const key = tr(property, scope);
  return {
    code: `$exprIndex(${object.code}, ${key.code}${nilSafe ? ", true" : ""})`,
    kind: object.kind.t === "array" ? (object.kind.elem ?? ANY) : object.kind.t === "string" ? INT : ANY,
    nilSafe,
  };
}

/** `time.Hour`, `time.RFC3339`…: Argo CD's time helpers; a name they lack is nil, as a missing key of Go's map. */
function timeConstant(property: Node): Out {
  const name = property.kind === "literal" ? String(property.value) : "";
  const constant = GO_TIME_CONSTANTS.get(name);
  if (constant === undefined) return { code: "null", kind: { t: "nil" } };
  return typeof constant === "string"
    ? { code: JSON.stringify(constant), kind: STRING }
    : { code: `$exprDuration(${constant.nanoseconds})`, kind: { t: "duration" } };
}

/** What a method of time.Time or time.Duration gives. */
function methodKind(name: string): Kind {
  if (["Before", "After", "Equal", "IsZero"].includes(name)) return BOOL;
  if (["Hours", "Minutes", "Seconds"].includes(name)) return FLOAT;
  if (["Format", "String"].includes(name)) return STRING;
  if (name === "Sub") return { t: "duration" };
  if (["Add", "UTC", "AddDate", "Truncate", "Round"].includes(name)) return { t: "time" };
  return INT;
}

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

/** An operand of and/or/not/?: — expr requires a boolean there (JSONata would take any truthy value). */
function condition(node: Node, scope: Scope): string {
  const out = tr(node, scope);
  return out.kind.t === "bool" && isBooleanNode(node) ? out.code : `$exprBool(${out.code})`;
}

/** Whether a node is a boolean whatever the data (so it needs no run-time check). */
function isBooleanNode(node: Node): boolean {
  if (node.kind === "literal") return typeof node.value === "boolean";
  if (node.kind === "binary") return BOOLEAN_OPERATORS.has(node.op);
  if (node.kind === "unary") return node.op === "not";
  if (node.kind === "conditional") return isBooleanNode(node.then) && isBooleanNode(node.otherwise);
  if (node.kind === "call")
    return [
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
    ].includes(node.callee);
  return false;
}

/** The kind of `a op b` for arithmetic, as Go's expr types it. */
function arithmeticKind(op: string, a: Kind, b: Kind): Kind {
  if (op === "/" || op === "**") return FLOAT;
  if (op === "%") return INT;
  if (a.t === "string" && b.t === "string") return STRING;
  if (a.t === "time" || b.t === "time")
    return op === "-" && a.t === "time" && b.t === "time" ? { t: "duration" } : { t: "time" };
  if (a.t === "duration" || b.t === "duration") {
    if (op === "*" && (a.t === "float" || b.t === "float")) return FLOAT;
    return a.t === "any" || b.t === "any" ? ANY : { t: "duration" };
  }
  if (a.t === "int" && b.t === "int") return INT;
  if (a.t === "float" || b.t === "float") return a.t === "any" || b.t === "any" ? ANY : FLOAT;
  if (a.t === "array" && b.t === "array") return arrayOf(join(a.elem ?? ANY, b.elem ?? ANY));
  return ANY;
}

function binaryOperator(node: Extract<Node, { kind: "binary" }>, scope: Scope): Out {
  const t = (child: Node) => tr(child, scope);
  const { left, right } = node;
  const bool = (code: string): Out => ({ code, kind: BOOL });
  switch (node.op) {
    case "==":
    case "!=": {
      let test: string;
      if (isNilLiteral(left) || isNilLiteral(right)) test = `$exprIsNil(${t(isNilLiteral(left) ? right : left).code})`;
      else if (isPlainLiteral(left) || isPlainLiteral(right)) test = `(${t(left).code} = ${t(right).code})`;
      else test = `$exprEq(${t(left).code}, ${t(right).code})`;
      return bool(node.op === "==" ? test : `$not(${test})`);
    }
    case "<":
    case "<=":
    case ">":
    case ">=":
      return bool(`$exprCompare(${JSON.stringify(node.op)}, ${t(left).code}, ${t(right).code})`);
    case "&&":
    case "and":
      return bool(`(${condition(left, scope)} and ${condition(right, scope)})`);
    case "||":
    case "or":
      return bool(`(${condition(left, scope)} or ${condition(right, scope)})`);
    case "in":
    case "not in": {
      const test =
        right.kind === "array" && right.items.every(isPlainLiteral) && !isNilLiteral(left)
          ? `(${t(left).code} in ${t(right).code})`
          : `$exprIn(${t(left).code}, ${t(right).code})`;
      return bool(node.op === "in" ? test : `$not(${test})`);
    }
    case "matches":
      if (right.kind === "literal" && typeof right.value === "string")
        return bool(`$exprMatches(${t(left).code}, ${regexPattern(right.value, right.pos)})`);
      return bool(`$exprMatches(${t(left).code}, ${t(right).code})`);
    case "contains":
      return bool(`$exprContains(${t(left).code}, ${t(right).code})`);
    case "startsWith":
      return bool(`$exprStartsWith(${t(left).code}, ${t(right).code})`);
    case "endsWith":
      return bool(`$exprEndsWith(${t(left).code}, ${t(right).code})`);
    case "+":
    case "-":
    case "*":
    case "/":
    case "%":
    case "**": {
      const a = t(left);
      const b = t(right);
      if (
        node.op === "+" &&
        a.kind.t === "string" &&
        b.kind.t === "string" &&
        left.kind === "literal" &&
        right.kind === "literal"
      )
        return { code: `(${a.code} & ${b.code})`, kind: STRING };
      // Joining text: no number type to tell apart, and the JSONata stays readable.
      if (node.op === "+" && (a.kind.t === "string" || b.kind.t === "string"))
        return { code: `$exprAdd(${a.code}, ${b.code})`, kind: arithmeticKind("+", a.kind, b.kind) };
      return {
        code: `$exprArithmetic(${JSON.stringify(node.op)}, ${a.code}, ${b.code}, ${tag(a.kind, scope)}, ${tag(b.kind, scope)})`,
        kind: arithmeticKind(node.op, a.kind, b.kind),
      };
    }
    case "??": {
      const a = t(left);
      const b = t(right);
      return { code: `$exprCoalesce(${a.code}, ${b.code})`, kind: join(a.kind, b.kind) };
    }
    case "..":
      return { code: `$exprRange(${t(left).code}, ${t(right).code})`, kind: arrayOf(INT) };
    default:
      throw new ExprTranslationError(`operator "${node.op}" is not supported`, node.pos);
  }
}

function call(node: Extract<Node, { kind: "call" }>, scope: Scope): Out {
  const args = node.args;
  const arity = (min: number, max = min) => {
    if (args.length < min || args.length > max) {
      throw new ExprTranslationError(
        `${node.callee}() takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`,
        node.pos,
      );
    }
  };
  const arg = (i: number) => tr(args[i] as Node, scope);
  const codes = () => args.map((child) => translate(child, scope));
  /** A helper call with every argument, after checking how many there are. */
  const helper = (helperName: string, kind: Kind, min: number, max = min): Out => {
    arity(min, max);
    return { code: `$${helperName}(${codes().join(", ")})`, kind };
  };
  const dot = node.callee.indexOf(".");
  if (dot > 0) return namespacedCall(node, scope, node.callee.slice(0, dot), node.callee.slice(dot + 1), helper);

  if (PREDICATE_FUNCTIONS.has(node.callee)) return predicateCall(node, scope, arity);
  switch (node.callee) {
    case "len":
      return helper("exprLen", INT, 1);
    case "type": {
      arity(1);
      const value = arg(0);
      return { code: `$exprType(${value.code}, ${tag(value.kind, scope)})`, kind: STRING };
    }
    case "string": {
      arity(1);
      const value = arg(0);
      return { code: `$exprSprint(${value.code}, ${tag(value.kind, scope)})`, kind: STRING };
    }
    case "lower":
      return helper("exprLower", STRING, 1);
    case "upper":
      return helper("exprUpper", STRING, 1);
    case "trim":
      return helper("exprTrim", STRING, 1, 2);
    case "trimPrefix":
      return helper("exprTrimPrefix", STRING, 2);
    case "trimSuffix":
      return helper("exprTrimSuffix", STRING, 2);
    case "split":
      return helper("exprSplit", arrayOf(STRING), 2, 3);
    case "splitAfter":
      return helper("exprSplitAfter", arrayOf(STRING), 2, 3);
    case "replace":
      return helper("exprReplace", STRING, 3);
    case "repeat":
      return helper("exprRepeat", STRING, 2);
    case "indexOf":
      return helper("exprIndexOf", INT, 2);
    case "lastIndexOf":
      return helper("exprLastIndexOf", INT, 2);
    case "hasPrefix":
      return helper("exprStartsWith", BOOL, 2);
    case "hasSuffix":
      return helper("exprEndsWith", BOOL, 2);
    case "join": {
      arity(1, 2);
      return { code: `$exprJoin(${codes().join(", ")})`, kind: STRING };
    }
    case "int":
    case "asInt":
      return helper("exprInt", INT, 1);
    case "float":
    case "asFloat":
      return helper("exprFloat", FLOAT, 1);
    case "abs": {
      arity(1);
      const value = arg(0);
      return { code: `$exprAbs(${value.code})`, kind: value.kind };
    }
    case "ceil":
    case "floor":
    case "round":
      arity(1);
      return { code: `$exprRound(${JSON.stringify(node.callee)}, ${arg(0).code})`, kind: FLOAT };
    case "max":
    case "min":
    case "mean":
    case "median": {
      if (args.length === 0) arity(1, Number.POSITIVE_INFINITY);
      const values = args.map((child) => tr(child, scope));
      const kinds = values.map((value) => (value.kind.t === "array" ? (value.kind.elem ?? ANY) : value.kind));
      const kind = node.callee === "mean" || node.callee === "median" ? FLOAT : kinds.reduce(join);
      return {
        code: `$exprAggregate(${JSON.stringify(node.callee)}, [${values.map((value) => value.code).join(", ")}])`,
        kind,
      };
    }
    case "first":
    case "last": {
      arity(1);
      const value = arg(0);
      return { code: `$exprEnd(${JSON.stringify(node.callee)}, ${value.code})`, kind: value.kind.elem ?? ANY };
    }
    case "get": {
      arity(2);
      const value = arg(0);
      return { code: `$exprGet(${value.code}, ${arg(1).code})`, kind: value.kind.elem ?? ANY };
    }
    case "take":
    case "reverse":
    case "uniq": {
      arity(node.callee === "take" ? 2 : 1);
      const value = arg(0);
      return { code: `$exprList(${JSON.stringify(node.callee)}, ${codes().join(", ")})`, kind: value.kind };
    }
    case "sort": {
      arity(1, 2);
      const value = arg(0);
      return { code: `$exprSort(${codes().join(", ")})`, kind: value.kind };
    }
    case "concat": {
      const values = args.map((child) => tr(child, scope));
      return {
        code: `$exprConcat([${values.map((value) => value.code).join(", ")}])`,
        kind: values.length === 0 ? arrayOf() : values.map((value) => value.kind).reduce(join),
      };
    }
    case "flatten":
      return helper("exprFlatten", arrayOf(), 1);
    case "keys":
      return helper("exprKeys", arrayOf(STRING), 1);
    case "values":
      return helper("exprValues", arrayOf(), 1);
    case "toPairs":
      return helper("exprToPairs", arrayOf(arrayOf()), 1);
    case "fromPairs":
      return helper("exprFromPairs", { t: "map" }, 1);
    case "toJSON":
      arity(1);
      return { code: `$exprToJson(${arg(0).code}, "  ")`, kind: STRING };
    case "toJson":
      // Argo Workflows' own toJson (util/expr/env): compact.
      arity(1);
      return { code: `$exprToJson(${arg(0).code})`, kind: STRING };
    case "fromJSON":
      return helper("exprFromJson", ANY, 1);
    case "toBase64":
      return helper("exprToBase64", STRING, 1);
    case "fromBase64":
      return helper("exprFromBase64", STRING, 1);
    case "now":
      return helper("exprNow", { t: "time" }, 0);
    case "date":
      return helper("exprDate", { t: "time" }, 1, 3);
    case "duration":
      return helper("exprParseDuration", { t: "duration" }, 1);
    case "bitand":
    case "bitor":
    case "bitxor":
    case "bitnand":
    case "bitshl":
    case "bitshr":
    case "bitushr":
      arity(2);
      return { code: `$exprBits(${JSON.stringify(node.callee)}, ${codes().join(", ")})`, kind: INT };
    case "bitnot":
      arity(1);
      return { code: `$exprBits("bitnot", ${arg(0).code}, 0)`, kind: INT };
    default:
      throw new ExprTranslationError(`function ${node.callee}() is not supported`, node.pos);
  }
}

/** A JSONata lambda for argument `i` (a predicate): `#` is the element, `#index` its index, `#acc` reduce's accumulator. */
function lambda(node: Extract<Node, { kind: "call" }>, scope: Scope, i: number, elem: Kind, accumulator = false) {
  const argument = node.args[i] as Node;
  const body = argument.kind === "predicate" ? argument.body : argument;
  const depth = scope.depth + 1;
  const elements = [...scope.elements];
  elements[depth] = elem;
  const inner: Scope = { ...scope, depth, elements };
  const params = accumulator ? `$acc${depth}, $v${depth}, $i${depth}` : `$v${depth}, $i${depth}`;
  return { inner, body, params };
}

function predicateCall(
  node: Extract<Node, { kind: "call" }>,
  scope: Scope,
  arity: (min: number, max?: number) => void,
): Out {
  const name = node.callee;
  if (name === "count" || name === "sum") arity(1, 2);
  else if (name === "sortBy" || name === "reduce") arity(2, 3);
  else arity(2);
  const collection = tr(node.args[0] as Node, scope);
  // The list is evaluated once, into a variable: nested predicates would otherwise repeat it.
  const variable = `$list${scope.counter.next++}`;
  const bind = (code: string) => `(${variable} := $exprIterable(${collection.code}, ${JSON.stringify(name)}); ${code})`;
  const list = variable;
  const elem = collection.kind.t === "array" ? (collection.kind.elem ?? ANY) : ANY;
  if (node.args.length < 2) {
    // count(list): how many are true; sum(list): their sum.
    return name === "count"
      ? { code: bind(`$exprCountTrue(${list})`), kind: INT }
      : { code: bind(`$exprAggregate("sum", [${list}])`), kind: elem };
  }
  const { inner, body, params } = lambda(node, scope, 1, elem, name === "reduce");
  const test = () => `function(${params}) { ${condition(body, inner)} }`;
  const value = () => {
    const out = tr(body, inner);
    return { fn: `function(${params}) { $exprBox(${out.code}) }`, kind: out.kind };
  };
  const flags = `$map(${list}, ${test()})`;
  switch (name) {
    case "all":
      return { code: bind(`$exprAll(${flags})`), kind: BOOL };
    case "any":
      return { code: bind(`$exprCountTrue(${flags}) > 0`), kind: BOOL };
    case "none":
      return { code: bind(`$exprCountTrue(${flags}) = 0`), kind: BOOL };
    case "one":
      return { code: bind(`$exprCountTrue(${flags}) = 1`), kind: BOOL };
    case "count":
      return { code: bind(`$exprCountTrue(${flags})`), kind: INT };
    case "filter":
      return {
        code: bind(`$exprPick(${list}, ${flags})`),
        kind: collection.kind.t === "array" ? collection.kind : arrayOf(),
      };
    case "find":
    case "findLast":
      return { code: bind(`$exprFind(${list}, ${flags}, ${JSON.stringify(name)})`), kind: elem };
    case "findIndex":
    case "findLastIndex":
      return { code: bind(`$exprFind(${list}, ${flags}, ${JSON.stringify(name)})`), kind: INT };
    case "map": {
      const mapped = value();
      return { code: bind(`$exprUnbox($map(${list}, ${mapped.fn}))`), kind: arrayOf(mapped.kind) };
    }
    case "sum": {
      const mapped = value();
      return { code: bind(`$exprAggregate("sum", [$exprUnbox($map(${list}, ${mapped.fn}))])`), kind: mapped.kind };
    }
    case "sortBy": {
      const mapped = value();
      const order = node.args[2] ? translate(node.args[2], scope) : '"asc"';
      return {
        code: bind(`$exprSortBy(${list}, $exprUnbox($map(${list}, ${mapped.fn})), ${order})`),
        kind: collection.kind,
      };
    }
    case "groupBy": {
      const mapped = value();
      return { code: bind(`$exprGroupBy(${list}, $exprUnbox($map(${list}, ${mapped.fn})))`), kind: { t: "map" } };
    }
    case "reduce": {
      const out = tr(body, inner);
      const initial = node.args[2] ? `, ${translate(node.args[2], scope)}` : "";
      return { code: bind(`$reduce(${list}, function(${params}) { ${out.code} }${initial})`), kind: out.kind };
    }
    default:
      throw new ExprTranslationError(`function ${name}() is not supported`, node.pos);
  }
}

function namespacedCall(
  node: Extract<Node, { kind: "call" }>,
  scope: Scope,
  namespace: string,
  name: string,
  helper: (helperName: string, kind: Kind, min: number, max?: number) => Out,
): Out {
  const t = (child: Node) => translate(child, scope);
  const plain = (count: number, jsonata: (...translated: string[]) => string, kind: Kind = STRING): Out => {
    if (node.args.length !== count)
      throw new ExprTranslationError(`${node.callee}() takes ${count} argument(s), got ${node.args.length}`, node.pos);
    return { code: jsonata(...node.args.map(t)), kind };
  };
  if (scope.roots.includes(namespace) || scope.variables.has(namespace))
    throw new ExprTranslationError(`${node.callee}() is not a function`, node.pos);
  if (namespace === "time") {
    if (name === "Now") return helper("exprTimeNow", { t: "time" }, 0);
    if (name === "Parse") return helper("exprTimeParse", { t: "time" }, 1);
    throw new ExprTranslationError(`${node.callee}() is not supported (supported: time.Now, time.Parse)`, node.pos);
  }
  if (namespace === "strings") {
    if (name === "ToUpper" || name === "ToLower")
      return plain(1, (x) => `$exprGoString(${JSON.stringify(name)}, [${x}])`);
    if (name === "ReplaceAll") return plain(3, (...xs) => `$exprGoString("ReplaceAll", [${xs.join(", ")}])`);
    throw new ExprTranslationError(
      `${node.callee}() is not supported (supported: strings.ToUpper, strings.ToLower, strings.ReplaceAll)`,
      node.pos,
    );
  }
  if (namespace === "repo") {
    if (name === "RepoURLToHTTPS" || name === "FullNameByRepoURL" || name === "QueryEscape")
      return plain(1, (x) => `$exprRepo(${JSON.stringify(name)}, ${x})`);
    throw new ExprTranslationError(
      `${node.callee}() is not supported (supported: repo.RepoURLToHTTPS, repo.FullNameByRepoURL, repo.QueryEscape; the others need Argo CD's repo server)`,
      node.pos,
    );
  }
  if (namespace !== "sprig") throw new ExprTranslationError(`function ${node.callee}() is not supported`, node.pos);
  switch (name) {
    case "toString":
      return plain(1, (x) => `$exprSprint(${x}, ${tag(ANY, scope)})`);
    case "lower":
      return plain(1, (x) => `$exprLower(${x})`);
    case "upper":
      return plain(1, (x) => `$exprUpper(${x})`);
    case "trim":
      return plain(1, (x) => `$exprTrim(${x})`);
    case "trimPrefix":
      return plain(2, (prefix, s) => `$exprTrimPrefix(${s}, ${prefix})`);
    case "trimSuffix":
      return plain(2, (suffix, s) => `$exprTrimSuffix(${s}, ${suffix})`);
    case "replace":
      return plain(3, (old, replacement, s) => `$exprReplace(${s}, ${old}, ${replacement})`);
    case "contains":
      return plain(2, (sub, s) => `$exprContains(${s}, ${sub})`, BOOL);
    case "hasPrefix":
      return plain(2, (prefix, s) => `$exprStartsWith(${s}, ${prefix})`, BOOL);
    case "hasSuffix":
      return plain(2, (suffix, s) => `$exprEndsWith(${s}, ${suffix})`, BOOL);
    case "title":
      return plain(1, (s) => `$exprTitle(${s})`);
    case "substr":
      return plain(3, (start, end, s) => `$exprSubstr(${start}, ${end}, ${s})`);
    case "trunc":
      return plain(2, (n, s) => `$exprTrunc(${n}, ${s})`);
    case "default":
      return plain(2, (fallback, value) => `$exprDefault(${fallback}, ${value})`, ANY);
    case "empty":
      return plain(1, (value) => `$exprEmpty(${value})`, BOOL);
    case "splitList":
      return plain(2, (separator, s) => `$exprSplit(${s}, ${separator})`, arrayOf(STRING));
    case "join":
      return plain(2, (separator, list) => `$exprJoin(${list}, ${separator}, true)`);
    case "toJson":
      return plain(1, (value) => `$exprToJson(${value})`);
    case "quote":
      return plain(1, (value) => `("\\"" & $exprSprint(${value}, ${tag(ANY, scope)}) & "\\"")`);
    default:
      throw new ExprTranslationError(
        `sprig.${name} is not supported (supported: ${sprigFunctions.map((f) => `sprig.${f}`).join(", ")})`,
        node.pos,
      );
  }
}
