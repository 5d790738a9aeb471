import { GoDuration, GoTime, goNow } from "../go-time";
import { compileRegex } from "../regex";
import {
  compareStrings,
  equals,
  formatValue,
  GoFunction,
  GoInt,
  goQuote,
  isObject,
  lessThan,
  type ParamType,
  sprint,
  sprintf,
  TemplateExecError,
  truth,
  typeName,
  type Value,
} from "./values";

/**
 * The functions templates call: text/template's builtins and the sprig functions Argo CD's
 * notification templates get (sprig.TxtFuncMap without env/expandenv). Each declares its
 * parameter types, and arguments are checked against them as Go's reflection would.
 */
const functions = new Map<string, GoFunction>();

function define(
  name: string,
  params: ParamType[],
  implementation: (...args: never[]) => Value,
  variadic: ParamType | null = null,
) {
  functions.set(name, new GoFunction(name, params, implementation as (...args: Value[]) => Value, variadic));
}

const int = (value: number, type: GoInt["type"] = "int") => new GoInt(Math.trunc(value), type);
const int64 = (value: number) => int(value, "int64");

/** sprig's strval: strings as they are, everything else as fmt's %v. */
const strval = (value: Value) => (typeof value === "string" ? value : formatValue(value));

/** spf13/cast's ToInt64, as sprig's arithmetic converts its arguments. */
function toInt64(value: Value): number {
  if (value instanceof GoInt) return value.value;
  if (value instanceof GoDuration) return value.nanoseconds;
  if (typeof value === "number") return Math.trunc(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    const trimmed = value.trim();
    if (/^[+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(trimmed)) {
      const sign = trimmed.startsWith("-") ? -1 : 1;
      const digits = trimmed.replace(/^[+-]/, "");
      return (
        sign *
        (/^0[xX]/.test(digits)
          ? Number.parseInt(digits.slice(2), 16)
          : /^0[0-7]+$/.test(digits)
            ? Number.parseInt(digits, 8)
            : Number(digits))
      );
    }
    return 0;
  }
  return 0;
}

function toFloat64(value: Value): number {
  if (value instanceof GoInt) return value.value;
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    const parsed = Number(value.trim());
    return value.trim() !== "" && Number.isFinite(parsed) ? parsed : 0;
  }
  return 0;
}

/** sprig's empty: the zero value of its type (structs such as times are never empty). */
function isEmpty(value: Value): boolean {
  if (value instanceof GoTime || value instanceof GoFunction) return false;
  return !truth(value);
}

function asList(name: string, value: Value): Value[] {
  if (Array.isArray(value)) return value;
  throw new TemplateExecError(`Cannot find ${name} on type ${typeName(value)}`);
}

/** sprig's strslice: a list as strings (nils dropped), a lone value as a one-item list. */
function strslice(value: Value): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter((item) => item !== null && item !== undefined).map(strval);
  return [strval(value)];
}

/** encoding/json's Marshal (sorted keys; <, > and & escaped unless `raw`). */
export function goJson(value: Value, options: { raw?: boolean; indent?: string } = {}): string {
  const plain = (item: Value): unknown => {
    if (item === undefined) return null;
    if (item instanceof GoInt) return item.value;
    if (item instanceof GoDuration) return item.nanoseconds;
    if (item instanceof GoTime) return item.format("2006-01-02T15:04:05.999999999Z07:00");
    if (item instanceof GoFunction) throw new TemplateExecError("json: unsupported type: func");
    if (Array.isArray(item)) return item.map(plain);
    if (isObject(item)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(item).sort(compareStrings)) out[key] = plain(item[key]);
      return out;
    }
    return item;
  };
  const text = JSON.stringify(plain(value), null, options.indent);
  return options.raw
    ? text
    : text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

