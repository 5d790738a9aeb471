/**
 * Go text/template semantics for templates translated from Argo CD's Go templates (`hookline
 * import argocd-notifications`): how values print, what is true, field lookup, the built-in
 * functions (eq, and, index, printf …) and the sprig functions Argo CD templates use. Translated
 * templates call them as `it.go.<name>(…)`.
 */

type Value = unknown;
const isNil = (value: Value) => value === undefined || value === null;

class GoTemplateError extends Error {}

/** fmt's %v for the JSON values templates see. */
function format(value: Value, nested = false): string {
  if (value === undefined) return nested ? "<nil>" : "<no value>";
  if (value === null) return "<nil>";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map((item) => format(item, true)).join(" ")}]`;
  const entries = Object.entries(value as Record<string, Value>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[${entries.map(([key, item]) => `${key}:${format(item, true)}`).join(" ")}]`;
}

function truth(value: Value): boolean {
  if (isNil(value) || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value as object).length > 0;
  return true;
}

function get(value: Value, ...keys: string[]): Value {
  let current = value;
  for (const key of keys) {
    if (isNil(current)) throw new GoTemplateError(`nil pointer evaluating interface {}.${key}`);
    if (typeof current !== "object" || Array.isArray(current))
      throw new GoTemplateError(`can't evaluate field ${key} in type ${typeof current}`);
    current = (current as Record<string, Value>)[key];
  }
  return current;
}

function compare(a: Value, b: Value): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  throw new GoTemplateError(`incompatible types for comparison: ${format(a)} and ${format(b)}`);
}

function printf(pattern: string, ...args: Value[]): string {
  let index = 0;
  return String(pattern).replace(
    /%([-+# 0]*)(\d*)(?:\.(\d+))?([vsdqtfxX%])/g,
    (_match, _flags, _width, precision, verb: string) => {
      if (verb === "%") return "%";
      const arg = args[index++];
      switch (verb) {
        case "d":
          return typeof arg === "number" ? String(Math.trunc(arg)) : `%!d(${format(arg)})`;
        case "f":
          return typeof arg === "number"
            ? arg.toFixed(precision === undefined ? 6 : Number(precision))
            : `%!f(${format(arg)})`;
        case "q":
          return JSON.stringify(format(arg));
        case "t":
          return typeof arg === "boolean" ? String(arg) : `%!t(${format(arg)})`;
        case "x":
          return typeof arg === "number"
            ? arg.toString(16)
            : [...new TextEncoder().encode(format(arg))].map((b) => b.toString(16).padStart(2, "0")).join("");
        case "X":
          return typeof arg === "number"
            ? arg.toString(16).toUpperCase()
            : [...new TextEncoder().encode(format(arg))]
                .map((b) => b.toString(16).padStart(2, "0").toUpperCase())
                .join("");
        default:
          return format(arg);
      }
    },
  );
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
function sprint(...args: Value[]): string {
  let out = "";
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += format(arg);
  });
  return out;
}

const text = (value: Value) => (isNil(value) ? "" : typeof value === "string" ? value : format(value));

export const GO_HELPERS = {
  print: (value: Value) => format(value),
  truth,
  get,
  entries(value: Value): Array<[Value, Value]> {
    if (isNil(value)) return [];
    if (Array.isArray(value)) return value.map((item, i) => [i, item]);
    if (typeof value === "object") {
      return Object.keys(value as object)
        .sort()
        .map((key) => [key, (value as Record<string, Value>)[key]]);
    }
    if (typeof value === "number") return Array.from({ length: value }, (_, i) => [i, i]);
    throw new GoTemplateError(`range can't iterate over ${format(value)}`);
  },
  // text/template built-ins
  and: (...args: Value[]) => args.find((arg) => !truth(arg)) ?? args.at(-1),
  or: (...args: Value[]) => args.find((arg) => truth(arg)) ?? args.at(-1),
  not: (value: Value) => !truth(value),
  eq: (a: Value, ...others: Value[]) => others.some((b) => (isNil(a) && isNil(b)) || a === b),
  ne: (a: Value, b: Value) => !((isNil(a) && isNil(b)) || a === b),
  lt: (a: Value, b: Value) => compare(a, b) < 0,
  le: (a: Value, b: Value) => compare(a, b) <= 0,
  gt: (a: Value, b: Value) => compare(a, b) > 0,
  ge: (a: Value, b: Value) => compare(a, b) >= 0,
  len(value: Value): number {
    if (typeof value === "string") return new TextEncoder().encode(value).length;
    if (Array.isArray(value)) return value.length;
    if (value !== null && typeof value === "object") return Object.keys(value).length;
    throw new GoTemplateError(`len of ${format(value)}`);
  },
  index(value: Value, ...keys: Value[]): Value {
    let current = value;
    for (const key of keys) {
      if (isNil(current)) throw new GoTemplateError("index of untyped nil");
      current = Array.isArray(current) ? current[Number(key)] : (current as Record<string, Value>)[String(key)];
    }
    return current;
  },
  printf,
  sprint,
  println: (...args: Value[]) => `${args.map((arg) => format(arg)).join(" ")}\n`,
  urlquery: (...args: Value[]) => encodeURIComponent(sprint(...args)).replace(/%20/g, "+"),
  html: (...args: Value[]) => sprint(...args).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
  // sprig, as Argo CD's templates use it
  upper: (s: Value) => text(s).toUpperCase(),
  lower: (s: Value) => text(s).toLowerCase(),
  title: (s: Value) => text(s).replace(/\b([a-z])/g, (c) => c.toUpperCase()),
  trim: (s: Value) => text(s).trim(),
  trimPrefix: (prefix: Value, s: Value) =>
    text(s).startsWith(text(prefix)) ? text(s).slice(text(prefix).length) : text(s),
  trimSuffix: (suffix: Value, s: Value) => {
    const value = text(s);
    const end = text(suffix);
    return end !== "" && value.endsWith(end) ? value.slice(0, -end.length) : value;
  },
  trunc: (n: Value, s: Value) => (Number(n) < 0 ? text(s).slice(Number(n)) : text(s).slice(0, Number(n))),
  substr: (start: Value, end: Value, s: Value) => text(s).slice(Number(start), Number(end)),
  replace: (old: Value, replacement: Value, s: Value) => text(s).split(text(old)).join(text(replacement)),
  contains: (sub: Value, s: Value) => text(s).includes(text(sub)),
  hasPrefix: (prefix: Value, s: Value) => text(s).startsWith(text(prefix)),
  hasSuffix: (suffix: Value, s: Value) => text(s).endsWith(text(suffix)),
  default: (fallback: Value, value: Value) => (truth(value) ? value : fallback),
  empty: (value: Value) => !truth(value),
  quote: (...args: Value[]) => args.map((arg) => JSON.stringify(text(arg))).join(" "),
  squote: (...args: Value[]) => args.map((arg) => `'${text(arg)}'`).join(" "),
  toJson: (value: Value) => JSON.stringify(value ?? null),
  toPrettyJson: (value: Value) => JSON.stringify(value ?? null, null, "  "),
  join: (separator: Value, list: Value) => (Array.isArray(list) ? list.map(text).join(text(separator)) : text(list)),
  splitList: (separator: Value, s: Value) => text(s).split(text(separator)),
  repeat: (count: Value, s: Value) => text(s).repeat(Math.max(0, Number(count))),
  toString: (value: Value) => text(value),
};

export type GoHelpers = typeof GO_HELPERS;
