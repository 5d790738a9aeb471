import { GoDuration, GoTime } from "../go-time";

/**
 * The values a Go template works with, as JavaScript values: JSON documents decode as Go's
 * encoding/json does (numbers are float64, objects map[string]interface{}), integers from
 * literals and functions are GoInt, times and durations are GoTime / GoDuration, functions in
 * the data (`call .repo.RepoURLToHTTPS …`) are GoFunction. `undefined` is Go's invalid value
 * (a missing map key, printed "<no value>"); `null` is a nil interface.
 */
export type Value = unknown;

/** An int or int64 (template literals, len, sprig arithmetic). */
export class GoInt {
  constructor(
    readonly value: number,
    readonly type: "int" | "int64" | "uint8" = "int",
  ) {}
}

/** The parameter types functions declare; arguments are checked against them as Go does. */
export type ParamType = "any" | "string" | "int" | "float" | "bool" | "list" | "map" | "time" | "duration";

/** A function a template can call: by name (the function map) or with `call` (a value in the data). */
export class GoFunction {
  constructor(
    readonly name: string,
    readonly params: readonly ParamType[],
    readonly implementation: (...args: Value[]) => Value,
    /** The type of every argument after `params` (a variadic function), if any. */
    readonly variadic: ParamType | null = null,
  ) {}
}

/** An error raised while executing a template (Go's ExecError); `code` is TEMPLATE_BUDGET when it built too much. */
export class TemplateExecError extends Error {
  override readonly name = "TemplateExecError";
  constructor(
    message: string,
    readonly code: "TEMPLATE_BUDGET" | null = null,
  ) {
    super(message);
  }
}

/** A JSON object (Go's map[string]interface{}), as opposed to the other values templates see. */
export const isObject = (value: Value): value is Record<string, Value> =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof GoInt || value instanceof GoTime || value instanceof GoDuration || value instanceof GoFunction);

/** Go's name for a value's type, as error messages and %T print it. */
export function typeName(value: Value): string {
  if (value === undefined || value === null) return "<nil>";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "float64";
  if (typeof value === "boolean") return "bool";
  if (value instanceof GoInt) return value.type;
  if (value instanceof GoTime) return "time.Time";
  if (value instanceof GoDuration) return "time.Duration";
  if (value instanceof GoFunction) return "func";
  if (Array.isArray(value)) return "[]interface {}";
  return "map[string]interface {}";
}

/** strconv.FormatFloat(f, 'g', -1, 64) as fmt's %v uses it: shortest digits, an exponent from 1e6 up or below 1e-4. */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const [mantissa = "", exponentText = "0"] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return value.toFixed(Math.max(0, (mantissa.split(".")[1]?.length ?? 0) - exponent));
}

/** fmt's %v. */
export function formatValue(value: Value): string {
  if (value === undefined || value === null) return "<nil>";
  if (typeof value === "string") return value;
  if (typeof value === "number") return formatFloat(value);
  if (typeof value === "boolean") return String(value);
  if (value instanceof GoInt) return String(value.value);
  if (value instanceof GoTime || value instanceof GoDuration) return value.toString();
  if (value instanceof GoFunction) return "0x1";
  if (Array.isArray(value)) return `[${value.map(formatValue).join(" ")}]`;
  const record = value as Record<string, Value>;
  const keys = Object.keys(record).sort(compareStrings);
  return `map[${keys.map((key) => `${key}:${formatValue(record[key])}`).join(" ")}]`;
}

/** What an action prints: "<no value>" for an invalid (missing) or nil value, else %v. */
export function printValue(value: Value): string {
  return value === undefined || value === null ? "<no value>" : formatValue(value);
}

/** Go orders strings by their UTF-8 bytes. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** text/template's truth: the zero value of its type is false. */
export function truth(value: Value): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return value.length > 0;
  if (value instanceof GoInt) return value.value !== 0;
  if (value instanceof GoDuration) return value.nanoseconds !== 0;
  if (value instanceof GoTime || value instanceof GoFunction) return true;
  if (Array.isArray(value)) return value.length > 0;
  return Object.keys(value as object).length > 0;
}

