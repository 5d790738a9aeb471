/**
 * JSONata functions that carry expr-lang semantics where JSONata's own differ (nil handling,
 * Go's string functions). Every compiled expression has them; translated expressions call them.
 */

import { budgetOf } from "../budget";
import { GoDuration, GoTime, goMethod, goNow, parseRfc3339 } from "../go-time";
import { goJson } from "../gotemplate";
import { compileRegex, regexWork } from "../regex";

type Value = unknown;

/** The code of errors expr itself would raise (not one of JSONata's, whose messages would replace ours). */
const EXPR_ERROR = "expr";
const isNil = (value: Value) => value === undefined || value === null;

function deepEqual(a: Value, b: Value): boolean {
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (typeof a !== "object" || typeof b !== "object") return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every(
      (key) =>
        Object.hasOwn(b as object, key) &&
        deepEqual((a as Record<string, Value>)[key], (b as Record<string, Value>)[key]),
    )
  );
}

const asArray = (value: Value): Value[] => (isNil(value) ? [] : Array.isArray(value) ? value : [value]);
const asString = (value: Value): string => {
  if (isNil(value)) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
};
const require = (ok: boolean, message: string) => {
  if (!ok) throw { code: EXPR_ERROR, message };
};
/** Go's name for a JSON value's type, as expr's errors say it. */
function goTypeName(value: Value): string {
  if (isNil(value)) return "<nil>";
  if (value instanceof GoTime) return "time.Time";
  if (value instanceof GoDuration) return "time.Duration";
  if (Array.isArray(value)) return "[]interface {}";
  if (typeof value === "number") return "float64";
  if (typeof value === "object") return "map[string]interface {}";
  return typeof value === "boolean" ? "bool" : "string";
}
const goTrimSpace = (text: string) => text.replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/g, "");

/** What JSONata passes native functions as `this`. */
interface Focus {
  environment: unknown;
}