// text/template builtins (and, or and call are evaluated by the interpreter: they are lazy or take functions).
define("not", ["any"], (value: Value) => !truth(value));
define("len", ["any"], (value: Value) => {
  if (typeof value === "string") return int(new TextEncoder().encode(value).length);
  if (Array.isArray(value)) return int(value.length);
  if (isObject(value)) return int(Object.keys(value).length);
  throw new TemplateExecError(
    value === undefined || value === null ? "len of nil pointer" : `len of type ${typeName(value)}`,
  );
});
define(
  "index",
  ["any"],
  (item: Value, ...keys: Value[]) => {
    let current = item;
    for (const key of keys) {
      if (current === undefined || current === null) throw new TemplateExecError("index of untyped nil");
      if (Array.isArray(current) || typeof current === "string") {
        if (!(key instanceof GoInt)) throw new TemplateExecError(`cannot index slice/array with type ${typeName(key)}`);
        const length = typeof current === "string" ? new TextEncoder().encode(current).length : current.length;
        if (key.value < 0 || key.value >= length) throw new TemplateExecError(`index out of range: ${key.value}`);
        current =
          typeof current === "string"
            ? int(new TextEncoder().encode(current)[key.value] ?? 0, "uint8")
            : current[key.value];
      } else if (isObject(current)) {
        if (typeof key !== "string") throw new TemplateExecError(`value has type ${typeName(key)}; should be string`);
        current = Object.hasOwn(current, key) ? current[key] : undefined;
      } else throw new TemplateExecError(`can't index item of type ${typeName(current)}`);
    }
    return current;
  },
  "any",
);
define("print", [], (...args: Value[]) => sprint(args), "any");
define("printf", ["string"], (format: string, ...args: Value[]) => sprintf(format, args), "any");
define("println", [], (...args: Value[]) => `${args.map(formatValue).join(" ")}\n`, "any");
define(
  "urlquery",
  [],
  (...args: Value[]) =>
    encodeURIComponent(sprint(args))
      .replace(/%20/g, "+")
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  "any",
);
define(
  "html",
  [],
  (...args: Value[]) =>
    sprint(args).replace(
      /[&<>"'\0]/g,
      (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;", "\0": "\uFFFD" })[c] ?? c,
    ),
  "any",
);
define(
  "js",
  [],
  (...args: Value[]) =>
    sprint(args).replace(/[\\'"<>&=\n\r\t]/g, (c) =>
      c === "\\"
        ? "\\\\"
        : c === "'"
          ? "\\'"
          : c === '"'
            ? '\\"'
            : `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`,
    ),
  "any",
);
define("eq", ["any"], (first: Value, ...others: Value[]) => equals(first, ...others), "any");
define("ne", ["any", "any"], (a: Value, b: Value) => !equals(a, b));
define("lt", ["any", "any"], (a: Value, b: Value) => lessThan(a, b));
define("le", ["any", "any"], (a: Value, b: Value) => lessThan(a, b) || equals(a, b));
define("gt", ["any", "any"], (a: Value, b: Value) => !lessThan(a, b) && !equals(a, b));
define("ge", ["any", "any"], (a: Value, b: Value) => !lessThan(a, b));

// sprig: strings
define("upper", ["string"], (s: string) => s.toUpperCase());
define("lower", ["string"], (s: string) => s.toLowerCase());
// Every character after a separator (or first) in upper case; one regular expression, not a
// per-character array, so a long string costs little more than copying it.
define("title", ["string"], (s: string) => s.replace(/(?<![\p{L}\p{N}_])./gsu, (c) => c.toUpperCase()));
define("untitle", ["string"], (s: string) =>
  s.replace(/(^|\s)(\S)/g, (_m, space: string, c: string) => space + c.toLowerCase()));
define("trim", ["string"], (s: string) => s.trim());
define("trimAll", ["string", "string"], (cut: string, s: string) => trimChars(s, cut));
define("trimall", ["string", "string"], (cut: string, s: string) => trimChars(s, cut));
define("trimPrefix", ["string", "string"], (prefix: string, s: string) =>
  s.startsWith(prefix) ? s.slice(prefix.length) : s);
define("trimSuffix", ["string", "string"], (suffix: string, s: string) =>
  suffix !== "" && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s);
define("trunc", ["int", "string"], (n: GoInt, s: string) =>
  n.value < 0 && s.length + n.value > 0
    ? s.slice(s.length + n.value)
    : n.value >= 0 && s.length > n.value
      ? s.slice(0, n.value)
      : s);
define("substr", ["int", "int", "string"], (start: GoInt, end: GoInt, s: string) =>
  start.value < 0
    ? s.slice(0, end.value)
    : end.value < 0 || end.value > s.length
      ? s.slice(start.value)
      : s.slice(start.value, end.value));
define("replace", ["string", "string", "string"], (old: string, replacement: string, s: string) =>
  s.split(old).join(replacement));
// Its size is checked against the memory budget before it runs (sizes.ts).
define("repeat", ["int", "string"], (count: GoInt, s: string) => {
  if (count.value < 0) throw new TemplateExecError("strings: negative Repeat count");
  return s.repeat(count.value);
});
define("contains", ["string", "string"], (sub: string, s: string) => s.includes(sub));
define("hasPrefix", ["string", "string"], (prefix: string, s: string) => s.startsWith(prefix));
define("hasSuffix", ["string", "string"], (suffix: string, s: string) => s.endsWith(suffix));
define(
  "quote",
  [],
  (...args: Value[]) =>
    args
      .filter((arg) => arg !== null && arg !== undefined)
      .map((arg) => goQuote(strval(arg)))
      .join(" "),
  "any",
);
define(
  "squote",
  [],
  (...args: Value[]) =>
    args
      .filter((arg) => arg !== null && arg !== undefined)
      .map((arg) => `'${strval(arg)}'`)
      .join(" "),
  "any",
);
define(
  "cat",
  [],
  (...args: Value[]) =>
    args
      .filter((arg) => arg !== null && arg !== undefined)
      .map(formatValue)
      .join(" "),
  "any",
);
define("indent", ["int", "string"], (spaces: GoInt, s: string) => indent(spaces.value, s));
define("nindent", ["int", "string"], (spaces: GoInt, s: string) => `\n${indent(spaces.value, s)}`);
define("nospace", ["string"], (s: string) => s.replace(/\s+/gu, ""));
define("initials", ["string"], (s: string) =>
  s
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => [...word][0] ?? "")
    .join(""));
define("plural", ["string", "string", "int"], (one: string, many: string, count: GoInt) =>
  count.value === 1 ? one : many);
define("splitList", ["string", "string"], (separator: string, s: string) => s.split(separator));
define("split", ["string", "string"], (separator: string, s: string) =>
  Object.fromEntries(s.split(separator).map((part, i) => [`_${i}`, part])));
define("join", ["string", "any"], (separator: string, list: Value) => strslice(list).join(separator));
define("toString", ["any"], (value: Value) => strval(value));
define("toStrings", ["any"], (value: Value) => (Array.isArray(value) ? value.map(strval) : [strval(value)]));
define("sortAlpha", ["any"], (value: Value) => strslice(value).sort(compareStrings));
define("b64enc", ["string"], (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s))));
define("b64dec", ["string"], (s: string) => {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)));
  } catch {
    return "illegal base64 data at input byte 0";
  }
});
define("atoi", ["string"], (s: string) => int(/^[+-]?\d+$/.test(s) ? Number(s) : 0));
define("int", ["any"], (value: Value) => int(toInt64(value)));
define("int64", ["any"], (value: Value) => int64(toInt64(value)));
define("float64", ["any"], (value: Value) => toFloat64(value));

