/**
 * JSONata functions that carry expr-lang semantics where JSONata's own differ (nil handling,
 * Go's string functions). Every compiled expression has them; translated expressions call them.
 */

import { budgetOf } from "../budget";
import { compileRegex, regexWork } from "../regex";

type Value = unknown;
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
  if (!ok) throw { code: "D3001", message };
};
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
  exprIsNil: [(a) => isNil(a)],
  exprIn: [
    (item, collection) => {
      if (isNil(collection)) return false;
      if (Array.isArray(collection)) return collection.some((entry) => deepEqual(entry, item));
      if (typeof collection === "object") return typeof item === "string" && Object.hasOwn(collection as object, item);
      throw { code: "D3001", message: `"in" needs an array or a map, got ${typeof collection}` };
    },
  ],
  exprLen: [
    (value) => {
      if (typeof value === "string") return [...value].length;
      if (Array.isArray(value)) return value.length;
      if (value !== null && typeof value === "object") return Object.keys(value).length;
      if (isNil(value)) return 0;
      throw { code: "D3001", message: `len() needs a string, array or map, got ${typeof value}` };
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
  exprIndex: [
    (collection, key) => {
      if (isNil(collection)) return undefined;
      if (Array.isArray(collection) && typeof key === "number")
        return collection[key < 0 ? collection.length + key : key];
      if (typeof collection === "string" && typeof key === "number")
        return [...collection][key < 0 ? collection.length + key : key];
      if (typeof collection === "object" && typeof key === "string" && Object.hasOwn(collection as object, key))
        return (collection as Record<string, Value>)[key];
      return undefined;
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