type Kind = "invalid" | "bool" | "int" | "float" | "string" | "other";

function basicKind(value: Value): Kind {
  if (value === undefined || value === null) return "invalid";
  if (typeof value === "boolean") return "bool";
  if (value instanceof GoInt) return "int";
  if (value instanceof GoDuration) return "int";
  if (typeof value === "number") return "float";
  if (typeof value === "string") return "string";
  return "other";
}

const scalar = (value: Value): number | string | boolean =>
  value instanceof GoInt
    ? value.value
    : value instanceof GoDuration
      ? value.nanoseconds
      : (value as number | string | boolean);

/** The builtin `eq`: arg1 == arg2 || arg1 == arg3 …, with Go's rules on comparable kinds. */
export function equals(first: Value, ...others: Value[]): boolean {
  if (others.length === 0) throw new TemplateExecError("missing argument for comparison");
  const k1 = basicKind(first);
  for (const other of others) {
    const k2 = basicKind(other);
    let same = false;
    if (k1 !== k2) {
      if (k1 !== "invalid" && k2 !== "invalid") throw new TemplateExecError("incompatible types for comparison");
    } else if (k1 === "other") {
      if (Array.isArray(first) || isObject(first) || Array.isArray(other) || isObject(other))
        throw new TemplateExecError(`non-comparable types ${typeName(first)} and ${typeName(other)}`);
      same = first === other;
    } else if (k1 === "invalid") same = true;
    else same = scalar(first) === scalar(other);
    if (same) return true;
  }
  return false;
}

/** The builtin `lt`, and through it le, gt, ge. */
export function lessThan(a: Value, b: Value): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "invalid" || k1 === "other" || k1 === "bool" || k2 === "invalid" || k2 === "other" || k2 === "bool")
    throw new TemplateExecError("invalid type for comparison");
  if (k1 !== k2) throw new TemplateExecError("incompatible types for comparison");
  return scalar(a) < scalar(b);
}

/** fmt.Sprint: a space between operands when neither is a string. */
export function sprint(args: readonly Value[]): string {
  let out = "";
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatValue(arg);
  });
  return out;
}

/** Go's strconv.Quote, close enough for the JSON strings templates quote. */
export function goQuote(text: string): string {
  return JSON.stringify(text).replace(/\u007f/g, "\\x7f");
}

const bad = (verb: string, value: Value) =>
  value === undefined || value === null ? `%!${verb}(<nil>)` : `%!${verb}(${typeName(value)}=${formatValue(value)})`;

/** fmt.Sprintf for the verbs templates use: %v %s %d %q %f %g %e %t %x %X %T %c %%, with flags, width and precision. */
export function sprintf(format: string, args: readonly Value[]): string {
  let next = 0;
  // A written width or precision over a million makes fmt give up on the rest of the format
  // ("%!(NOVERB)"); one taken from an argument (`*`) is refused but the value still formatted.
  const directive = /%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])/g;
  const tooLong = [...format.matchAll(directive)].find(
    (match) =>
      Number(match[2] === "*" ? 0 : (match[2] ?? 0)) > 1e6 || Number(match[3] === "*" ? 0 : (match[3] ?? 0)) > 1e6,
  );
  const usable = tooLong === undefined ? format : format.slice(0, tooLong.index);
  const out = usable.replace(directive, (_all, flags: string, width, precision, verb: string) => {
    if (verb === "%") return "%";
    const take = () => (next < args.length ? args[next++] : Symbol.for("missing"));
    let widthValue = width === "*" ? Number(scalar(take())) : width === undefined ? undefined : Number(width);
    let precisionValue =
      precision === "*"
        ? Number(scalar(take()))
        : precision === undefined
          ? _all.includes(".")
            ? 0
            : undefined
          : Number(precision);
    // fmt refuses widths and precisions over a million (and so never builds a huge string): it
    // says so and formats the value without them.
    let refused = "";
    if ((widthValue ?? 0) > 1e6) {
      refused += "%!(BADWIDTH)";
      widthValue = undefined;
    }
    if ((precisionValue ?? 0) > 1e6) {
      refused += "%!(BADPREC)";
      precisionValue = undefined;
    }
    const arg = take();
    if (arg === Symbol.for("missing")) return `${refused}%!${verb}(MISSING)`;
    let text = refused + formatVerb(verb, arg, flags, precisionValue);
    if (widthValue !== undefined && text.length < widthValue) {
      const fill = flags.includes("0") && !flags.includes("-") && /[dfgexX]/.test(verb) ? "0" : " ";
      if (flags.includes("-")) text = text.padEnd(widthValue, " ");
      else if (fill === "0" && /^[+-]/.test(text)) text = text[0] + text.slice(1).padStart(widthValue - 1, "0");
      else text = text.padStart(widthValue, fill);
    }
    return text;
  });
  const ending = tooLong === undefined ? out : `${out}%!(NOVERB)`;
  if (next < args.length)
    return `${ending}%!(EXTRA ${args
      .slice(next)
      .map((arg) => `${typeName(arg)}=${formatValue(arg)}`)
      .join(", ")})`;
  return ending;
}

