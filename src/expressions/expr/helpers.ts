/**
 * JSONata functions that carry expr-lang v1.17.8's semantics where JSONata's own differ: Go's
 * types (int and float64, time.Time and time.Duration, bytes of a string), expr's nil rules,
 * its built-in functions, and Argo CD's `time`, `strings` and `repo` helpers. Every compiled
 * expression has them; translated expressions call them. Those that build strings or arrays
 * are ordinary registered functions, so the evaluation's budget charges them like JSONata's.
 */

import { zoneOffsetMinutes } from "../../lib/zones";
import { repoFullName, repoUrlToHttps } from "../argocd-repo";
import { budgetOf } from "../budget";
import { GoDuration, GoTime, goMethod, goNow, parseGoDuration, parseGoLayout, parseRfc3339 } from "../go-time";
import { GoInt, goJson } from "../gotemplate";
import { formatValue } from "../gotemplate/values";
import { MAX_VALUE_SIZE, MemoryBudgetError } from "../memory";
import { compileRegex, regexWork } from "../regex";

type Value = unknown;

/** The code of errors expr itself would raise (not one of JSONata's, whose messages would replace ours). */
const EXPR_ERROR = "expr";
const isNil = (value: Value) => value === undefined || value === null;
const fail = (message: string): never => {
  throw { code: EXPR_ERROR, message };
};
const require = (ok: boolean, message: string) => {
  if (!ok) fail(message);
};

/** The largest string or array one call may build (the evaluation's budget bounds the total). */
const MAX_BUILT = MAX_VALUE_SIZE;

/**
 * How a number is typed in Go: "int"/"float" when the translation knows; "json" for a value of
 * Argo Workflows' event (a JSON round trip: float64); "k8s" for a value of an Argo CD resource
 * (Kubernetes' decoding: whole numbers are int64).
 */
type NumberTag = "int" | "float" | "json" | "k8s";
type GoKind = "int" | "float" | "string" | "bool" | "nil" | "time" | "duration" | "array" | "map";

function kindOf(value: Value, tag: NumberTag = "json"): GoKind {
  if (isNil(value)) return "nil";
  if (typeof value === "number")
    return tag === "int" || (tag === "k8s" && Number.isSafeInteger(value)) ? "int" : "float";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (value instanceof GoTime) return "time";
  if (value instanceof GoDuration) return "duration";
  return Array.isArray(value) ? "array" : "map";
}

/** Go's name for a value's type, as expr's errors say it. */
function goTypeName(value: Value, tag: NumberTag = "json"): string {
  switch (kindOf(value, tag)) {
    case "nil":
      return "<nil>";
    case "int":
      return "int";
    case "float":
      return "float64";
    case "time":
      return "time.Time";
    case "duration":
      return "time.Duration";
    case "array":
      return "[]interface {}";
    case "map":
      return "map[string]interface {}";
    default:
      return typeof value;
  }
}

const asArray = (value: Value): Value[] => (isNil(value) ? [] : Array.isArray(value) ? value : [value]);
const asString = (value: Value): string => {
  if (isNil(value)) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
};
const isMap = (value: Value): value is Record<string, Value> =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof GoTime) &&
  !(value instanceof GoDuration);
const string = (value: Value, what: string): string => {
  if (typeof value !== "string")
    fail(`${what}: interface conversion: interface {} is ${goTypeName(value)}, not string`);
  return value as string;
};
const integer = (value: Value, what: string): number => {
  if (typeof value !== "number") fail(`${what}: expected an int, got ${goTypeName(value)}`);
  return Math.trunc(value as number);
};

const utf8 = new TextEncoder();
const utf8Lenient = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
/** A Go string's bytes. */
const bytesOf = (text: string) => utf8.encode(text);
/** A byte offset in `text` of the UTF-16 offset `index` (Go indexes strings by byte). */
const byteOffset = (text: string, index: number) => (index < 0 ? -1 : bytesOf(text.slice(0, index)).length);