// sprig: defaults, JSON, logic
define(
  "default",
  ["any"],
  (fallback: Value, ...given: Value[]) => (given.length === 0 || isEmpty(given[0]) ? fallback : given[0]),
  "any",
);
define("empty", ["any"], (value: Value) => isEmpty(value));
define("coalesce", [], (...values: Value[]) => values.find((value) => !isEmpty(value)) ?? null, "any");
define("all", [], (...values: Value[]) => values.every((value) => !isEmpty(value)), "any");
define("any", [], (...values: Value[]) => values.some((value) => !isEmpty(value)), "any");
define("ternary", ["any", "any", "bool"], (whenTrue: Value, whenFalse: Value, test: boolean) =>
  test ? whenTrue : whenFalse);
define("toJson", ["any"], (value: Value) => goJson(value));
define("toRawJson", ["any"], (value: Value) => goJson(value, { raw: true }));
define("toPrettyJson", ["any"], (value: Value) => goJson(value, { indent: "  " }));
define("fromJson", ["string"], (s: string) => {
  try {
    return JSON.parse(s) as Value;
  } catch {
    return {};
  }
});
define("fail", ["string"], (message: string) => {
  throw new TemplateExecError(message);
});
define("required", ["string", "any"], (warning: string, value: Value) => {
  if (value === null || value === undefined || value === "") throw new TemplateExecError(warning);
  return value;
});