function formatVerb(verb: string, arg: Value, flags: string, precision: number | undefined): string {
  const plus = (text: string, value: number) =>
    flags.includes("+") && value >= 0 ? `+${text}` : flags.includes(" ") && value >= 0 ? ` ${text}` : text;
  switch (verb) {
    case "v":
      return flags.includes("#") && typeof arg === "string" ? goQuote(arg) : formatValue(arg);
    case "s":
      if (typeof arg === "string") return precision === undefined ? arg : arg.slice(0, precision);
      if (arg instanceof GoTime || arg instanceof GoDuration) return arg.toString();
      if (Array.isArray(arg)) return `[${arg.map((item) => formatVerb("s", item, "", undefined)).join(" ")}]`;
      return bad("s", arg);
    case "q":
      if (typeof arg === "string") return goQuote(arg);
      if (arg instanceof GoInt) return `'${String.fromCodePoint(arg.value)}'`;
      return bad("q", arg);
    case "d":
      if (arg instanceof GoInt) return plus(String(arg.value), arg.value);
      if (arg instanceof GoDuration) return plus(String(arg.nanoseconds), arg.nanoseconds);
      if (Array.isArray(arg)) return `[${arg.map((item) => formatVerb("d", item, flags, precision)).join(" ")}]`;
      return bad("d", arg);
    case "c":
      return arg instanceof GoInt ? String.fromCodePoint(arg.value) : bad("c", arg);
    case "t":
      return typeof arg === "boolean" ? String(arg) : bad("t", arg);
    case "f":
    case "F":
      return typeof arg === "number" ? plus(arg.toFixed(Math.min(precision ?? 6, 100)), arg) : bad(verb, arg);
    case "e":
      return typeof arg === "number"
        ? plus(goExponent(arg.toExponential(Math.min(precision ?? 6, 100))), arg)
        : bad("e", arg);
    case "g":
      return typeof arg === "number"
        ? plus(
            precision === undefined ? formatFloat(arg) : goExponent(Number(arg.toPrecision(precision)).toString()),
            arg,
          )
        : bad("g", arg);
    case "x":
    case "X": {
      let text: string;
      if (arg instanceof GoInt) text = arg.value.toString(16);
      else if (typeof arg === "string")
        text = [...new TextEncoder().encode(arg)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
      else return bad(verb, arg);
      if (flags.includes("#")) text = `0x${text}`;
      return verb === "X" ? text.toUpperCase() : text;
    }
    case "T":
      return typeName(arg);
    default:
      return bad(verb, arg);
  }
}

/** JavaScript's "1.5e+3" as Go's "1.5e+03". */
const goExponent = (text: string) => text.replace(/e([+-])(\d)$/, "e$10$2");