/** Go's runtime.Equal: numbers by value, times by instant, arrays item by item, maps deeply, nil equal to nil. */
function equal(a: Value, b: Value): boolean {
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (a instanceof GoTime || b instanceof GoTime) return a instanceof GoTime && b instanceof GoTime && a.equal(b);
  if (a instanceof GoDuration || b instanceof GoDuration)
    return a instanceof GoDuration && b instanceof GoDuration && a.nanoseconds === b.nanoseconds;
  if (typeof a !== "object" || typeof b !== "object") return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => equal(item, b[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every(
      (key) =>
        Object.hasOwn(b as object, key) && equal((a as Record<string, Value>)[key], (b as Record<string, Value>)[key]),
    )
  );
}

/** Go's runtime.Less and friends: numbers, strings, times, durations — nothing else. */
function compare(op: string, a: Value, b: Value): boolean {
  let order: number | null = null;
  if (typeof a === "number" && typeof b === "number") order = a - b;
  else if (typeof a === "string" && typeof b === "string") order = a < b ? -1 : a > b ? 1 : 0;
  else if (a instanceof GoTime && b instanceof GoTime) order = a.before(b) ? -1 : a.after(b) ? 1 : 0;
  else if (a instanceof GoDuration && b instanceof GoDuration) order = a.nanoseconds - b.nanoseconds;
  if (order === null || Number.isNaN(order))
    return fail(`invalid operation: ${op} (mismatched types ${goTypeName(a)} and ${goTypeName(b)})`);
  switch (op) {
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    default:
      return order >= 0;
  }
}

/** Go's runtime.Add/Subtract/Multiply/Divide/Modulo/Exponent over expr's types. */
function arithmetic(op: string, a: Value, b: Value, ta: NumberTag, tb: NumberTag): Value {
  const ka = kindOf(a, ta);
  const kb = kindOf(b, tb);
  const numbers = (ka === "int" || ka === "float") && (kb === "int" || kb === "float");
  const bad = () => fail(`invalid operation: ${goTypeName(a, ta)} ${op} ${goTypeName(b, tb)}`);
  const x = a as number;
  const y = b as number;
  switch (op) {
    case "+":
      if (numbers) return x + y;
      if (ka === "string" && kb === "string") return budgeted(`${a as string}${b as string}`, "+");
      if (ka === "time" && kb === "duration") return (a as GoTime).add(b as GoDuration);
      if (ka === "duration" && kb === "time") return (b as GoTime).add(a as GoDuration);
      if (ka === "duration" && kb === "duration")
        return new GoDuration((a as GoDuration).nanoseconds + (b as GoDuration).nanoseconds);
      return bad();
    case "-":
      if (numbers) return x - y;
      if (ka === "time" && kb === "time") return (a as GoTime).sub(b as GoTime);
      if (ka === "time" && kb === "duration") return (a as GoTime).add(new GoDuration(-(b as GoDuration).nanoseconds));
      if (ka === "duration" && kb === "duration")
        return new GoDuration((a as GoDuration).nanoseconds - (b as GoDuration).nanoseconds);
      return bad();
    case "*": {
      if (numbers) return x * y;
      const nanos = (value: Value) => (value as GoDuration).nanoseconds;
      if (ka === "duration" && kb === "duration") return new GoDuration(nanos(a) * nanos(b));
      if (ka === "duration" && (kb === "int" || kb === "float"))
        return kb === "int" ? new GoDuration(nanos(a) * Math.trunc(y)) : nanos(a) * y;
      if (kb === "duration" && (ka === "int" || ka === "float"))
        return ka === "int" ? new GoDuration(Math.trunc(x) * nanos(b)) : x * nanos(b);
      return bad();
    }
    case "/":
      return numbers ? x / y : bad();
    case "%":
      if (ka !== "int" || kb !== "int") return bad();
      if (Math.trunc(y) === 0) return fail("integer divide by zero");
      return Math.trunc(x) % Math.trunc(y);
    case "**":
      return numbers ? x ** y : bad();
    default:
      return bad();
  }
}

function budgeted<T extends string | unknown[]>(value: T, what: string): T {
  if (value.length > MAX_BUILT) overBudget(what, value.length, typeof value === "string" ? "characters" : "items");
  return value;
}

/** The evaluation's memory budget refuses a value (src/expressions/memory.ts): EXPRESSION_BUDGET, naming the function. */
function overBudget(what: string, size: number, unit: "characters" | "items"): never {
  throw new MemoryBudgetError("EXPRESSION_BUDGET", `${what} would build ${size} ${unit} (limit 1 MiB per value)`);
}

/** fmt.Sprintf("%v", value), with the number typed as Go has it. */
function sprint(value: Value, tag: NumberTag): string {
  if (typeof value === "number" && kindOf(value, tag) === "int") return formatValue(new GoInt(value));
  return formatValue(value);
}

/** Go's strings.SplitN / SplitAfterN. */
function splitN(text: string, separator: string, n: number, after: boolean): string[] | null {
  if (n === 0) return null;
  let parts: string[];
  if (separator === "") parts = [...text];
  else {
    parts = [];
    let rest = text;
    while (n < 0 || parts.length < n - 1) {
      const at = rest.indexOf(separator);
      if (at < 0) break;
      parts.push(rest.slice(0, at + (after ? separator.length : 0)));
      rest = rest.slice(at + separator.length);
    }
    parts.push(rest);
    return parts;
  }
  if (n > 0 && parts.length > n) parts = [...parts.slice(0, n - 1), parts.slice(n - 1).join("")];
  return parts;
}

/** A time zone's offset east of UTC (minutes) at `epochMs`, by its IANA name. */
function zoneOffset(zone: string, epochMs: number): number {
  if (zone === "UTC" || zone === "") return 0;
  try {
    return zoneOffsetMinutes(epochMs, zone);
  } catch {
    return fail(`unknown time zone ${zone}`);
  }
}

/** expr's date() layouts when none is given. */
const DATE_LAYOUTS = [
  "2006-01-02",
  "15:04:05",
  "2006-01-02 15:04:05",
  "2006-01-02T15:04:05Z07:00",
  "02 Jan 06 15:04 MST",
  "Monday, 02-Jan-06 15:04:05 MST",
  "Mon, 02 Jan 2006 15:04:05 MST",
];

function sortValues(values: Value[], keys: Value[], order: Value): Value[] {
  require(order === "asc" || order === "desc", `unknown order ${asString(order)}, use asc or desc`);
  const indexes = values.map((_, i) => i);
  indexes.sort((i, j) => {
    const a = keys[i];
    const b = keys[j];
    const less = compare("<", a, b);
    const greater = compare(">", a, b);
    const sign = less ? -1 : greater ? 1 : 0;
    return order === "desc" ? -sign : sign;
  });
  return indexes.map((i) => values[i]);
}

/** Argo CD's repo helpers that need no repository server. */
function queryEscape(text: string): string {
  let out = "";
  for (const byte of bytesOf(text)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** sprig's `empty`: nil, false, 0, "", and empty lists and maps. */
function isEmpty(value: Value): boolean {
  return (
    isNil(value) ||
    value === false ||
    value === 0 ||
    value === "" ||
    (Array.isArray(value) && value.length === 0) ||
    (isMap(value) && Object.keys(value).length === 0)
  );
}

function trimSet(text: string, cutset: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && cutset.includes(text[start] ?? "")) start++;
  while (end > start && cutset.includes(text[end - 1] ?? "")) end--;
  return text.slice(start, end);
}
const goTrimSpace = (text: string) => text.replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/g, "");

/** What JSONata passes native functions as `this`. */
interface Focus {
  environment: unknown;
}

type Helper = (this: Focus, ...args: Value[]) => Value;

/** name → [implementation] */
export const EXPR_HELPERS: Record<string, [Helper]> = {
  // expr's `matches`: Go's regexp (RE2) on the value as a string, paid for from the evaluation's budget.
  exprMatches: [
    function (this: Focus, value, pattern) {
      if (isNil(value)) return false;
      const compiled = compileRegex(string(pattern, "matches"));
      const text = string(value, "matches");
      budgetOf(this.environment).spend(regexWork(compiled, text.length, false));
      return compiled.test(text);
    },
  ],
  exprEq: [(a, b) => equal(a, b)],
  exprCompare: [(op, a, b) => compare(String(op), a, b)],
  // expr's and/or/not/?: take booleans only.
  exprBool: [
    (value) => {
      if (typeof value !== "boolean")
        fail(`expected a boolean, got ${goTypeName(value)} (expr does not convert values to true/false)`);
      return value;
    },
  ],
  exprIsNil: [(a) => isNil(a)],
  exprNil: [(a) => (a === undefined ? null : a)],
  exprArrayOf: [(...items) => items.map((item) => (item === undefined ? null : item))],
  exprString: [(a) => (isNil(a) ? "" : a)],
  exprIn: [
    (item, collection) => {
      if (isNil(collection)) return false;
      if (Array.isArray(collection)) return collection.some((entry) => equal(entry, item));
      if (isMap(collection)) {
        if (typeof item !== "string") fail(`cannot use ${goTypeName(item)} as a key of a map[string]interface {}`);
        return Object.hasOwn(collection, item as string);
      }
      return fail(`operator "in" not defined on ${goTypeName(collection)}`);
    },
  ],
  // expr's string operators: nil on either side is false; anything else but a string is an error.
  exprContains: [(a, b) => !isNil(a) && !isNil(b) && string(a, "contains").includes(string(b, "contains"))],
  exprStartsWith: [
    (s, prefix) => !isNil(s) && !isNil(prefix) && string(s, "startsWith").startsWith(string(prefix, "startsWith")),
  ],
  exprEndsWith: [
    (s, suffix) => !isNil(s) && !isNil(suffix) && string(s, "endsWith").endsWith(string(suffix, "endsWith")),
  ],
  exprAdd: [(a, b) => arithmetic("+", a, b, "json", "json")],
  exprArithmetic: [(op, a, b, ta, tb) => arithmetic(String(op), a, b, ta as NumberTag, tb as NumberTag)],
  exprNegate: [(value) => (typeof value === "number" ? -value : fail(`invalid operation: - ${goTypeName(value)}`))],
  exprCoalesce: [(a, b) => (isNil(a) ? b : a)],
  exprRange: [
    (from, to) => {
      const start = integer(from, "..");
      const end = integer(to, "..");
      if (end - start + 1 > 100_000) fail("..: a range of more than 100000 items");
      return end < start ? [] : Array.from({ length: end - start + 1 }, (_, i) => start + i);
    },
  ],
  exprLen: [
    (value) => {
      if (typeof value === "string") return [...value].length;
      if (Array.isArray(value)) return value.length;
      if (isMap(value)) return Object.keys(value).length;
      return fail(`invalid argument for len (type ${goTypeName(value)})`);
    },
  ],
  exprType: [
    (value, tag) => {
      const kind = kindOf(value, tag as NumberTag);
      if (kind === "time") return "time.Time";
      if (kind === "duration") return "time.Duration";
      return kind;
    },
  ],
  exprSprint: [(value, tag) => sprint(value, tag as NumberTag)],
  // expr's member access below a root: a field of nil (unless after `?.`) or of a non-map is an error.
  exprFetch: [
    (object, name, nilSafe) => {
      if (isNil(object)) return nilSafe === true ? undefined : fail(`cannot fetch ${String(name)} from <nil>`);
      if (!isMap(object)) return fail(`cannot fetch ${String(name)} from ${goTypeName(object)}`);
      return Object.hasOwn(object, name as string) ? object[name as string] : undefined;
    },
  ],
  // expr's indexing: out of range is an error (negative counts from the end), a string gives a byte, a missing map key is nil.
  exprIndex: [
    (collection, key, nilSafe) => {
      if (isNil(collection)) return nilSafe === true ? undefined : fail(`cannot fetch ${asString(key)} from <nil>`);
      if (Array.isArray(collection) || typeof collection === "string") {
        const items = typeof collection === "string" ? bytesOf(collection) : collection;
        const at = integer(key, "index");
        const index = at < 0 ? items.length + at : at;
        if (index < 0 || index >= items.length) fail(`index out of range: ${index} (array length is ${items.length})`);
        return items[index];
      }
      if (isMap(collection)) {
        if (typeof key !== "string") fail(`cannot fetch ${asString(key)} from ${goTypeName(collection)}`);
        return Object.hasOwn(collection, key as string) ? collection[key as string] : undefined;
      }
      return fail(`cannot fetch ${asString(key)} from ${goTypeName(collection)}`);
    },
  ],
  exprSlice: [
    (collection, from, to) => {
      const isText = typeof collection === "string";
      if (!isText && !Array.isArray(collection)) fail(`cannot slice ${goTypeName(collection)}`);
      const items = isText ? bytesOf(collection as string) : (collection as Value[]);
      const length = items.length;
      const clamp = (value: number) => Math.min(Math.max(value < 0 ? length + value : value, 0), length);
      const end = isNil(to) ? length : clamp(integer(to, "slice"));
      const start = Math.min(isNil(from) ? 0 : clamp(integer(from, "slice")), end);
      return isText
        ? utf8Lenient.decode((items as Uint8Array).slice(start, end))
        : (items as Value[]).slice(start, end);
    },
  ],
  // Argo CD's `time` and `strings` helpers, and methods of times and durations.
  exprTimeNow: [() => goNow()],
  exprTimeParse: [
    (value) => {
      try {
        return parseRfc3339(string(value, "time.Parse"));
      } catch (error) {
        if (error instanceof Error) fail(error.message);
        throw error;
      }
    },
  ],
  exprDuration: [(nanoseconds) => new GoDuration(Number(nanoseconds))],
  exprGoString: [
    (name, args) => {
      const values = asArray(args).map((value) => string(value, `strings.${String(name)}`));
      const [s = "", old = "", replacement = ""] = values;
      if (name === "ToUpper") return s.toUpperCase();
      if (name === "ToLower") return s.toLowerCase();
      return budgeted(s.split(old).join(replacement), "strings.ReplaceAll");
    },
  ],
  exprRepo: [
    (name, value) => {
      const url = string(value, `repo.${String(name)}`);
      if (name === "RepoURLToHTTPS") return repoUrlToHttps(url);
      if (name === "FullNameByRepoURL") return repoFullName(url);
      return queryEscape(url);
    },
  ],
  exprMethod: [
    (receiver, name, args, nilSafe) => {
      if (isNil(receiver) && nilSafe === true) return undefined;
      const method = goMethod(receiver, String(name));
      if (!method) return fail(`${goTypeName(receiver)} has no method ${String(name)}`);
      const values = asArray(args);
      require(values.length ===
        method.params.length, `${String(name)} takes ${method.params.length} argument(s), got ${values.length}`);
      method.params.forEach((type, i) => {
        const value = values[i];
        const fits =
          type === "string"
            ? typeof value === "string"
            : type === "time"
              ? value instanceof GoTime
              : value instanceof GoDuration;
        require(fits, `${String(name)}: argument ${i + 1} must be a ${type}, got ${goTypeName(value)}`);
      });
      return (method.call as (...args: Value[]) => Value)(...values);
    },
  ],
  // expr-lang's built-in functions
  exprLower: [(s) => string(s, "lower").toLowerCase()],
  exprUpper: [(s) => string(s, "upper").toUpperCase()],
  exprTrim: [
    (s, cutset) =>
      isNil(cutset) ? goTrimSpace(string(s, "trim")) : trimSet(string(s, "trim"), string(cutset, "trim")),
  ],
  exprTrimPrefix: [
    (s, prefix) => {
      const text = string(s, "trimPrefix");
      const start = string(prefix, "trimPrefix");
      return text.startsWith(start) ? text.slice(start.length) : text;
    },
  ],
  exprTrimSuffix: [
    (s, suffix) => {
      const text = string(s, "trimSuffix");
      const end = string(suffix, "trimSuffix");
      return end !== "" && text.endsWith(end) ? text.slice(0, -end.length) : text;
    },
  ],
  exprSplit: [
    (s, separator, n) =>
      splitN(string(s, "split"), string(separator, "split"), isNil(n) ? -1 : integer(n, "split"), false),
  ],
  exprSplitAfter: [
    (s, separator, n) =>
      splitN(string(s, "splitAfter"), string(separator, "splitAfter"), isNil(n) ? -1 : integer(n, "splitAfter"), true),
  ],
  exprReplace: [
    (s, old, replacement) =>
      budgeted(string(s, "replace").split(string(old, "replace")).join(string(replacement, "replace")), "replace"),
  ],
  exprRepeat: [
    (s, n) => {
      const count = integer(n, "repeat");
      if (count < 0) fail("strings: negative Repeat count");
      const text = string(s, "repeat");
      if (text.length * count > MAX_BUILT) overBudget("repeat", text.length * count, "characters");
      return text.repeat(count);
    },
  ],
  exprIndexOf: [(s, sub) => byteOffset(string(s, "indexOf"), string(s, "indexOf").indexOf(string(sub, "indexOf")))],
  exprLastIndexOf: [
    (s, sub) => byteOffset(string(s, "lastIndexOf"), string(s, "lastIndexOf").lastIndexOf(string(sub, "lastIndexOf"))),
  ],
  exprJoin: [
    (list, separator, lenient) => {
      require(Array.isArray(list) || isNil(list), `join: expected an array, got ${goTypeName(list)}`);
      const items = asArray(list).map((item) => (lenient === true ? asString(item) : string(item, "join")));
      return budgeted(items.join(isNil(separator) ? "" : string(separator, "join")), "join");
    },
  ],
  exprInt: [
    (value) => {
      if (typeof value === "number") return Math.trunc(value);
      if (typeof value === "string" && /^[+-]?[0-9]+$/.test(value.trim() === value ? value : "x"))
        return Number.parseInt(value, 10);
      return fail(
        typeof value === "string"
          ? `strconv.Atoi: parsing ${JSON.stringify(value)}: invalid syntax`
          : `invalid operation: int(${goTypeName(value)})`,
      );
    },
  ],
  exprFloat: [
    (value) => {
      if (typeof value === "number") return value;
      if (typeof value === "string" && value.trim() === value && value !== "" && Number.isFinite(Number(value)))
        return Number(value);
      return fail(
        typeof value === "string"
          ? `strconv.ParseFloat: parsing ${JSON.stringify(value)}: invalid syntax`
          : `invalid operation: float(${goTypeName(value)})`,
      );
    },
  ],
  exprAbs: [
    (value) =>
      typeof value === "number" ? Math.abs(value) : fail(`invalid argument for abs (type ${goTypeName(value)})`),
  ],
  exprRound: [
    (how, value) => {
      if (typeof value !== "number") return fail(`invalid argument for ${String(how)} (type ${goTypeName(value)})`);
      if (how === "ceil") return Math.ceil(value);
      if (how === "floor") return Math.floor(value);
      return Math.sign(value) * Math.round(Math.abs(value));
    },
  ],
  exprAggregate: [
    (name, args) => {
      const values = asArray(args).flatMap((arg) => (Array.isArray(arg) ? arg : [arg]));
      for (const value of values)
        if (typeof value !== "number") fail(`invalid argument for ${String(name)} (type ${goTypeName(value)})`);
      const numbers = values as number[];
      switch (name) {
        case "sum":
          return numbers.reduce((total, value) => total + value, 0);
        case "mean":
          return numbers.length === 0 ? 0 : numbers.reduce((total, value) => total + value, 0) / numbers.length;
        case "median": {
          const sorted = [...numbers].sort((a, b) => a - b);
          const middle = Math.floor(sorted.length / 2);
          if (sorted.length === 0) return 0;
          return sorted.length % 2 === 1
            ? sorted[middle]
            : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
        }
        case "max":
          return numbers.length === 0 ? undefined : Math.max(...numbers);
        default:
          return numbers.length === 0 ? undefined : Math.min(...numbers);
      }
    },
  ],
  exprEnd: [
    (which, value) => {
      if (isNil(value)) return undefined;
      if (!Array.isArray(value)) return fail(`cannot get ${String(which)} from ${goTypeName(value)}`);
      return which === "first" ? value[0] : value.at(-1);
    },
  ],
  exprGet: [
    (collection, key) => {
      if (Array.isArray(collection) && typeof key === "number") {
        const index = key < 0 ? collection.length + Math.trunc(key) : Math.trunc(key);
        return collection[index];
      }
      if (isMap(collection) && typeof key === "string")
        return Object.hasOwn(collection, key) ? collection[key] : undefined;
      return undefined;
    },
  ],
  exprList: [
    (how, list, n) => {
      if (!Array.isArray(list)) return fail(`cannot ${String(how)} ${goTypeName(list)}`);
      if (how === "take") return list.slice(0, Math.max(0, integer(n, "take")));
      if (how === "reverse") return [...list].reverse();
      return list.filter((item, i) => list.findIndex((other) => equal(other, item)) === i);
    },
  ],
  exprSort: [
    (list, order) => {
      if (!Array.isArray(list)) return fail(`cannot sort ${goTypeName(list)}`);
      return sortValues(list, list, isNil(order) ? "asc" : order);
    },
  ],
  exprSortBy: [(list, keys, order) => sortValues(asArray(list), asArray(keys), order)],
  exprGroupBy: [
    (list, keys) => {
      const groups = new Map<string, Value[]>();
      const keyList = asArray(keys);
      asArray(list).forEach((item, i) => {
        const key = sprint(keyList[i], "json");
        groups.set(key, [...(groups.get(key) ?? []), item]);
      });
      return Object.fromEntries(groups);
    },
  ],
  exprConcat: [
    (lists) =>
      budgeted(
        asArray(lists).flatMap((list) => (Array.isArray(list) ? list : fail(`cannot concat ${goTypeName(list)}`))),
        "concat",
      ),
  ],
  exprFlatten: [
    (list) => {
      if (!Array.isArray(list)) return fail(`cannot flatten ${goTypeName(list)}`);
      return budgeted(list.flat(Number.POSITIVE_INFINITY), "flatten");
    },
  ],
  exprKeys: [(value) => (isMap(value) ? Object.keys(value) : fail(`cannot get keys from ${goTypeName(value)}`))],
  exprValues: [(value) => (isMap(value) ? Object.values(value) : fail(`cannot get values from ${goTypeName(value)}`))],
  exprToPairs: [
    (value) => (isMap(value) ? Object.entries(value) : fail(`cannot transform ${goTypeName(value)} to pairs`)),
  ],
  exprFromPairs: [
    (value) => {
      if (!Array.isArray(value)) return fail(`cannot transform ${goTypeName(value)} from pairs`);
      return Object.fromEntries(
        value.map((pair) =>
          Array.isArray(pair) && pair.length === 2 ? [sprint(pair[0], "json"), pair[1]] : fail("invalid pair"),
        ),
      );
    },
  ],
  exprToJson: [(value, indent) => budgeted(goJson(value, isNil(indent) ? {} : { indent: String(indent) }), "toJSON")],
  exprFromJson: [
    (value) => {
      try {
        return JSON.parse(string(value, "fromJSON"));
      } catch (error) {
        return fail(error instanceof Error ? error.message : String(error));
      }
    },
  ],
  exprToBase64: [(value) => btoa(String.fromCharCode(...bytesOf(string(value, "toBase64"))))],
  exprFromBase64: [
    (value) => {
      const text = string(value, "fromBase64");
      let binary: string;
      try {
        binary = atob(text);
      } catch {
        return fail("illegal base64 data");
      }
      return utf8Lenient.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    },
  ],
  exprNow: [() => goNow()],
  exprDate: [
    (value, layout, zone) => {
      const text = string(value, "date");
      const parse = (form: string) => {
        const parsed = parseGoLayout(form, text);
        if (isNil(zone)) return parsed;
        // The wall clock read in the named zone: shift by its offset at that instant.
        const name = string(zone, "date");
        const offset = zoneOffset(name, parsed.epochMs);
        return new GoTime(parsed.epochMs - offset * 60_000, parsed.extraNanos, offset);
      };
      if (!isNil(layout)) {
        try {
          return parse(string(layout, "date"));
        } catch (error) {
          if (error instanceof Error) fail(error.message);
          throw error;
        }
      }
      for (const form of DATE_LAYOUTS) {
        try {
          return parse(form);
        } catch (error) {
          if (!(error instanceof Error)) throw error;
        }
      }
      return fail(`invalid date ${text}`);
    },
  ],
  exprParseDuration: [
    (value) => {
      try {
        return parseGoDuration(string(value, "duration"));
      } catch (error) {
        if (error instanceof Error) fail(error.message);
        throw error;
      }
    },
  ],
  exprBits: [
    (op, a, b) => {
      const x = BigInt.asIntN(64, BigInt(integer(a, String(op))));
      const y = BigInt.asIntN(64, BigInt(integer(b, String(op))));
      if ((op === "bitshl" || op === "bitshr" || op === "bitushr") && y < 0n) fail("negative shift amount");
      // Go's shifts of an int64 saturate past 63 bits (and never build a huge number).
      if (y > 63n && (op === "bitshl" || op === "bitushr")) return 0;
      if (y > 63n && op === "bitshr") return x < 0n ? -1 : 0;
      const results: Record<string, () => bigint> = {
        bitand: () => x & y,
        bitor: () => x | y,
        bitxor: () => x ^ y,
        bitnand: () => x & ~y,
        bitnot: () => ~x,
        bitshl: () => x << y,
        bitshr: () => x >> y,
        bitushr: () => BigInt.asUintN(64, x) >> y,
      };
      return Number(BigInt.asIntN(64, (results[String(op)] ?? results.bitand ?? (() => 0n))()));
    },
  ],
  // Predicates: the translation maps a lambda over the list with JSONata's $map, then these decide.
  exprIterable: [
    (value, name) =>
      Array.isArray(value) ? value : fail(`invalid argument for ${String(name)} (type ${goTypeName(value)})`),
  ],
  exprCountTrue: [
    (flags) =>
      asArray(flags).filter((flag) => {
        if (typeof flag !== "boolean") fail(`expected a boolean, got ${goTypeName(flag)}`);
        return flag === true;
      }).length,
  ],
  exprAll: [(flags) => asArray(flags).every((flag) => flag === true)],
  exprPick: [
    (list, flags) => {
      const marks = asArray(flags);
      return asArray(list).filter((_, i) => marks[i] === true);
    },
  ],
  exprFind: [
    (list, flags, which) => {
      const marks = asArray(flags);
      const items = asArray(list);
      const index = which === "find" || which === "findIndex" ? marks.indexOf(true) : marks.lastIndexOf(true);
      if (which === "findIndex" || which === "findLastIndex") return index;
      return index < 0 ? undefined : items[index];
    },
  ],
  // JSONata's $map drops undefined results; expr's map keeps nil.
  exprBox: [(value) => ({ boxed: value })],
  exprUnbox: [
    (boxes) =>
      asArray(boxes).map((box) => {
        const value = (box as { boxed?: Value }).boxed;
        return value === undefined ? null : value;
      }),
  ],
  // sprig (Argo Workflows' submit.metadata environment)
  exprTitle: [(s) => asString(s).replace(/\b([a-z])/g, (letter) => letter.toUpperCase())],
  exprSubstr: [
    (start, end, s) => {
      const text = asString(s);
      const from = Number(start);
      const to = Number(end);
      if (from < 0 || to < 0 || to > text.length) return text.slice(Math.max(0, from));
      return from > to ? "" : text.slice(from, to);
    },
  ],
  exprTrunc: [
    (n, s) => {
      const text = asString(s);
      const count = Number(n);
      return count < 0 ? text.slice(Math.max(0, text.length + count)) : text.slice(0, count);
    },
  ],
  exprEmpty: [(value) => isEmpty(value)],
  exprDefault: [(fallback, value) => (isEmpty(value) ? fallback : value)],
};