// sprig: lists and dicts
define("list", [], (...items: Value[]) => items, "any");
define("tuple", [], (...items: Value[]) => items, "any");
define(
  "dict",
  [],
  (...pairs: Value[]) => {
    const out: Record<string, Value> = {};
    for (let i = 0; i < pairs.length; i += 2)
      Object.defineProperty(out, strval(pairs[i]), {
        value: i + 1 < pairs.length ? pairs[i + 1] : "",
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  },
  "any",
);
define("get", ["map", "string"], (map: Record<string, Value>, key: string) =>
  Object.hasOwn(map, key) ? map[key] : "");
define("hasKey", ["map", "string"], (map: Record<string, Value>, key: string) => Object.hasOwn(map, key));
define("keys", [], (...maps: Record<string, Value>[]) => maps.flatMap((map) => Object.keys(map)), "map");
define("values", ["map"], (map: Record<string, Value>) => Object.values(map));
define(
  "pluck",
  ["string"],
  (key: string, ...maps: Record<string, Value>[]) =>
    maps.filter((map) => Object.hasOwn(map, key)).map((map) => map[key]),
  "map",
);
define("first", ["any"], (list: Value) => asList("first", list)[0] ?? null);
define("last", ["any"], (list: Value) => asList("last", list).at(-1) ?? null);
define("rest", ["any"], (list: Value) => asList("rest", list).slice(1));
define("initial", ["any"], (list: Value) => asList("initial", list).slice(0, -1));
define("append", ["any", "any"], (list: Value, item: Value) => [...asList("append", list), item]);
define("prepend", ["any", "any"], (list: Value, item: Value) => [item, ...asList("prepend", list)]);
define("concat", [], (...lists: Value[]) => lists.flatMap((list) => asList("concat", list)), "any");
define("reverse", ["any"], (list: Value) => [...asList("reverse", list)].reverse());
define("compact", ["any"], (list: Value) => asList("compact", list).filter((item) => !isEmpty(item)));
define("uniq", ["any"], (list: Value) =>
  asList("uniq", list).filter((item, i, all) => all.findIndex((other) => sameValue(other, item)) === i));
define("has", ["any", "any"], (needle: Value, haystack: Value) =>
  haystack === null || haystack === undefined
    ? false
    : asList("has", haystack).some((item) => sameValue(item, needle)));
define(
  "without",
  ["any"],
  (list: Value, ...omit: Value[]) =>
    asList("without", list).filter((item) => !omit.some((other) => sameValue(other, item))),
  "any",
);

// sprig: arithmetic (int64 after spf13/cast's conversion)
define("add", [], (...values: Value[]) => int64(values.reduce<number>((sum, value) => sum + toInt64(value), 0)), "any");
define("add1", ["any"], (value: Value) => int64(toInt64(value) + 1));
define("sub", ["any", "any"], (a: Value, b: Value) => int64(toInt64(a) - toInt64(b)));
define(
  "mul",
  ["any"],
  (first: Value, ...rest: Value[]) =>
    int64(rest.reduce<number>((product, value) => product * toInt64(value), toInt64(first))),
  "any",
);
define("div", ["any", "any"], (a: Value, b: Value) => {
  if (toInt64(b) === 0) throw new TemplateExecError("runtime error: integer divide by zero");
  return int64(toInt64(a) / toInt64(b));
});
define("mod", ["any", "any"], (a: Value, b: Value) => {
  if (toInt64(b) === 0) throw new TemplateExecError("runtime error: integer divide by zero");
  return int64(toInt64(a) % toInt64(b));
});
define(
  "max",
  ["any"],
  (first: Value, ...rest: Value[]) => int64(Math.max(toInt64(first), ...rest.map(toInt64))),
  "any",
);
define(
  "min",
  ["any"],
  (first: Value, ...rest: Value[]) => int64(Math.min(toInt64(first), ...rest.map(toInt64))),
  "any",
);
define("floor", ["any"], (value: Value) => Math.floor(toFloat64(value)));
define("ceil", ["any"], (value: Value) => Math.ceil(toFloat64(value)));

// sprig: dates (the Worker's local zone is UTC)
define("now", [], () => goNow());
define("date", ["string", "any"], (layout: string, date: Value) => asTime(date).format(layout));
define("dateInZone", ["string", "any", "string"], (layout: string, date: Value, zone: string) => {
  if (zone !== "UTC" && zone !== "Local" && zone !== "")
    throw new TemplateExecError(`time zone ${zone} is not available (UTC only)`);
  return asTime(date).format(layout);
});
define("htmlDate", ["any"], (date: Value) => asTime(date).format("2006-01-02"));
define("unixEpoch", ["time"], (time: GoTime) => String(time.unix()));
// sprig reads int64 and strings only; other values (an int literal) are 0 seconds.
define("duration", ["any"], (seconds: Value) => {
  const count =
    seconds instanceof GoInt && seconds.type === "int64"
      ? seconds.value
      : typeof seconds === "string" && /^[+-]?\d+$/.test(seconds)
        ? Number(seconds)
        : 0;
  return new GoDuration(count * 1e9).toString();
});

// sprig: regular expressions (RE2, as Go's regexp)
define("regexMatch", ["string", "string"], (pattern: string, s: string) => compileRegex(pattern).matcher(s).find());
define("regexFind", ["string", "string"], (pattern: string, s: string) => {
  const matcher = compileRegex(pattern).matcher(s);
  return matcher.find() ? (matcher.group() ?? "") : "";
});
define("regexFindAll", ["string", "string", "int"], (pattern: string, s: string, n: GoInt) => {
  const matcher = compileRegex(pattern).matcher(s);
  const found: string[] = [];
  while ((n.value < 0 || found.length < n.value) && matcher.find()) found.push(matcher.group() ?? "");
  return found;
});
define("regexReplaceAll", ["string", "string", "string"], (pattern: string, s: string, replacement: string) =>
  replaceAll(pattern, s, (match) => expand(replacement, match)));
define("regexReplaceAllLiteral", ["string", "string", "string"], (pattern: string, s: string, replacement: string) =>
  replaceAll(pattern, s, () => replacement));
define("regexSplit", ["string", "string", "int"], (pattern: string, s: string, n: GoInt) => {
  if (n.value === 0) return [];
  const parts: string[] = [];
  replaceAll(pattern, s, (match) => {
    parts.push(String(match.start()), String(match.end()));
    return "";
  });
  const pieces: string[] = [];
  let from = 0;
  for (let i = 0; i < parts.length && (n.value < 0 || pieces.length < n.value - 1); i += 2) {
    const start = Number(parts[i]);
    const end = Number(parts[i + 1]);
    if (end === 0) continue;
    pieces.push(s.slice(from, start));
    from = end;
  }
  pieces.push(s.slice(from));
  return pieces;
});
define("regexQuoteMeta", ["string"], (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&"));

type Match = ReturnType<ReturnType<typeof compileRegex>["matcher"]>;

/** Go's Regexp.ReplaceAll: every match replaced, except an empty match right after the previous one. */
function replaceAll(pattern: string, s: string, replacement: (match: Match) => string): string {
  const matcher = compileRegex(pattern).matcher(s);
  let out = "";
  let copied = 0;
  let lastEnd = -1;
  while (matcher.find()) {
    const start = matcher.start();
    const end = matcher.end();
    if (end > lastEnd || start === 0) {
      out += s.slice(copied, start) + replacement(matcher);
      copied = end;
    }
    lastEnd = end;
  }
  return out + s.slice(copied);
}

/** Go's Regexp.Expand: $1, ${1}, $name, ${name} and $$ in a replacement. */
function expand(template: string, match: Match): string {
  return template.replace(/\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))?/g, (all, braced?: string, bare?: string) => {
    if (all === "$$") return "$";
    const name = braced ?? bare;
    if (name === undefined) return "$";
    try {
      return (/^[0-9]+$/.test(name) ? match.group(Number(name)) : match.group(name)) ?? "";
    } catch {
      return "";
    }
  });
}

function asTime(value: Value): GoTime {
  if (value instanceof GoTime) return value;
  if (value instanceof GoInt) return new GoTime(value.value * 1000);
  return goNow();
}

function indent(spaces: number, s: string): string {
  const pad = " ".repeat(Math.max(0, spaces));
  return pad + s.split("\n").join(`\n${pad}`);
}

function trimChars(s: string, cut: string): string {
  const chars = new Set(cut);
  let start = 0;
  let end = s.length;
  while (start < end && chars.has(s[start] ?? "")) start++;
  while (end > start && chars.has(s[end - 1] ?? "")) end--;
  return s.slice(start, end);
}

/** reflect.DeepEqual for template values. */
function sameValue(a: Value, b: Value): boolean {
  if (a instanceof GoInt && b instanceof GoInt) return a.value === b.value && a.type === b.type;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && sameValue(a[key], b[key]))
    );
  }
  return a === b;
}