/** name → [implementation, JSONata signature] */
export const EXPR_HELPERS: Record<string, [(this: Focus, ...args: Value[]) => Value, string?]> = {
  // expr's `matches`: Go's regexp (RE2) on the value as a string, paid for from the evaluation's budget.
  exprMatches: [
    function (this: Focus, value, pattern) {
      const compiled = compileRegex(asString(pattern));
      const text = asString(value);
      budgetOf(this.environment).spend(regexWork(compiled, text.length, false));
      return compiled.test(text);
    },
  ],
  exprEq: [(a, b) => deepEqual(a, b)],
  // expr's and/or/not/?: take booleans only.
  exprBool: [
    (value) => {
      if (typeof value !== "boolean")
        throw {
          code: EXPR_ERROR,
          message: `expected a boolean, got ${goTypeName(value)} (expr does not convert values to true/false)`,
        };
      return value;
    },
  ],
  exprToJson: [(value) => goJson(value)],
  exprIsNil: [(a) => isNil(a)],
  exprIn: [
    (item, collection) => {
      if (isNil(collection)) return false;
      if (Array.isArray(collection)) return collection.some((entry) => deepEqual(entry, item));
      if (typeof collection === "object") return typeof item === "string" && Object.hasOwn(collection as object, item);
      throw { code: EXPR_ERROR, message: `"in" needs an array or a map, got ${typeof collection}` };
    },
  ],
  exprLen: [
    (value) => {
      if (typeof value === "string") return [...value].length;
      if (Array.isArray(value)) return value.length;
      if (value !== null && typeof value === "object") return Object.keys(value).length;
      if (isNil(value)) return 0;
      throw { code: EXPR_ERROR, message: `len() needs a string, array or map, got ${typeof value}` };
    },
  ],
  exprArray: [(value) => asArray(value)],
  exprAdd: [
    (a, b) => {
      if (typeof a === "string" || typeof b === "string") {
        require(typeof a === "string" && typeof b === "string", "+ needs two strings or two numbers");
        return `${a as string}${b as string}`;
      }
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      require(typeof a === "number" && typeof b === "number", "+ needs two strings or two numbers");
      return (a as number) + (b as number);
    },
  ],
  exprCoalesce: [(a, b) => (isNil(a) ? b : a)],
  exprStartsWith: [(s, prefix) => typeof s === "string" && typeof prefix === "string" && s.startsWith(prefix)],
  exprEndsWith: [(s, suffix) => typeof s === "string" && typeof suffix === "string" && s.endsWith(suffix)],
  exprTrim: [(s, cutset) => (typeof cutset === "string" ? trimSet(asString(s), cutset) : goTrimSpace(asString(s)))],
  exprTrimPrefix: [
    (s, prefix) =>
      asString(s).startsWith(asString(prefix)) ? asString(s).slice(asString(prefix).length) : asString(s),
  ],
  exprTrimSuffix: [
    (s, suffix) => {
      const text = asString(s);
      const end = asString(suffix);
      return end !== "" && text.endsWith(end) ? text.slice(0, -end.length) : text;
    },
  ],
  exprToString: [(value) => asString(value)],
  exprInt: [
    (value) => {
      const number = typeof value === "string" ? Number(value.trim()) : Number(value);
      require(Number.isFinite(number), `cannot convert ${JSON.stringify(value)} to int`);
      return Math.trunc(number);
    },
  ],
  // expr's member access below a root: a field of nil (unless `?.`) or of a non-map is an error.
  exprFetch: [
    (object, name, optional) => {
      if (isNil(object)) {
        if (optional === true) return undefined;
        throw { code: EXPR_ERROR, message: `cannot fetch ${String(name)} from <nil>` };
      }
      if (
        typeof object !== "object" ||
        Array.isArray(object) ||
        object instanceof GoTime ||
        object instanceof GoDuration
      )
        throw { code: EXPR_ERROR, message: `cannot fetch ${String(name)} from ${goTypeName(object)}` };
      return Object.hasOwn(object, name as string) ? (object as Record<string, Value>)[name as string] : undefined;
    },
  ],
  // expr's indexing: out of range is an error (negative counts from the end), a missing map key is nil.
  exprIndex: [
    (collection, key, optional) => {
      if (isNil(collection)) {
        if (optional === true) return undefined;
        throw { code: EXPR_ERROR, message: `cannot fetch ${asString(key)} from <nil>` };
      }
      if ((Array.isArray(collection) || typeof collection === "string") && typeof key === "number") {
        const items = typeof collection === "string" ? [...collection] : collection;
        const index = key < 0 ? items.length + key : key;
        if (!Number.isInteger(index) || index < 0 || index >= items.length)
          throw { code: EXPR_ERROR, message: `index out of range: ${key} (length ${items.length})` };
        return items[index];
      }
      if (typeof collection === "object" && !Array.isArray(collection) && typeof key === "string")
        return Object.hasOwn(collection as object, key) ? (collection as Record<string, Value>)[key] : undefined;
      throw { code: EXPR_ERROR, message: `cannot fetch ${asString(key)} from ${goTypeName(collection)}` };
    },
  ],
  // Argo CD's `time` and `strings` helpers, and methods of times and durations.
  exprTimeNow: [() => goNow()],
  exprTimeParse: [
    (value) => {
      require(typeof value === "string", `time.Parse needs a string, got ${goTypeName(value)}`);
      try {
        return parseRfc3339(value as string);
      } catch (error) {
        throw { code: EXPR_ERROR, message: error instanceof Error ? error.message : String(error) };
      }
    },
  ],
  exprDuration: [(nanoseconds) => new GoDuration(Number(nanoseconds))],
  exprGoString: [
    (name, args) => {
      const values = asArray(args);
      require(values.every((value) => typeof value === "string"), `strings.${String(name)} needs strings`);
      const [s = "", old = "", replacement = ""] = values as string[];
      if (name === "ToUpper") return s.toUpperCase();
      if (name === "ToLower") return s.toLowerCase();
      return s.split(old).join(replacement);
    },
  ],
  exprMethod: [
    (receiver, name, args) => {
      const method = goMethod(receiver, String(name));
      if (!method) throw { code: EXPR_ERROR, message: `${goTypeName(receiver)} has no method ${String(name)}` };
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
  exprSlice: [
    (collection, from, to) => {
      const items = typeof collection === "string" ? collection : asArray(collection);
      const start = typeof from === "number" ? from : 0;
      const end = typeof to === "number" ? to : items.length;
      return items.slice(start, end);
    },
  ],
  exprFirst: [(value) => asArray(value)[0]],
  exprLast: [(value) => asArray(value).at(-1)],
  exprValues: [
    (value) => (value !== null && typeof value === "object" && !Array.isArray(value) ? Object.values(value) : []),
  ],
  exprJoin: [
    (list, separator) =>
      asArray(list)
        .map(asString)
        .join(isNil(separator) ? "" : asString(separator)),
  ],
  // sprig
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

/** sprig's `empty`: nil, false, 0, "", and empty lists and maps. */
function isEmpty(value: Value): boolean {
  return (
    isNil(value) ||
    value === false ||
    value === 0 ||
    value === "" ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === "object" && !Array.isArray(value) && Object.keys(value as object).length === 0)
  );
}

function trimSet(text: string, cutset: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && cutset.includes(text[start] ?? "")) start++;
  while (end > start && cutset.includes(text[end - 1] ?? "")) end--;
  return text.slice(start, end);
}