/** sprig functions hookline does not provide (they need the network, randomness, the file system or crypto keys). */
const SPRIG_UNSUPPORTED = new Set(
  "hello ago dateModify durationRound htmlDateInZone mustDateModify mustToDate toDate abbrev abbrevboth randAlphaNum randAlpha randAscii randNumeric swapcase shuffle snakecase camelcase kebabcase wrap wrapWith sha1sum sha256sum adler32sum seq toDecimal splitn until untilStep randInt add1f addf subf divf mulf biggest maxf minf round mustCompact mustFromJson mustToJson mustToPrettyJson mustToRawJson deepCopy mustDeepCopy typeOf typeIs typeIsLike kindOf kindIs deepEqual env expandenv getHostByName base dir clean ext isAbs osBase osClean osDir osExt osIsAbs b32enc b32dec set unset pick omit merge mergeOverwrite mustMerge mustMergeOverwrite mustAppend mustPrepend mustFirst mustRest mustLast mustInitial mustReverse mustUniq mustWithout mustHas slice mustSlice dig chunk mustChunk bcrypt htpasswd genPrivateKey derivePassword buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey encryptAES decryptAES randBytes uuidv4 semver semverCompare mustRegexMatch mustRegexFindAll mustRegexFind mustRegexReplaceAll mustRegexReplaceAllLiteral mustRegexSplit urlParse urlJoin".split(
    " ",
  ),
);

/** Names the interpreter evaluates itself (lazily, or with a function argument). */
export const SPECIAL_FORMS = new Set(["and", "or", "call"]);

/** The function of that name, or null. */
export function templateFunction(name: string): GoFunction | null {
  return functions.get(name) ?? null;
}

/** Whether templates may call the function (what the parser checks names against). */
export function isTemplateFunction(name: string): boolean {
  return functions.has(name) || SPECIAL_FORMS.has(name);
}

/** Why a function name is refused: one sprig has but hookline does not, or one that does not exist. */
export function unknownFunctionMessage(name: string): string {
  return SPRIG_UNSUPPORTED.has(name)
    ? `function "${name}" (sprig) is not available in hookline's templates`
    : `function "${name}" not defined`;
}
